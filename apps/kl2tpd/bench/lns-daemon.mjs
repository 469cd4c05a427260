// The LNS at scale (issue 14), figures printed (no assertions): one kl2tpd -null process serving
// [lns.bench] takes LNS_BENCH_SESSIONS calls (default 100 000) in LNS_BENCH_TUNNELS tunnels (default
// 100) from LNS_BENCH_WORKERS LAC processes built on the library (default 1; bench/lns-lac-worker.mjs:
// every ICRQ of a tunnel queued at once, sent as the LNS's receive window allows), started before
// the clock runs. The same load goes to kl2tpd with the shipped systemd unit's NODE_OPTIONS and with
// Node's defaults, then to xl2tpd 1.3.18 as LNS (stub pppd) with LNS_BENCH_XL2TPD_SESSIONS calls in
// LNS_BENCH_XL2TPD_TUNNELS tunnels (default 900 in 10): without the kernel's L2TP modules xl2tpd
// gives each call a pty, waits on them with select(), and aborts ("bit out of range 0 - FD_SETSIZE
// on fd_set") once a descriptor passes 1 024, at about 1 019 calls.
//
// Printed per run: setup rate (wall, from the first dial until the LNS has every call up; process
// start excluded), the LNS's own CPU per call and calls per LNS CPU-second (the machine has 2 cores
// shared with the LAC workers and whatever else runs: the wall rate is bounded by them, the CPU
// figure is the LNS's own cost; the bound printed is what the LNS and LAC CPU per call allow on
// this machine's cores, the LNS on one of them, with nothing else running), RSS per 1 000 established idle calls, event-loop delay p99 over the
// load (kl2tpd's /metrics, read as the last call comes up), retransmissions, and the 1-minute load
// average before and after (a loaded machine stretches wall time and loop delays alike).
// Targets (issue 14): ≥ 20 000 calls/s, ≤ 1.5 MiB per 1 000 idle calls, p99 ≤ 50 ms.
//
// LNS_BENCH_CALLS_IN_FLIGHT: calls a LAC tunnel sets up at a time (default 0: all queued at once;
// then every ICCN waits behind the tunnel's last ICRQ and the LNS acknowledges each window of ICCNs
// with a ZLB: one per 16 ICCNs at its default window_size, a fifth of its datagrams at the RFC's 4;
// with a bound, ICRPs carry those acknowledgements).
// LNS_BENCH_RUNS: which runs, comma-separated (default "unit,node,xl2tpd"). LNS_BENCH_MAIN: another
// build of kl2tpd (dist/main.js) for before/after figures; LNS_BENCH_NODE_ARGS: node options for the
// LNS only (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", written at its exit); LNS_BENCH_LAC_NODE_ARGS:
// the same for the LAC workers.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { xl2tpdAvailable } from '../../../scripts/xl2tpd/harness.mjs';
import { runKl2tpd, runXl2tpd } from './lns-run.mjs';

