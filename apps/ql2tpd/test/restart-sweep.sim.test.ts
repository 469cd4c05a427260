/**
 * A peer that restarts at any moment of the other end's probe cycle: whatever the offset, the
 * pseudowire comes back once and stays (no flapping: each flap deletes and re-makes the session's
 * interface, losing its addresses). Timers as the kernel suite uses them (HELLO 500 ms, retry
 * 250 ms, 3 retries), virtual time.
 */
import { codecWire } from '@l2tp/control';
import { seededRandom, SimEdge, SimNet } from '@l2tp/control/testing';
import pino from 'pino';
import { expect, it } from 'vitest';
import { parseQl2tpdConfig, type Ql2tpdConfig } from '../src/index.js';
import { Ql2tpdRuntime } from '../src/runtime.js';

const KERNEL_SUITE_TIMERS = 'hello_timeout = 500\nretry_timeout = 250\nmax_retries = 3';

function cfg(me: string, them: string, tid: number, ptid: number, timers = KERNEL_SUITE_TIMERS): Ql2tpdConfig {
  const r = parseQl2tpdConfig(`[tunnel.q]\nversion = "l2tpv3"\nlocal = "${me}:6000"\npeer = "${them}:6000"\ntid = ${tid}\nptid = ${ptid}
${timers}\n[tunnel.q.session.keep]\npseudowire = "eth"\nsid = ${tid + 1}\npsid = ${ptid + 1}\n`, 'q.toml', { hostName: 'h' });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

function daemon(edge: SimEdge, host: string, config: Ql2tpdConfig, seed: number) {
  const lines: string[] = [];
  const log = pino({ level: 'info', base: undefined, timestamp: false }, { write: (s: string) => { lines.push(`${edge.net.nowMs} ${JSON.parse(s).msg}`); } });
  const dataPlane = edge.dataPlane(host);
  const runtime = new Ql2tpdRuntime(config, {
    log, dataPlane, wire: codecWire, clock: edge.clock, random: seededRandom(seed), wallMs: () => edge.net.nowMs, notify: () => undefined,
    resolve: async (t) => ({ peer: { address: t.peer.host, port: t.peer.port, family: 4 }, local: { address: t.local!.host, port: t.local!.port, family: 4 } }),
  });
  const state = async () => (await runtime.status()).tunnels[0]!.state;
  return { runtime, kernel: dataPlane.kernel, lines, state };
}

/** Kills B (no StopCCN leaves), waits `ms`, starts it again; returns A, the new B, and A's log mark. */
async function restartB(edge: SimEdge, seed: number, ms: number, timers = KERNEL_SUITE_TIMERS, upMs = 5000) {
  const a = daemon(edge, '10.60.0.1', cfg('10.60.0.1', '10.60.0.2', 100, 200, timers), seed + 1);
  const b = daemon(edge, '10.60.0.2', cfg('10.60.0.2', '10.60.0.1', 200, 100, timers), seed + 2);
  await Promise.all([a.runtime.start(), b.runtime.start()]);
  await edge.run(upMs);
  let cut = true;
  edge.net.drop({ match: () => cut });
  const gone = b.runtime.shutdown(0);
  await edge.run(1);
  await gone;
  cut = false;
  await edge.run(ms);
  const mark = a.lines.length;
  const b2 = daemon(edge, '10.60.0.2', cfg('10.60.0.2', '10.60.0.1', 200, 100, timers), seed + 3);
  await b2.runtime.start();
  return { a, b2, mark };
}

it('default timers, B back while A still retransmits: B\'s first HELLO (sent before it heard A) is renumbered, nothing flaps', async () => {
  const bad: string[] = [];
  for (let ms = 500; ms <= 9000; ms += 500) {
    const edge = new SimEdge(new SimNet({ seed: ms, latencyMs: 2 }));
    // Up for a minute first, so that A's sequence numbers are far from B's fresh 0.
    const { a, b2, mark } = await restartB(edge, ms, ms, 'hello_timeout = 1000', 60_000);
    await edge.run(60_000);
    const downs = [...a.lines.slice(mark), ...b2.lines].filter((m) => /^\d+ tunnel down/.test(m));
    if ((await a.state()) !== 'established' || (await b2.state()) !== 'established' || downs.length > 0) bad.push(`after ${ms} ms: ${downs.join('; ')}`);
    const down = Promise.all([a.runtime.shutdown(0), b2.runtime.shutdown(0)]);
    await edge.run(40_000);
    await down;
  }
  expect(bad).toEqual([]);
});

it('B restarted before A noticed it was gone: at most one down on A, then both up and steady', async () => {
  const bad: string[] = [];
  for (let ms = 10; ms < 4500; ms += 53) {
    const edge = new SimEdge(new SimNet({ seed: ms, latencyMs: 2 }));
    const { a, b2, mark } = await restartB(edge, ms, ms);
    await edge.run(10_000);
    const settledAt = edge.net.nowMs;
    await edge.run(20_000);
    const after = a.lines.slice(mark);
    const aDowns = after.filter((m) => /^\d+ tunnel down/.test(m)).length;
    const late = [...after, ...b2.lines].filter((m) => /^\d+ tunnel (up|down)/.test(m) && Number(m.split(' ')[0]) > settledAt);
    const ok = (await a.state()) === 'established' && (await b2.state()) === 'established' && aDowns <= 1 && late.length === 0;
    if (!ok) bad.push(`after ${ms} ms: A ${await a.state()}, B ${await b2.state()}, A downs ${aDowns}, late ${late.join('; ')}`);
    const down = Promise.all([a.runtime.shutdown(0), b2.runtime.shutdown(0)]);
    await edge.run(10_000);
    await down;
  }
  expect(bad).toEqual([]);
});

it('B killed and restarted at any offset of A\'s probe cycle: one restoration on each side, then steady', async () => {
  const flaps: string[] = [];
  for (let offset = 0; offset < 5000; offset += 47) {
    const edge = new SimEdge(new SimNet({ seed: offset, latencyMs: 2 }));
    // A has noticed (HELLO failure after ~4.3 s) and is probing when B returns.
    const { a, b2, mark } = await restartB(edge, offset, 6000 + offset);
    expect(await a.state()).toBe('probing');
    await edge.run(30_000);
    const after = a.lines.slice(mark);
    const ups = [...after, ...b2.lines].filter((m) => /^\d+ tunnel up$/.test(m)).length;
    const downs = [...after, ...b2.lines].filter((m) => /^\d+ tunnel down/.test(m)).length;
    const ok = (await a.state()) === 'established' && (await b2.state()) === 'established' && ups === 2 && downs === 0;
    if (!ok) flaps.push(`offset ${offset}: A ${await a.state()}, B ${await b2.state()}, ups ${ups}, downs ${downs}\n  A: ${after.join('\n  A: ')}\n  B: ${b2.lines.join('\n  B: ')}`);
    const down = Promise.all([a.runtime.shutdown(0), b2.runtime.shutdown(0)]);
    await edge.run(10_000);
    await down;
  }
  expect(flaps).toEqual([]);
}, 120_000);
