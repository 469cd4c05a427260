// A/B codec (and engine) timing of this tree's dist against another build of @l2tp/control, in one
// process, so machine load hits both alike:
//   node bench/ab.mjs /path/to/other/packages/control/dist/index.js [--rounds 21] [--engine]
// Both dists decode (and re-encode) the same captured vectors — xl2tpd v2 (test/vectors/xl2tpd/*.json)
// and RFC 3931 v3 (test/vectors/v3-digest/vectors.json) — in interleaved rounds, the order flipping
// every round, after a warm-up. Printed: median ns per message for each dist, and the median of the
// per-round ratios (this / other; below 1.00 = this tree is faster) with its interquartile range.
// `--engine` adds ControlEngine LAC ↔ LNS setups over each dist's own SimNet: many calls in a few
// tunnels, and many tunnels with one call each (µs per call set up).
// Figures are printed, not asserted (DEVELOPERS.md: targets live in benchmarks, not timed tests).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const otherPath = args.find((a) => !a.startsWith('--'));
if (otherPath === undefined) {
  console.error('usage: node bench/ab.mjs /path/to/other/dist/index.js [--rounds N] [--engine]');
  process.exit(2);
}
const roundsAt = args.indexOf('--rounds');
const ROUNDS = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 21;
if (!Number.isInteger(ROUNDS) || ROUNDS < 3) { console.error('--rounds: an integer ≥ 3'); process.exit(2); }

const thisDist = new URL('../dist/index.js', import.meta.url);
const otherDist = pathToFileURL(resolve(otherPath));
const dists = [
  { label: 'this', lib: await import(thisDist.href), testing: await import(new URL('../dist/testing/index.js', import.meta.url).href) },
  { label: 'other', lib: await import(otherDist.href), testing: await import(pathToFileURL(join(dirname(resolve(otherPath)), 'testing/index.js')).href) },
];

const vectorDir = new URL('../test/vectors/', import.meta.url);
const hex = (h) => new Uint8Array(Buffer.from(h, 'hex'));
/** @type {{ note: string, bytes: Uint8Array }[]} */
const v2 = ['plain', 'hello', 'lns-disconnect', 'challenge-hidden'].flatMap((name) =>
  JSON.parse(readFileSync(new URL(`xl2tpd/${name}.json`, vectorDir), 'utf8')).datagrams.map((d) => ({ note: d.note, bytes: hex(d.hex) })));
const v3 = JSON.parse(readFileSync(new URL('v3-digest/vectors.json', vectorDir), 'utf8')).map((d) => ({ note: d.name, bytes: hex(d.signed) }));
const sets = [
  { name: 'v2 AVP messages', vectors: v2.filter((v) => v.note !== 'ZLB') },
  { name: 'v3 AVP messages', vectors: v3 },
  { name: 'v2 ZLBs', vectors: v2.filter((v) => v.note === 'ZLB') },
];

// Both dists must read every vector alike before their speed means anything.
for (const { lib, label } of dists) {
  for (const set of sets) {
    for (const v of set.vectors) {
      const r = lib.decodeDatagram(v.bytes)[0];
      if (!r.ok) throw new Error(`${label} dist: ${v.note} does not decode: ${r.error.detail}`);
      const again = r.value.kind === 'zlb' ? lib.encodeZlb(r.value.header) : lib.encodeMessage(r.value.message, r.value.header);
      if (set.name.startsWith('v2') && Buffer.compare(Buffer.from(again), Buffer.from(v.bytes)) !== 0) throw new Error(`${label} dist: ${v.note} does not re-encode byte for byte`);
    }
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]; };
let sink = 0;
/** Short runs per dist in one round; the fastest counts. */
const SAMPLES = 15;
/** Messages per short run (~0.5 ms): short enough that many runs escape preemption whole. */
const OPS = 600;

/** ns per message of `op` over `items`, `passes` times. */
function time(op, items, passes) {
  const t0 = process.hrtime.bigint();
  for (let p = 0; p < passes; p++) for (let i = 0; i < items.length; i++) sink ^= op(items[i]).length;
  return Number(process.hrtime.bigint() - t0) / (passes * items.length);
}

