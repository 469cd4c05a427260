/**
 * Dynamic L2TPv3 between two ql2tpd runtimes in virtual time (SimNet sockets, fake kernels): both
 * list each other and one connection comes up with its pseudowire, the Message Digest verified and
 * shown in status; a wrong secret brings nothing up and both logs say why; a peer that dies and
 * comes back is found again by itself (redial with back-off, or its new connection accepted);
 * SIGHUP; 200 seeds of lossy, duplicating, reordering links converge to one whole pseudowire.
 */
import { codecWire } from '@l2tp/control';
import { seededRandom, SimEdge, SimNet } from '@l2tp/control/testing';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseQl2tpdConfig, type Ql2tpdConfig } from '../src/index.js';
import { canonicalAddress } from '../src/dynamic-runner.js';
import { Ql2tpdRuntime } from '../src/runtime.js';

function cfg(text: string): Ql2tpdConfig {
  const r = parseQl2tpdConfig(text, 'q.toml', { hostName: 'h' });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}
const dynamic = (me: string, them: string, extra = '') => cfg(`[tunnel.pe]\nversion = "l2tpv3"\nmode = "dynamic"\nlocal = "${me}:1701"\npeer = "${them}:1701"
hello_timeout = 2000\nretry_timeout = 200\nmax_retries = 3\n${extra}\n[tunnel.pe.session.vc100]\npseudowire = "eth"\nremote_end_id = "vc100"\ncookie_length = 4\ninterface_name = "l2tpeth100"\n`);

let seed = 1;
function daemon(edge: SimEdge, host: string, config: Ql2tpdConfig) {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug', base: undefined, timestamp: false }, { write: (s: string) => { lines.push({ ...JSON.parse(s), at: edge.net.nowMs }); } });
  const dataPlane = edge.dataPlane(host);
  const runtime = new Ql2tpdRuntime(config, {
    log, dataPlane, wire: codecWire, clock: edge.clock, random: seededRandom(seed++), wallMs: () => edge.net.nowMs, notify: () => undefined,
    resolve: async (t) => ({ peer: { address: t.peer.host, port: t.peer.port, family: 4 }, local: { address: t.local!.host, port: t.local!.port, family: 4 } }),
  });
  const tunnel = async () => (await runtime.status()).tunnels[0]!;
  return { runtime, kernel: dataPlane.kernel, lines, tunnel, msgs: () => lines.map((l) => String(l['msg'])) };
}

/** The host loses power: its runtime is gone and nothing it would still send leaves. */
async function powerOff(edge: SimEdge, d: ReturnType<typeof daemon>): Promise<void> {
  let cut = true;
  edge.net.drop({ match: () => cut });
  const gone = d.runtime.shutdown(0);
  await edge.run(1);
  await gone;
  cut = false;
}

