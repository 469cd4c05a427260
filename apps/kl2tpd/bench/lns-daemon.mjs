// The LNS at scale (issue 14): one kl2tpd -null process serving [lns.bench] (with the shipped systemd
// unit's NODE_OPTIONS), loaded by LAC processes built on the library (bench/lns-lac-worker.mjs),
// started before the clock runs. Prints the setup rate as the LACs saw it and as the LNS logged it
// (its first tunnel up to its last call up: a LAC counts a call up when it queues ICCN), the LNS's
// CPU per call (on a shared machine the LACs and other jobs compete for the same cores, so this is
// the LNS's own cost), its RSS per 1 000 idle calls, control retransmissions, and its event-loop
// delay p99 over the run (from /metrics). Size: LNS_BENCH_SESSIONS (default 20 000; 100 000 where
// the machine allows), in LNS_BENCH_TUNNELS tunnels (default 100) over LNS_BENCH_WORKERS processes
// (default 2). LNS_BENCH_MAIN: another build of kl2tpd (dist/main.js) loaded the same way, for
// before/after figures; LNS_BENCH_NODE_ARGS: node options for the LNS (--cpu-prof ...).
// Targets (issue 14): ≥ 20 000 sessions/s, ≤ 1.5 MiB per 1 000 idle sessions, p99 ≤ 50 ms.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { requestControlSocket } from '@l2tp/daemon';

const MAIN = process.env.LNS_BENCH_MAIN ?? new URL('../dist/main.js', import.meta.url).pathname;
const WORKER = new URL('./lns-lac-worker.mjs', import.meta.url).pathname;
const SESSIONS = Number(process.env.LNS_BENCH_SESSIONS ?? 20_000);
const TUNNELS = Number(process.env.LNS_BENCH_TUNNELS ?? 100);
const WORKERS = Number(process.env.LNS_BENCH_WORKERS ?? 2);
/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat (clock ticks of 10 ms). */
const cpuS = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

async function freePort(type) {
  const s = createSocket(type);
  await new Promise((r) => s.bind(0, '127.0.0.1', () => r(undefined)));
  const { port } = s.address();
  await new Promise((r) => s.close(() => r(undefined)));
  return port;
}

const port = await freePort('udp4');
const metricsPort = await freePort('udp4');
const dir = mkdtempSync(join(tmpdir(), 'lns-bench-'));
writeFileSync(join(dir, 'k.toml'), `control_socket = "${dir}/k.sock"\nmetrics_listen = "127.0.0.1:${metricsPort}"\n` +
  `[lns.bench]\nlisten = "127.0.0.1:${port}"\nsccrq_limit = "off"\nlocal_ip = "10.0.0.1"\nip_range = ["10.64.0.0/10"]\n`);