/**
 * Interleaved rounds of `make(dist)` → [op, items] for each dist; returns the median of the per-round
 * ratios this/other. A round is the fastest of SAMPLES short runs per dist, the dists alternating
 * run by run: the minimum drops the runs a busy machine preempted (2 shared cores here).
 */
function ab(name, make, passes) {
  const runs = dists.map((d) => make(d));
  for (let w = 0; w < 5; w++) for (const [op, items] of runs) time(op, items, passes); // warm-up: both optimised before timing
  const ns = dists.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    const best = [Infinity, Infinity];
    for (let s = 0; s < SAMPLES; s++) {
      for (const i of (r + s) % 2 === 0 ? [0, 1] : [1, 0]) best[i] = Math.min(best[i], time(runs[i][0], runs[i][1], passes));
    }
    ns[0].push(best[0]); ns[1].push(best[1]);
  }
  const ratios = ns[0].map((t, r) => t / ns[1][r]);
  const m = ns.map(median);
  console.log(`${name.padEnd(30)} this ${m[0].toFixed(0).padStart(5)} ns/msg   other ${m[1].toFixed(0).padStart(5)} ns/msg   ratio ${median(ratios).toFixed(3)} (IQR ${quantile(ratios, 0.25).toFixed(3)}–${quantile(ratios, 0.75).toFixed(3)}, ${ROUNDS} rounds)`);
  return median(ratios);
}

console.log(`A/B: this = ${thisDist.pathname}\n     other = ${otherDist.pathname}\n     node ${process.version}; ratio = this/other, < 1 means this is faster`);
for (const set of sets) {
  const passes = Math.max(1, Math.round(OPS / set.vectors.length));
  ab(`decode ${set.name} (${set.vectors.length})`, ({ lib }) => [(b) => lib.decodeDatagram(b), set.vectors.map((v) => v.bytes)], passes);
}
for (const set of sets) {
  const passes = Math.max(1, Math.round(OPS / set.vectors.length));
  ab(`encode ${set.name} (${set.vectors.length})`, ({ lib }) => {
    // Each dist re-encodes what it decoded itself (its own message shape, layout included).
    const packets = set.vectors.map((v) => lib.decodeDatagram(v.bytes)[0].value);
    return [(p) => (p.kind === 'zlb' ? lib.encodeZlb(p.header) : lib.encodeMessage(p.message, p.header)), packets];
  }, passes);
}

