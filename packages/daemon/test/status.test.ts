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
    expect(lines[4]).toMatch(/^ {2}s "2"\s+6\/0\s+-\s+down\s+-.*peer CDN result 3$/);
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
