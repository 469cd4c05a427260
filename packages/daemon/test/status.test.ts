import { describe, expect, it } from 'vitest';
import { formatDuration, renderMetrics, renderStatusTable } from '../src/index.js';
import { SNAPSHOT } from './fixtures.js';

describe('status rendering', () => {
  it('formats durations with the two largest units', () => {
    expect([0, 999, 7_000, 66_000, 3_723_000, 90_061_000].map(formatDuration)).toEqual(['0s', '0s', '7s', '1m6s', '1h2m', '1d1h']);
  });
  it('prints a table with a row per tunnel and an indented row per session', () => {
    const lines = renderStatusTable(SNAPSHOT).trimEnd().split('\n');
    expect(lines[0]).toBe('kl2tpd 0.1.0, pid 4321, up 1h2m');
    expect(lines[1]).toMatch(/^NAME\s+IDS\s+PEER\s+STATE\s+UP/);
    expect(lines[2]).toMatch(/^t1\s+1234\/77\s+192\.0\.2\.1:1701\s+established\s+1h2m\s+12\/11\/2\/5\s+20p\/2000B\s+10p\/1000B\s+-$/);
    expect(lines[3]).toMatch(/^ {2}s1\s+5\/9\s+ppp0\s+established\s+1h1m\s+20p\/2000B/);
    // The last result is history: its age is shown (the object may be up again since).
    expect(lines[4]).toMatch(/^ {2}s "2"\s+6\/0\s+-\s+down\s+-.*peer CDN result 3 \(1h2m ago\)$/);
    expect(lines[5]).toMatch(/^pw\s+3\/4\s+\[2001:db8::1\]:5000\s+static\s+-\s+static/);
  });
});

