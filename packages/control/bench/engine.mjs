// Engine figures for `pnpm bench`: in-process setup rate (LAC ControlEngine ↔ LNS ControlEngine in
// SimNet, 10 000 sessions in 10 tunnels, no I/O, real codec) and heap bytes per established idle
// session. Targets (issue 4): ≥ 50 000 session setups per second, ≤ 2 KiB heap per idle session.
import { ControlEngine, codecWire, md5 } from '../dist/index.js';
import { SimNet } from '../dist/testing/index.js';

const TUNNELS = 10;
const SESSIONS_PER_TUNNEL = 1000;

function setup(seed) {
  const net = new SimNet({ seed, latencyMs: 1, record: false });
  const lac = new ControlEngine({}, { random: net.rng.fork(), md5 }, codecWire);
  const lns = new ControlEngine({ accept: { hostName: 'lns', helloIntervalMs: 0 } }, { random: net.rng.fork(), md5 }, codecWire);
  net.add('lac', lac);
  net.add('lns', lns);
  let sessionsUp = 0;
  const count = (o) => { for (const x of o) if (x.kind === 'event' && x.event.type === 'session-up') sessionsUp++; return o; };
  // Count LNS-side session-ups as they happen (the SimNet event log is only for tests).
  const handle = lns.handle.bind(lns);
  lns.handle = (input) => count(handle(input));
  return { net, lac, lns, up: () => sessionsUp };
}

function run(seed) {
  const { net, lac, lns, up } = setup(seed);
  const ids = [];
  for (let i = 0; i < TUNNELS; i++) {
    ids.push(lac.addTunnel({ role: 'lac', hostName: 'lac', helloIntervalMs: 0 }, net.addressOf('lns')));
  }
  net.call('lac', (nowMs) => ids.flatMap((tunnelId) => lac.handle({ kind: 'command', nowMs, tunnelId, command: { type: 'open' } })));
  net.runUntil(() => ids.every((id) => lns.tunnelIds().length === TUNNELS && lac.tunnel(id).state === 'established'));
  const t0 = performance.now();
  net.call('lac', (nowMs) => ids.flatMap((tunnelId) => {
    const allocate = () => lac.allocateSessionId(tunnelId);
    const out = [];
    for (let i = 0; i < SESSIONS_PER_TUNNEL; i++) out.push(...lac.handle({ kind: 'command', nowMs, tunnelId, command: { type: 'open-session', sessionId: allocate() } }));
    return out;
  }));
  const total = TUNNELS * SESSIONS_PER_TUNNEL;
  if (!net.runUntil(() => up() === total, 3_600_000)) throw new Error(`only ${up()} of ${total} sessions came up`);
  const ms = performance.now() - t0;
  return { net, lac, lns, ms, total };
}

run(1); // warm-up
const rates = [];
for (let seed = 2; seed <= 4; seed++) {
  const r = run(seed);
  rates.push(r.total / (r.ms / 1000));
}
rates.sort((a, b) => a - b);
console.log(`engine: ${TUNNELS * SESSIONS_PER_TUNNEL} session setups in ${TUNNELS} tunnels (LAC ↔ LNS, SimNet, real codec): median ${Math.round(rates[1]).toLocaleString('en')} setups/s (target ≥ 50,000)`);

if (typeof globalThis.gc === 'function') {
  const heap = () => { globalThis.gc(); globalThis.gc(); return process.memoryUsage().heapUsed; };
  // Baseline: the same 10 tunnels up with no sessions.
  const base = setup(9);
  const ids = [];
  for (let i = 0; i < TUNNELS; i++) ids.push(base.lac.addTunnel({ role: 'lac', helloIntervalMs: 0 }, base.net.addressOf('lns')));
  base.net.call('lac', (nowMs) => ids.flatMap((tunnelId) => base.lac.handle({ kind: 'command', nowMs, tunnelId, command: { type: 'open' } })));
  base.net.runUntil(() => ids.every((id) => base.lac.tunnel(id).state === 'established'));
  base.net.runUntilIdle({ limitMs: 1000 });
  const before = heap();
  const r = run(10);
  r.net.runUntilIdle({ limitMs: 1000 });
  const after = heap();
  const perEnd = (after - before) / (2 * r.total);
  console.log(`engine: heap per established idle session ${Math.round(perEnd)} B per end, ${Math.round(perEnd * 2)} B for both ends (target ≤ 2048 B)`);
  void base; void r;
} else {
  console.log('engine: heap per session not measured (run with node --expose-gc)');
}

// Many tunnels: one LNS ControlEngine accepting 2 000 tunnels with one call each (deadline heap,
// SCCRQ accept path). Reported, not a target.
{
  const TUNNELS_MANY = 2000;
  const { net, lac, up } = setup(11);
  const ids = Array.from({ length: TUNNELS_MANY }, () => lac.addTunnel({ role: 'lac', helloIntervalMs: 0 }, net.addressOf('lns')));
  const t0 = performance.now();
  net.call('lac', (nowMs) => ids.flatMap((tunnelId) => [
    ...lac.handle({ kind: 'command', nowMs, tunnelId, command: { type: 'open' } }),
    ...lac.handle({ kind: 'command', nowMs, tunnelId, command: { type: 'open-session', sessionId: 1 } }),
  ]));
  if (!net.runUntil(() => up() === TUNNELS_MANY, 3_600_000)) throw new Error(`only ${up()} sessions up`);
  const s = (performance.now() - t0) / 1000;
  console.log(`engine: ${TUNNELS_MANY.toLocaleString('en')} tunnels with one call each against one LNS: ${Math.round(TUNNELS_MANY / s).toLocaleString('en')} tunnel+session setups/s`);
}