describe('dynamic L2TPv3 between two ql2tpd in virtual time', () => {
  it('both ends dial: one connection, the pseudowire from the negotiation, digest and cookies in status', async () => {
    const edge = new SimEdge(new SimNet({ seed: 4, latencyMs: 5 }));
    const secret = 'digest_secret = "s3cret"\ndigest = "sha1"';
    const a = daemon(edge, '10.0.0.1', dynamic('10.0.0.1', '10.0.0.2', secret));
    const b = daemon(edge, '10.0.0.2', dynamic('10.0.0.2', '10.0.0.1', secret));
    await Promise.all([a.runtime.start(), b.runtime.start()]);
    await edge.run(5000);
    const [ta, tb] = [await a.tunnel(), await b.tunnel()];
    expect([ta.state, tb.state]).toEqual(['established', 'established']);
    expect(ta).toMatchObject({ mode: 'dynamic', tunnelId: tb.peerTunnelId, peerTunnelId: tb.tunnelId, peerRouterId: '10.0.0.2', digest: { type: 'sha1', dropped: 0 } });
    expect(ta.digest!.verified).toBeGreaterThan(0);
    expect(ta.sessions).toMatchObject([{ name: 'vc100', state: 'established', remoteEndId: 'vc100', cookieLength: 4, peerCookieLength: 4, interfaceName: 'l2tpeth100',
      sessionId: tb.sessions[0]!.peerSessionId, peerSessionId: tb.sessions[0]!.sessionId }]);
    expect([...a.kernel.tunnels.keys()]).toEqual([ta.tunnelId]);
    expect([...a.kernel.sessions.values()]).toMatchObject([{ interfaceName: 'l2tpeth100', cookie: b.kernel.sessions.values().next().value!.peerCookie }]);
    expect(a.msgs().filter((m) => m === 'control connection up')).toHaveLength(1);
    expect(a.lines.filter((l) => (l['level'] as number) >= 40)).toEqual([]);
    expect(b.lines.filter((l) => (l['level'] as number) >= 40)).toEqual([]);
  });

  it('a wrong secret brings nothing up, and both logs say the digest did not verify', async () => {
    const edge = new SimEdge(new SimNet({ seed: 5, latencyMs: 5 }));
    const a = daemon(edge, '10.0.0.1', dynamic('10.0.0.1', '10.0.0.2', 'digest_secret = "right"'));
    const b = daemon(edge, '10.0.0.2', dynamic('10.0.0.2', '10.0.0.1', 'digest_secret = "wrong"'));
    await Promise.all([a.runtime.start(), b.runtime.start()]);
    await edge.run(30_000);
    expect([(await a.tunnel()).state, (await b.tunnel()).state]).not.toContain('established');
    expect(a.kernel.tunnels.size + b.kernel.tunnels.size).toBe(0);
    for (const x of [a, b]) {
      expect(x.lines.filter((l) => l['level'] === 40 && /Message Digest did not verify \(mismatch\)/.test(String(l['msg']))).length).toBeGreaterThan(0);
      expect((await x.tunnel()).digest!.dropped).toBeGreaterThan(0);
    }
  });

  it('a peer that dies is redialled with back-off; when it returns the pseudowire comes back by itself', async () => {
    const edge = new SimEdge(new SimNet({ seed: 6, latencyMs: 5 }));
    const a = daemon(edge, '10.0.0.1', dynamic('10.0.0.1', '10.0.0.2'));
    const b = daemon(edge, '10.0.0.2', dynamic('10.0.0.2', '10.0.0.1'));
    await Promise.all([a.runtime.start(), b.runtime.start()]);
    await edge.run(3000);
    await powerOff(edge, b);
    await edge.run(20_000);
    const ta = await a.tunnel();
    expect(ta.state).not.toBe('established');
    expect(ta.lastResult?.reason).toMatch(/stopped answering/);
    expect(a.kernel.tunnels.size + a.kernel.sessions.size).toBe(0);
    expect(a.msgs().filter((m) => /redialling/.test(m)).length).toBeGreaterThan(1);
    const b2 = daemon(edge, '10.0.0.2', dynamic('10.0.0.2', '10.0.0.1'));
    await b2.runtime.start();
    await edge.run(5000);
    expect([(await a.tunnel()).state, (await b2.tunnel()).state]).toEqual(['established', 'established']);
    expect([...a.kernel.sessions.values()]).toMatchObject([{ interfaceName: 'l2tpeth100' }]);
  });

  it('a peer restarted before its death was noticed: its new connection replaces the stale one', async () => {
    const edge = new SimEdge(new SimNet({ seed: 7, latencyMs: 5 }));
    const slow = dynamic('10.0.0.1', '10.0.0.2').tunnels[0]!;
    const a = daemon(edge, '10.0.0.1', cfg(`[tunnel.pe]\nversion = "l2tpv3"\nmode = "dynamic"\nlocal = "10.0.0.1:1701"\npeer = "10.0.0.2:1701"\nhello_timeout = 60000
[tunnel.pe.session.vc100]\npseudowire = "eth"\nremote_end_id = "vc100"\ninterface_name = "l2tpeth100"\n`));
    expect(slow.mode).toBe('dynamic');
    const b = daemon(edge, '10.0.0.2', dynamic('10.0.0.2', '10.0.0.1'));
    await Promise.all([a.runtime.start(), b.runtime.start()]);
    await edge.run(3000);
    const before = (await a.tunnel()).tunnelId;
    await powerOff(edge, b);
    const b2 = daemon(edge, '10.0.0.2', dynamic('10.0.0.2', '10.0.0.1'));
    await b2.runtime.start();
    await edge.run(3000);
    const ta = await a.tunnel();
    expect(ta.state).toBe('established');
    expect(ta.tunnelId).not.toBe(before);
    expect([...a.kernel.tunnels.keys()]).toEqual([ta.tunnelId]);
    expect([...a.kernel.sessions.values()]).toMatchObject([{ interfaceName: 'l2tpeth100' }]);
    expect(a.lines.filter((l) => (l['level'] as number) >= 40)).toEqual([]);
  });

  it('SIGHUP adding a session re-establishes the dynamic tunnel with both; a static tunnel beside it is not touched', async () => {
    const edge = new SimEdge(new SimNet({ seed: 8, latencyMs: 5 }));
    const st = (me: string, them: string, tid: number, ptid: number) => `[tunnel.st]\nversion = "l2tpv3"\nlocal = "${me}:1702"\npeer = "${them}:1702"\ntid = ${tid}\nptid = ${ptid}
[tunnel.st.session.s]\npseudowire = "eth"\nsid = ${tid}\npsid = ${ptid}\n`;
    const vc200 = '[tunnel.pe.session.vc200]\npseudowire = "eth_vlan"\nremote_end_id = "vc200"\n';
    const text = (me: string, them: string, tid: number, ptid: number, more = '') => `${st(me, them, tid, ptid)}[tunnel.pe]\nversion = "l2tpv3"\nmode = "dynamic"\nlocal = "${me}:1701"\npeer = "${them}:1701"\nhello_timeout = 2000\nretry_timeout = 200
[tunnel.pe.session.vc100]\npseudowire = "eth"\nremote_end_id = "vc100"\n${more}`;
    const a = daemon(edge, '10.0.0.1', cfg(text('10.0.0.1', '10.0.0.2', 11, 22)));
    const b = daemon(edge, '10.0.0.2', cfg(text('10.0.0.2', '10.0.0.1', 22, 11)));
    await Promise.all([a.runtime.start(), b.runtime.start()]);
    await edge.run(3000);
    const journal = a.kernel.journal.length;
    await Promise.all([a.runtime.reload(cfg(text('10.0.0.1', '10.0.0.2', 11, 22, vc200))), b.runtime.reload(cfg(text('10.0.0.2', '10.0.0.1', 22, 11, vc200)))]);
    await edge.run(10_000);
    const pe = (await a.runtime.status()).tunnels.find((t) => t.name === 'pe')!;
    expect(pe.state).toBe('established');
    expect(pe.sessions.map((s) => [s.name, s.state])).toEqual([['vc100', 'established'], ['vc200', 'established']]);
    // The static tunnel's kernel objects were neither deleted nor made again.
    expect(a.kernel.journal.slice(journal).filter((j) => / 11(\/|$| )/.test(j))).toEqual([]);
    expect(a.kernel.sessions.has('11/11')).toBe(true);
  });

  it('a call for a Remote End ID we do not have is refused and logged by its session id, the configured one comes up', async () => {
    const edge = new SimEdge(new SimNet({ seed: 9, latencyMs: 5 }));
    const a = daemon(edge, '10.0.0.1', dynamic('10.0.0.1', '10.0.0.2'));
    const b = daemon(edge, '10.0.0.2', dynamic('10.0.0.2', '10.0.0.1', '[tunnel.pe.session.vc200]\npseudowire = "eth"\nremote_end_id = "vc200"'));
    await Promise.all([a.runtime.start(), b.runtime.start()]);
    await edge.run(5000);
    expect((await a.tunnel()).sessions.map((s) => [s.name, s.state])).toEqual([['vc100', 'established']]);
    const refused = a.lines.filter((l) => l['msg'] === 'session not established');
    expect(refused.length).toBeGreaterThan(0);
    for (const l of refused) {
      expect(l['session_name']).toBeUndefined();
      expect(typeof l['session_id']).toBe('number');
    }
    expect(b.lines.filter((l) => l['msg'] === 'session not established').map((l) => l['session_name'])).toContain('vc200');
  });

  it('a configured IPv6 peer matches the socket\'s spelling of its address', () => {
    expect(canonicalAddress('2001:DB8:0::0002')).toBe('2001:db8::2');
    expect(canonicalAddress('192.0.2.1')).toBe('192.0.2.1');
  });

  it('both ends dialling through 20 % loss, duplication and reordering converge: one pseudowire each, ids and cookies crossing (200 seeds)', async () => {
    for (let s = 100; s < 300; s++) {
      const edge = new SimEdge(new SimNet({ seed: s, latencyMs: 5, jitterMs: 10, loss: 0.2, duplicate: 0.05, reorder: 0.1, record: false }));
      const a = daemon(edge, '10.0.0.1', dynamic('10.0.0.1', '10.0.0.2', 'digest_secret = "k"'));
      const b = daemon(edge, '10.0.0.2', dynamic('10.0.0.2', '10.0.0.1', 'digest_secret = "k"'));
      await Promise.all([a.runtime.start(), b.runtime.start()]);
      // At this loss a connection may die now and then (max_retries = 3) and is redialled: wait for a
      // moment when both kernels hold one session of the same pseudowire, and check it is whole.
      const one = (k: typeof a.kernel) => (k.sessions.size === 1 && k.tunnels.size === 1 ? [...k.sessions.values()][0]! : undefined);
      const paired = () => {
        const [sa, sb] = [one(a.kernel), one(b.kernel)];
        return sa !== undefined && sb !== undefined && sa.sessionId === sb.peerSessionId && sa.peerSessionId === sb.sessionId;
      };
      const where = `seed ${s}`;
      expect(await edge.runUntil(paired, 120_000), where).toBe(true);
      const [sa, sb] = [one(a.kernel)!, one(b.kernel)!];
      expect([sa.tunnelId, sa.peerTunnelId, sa.cookie], where).toEqual([sb.peerTunnelId, sb.tunnelId, sb.peerCookie]);
      expect([a.runtime.runner('pe')!.state, b.runtime.runner('pe')!.state], where).toEqual(['established', 'established']);
      // The shutdown bound runs on the virtual clock.
      const gone = Promise.all([a.runtime.shutdown(0), b.runtime.shutdown(0)]);
      await edge.run(1);
      await gone;
    }
  }, 120_000);
});