if (args.includes('--engine')) {
  const TUNNELS = 2;
  const SESSIONS = 100;
  /**
   * µs per session setup over SimNet for one dist (bench/engine.mjs's measurement, smaller so that a
   * run fits between preemptions): tunnels up first, then SESSIONS calls per tunnel, timed.
   */
  const engineSample = ({ lib, testing }, seed) => {
    const net = new testing.SimNet({ seed, latencyMs: 1, record: false });
    const lac = new lib.ControlEngine({}, { random: net.rng.fork(), md5: lib.md5 }, lib.codecWire);
    const lns = new lib.ControlEngine({ accept: { hostName: 'lns', helloIntervalMs: 0 } }, { random: net.rng.fork(), md5: lib.md5 }, lib.codecWire);
    net.add('lac', lac);
    net.add('lns', lns);
    let up = 0;
    const handle = lns.handle.bind(lns);
    lns.handle = (input) => { const o = handle(input); for (const x of o) if (x.kind === 'event' && x.event.type === 'session-up') up++; return o; };
    const ids = Array.from({ length: TUNNELS }, () => lac.addTunnel({ role: 'lac', hostName: 'lac', helloIntervalMs: 0 }, net.addressOf('lns')));
    net.call('lac', (nowMs) => ids.flatMap((tunnelId) => lac.handle({ kind: 'command', nowMs, tunnelId, command: { type: 'open' } })));
    net.runUntil(() => ids.every((id) => lac.tunnel(id).state === 'established'));
    // The session id allocator moved from the tunnel to the engine; either works.
    const allocate = (tunnelId) => (typeof lac.allocateSessionId === 'function' ? lac.allocateSessionId(tunnelId) : lac.tunnel(tunnelId).allocateSessionId());
    const t0 = process.hrtime.bigint();
    net.call('lac', (nowMs) => ids.flatMap((tunnelId) => {
      const out = [];
      for (let i = 0; i < SESSIONS; i++) out.push(...lac.handle({ kind: 'command', nowMs, tunnelId, command: { type: 'open-session', sessionId: allocate(tunnelId) } }));
      return out;
    }));
    if (!net.runUntil(() => up === TUNNELS * SESSIONS, 3_600_000)) throw new Error(`only ${up} sessions came up`);
    return Number(process.hrtime.bigint() - t0) / 1000 / (TUNNELS * SESSIONS);
  };
  const MANY = 100;
  /** µs per tunnel+call over SimNet (bench/engine.mjs's "many tunnels", smaller): MANY tunnels with one call each, timed from `open`. */
  const tunnelsSample = ({ lib, testing }, seed) => {
    const net = new testing.SimNet({ seed, latencyMs: 1, record: false });
    const lac = new lib.ControlEngine({}, { random: net.rng.fork(), md5: lib.md5 }, lib.codecWire);
    const lns = new lib.ControlEngine({ accept: { hostName: 'lns', helloIntervalMs: 0 } }, { random: net.rng.fork(), md5: lib.md5 }, lib.codecWire);
    net.add('lac', lac);
    net.add('lns', lns);
    let up = 0;
    const handle = lns.handle.bind(lns);
    lns.handle = (input) => { const o = handle(input); for (const x of o) if (x.kind === 'event' && x.event.type === 'session-up') up++; return o; };
    const ids = Array.from({ length: MANY }, () => lac.addTunnel({ role: 'lac', helloIntervalMs: 0 }, net.addressOf('lns')));
    const t0 = process.hrtime.bigint();
    net.call('lac', (nowMs) => ids.flatMap((tunnelId) => [
      ...lac.handle({ kind: 'command', nowMs, tunnelId, command: { type: 'open' } }),
      ...lac.handle({ kind: 'command', nowMs, tunnelId, command: { type: 'open-session', sessionId: 1 } }),
    ]));
    if (!net.runUntil(() => up === MANY, 3_600_000)) throw new Error(`only ${up} sessions came up`);
    return Number(process.hrtime.bigint() - t0) / 1000 / MANY;
  };
  /** @type {[string, (dist: any, seed: number) => number][]} */
  const samples = [[`engine setup (${TUNNELS}×${SESSIONS} calls)`, engineSample], [`engine ${MANY} tunnels, 1 call each`, tunnelsSample]];
  for (const [label, sample] of samples) {
    for (let w = 0; w < 20; w++) for (const d of dists) sample(d, 1000 + w); // warm-up
    const us = dists.map(() => []);
    let seed = 1;
    for (let r = 0; r < ROUNDS; r++) {
      const best = [Infinity, Infinity];
      for (let k = 0; k < 7; k++) for (const i of (r + k) % 2 === 0 ? [0, 1] : [1, 0]) best[i] = Math.min(best[i], sample(dists[i], seed++));
      us[0].push(best[0]); us[1].push(best[1]);
    }
    const ratios = us[0].map((x, r) => x / us[1][r]);
    const m = us.map(median);
    console.log(`${label.padEnd(30)} this ${m[0].toFixed(2).padStart(5)} µs/call   other ${m[1].toFixed(2).padStart(5)} µs/call   ratio ${median(ratios).toFixed(3)} (IQR ${quantile(ratios, 0.25).toFixed(3)}–${quantile(ratios, 0.75).toFixed(3)}, ${ROUNDS} rounds)`);
  }
}
if (sink === 0.5) console.log(sink); // keeps the results observable to the optimiser
