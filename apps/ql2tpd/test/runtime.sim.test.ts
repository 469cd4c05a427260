/**
 * ql2tpd's behaviours in virtual time (SimNet sockets, fake kernels): two quiescent daemons keep
 * a pseudowire up on acknowledged HELLOs; when one end stops answering, the other removes its
 * kernel objects, probes, and re-establishes when the peer is back — exact times, no sleeps.
 * Admin down/up of a tunnel, and the l2spec_type hint.
 */
import { codecWire } from '@l2tp/control';
import { seededRandom, SimEdge, SimNet } from '@l2tp/control/testing';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseQl2tpdConfig, type Ql2tpdConfig } from '../src/index.js';
import { Ql2tpdRuntime } from '../src/runtime.js';

function cfg(text: string): Ql2tpdConfig {
  const r = parseQl2tpdConfig(text, 'q.toml', { hostName: 'h' });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}
const quiescent = (me: string, them: string, tid: number, ptid: number, extra = '') => cfg(`[tunnel.pw]\nversion = "l2tpv3"\nlocal = "${me}:1701"\npeer = "${them}:1701"\ntid = ${tid}\nptid = ${ptid}
hello_timeout = 1000\nretry_timeout = 100\nmax_retries = 2\n${extra}\n[tunnel.pw.session.s]\npseudowire = "eth"\nsid = ${tid}\npsid = ${ptid}\n`);

function daemon(edge: SimEdge, host: string, config: Ql2tpdConfig) {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug', base: undefined, timestamp: false }, { write: (s: string) => { lines.push({ ...JSON.parse(s), at: edge.net.nowMs }); } });
  const dataPlane = edge.dataPlane(host);
  const runtime = new Ql2tpdRuntime(config, {
    log, dataPlane, wire: codecWire, clock: edge.clock, random: seededRandom(host.length + Number(host.split('.').at(-1))), wallMs: () => edge.net.nowMs, notify: () => undefined,
    resolve: async (t) => ({ peer: { address: t.peer.host, port: t.peer.port, family: 4 }, local: { address: t.local!.host, port: t.local!.port, family: 4 } }),
  });
  const state = async () => (await runtime.status()).tunnels[0]!.state;
  return { runtime, kernel: dataPlane.kernel, lines, state, msgs: () => lines.map((l) => `${l['at']} ${l['msg']}`) };
}

