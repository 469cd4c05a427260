// The LNS at scale (issue 14): one kl2tpd -null process serving [lns.bench], loaded by LAC processes
// built on the library (bench/lns-lac-worker.mjs). Prints the setup rate (first SCCRQ to the last
// call up, process start excluded), kl2tpd's RSS per 1 000 idle calls, and its event-loop delay p99
// over the run (from /metrics). Size: LNS_BENCH_SESSIONS (default 20 000; 100 000 where the machine
// allows), in LNS_BENCH_TUNNELS tunnels (default 100) over LNS_BENCH_WORKERS processes (default 2).
// Targets (issue 14): ≥ 20 000 sessions/s, ≤ 1.5 MiB per 1 000 idle sessions, p99 ≤ 50 ms.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const MAIN = new URL('../dist/main.js', import.meta.url).pathname;
const WORKER = new URL('./lns-lac-worker.mjs', import.meta.url).pathname;
const SESSIONS = Number(process.env.LNS_BENCH_SESSIONS ?? 20_000);
const TUNNELS = Number(process.env.LNS_BENCH_TUNNELS ?? 100);
const WORKERS = Number(process.env.LNS_BENCH_WORKERS ?? 2);
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
// Logging as in production: a JSON line per call up, written synchronously, read by us.
const lns = spawn(process.execPath, [MAIN, '-config', join(dir, 'k.toml'), '-null', '--log-format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
let lnsLog = '';
await new Promise((resolve, reject) => {
  lns.stderr.on('data', (d) => { lnsLog += d; if (lnsLog.includes('LNS listening')) resolve(); });
  lns.once('exit', () => reject(new Error(`kl2tpd exited:\n${lnsLog.slice(-2000)}`)));
});
// Calls the LNS brought up, counted from its log (one "LNS call up" line each), without asking it.
let lnsUp = 0;
let lnsAllUp = () => undefined;
let tail = '';
lns.stderr.on('data', (d) => {
  const text = tail + d;
  const lines = text.split('\n');
  tail = lines.pop();
  for (const l of lines) if (l.includes('"LNS call up"')) lnsUp++;
  if (lnsUp >= SESSIONS) lnsAllUp();
});
const idleKiB = rssKiB(lns.pid);

const perWorker = Math.ceil(TUNNELS / WORKERS);
const perTunnel = Math.ceil(SESSIONS / TUNNELS);
if (perWorker * WORKERS * perTunnel !== SESSIONS) throw new Error('LNS_BENCH_SESSIONS must split evenly over tunnels and workers');
const t0 = performance.now();
const workers = [];
for (let w = 0; w < WORKERS; w++) {
  const child = spawn(process.execPath, [WORKER, String(port), String(perWorker), String(perTunnel)], { stdio: ['ignore', 'pipe', 'inherit'], cwd: new URL('.', import.meta.url).pathname });
  const done = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (l) => resolve(JSON.parse(l)));
    child.once('exit', (code) => reject(new Error(`LAC worker exited ${code}`)));
  });
  workers.push({ child, done });
}
// Workers start in parallel; their own start-up is excluded by timing from their first dial.
const results = await Promise.all(workers.map((w) => w.done));
const total = results.reduce((a, r) => a + r.up, 0);
// A LAC's call is up when it sends ICCN; the LNS's when ICCN arrives: wait for the LNS's last.
if (lnsUp < total) await new Promise((r) => { lnsAllUp = () => r(undefined); });
const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
const gauge = (m) => Number(/l2tp_lns_sessions\{[^}]*\} (\d+)/.exec(m)?.[1]);
const lnsUpS = (performance.now() - t0) / 1000;
const setupS = Math.max(...results.map((r) => r.ms)) / 1000;
// Idle: let the LNS settle (acks out, GC) before reading RSS.
await new Promise((r) => setTimeout(r, 3000));
const loadedKiB = rssKiB(lns.pid);
const metrics = await scrape();
const sessionsGauge = gauge(metrics);
const p99 = Number(/l2tp_event_loop_delay_p99_seconds\{[^}]*\} ([\d.e-]+)/.exec(metrics)?.[1]) * 1000;
console.log(`kl2tpd LNS -null: ${total} calls in ${TUNNELS} tunnels from ${WORKERS} LAC processes; the LNS reports ${sessionsGauge} calls up`);
console.log(`kl2tpd LNS: setup ${setupS.toFixed(2)} s = ${Math.round(total / setupS)} calls/s as the LACs saw it (from their first dial); ${lnsUpS.toFixed(2)} s = ${Math.round(total / lnsUpS)} calls/s until the LNS counted them all, LAC start included (target ≥ 20 000/s)`);
console.log(`kl2tpd LNS: RSS idle ${(idleKiB / 1024).toFixed(1)} MiB, with ${total} calls ${(loadedKiB / 1024).toFixed(1)} MiB → ${((loadedKiB - idleKiB) / (total / 1000) / 1024).toFixed(2)} MiB per 1 000 idle calls (target ≤ 1.5)`);
console.log(`kl2tpd LNS: event-loop delay p99 over the run ${p99.toFixed(1)} ms (target ≤ 50 ms)`);
for (const w of workers) w.child.kill('SIGTERM');
await Promise.all(workers.map((w) => new Promise((r) => (w.child.exitCode === null ? w.child.once('exit', r) : r()))));
lns.kill('SIGTERM');
await new Promise((r) => lns.once('exit', r));