describe('Prometheus metrics', async () => {
  const text = await renderMetrics(SNAPSHOT);
  it('declares each family once with HELP and TYPE', () => {
    expect(text.match(/^# TYPE l2tp_tunnel_up gauge$/gm)).toHaveLength(1);
    expect(text).toMatch(/^# HELP l2tp_tunnel_control_retransmitted_total .+$/m);
    expect(text).toMatch(/^# TYPE l2tp_session_rx_bytes_total counter$/m);
  });
  it('exports the counters with daemon/tunnel/session labels, escaping label values', () => {
    expect(text).toContain('l2tp_tunnel_up{daemon="kl2tpd",tunnel="t1"} 1\n');
    expect(text).toContain('l2tp_tunnel_up{daemon="kl2tpd",tunnel="pw"} 0\n');
    expect(text).toContain('l2tp_tunnel_hellos_sent_total{daemon="kl2tpd",tunnel="t1"} 5\n');
    expect(text).toContain('l2tp_tunnel_control_ignored_total{daemon="kl2tpd",tunnel="t1"} 3\n');
    expect(text).toContain('l2tp_tunnel_rx_errors_total{daemon="kl2tpd",tunnel="t1"} 1\n');
    expect(text).toContain('l2tp_session_up{daemon="kl2tpd",tunnel="t1",session="s \\"2\\""} 0\n');
    expect(text).toContain('l2tp_up_seconds{daemon="kl2tpd"} 3723\n');
    expect(text).not.toMatch(/l2tp_tunnel_control_\w+\{[^}]*tunnel="pw"/);
    expect(text).toContain('l2tp_session_rx_bytes_total{daemon="kl2tpd",tunnel="t1",session="s1"} 2000\n');
  });
  it('build info and start time', () => {
    expect(text).toContain(`l2tp_build_info{daemon="kl2tpd",version="0.1.0",nodejs="${process.version}"} 1\n`);
    expect(text).toContain('l2tp_start_time_seconds{daemon="kl2tpd"} 1000\n');
  });
  it('every sample line is name{labels} value', () => {
    for (const line of text.trimEnd().split('\n')) if (line !== '' && !line.startsWith('#')) expect(line).toMatch(/^l2tp_[a-z_]+\{[^}]*\} \d+$/);
  });
});

describe('dynamic L2TPv3 tunnels', async () => {
  const dyn = {
    ...SNAPSHOT, daemon: 'ql2tpd',
    tunnels: [{
      name: 'pe', tunnelId: 3_000_000_001, peerTunnelId: 42, peer: '192.0.2.2:0', state: 'established', mode: 'dynamic', peerRouterId: '192.0.2.2',
      upSinceMs: SNAPSHOT.nowMs - 60_000, control: { sent: 5, received: 6, retransmitted: 0, hellosSent: 1 },
      digest: { type: 'sha1' as const, verified: 11, verifiedWithOlderSecret: 0, dropped: 2 },
      sessions: [{ name: 'vc100', sessionId: 7, peerSessionId: 8, state: 'established', upSinceMs: SNAPSHOT.nowMs - 50_000, interfaceName: 'l2tpeth100',
        remoteEndId: 'vc100', cookieLength: 4, peerCookieLength: 8 }],
    }],
  };
  it('the table shows the digest state and the cookie lengths, never the cookies', () => {
    const lines = renderStatusTable(dyn).trimEnd().split('\n');
    expect(lines[2]).toMatch(/^pe\s+3000000001\/42\s+192\.0\.2\.2:0\s+established digest sha1 11 ok\/2 dropped\s+1m0s/);
    expect(lines[3]).toMatch(/^ {2}vc100\s+7\/8\s+l2tpeth100\s+established cookies 4\/8B\s+50s/);
  });
  it('metrics count digest verifications and drops, and give the cookie lengths', async () => {
    const text = await renderMetrics(dyn);
    expect(text).toContain('l2tp_tunnel_digest_verified_total{daemon="ql2tpd",tunnel="pe"} 11\n');
    expect(text).toContain('l2tp_tunnel_digest_dropped_total{daemon="ql2tpd",tunnel="pe"} 2\n');
    expect(text).toContain('l2tp_session_cookie_bytes{daemon="ql2tpd",tunnel="pe",session="vc100"} 4\n');
    expect(text).toContain('l2tp_session_peer_cookie_bytes{daemon="ql2tpd",tunnel="pe",session="vc100"} 8\n');
  });
});

describe('LNS listeners', () => {
  const withLns = {
    ...SNAPSHOT, eventLoopDelayP99Ms: 12.5,
    listeners: [{
      name: 'default', listen: '0.0.0.0:1701', tunnelCount: 1, sessionCount: 1, pool: { size: 3, used: 1, free: 2 },
      refusals: { 'not-allowed': 2, 'pool-exhausted': 1, 'max-tunnels': 0 },
      tunnels: [{
        name: 'default/700', tunnelId: 700, peerTunnelId: 9, peer: '198.51.100.7:1701', state: 'established', upSinceMs: SNAPSHOT.nowMs - 60_000,
        control: { sent: 3, received: 4, retransmitted: 0, hellosSent: 1 },
        sessions: [{ name: '800', sessionId: 800, peerSessionId: 5, state: 'established', upSinceMs: SNAPSHOT.nowMs - 30_000, assignedAddress: '192.168.42.10', interfaceName: 'ppp3', pppdPid: 4242 }],
      }],
    }],
  };
  it('the table lists each listener with its counts and refusals, then its tunnels and calls with address, interface and pppd', () => {
    const lines = renderStatusTable(withLns).trimEnd().split('\n');
    const at = lines.findIndex((l) => l.startsWith('lns default'));
    expect(lines[at]).toMatch(/^lns default\s+0\.0\.0\.0:1701\s+listening\s+1 tunnels\s+1 calls\s+pool 1\/3\s+refused 3 \(not-allowed 2, pool-exhausted 1\)$/);
    expect(lines[at + 1]).toMatch(/^ {2}default\/700\s+700\/9\s+198\.51\.100\.7:1701\s+established\s+1m0s\s+3\/4\/0\/1/);
    expect(lines[at + 2]).toMatch(/^ {4}800\s+800\/5\s+192\.168\.42\.10 ppp3 pppd 4242\s+established\s+30s/);
  });
  it('metrics have per-listener series only, refusals by reason, and the event-loop delay', async () => {
    const text = await renderMetrics(withLns);
    expect(text).toContain('l2tp_lns_sessions{daemon="kl2tpd",listener="default",listen="0.0.0.0:1701"} 1\n');
    expect(text).toContain('l2tp_lns_pool_free{daemon="kl2tpd",listener="default",listen="0.0.0.0:1701"} 2\n');
    expect(text).toContain('l2tp_lns_refusals_total{daemon="kl2tpd",listener="default",listen="0.0.0.0:1701",reason="not-allowed"} 2\n');
    expect(text).toContain('l2tp_event_loop_delay_p99_seconds{daemon="kl2tpd"} 0.0125\n');
    expect(text).not.toContain('tunnel="default/700"');
  });
});