// Logging as in production: a JSON line per call up, written synchronously to a file (as journald
// or a log file takes it; through a pipe, this process's reading would set the pace).
// LNS_BENCH_NODE_ARGS: node options for the LNS only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (written at its exit).
const nodeArgs = (process.env.LNS_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const logFile = join(dir, 'kl2tpd.log');
const logFd = openSync(logFile, 'a');
// Node options as the shipped systemd unit sets them (LNS_BENCH_UNIT_OPTIONS=0: Node's defaults).
const unit = readFileSync(new URL('../../../configs/systemd/kl2tpd.service', import.meta.url), 'utf8');
const unitOptions = process.env.LNS_BENCH_UNIT_OPTIONS === '0' ? '' : (/^Environment=NODE_OPTIONS=(.*)$/m.exec(unit)?.[1] ?? '');
const lns = spawn(process.execPath, [...nodeArgs, MAIN, '-config', join(dir, 'k.toml'), '-null', '--log-format', 'json'],
  { stdio: ['ignore', 'ignore', logFd], env: { ...process.env, NODE_OPTIONS: unitOptions } });
closeSync(logFd);
// The log read as it grows: the text so far, and calls the LNS brought up (one "LNS call up" line
// each), counted without asking the LNS.
let lnsLog = '';
let lnsUp = 0;
let readAt = 0;
let carry = '';
// Wall-clock ms (pino's "time") of the first tunnel up and the last call up: the LNS's own setup span.
let firstTunnelMs = 0;
let lastCallMs = 0;
const readFd = openSync(logFile, 'r');
const chunk = Buffer.alloc(1 << 20);
const readLog = () => {
  for (let n; (n = readSync(readFd, chunk, 0, chunk.length, readAt)) > 0; readAt += n) {
    const text = carry + chunk.toString('latin1', 0, n);
    const end = text.lastIndexOf('\n') + 1;
    carry = text.slice(end);
    const lines = text.slice(0, end);
    if (lnsLog.length < 1 << 16) lnsLog += lines;
    for (const m of lines.matchAll(/"time":(\d+)[^\n]*"msg":"LNS (tunnel|call) up"/g)) {
      if (m[2] === 'call') { lnsUp++; lastCallMs = Number(m[1]); } else if (firstTunnelMs === 0) firstTunnelMs = Number(m[1]);
    }
  }
};
const logged = (done) => new Promise((resolve, reject) => {
  const timer = setInterval(() => { readLog(); if (done()) { clearInterval(timer); resolve(); } }, 20);
  lns.once('exit', () => { clearInterval(timer); reject(new Error(`kl2tpd exited:\n${lnsLog.slice(-2000)}`)); });
});
await logged(() => lnsLog.includes('LNS listening'));
const idleKiB = rssKiB(lns.pid);

const perWorker = Math.ceil(TUNNELS / WORKERS);
const perTunnel = Math.ceil(SESSIONS / TUNNELS);
if (perWorker * WORKERS * perTunnel !== SESSIONS) throw new Error('LNS_BENCH_SESSIONS must split evenly over tunnels and workers');
const workers = [];
for (let w = 0; w < WORKERS; w++) {
  const child = spawn(process.execPath, [WORKER, String(port), String(perWorker), String(perTunnel)], { stdio: ['pipe', 'pipe', 'inherit'], cwd: new URL('.', import.meta.url).pathname });
  // Each worker prints two JSON lines: ready, then done.
  const lines = [];
  /** @type {(value?: unknown) => void} */
  let wake = () => undefined;
  createInterface({ input: child.stdout }).on('line', (l) => { lines.push(JSON.parse(l)); wake(); });
  const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`LAC worker exited ${code}`))));
  const line = async (i) => {
    while (lines.length <= i) await Promise.race([new Promise((r) => { wake = r; }), exited]);
    return lines[i];
  };
  workers.push({ child, line });
}
// Process start excluded: every worker has loaded the library before any dials.
await Promise.all(workers.map((w) => w.line(0)));
const cpu0 = [lns.pid, ...workers.map((w) => w.child.pid)].map(cpuS);
const t0 = performance.now();
for (const w of workers) w.child.stdin.write('go\n');
const results = await Promise.all(workers.map((w) => w.line(1)));
const total = results.reduce((a, r) => a + r.up, 0);
// A LAC's call is up when it sends ICCN; the LNS's when ICCN arrives: wait for the LNS's last.
await logged(() => lnsUp >= total);
const [lnsCpu, ...lacCpu] = [lns.pid, ...workers.map((w) => w.child.pid)].map((pid, i) => cpuS(pid) - cpu0[i]);
const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
const gauge = (m) => Number(/l2tp_lns_sessions\{[^}]*\} (\d+)/.exec(m)?.[1]);
const lnsUpS = (performance.now() - t0) / 1000;
const setupS = Math.max(...results.map((r) => r.ms)) / 1000;
// Idle: let the LNS settle (acks out, GC) before reading RSS.
const settleMs = Number(process.env.LNS_BENCH_SETTLE_MS ?? 3000);
await new Promise((r) => setTimeout(r, settleMs));
const loadedKiB = rssKiB(lns.pid);
// LNS_BENCH_NODE_ARGS="--heapsnapshot-signal=SIGUSR2" with LNS_BENCH_HEAPSNAPSHOT=1: a heap snapshot of the loaded LNS (in its cwd).
if (process.env.LNS_BENCH_HEAPSNAPSHOT) { lns.kill('SIGUSR2'); await new Promise((r) => setTimeout(r, 20_000)); }
const metrics = await scrape();
const sessionsGauge = gauge(metrics);
const p99 = Number(/l2tp_event_loop_delay_p99_seconds\{[^}]*\} ([\d.e-]+)/.exec(metrics)?.[1]) * 1000;
console.log(`kl2tpd LNS -null: ${total} calls in ${TUNNELS} tunnels from ${WORKERS} LAC processes; the LNS reports ${sessionsGauge} calls up (NODE_OPTIONS="${unitOptions}" as the systemd unit)`);
console.log(`kl2tpd LNS: setup ${setupS.toFixed(2)} s = ${Math.round(total / setupS)} calls/s as the LACs saw it (from their first dial); ${lnsUpS.toFixed(2)} s = ${Math.round(total / lnsUpS)} calls/s until the LNS logged them all (target ≥ 20 000/s)`);
console.log(`kl2tpd LNS: setup ${((lastCallMs - firstTunnelMs) / 1000).toFixed(2)} s = ${Math.round(total / ((lastCallMs - firstTunnelMs) / 1000))} calls/s as the LNS logged it (first tunnel up to last call up)`);
// On a shared machine the LACs and the LNS compete for the same cores: CPU per call is the LNS's own cost.
console.log(`kl2tpd LNS: CPU during setup ${lnsCpu.toFixed(2)} s = ${Math.round((lnsCpu * 1e6) / total)} µs per call → ${Math.round(total / lnsCpu)} calls/s per core; the LACs used ${lacCpu.reduce((a, b) => a + b, 0).toFixed(2)} s`);
console.log(`kl2tpd LNS: RSS idle ${(idleKiB / 1024).toFixed(1)} MiB, with ${total} calls ${(loadedKiB / 1024).toFixed(1)} MiB → ${((loadedKiB - idleKiB) / (total / 1000) / 1024).toFixed(2)} MiB per 1 000 idle calls (target ≤ 1.5)`);
const status = await requestControlSocket(join(dir, 'k.sock'), { op: 'status' });
const control = status.ok ? status.status.listeners.flatMap((l) => l.tunnels.map((t) => t.control ?? {})) : [];
const sum = (k) => control.reduce((n, c) => n + (c[k] ?? 0), 0);
console.log(`kl2tpd LNS: control messages received ${sum('received')}, sent ${sum('sent')}, retransmitted ${sum('retransmitted')}`);
console.log(`kl2tpd LNS: event-loop delay p99 over the run ${p99.toFixed(1)} ms (target ≤ 50 ms)`);
for (const w of workers) w.child.kill('SIGTERM');
await Promise.all(workers.map((w) => new Promise((r) => (w.child.exitCode === null ? w.child.once('exit', r) : r()))));
lns.kill('SIGTERM');
await new Promise((r) => lns.once('exit', r));