const env = process.env;
const MAIN = env.LNS_BENCH_MAIN ?? new URL('../dist/main.js', import.meta.url).pathname;
const load = {
  tunnels: Number(env.LNS_BENCH_TUNNELS ?? 100),
  workers: Number(env.LNS_BENCH_WORKERS ?? 1),
  settleMs: Number(env.LNS_BENCH_SETTLE_MS ?? 3000),
};
const sessions = Number(env.LNS_BENCH_SESSIONS ?? 100_000);
const xlSessions = Number(env.LNS_BENCH_XL2TPD_SESSIONS ?? 900);
const xlTunnels = Number(env.LNS_BENCH_XL2TPD_TUNNELS ?? 10);
const runs = (env.LNS_BENCH_RUNS ?? 'unit,node,xl2tpd').split(',');
const nodeArgs = (env.LNS_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const unit = readFileSync(new URL('../../../configs/systemd/kl2tpd.service', import.meta.url), 'utf8');
const unitOptions = /^Environment=NODE_OPTIONS=(.*)$/m.exec(unit)?.[1] ?? '';

const perTunnel = (total, tunnels) => {
  if (total % tunnels !== 0) throw new Error(`${total} calls do not split evenly over ${tunnels} tunnels`);
  return total / tunnels;
};
const cores = availableParallelism();
const n = (x) => Math.round(x).toLocaleString('en');
const mib = (kib) => (kib / 1024).toFixed(1);
/** @type {{ name: string, r: any, p99: string }[]} */
const table = [];

function print(name, r) {
  const per1000 = (r.rssLoadedKiB - r.rssIdleKiB) / (r.total / 1000) / 1024;
  console.log(`${name}: ${n(r.total)} calls in ${r.tunnels} tunnels from ${r.workers} LAC process(es); load average ${r.load0.toFixed(1)} → ${r.load1.toFixed(1)}`);
  console.log(`${name}: setup ${r.wallS.toFixed(2)} s = ${n(r.total / r.wallS)} calls/s wall until the LNS had every call up` +
    `${r.lnsSpanS ? ` (${n(r.total / r.lnsSpanS)}/s from its first tunnel up to its last call up, as it logged them)` : ''}; the LACs saw theirs up after ${r.lacS.toFixed(2)} s (target ≥ 20 000/s)`);
  console.log(`${name}: LNS CPU ${r.lnsCpuS.toFixed(2)} s = ${(r.lnsCpuS * 1e6 / r.total).toFixed(1)} µs per call → ${n(r.total / r.lnsCpuS)} calls per LNS CPU-second; the LACs used ${r.lacCpuS.toFixed(2)} s (${(r.lacCpuS * 1e6 / r.total).toFixed(1)} µs per call)` +
    `; both on ${cores} cores with nothing else running could reach at most ${n(Math.min(r.total / r.lnsCpuS, cores * r.total / (r.lnsCpuS + r.lacCpuS)))} calls/s`);
  console.log(`${name}: RSS idle ${mib(r.rssIdleKiB)} MiB, with ${n(r.total)} calls ${mib(r.rssLoadedKiB)} MiB → ${per1000.toFixed(2)} MiB per 1 000 idle calls (target ≤ 1.5)`);
  if (r.p99Ms !== undefined) console.log(`${name}: event-loop delay p99 over the load ${r.p99Ms.toFixed(1)} ms (target ≤ 50 ms); retransmissions ${r.retransmitted}; /metrics counts ${n(r.upGauge)} calls`);
  table.push({ name, r: { ...r, per1000 }, p99: r.p99Ms === undefined ? 'n/a' : `${r.p99Ms.toFixed(0)} ms` });
}

for (const run of runs) {
  if (run === 'unit' || run === 'node') {
    const o = run === 'unit' ? unitOptions : '';
    const r = await runKl2tpd({ main: MAIN, nodeArgs, nodeOptions: o, ...load, sessions: perTunnel(sessions, load.tunnels) });
    print(`kl2tpd LNS -null (NODE_OPTIONS="${o}"${run === 'unit' ? ' as the systemd unit' : ', Node defaults'})`, { ...r, ...load });
  } else if (run === 'xl2tpd') {
    const x = xl2tpdAvailable();
    if (!x.ok) { console.log(`xl2tpd LNS: skipped: ${x.reason}`); continue; }
    const o = { ...load, tunnels: xlTunnels };
    const r = await runXl2tpd({ ...o, sessions: perTunnel(xlSessions, xlTunnels), workers: Math.min(o.workers, xlTunnels) });
    if (r.pppds < r.total) console.log(`xl2tpd LNS: only ${r.pppds} of ${r.total} calls got their pppd (${r.established} logged established)`);
    print('xl2tpd 1.3.18 LNS (stub pppd)', { ...r, ...o });
  } else {
    throw new Error(`LNS_BENCH_RUNS: unknown run ${run} (unit, node, xl2tpd)`);
  }
}

if (table.length > 1) {
  console.log('LNS side by side: run | calls | calls/s wall | calls per LNS CPU-s | µs LNS CPU per call | MiB per 1 000 calls | loop p99');
  for (const { name, r, p99 } of table) {
    console.log(`  ${name.split(' (')[0]}${name.includes('unit') ? ' (unit)' : name.includes('defaults') ? ' (Node defaults)' : ''} | ${n(r.total)} | ${n(r.total / r.wallS)} | ${n(r.total / r.lnsCpuS)} | ${(r.lnsCpuS * 1e6 / r.total).toFixed(1)} | ${r.per1000.toFixed(2)} | ${p99}`);
  }
}