describe('quiescent L2TPv3 in virtual time', () => {
  it('HELLO failure removes the kernel objects, the probe finds the returning peer, the pseudowire comes back', async () => {
    const edge = new SimEdge(new SimNet({ seed: 3, latencyMs: 5 }));
    const a = daemon(edge, '10.0.0.1', quiescent('10.0.0.1', '10.0.0.2', 11, 22));
    const b = daemon(edge, '10.0.0.2', quiescent('10.0.0.2', '10.0.0.1', 22, 11));
    await Promise.all([a.runtime.start(), b.runtime.start()]);
    await edge.run(10_000);
    expect([await a.state(), await b.state()]).toEqual(['established', 'established']);
    expect([...a.kernel.tunnels.keys(), ...a.kernel.sessions.keys()]).toEqual([11, '11/11']);
    const c = (await a.runtime.status()).tunnels[0]!.control!;
    expect(c.hellosSent).toBeGreaterThanOrEqual(3);
    expect(c.retransmitted).toBe(0);

    // B's host loses power: B's runtime is gone without a word (its StopCCN never leaves), A's next HELLO goes unanswered.
    let cut = true;
    edge.net.drop({ match: () => cut });
    const at = edge.net.nowMs;
    const gone = b.runtime.shutdown(0);
    await edge.run(1);
    await gone;
    cut = false;
    await edge.run(5_000);
    expect(await a.state()).toBe('probing');
    expect(a.kernel.tunnels.size + a.kernel.sessions.size).toBe(0);
    const down = a.lines.filter((l) => /tunnel down: no acknowledgement of our HELLO/.test(String(l['msg'])));
    expect(down).toHaveLength(1);
    // At most one HELLO interval (jittered up to 10% early) plus 100 + 200 + 400 ms of retransmissions.
    expect(Number(down[0]!['at']) - at).toBeLessThanOrEqual(1000 + 700);
    expect(down[0]!['level']).toBe(50);

    // B boots again: A's probe hears its HELLOs and recreates the pseudowire; B's comes up at once.
    const b2 = daemon(edge, '10.0.0.2', quiescent('10.0.0.2', '10.0.0.1', 22, 11));
    await b2.runtime.start();
    await edge.run(70_000);
    expect([await a.state(), await b2.state()]).toEqual(['established', 'established']);
    expect([...a.kernel.tunnels.keys(), ...a.kernel.sessions.keys()]).toEqual([11, '11/11']);
    expect(a.msgs().filter((m) => /peer is back/.test(m))).toHaveLength(1);
    expect(a.msgs().filter((m) => /tunnel down/.test(m))).toHaveLength(1);
    expect(b2.msgs().filter((m) => /tunnel down/.test(m))).toEqual([]);
  });

  it('a peer that shuts down (StopCCN) and restarts: the §5.7 hold, then probes until it is back', async () => {
    const edge = new SimEdge(new SimNet({ seed: 5, latencyMs: 1 }));
    const fast = 'hello_timeout = 200\nretry_timeout = 100\nmax_retries = 2';
    const q = (me: string, them: string, tid: number, ptid: number) => cfg(`[tunnel.pw]\nversion = "l2tpv3"\nlocal = "${me}:1701"\npeer = "${them}:1701"\ntid = ${tid}\nptid = ${ptid}\n${fast}\n[tunnel.pw.session.s]\npseudowire = "eth"\nsid = ${tid}\npsid = ${ptid}\n`);
    const a = daemon(edge, '10.0.0.1', q('10.0.0.1', '10.0.0.2', 11, 22));
    const b = daemon(edge, '10.0.0.2', q('10.0.0.2', '10.0.0.1', 22, 11));
    await Promise.all([a.runtime.start(), b.runtime.start()]);
    await edge.run(3000);
    const gone = b.runtime.shutdown(1000);
    await edge.run(2000);
    await gone;
    expect(await a.state()).toBe('probing');
    expect(a.msgs().filter((m) => /tunnel down: peer sent StopCCN result 6/.test(m))).toHaveLength(1);
    const b2 = daemon(edge, '10.0.0.2', q('10.0.0.2', '10.0.0.1', 22, 11));
    await b2.runtime.start();
    await edge.run(2500);
    expect([await a.state(), await b2.state()]).toEqual(['established', 'established']);
  });

  it('admin down removes the tunnel with StopCCN and probes nothing; up brings it back', async () => {
    const edge = new SimEdge(new SimNet({ seed: 9, latencyMs: 5 }));
    const a = daemon(edge, '10.0.0.1', quiescent('10.0.0.1', '10.0.0.2', 11, 22));
    const b = daemon(edge, '10.0.0.2', quiescent('10.0.0.2', '10.0.0.1', 22, 11));
    await Promise.all([a.runtime.start(), b.runtime.start()]);
    await edge.run(3000);
    a.runtime.command('down', 'pw');
    await edge.run(60_000);
    expect(await a.state()).toBe('admin-down');
    expect(a.kernel.tunnels.size + a.kernel.sessions.size).toBe(0);
    expect(a.lines.filter((l) => (l['level'] as number) >= 40)).toEqual([]);
    // B saw A's StopCCN and is probing for it.
    expect(await b.state()).toBe('probing');
    a.runtime.command('up', 'pw');
    await edge.run(10_000);
    expect([await a.state(), await b.state()]).toEqual(['established', 'established']);
    expect([...a.kernel.tunnels.keys(), ...a.kernel.sessions.keys()]).toEqual([11, '11/11']);
    expect(() => a.runtime.command('down', 'pw/s')).toThrow(/name the tunnel/);
  });

  it('frames arriving and all dropped make ql2tpd name the l2spec_type mismatch, once', async () => {
    const edge = new SimEdge(new SimNet({ seed: 2, latencyMs: 5 }));
    const a = daemon(edge, '10.0.0.1', quiescent('10.0.0.1', '10.0.0.2', 11, 22));
    const b = daemon(edge, '10.0.0.2', quiescent('10.0.0.2', '10.0.0.1', 22, 11));
    await Promise.all([a.runtime.start(), b.runtime.start()]);
    await edge.run(30_000);
    expect(a.lines.filter((l) => /l2spec_type/.test(String(l['msg'])))).toEqual([]);
    a.kernel.stats.set('11/11', { txPackets: 5n, txBytes: 500n, txErrors: 0n, rxPackets: 0n, rxBytes: 0n, rxErrors: 40n });
    await edge.run(60_000);
    const hints = a.lines.filter((l) => /same l2spec_type/.test(String(l['msg'])));
    expect(hints).toHaveLength(1);
    expect(hints[0]).toMatchObject({ level: 40, session_name: 's', l2spec_type: 'none', rx_errors: 40 });
  });
});

describe('kernel objects deleted under us (the reconciler)', () => {
  const statics = cfg(`[tunnel.st]\nversion = "l2tpv3"\nlocal = "10.0.0.1:5000"\npeer = "10.0.0.2:5000"\ntid = 7\nptid = 8
[tunnel.st.session.a]\npseudowire = "eth"\nsid = 70\npsid = 80\n[tunnel.st.session.b]\npseudowire = "eth"\nsid = 71\npsid = 81\n`);
  it('a static session or tunnel deleted with ip l2tp is made again; our own deletions are not', async () => {
    const edge = new SimEdge(new SimNet({ seed: 1 }));
    const a = daemon(edge, '10.0.0.1', statics);
    await a.runtime.start();
    await edge.run(100);
    expect(await a.state()).toBe('static');
    a.kernel.deleteUnderUs(7, 71);
    await edge.run(100);
    expect([...a.kernel.sessions.keys()].sort()).toEqual(['7/70', '7/71']);
    a.kernel.deleteUnderUs(7);
    await edge.run(100);
    expect([...a.kernel.tunnels.keys(), ...[...a.kernel.sessions.keys()].sort()]).toEqual([7, '7/70', '7/71']);
    expect(a.kernel.journal.filter((j) => j.startsWith('+'))).toEqual(['+tunnel 7', '+session 7/70', '+session 7/71', '+session 7/71', '+tunnel 7', '+session 7/70', '+session 7/71']);
    // Our own removal (admin down) is announced too, and left alone.
    a.runtime.command('down', 'st');
    await edge.run(100);
    a.kernel.watchers.forEach((w) => w({ kind: 'tunnel-deleted', tunnelId: 7 }));
    await edge.run(100);
    expect(a.kernel.tunnels.size + a.kernel.sessions.size).toBe(0);
    expect(await a.state()).toBe('admin-down');
  });

  it('a quiescent tunnel\'s kernel tunnel deleted: the connection ends with StopCCN and the pseudowire comes back', async () => {
    const edge = new SimEdge(new SimNet({ seed: 4, latencyMs: 5 }));
    const a = daemon(edge, '10.0.0.1', quiescent('10.0.0.1', '10.0.0.2', 11, 22));
    const b = daemon(edge, '10.0.0.2', quiescent('10.0.0.2', '10.0.0.1', 22, 11));
    await Promise.all([a.runtime.start(), b.runtime.start()]);
    await edge.run(3000);
    a.kernel.deleteUnderUs(11);
    await edge.run(120_000);
    expect(a.msgs().filter((m) => /tunnel down/.test(m))).toHaveLength(1);
    expect([await a.state(), await b.state()]).toEqual(['established', 'established']);
    expect([...a.kernel.tunnels.keys(), ...a.kernel.sessions.keys()]).toEqual([11, '11/11']);
    // Only its session deleted: made again in the live kernel tunnel, the connection untouched.
    a.kernel.deleteUnderUs(11, 11);
    await edge.run(1000);
    expect([...a.kernel.tunnels.keys(), ...a.kernel.sessions.keys()]).toEqual([11, '11/11']);
    expect(a.msgs().filter((m) => /tunnel down/.test(m))).toHaveLength(1);
  });
  it('down then up at once, and a reload that replaces the tunnel: the new connection waits for the old one\'s release (no "id in use")', async () => {
    const edge = new SimEdge(new SimNet({ seed: 4, latencyMs: 5 }));
    const a = daemon(edge, '10.0.0.1', quiescent('10.0.0.1', '10.0.0.2', 11, 22));
    const b = daemon(edge, '10.0.0.2', quiescent('10.0.0.2', '10.0.0.1', 22, 11));
    await Promise.all([a.runtime.start(), b.runtime.start()]);
    await edge.run(3000);
    a.runtime.command('down', 'pw');
    a.runtime.command('up', 'pw');
    await edge.run(60_000);
    const reloaded = a.runtime.reload(quiescent('10.0.0.1', '10.0.0.2', 11, 22, 'window_size = 8'));
    await edge.run(60_000);
    await reloaded;
    expect(a.lines.filter((l) => (l['level'] as number) >= 50).map((l) => l['msg'])).toEqual([]);
    expect(a.msgs().filter((m) => /in use/.test(m))).toEqual([]);
    expect([await a.state(), await b.state()]).toEqual(['established', 'established']);
    expect([...a.kernel.tunnels.keys(), ...a.kernel.sessions.keys()]).toEqual([11, '11/11']);
  });
});
