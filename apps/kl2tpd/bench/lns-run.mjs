// One LNS under load for bench/lns-daemon.mjs: kl2tpd -null serving [lns.bench], or xl2tpd as LNS
// (stub pppd, scripts/xl2tpd/harness.mjs), loaded by LAC processes on the library
// (bench/lns-lac-worker.mjs) started before the clock runs. Returns the raw figures; the caller prints.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { requestControlSocket } from '@l2tp/daemon';
import { startXl2tpd } from '../../../scripts/xl2tpd/harness.mjs';

const WORKER = new URL('./lns-lac-worker.mjs', import.meta.url).pathname;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds (user + system, every thread) a process has used so far, from /proc/PID/stat (ticks of 10 ms). */
export const cpuS = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
/** Resident set size of a process in KiB. */
export const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

async function freePort() {
  const s = createSocket('udp4');
  await new Promise((r) => s.bind(0, '127.0.0.1', () => r(undefined)));
  const { port } = s.address();
  await new Promise((r) => s.close(() => r(undefined)));
  return port;
}

/**
 * Starts `workers` LAC processes splitting `tunnels` × `sessions` calls to 127.0.0.1:`port`; resolves
 * once every one has loaded the library. `go()` starts them all and resolves with each one's result.
 */
async function startLacs(port, { tunnels, sessions, workers }) {
  const perWorker = tunnels / workers;
  if (!Number.isInteger(perWorker)) throw new Error('the tunnels must split evenly over the LAC workers');
  const list = [];
  for (let w = 0; w < workers; w++) {
    const lacArgs = (process.env.LNS_BENCH_LAC_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...lacArgs, WORKER, String(port), String(perWorker), String(sessions), '127.0.0.1', String(process.env.LNS_BENCH_CALLS_IN_FLIGHT ?? 0)],
      { stdio: ['pipe', 'pipe', 'inherit'], cwd: new URL('.', import.meta.url).pathname });
    const lines = [];
    /** @type {(value?: unknown) => void} */
    let wake = () => undefined;
    createInterface({ input: child.stdout }).on('line', (l) => { lines.push(JSON.parse(l)); wake(); });
    const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`LAC worker exited ${code}`))));
    exited.catch(() => undefined);
    const line = async (i) => {
      while (lines.length <= i) await Promise.race([new Promise((r) => { wake = r; }), exited]);
      return lines[i];
    };
    list.push({ child, line });
  }
  await Promise.all(list.map((w) => w.line(0)));
  return {
    pids: list.map((w) => w.child.pid),
    go: () => { for (const w of list) w.child.stdin.write('go\n'); return Promise.all(list.map((w) => w.line(1))); },
    stop: async () => {
      for (const w of list) w.child.kill('SIGTERM');
      await Promise.all(list.map((w) => (w.child.exitCode === null ? new Promise((r) => w.child.once('exit', r)) : undefined)));
    },
  };
}

/**
 * Loads the LNS `lnsPid` listening on `port`: LAC workers started (not timed), then released at
 * once; `lnsUp()` waits until the LNS has every call up and returns the wall time of its last
 * one (s from the release). `after` runs while the LACs still hold their calls (they are stopped
 * however it ends) and gets the timing, CPU and load figures of the load phase.
 */
async function load(lnsPid, port, o, lnsUp, after) {
  const lacs = await startLacs(port, o);
  try {
    const rssIdleKiB = rssKiB(lnsPid);
    const pids = [lnsPid, ...lacs.pids];
    const cpu0 = pids.map(cpuS);
    const load0 = loadavg()[0];
    const t0 = performance.now();
    const results = await lacs.go();
    const lacS = Math.max(...results.map((r) => r.ms)) / 1000;
    const wallS = await lnsUp(t0);
    const [lnsCpuS, ...lacCpuS] = pids.map((pid, i) => cpuS(pid) - cpu0[i]);
    return await after({ rssIdleKiB, lacS, wallS, lnsCpuS, lacCpuS: lacCpuS.reduce((a, b) => a + b, 0), load0, load1: loadavg()[0] });
  } finally {
    await lacs.stop();
  }
}

/** Follows kl2tpd's JSON log file: counts "LNS call up" lines and keeps the first tunnel-up and last call-up times. */
function followLog(file) {
  const fd = openSync(file, 'r');
  const chunk = Buffer.alloc(1 << 20);
  const s = { text: '', up: 0, firstTunnelMs: 0, lastCallMs: 0 };
  let at = 0;
  let carry = '';
  s.read = () => {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, at)) > 0; at += n) {
      const text = carry + chunk.toString('latin1', 0, n);
      const end = text.lastIndexOf('\n') + 1;
      carry = text.slice(end);
      const lines = text.slice(0, end);
      if (s.text.length < 1 << 16) s.text += lines;
      for (const m of lines.matchAll(/"time":(\d+)[^\n]*"msg":"LNS (tunnel|call) up"/g)) {
        if (m[2] === 'call') { s.up++; s.lastCallMs = Number(m[1]); } else if (s.firstTunnelMs === 0) s.firstTunnelMs = Number(m[1]);
      }
    }
  };
  s.close = () => closeSync(fd);
  return s;
}

/**
 * kl2tpd -null as LNS, `nodeOptions` as its NODE_OPTIONS (the systemd unit's, or '' for Node's
 * defaults), logging JSON lines to a file as journald or a log file takes them (a pipe would
 * measure our reading). `main`: the kl2tpd entry to run; `nodeArgs`: node options for the LNS only
 * (--cpu-prof ...).
 */
export async function runKl2tpd({ main, nodeArgs = [], nodeOptions, tunnels, sessions, workers, settleMs }) {
  const port = await freePort();
  const metricsPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'lns-bench-'));
  writeFileSync(join(dir, 'k.toml'), `control_socket = "${dir}/k.sock"\nmetrics_listen = "127.0.0.1:${metricsPort}"\n` +
    `[lns.bench]\nlisten = "127.0.0.1:${port}"\nsccrq_limit = "off"\nlocal_ip = "10.0.0.1"\nip_range = ["10.64.0.0/10"]\n`);
  const logFile = join(dir, 'kl2tpd.log');
  const logFd = openSync(logFile, 'a');
  const lns = spawn(process.execPath, [...nodeArgs, main, '-config', join(dir, 'k.toml'), '-null', '--log-format', 'json'],
    { stdio: ['ignore', 'ignore', logFd], env: { ...process.env, NODE_OPTIONS: nodeOptions } });
  closeSync(logFd);
  const log = followLog(logFile);
  const exited = new Promise((_, reject) => lns.once('exit', () => reject(new Error(`kl2tpd exited:\n${log.text.slice(-2000)}`))));
  exited.catch(() => undefined);
  const until = async (done) => { for (log.read(); !done(); log.read()) await Promise.race([sleep(20), exited]); };
  try {
    await until(() => log.text.includes('LNS listening'));
    const total = tunnels * sessions;
    // A LAC's call is up when it sends ICCN; the LNS's when that ICCN arrives: wait for the LNS's last.
    const lnsUp = async (t0) => {
      await until(() => log.up >= total);
      return (performance.now() - t0) / 1000;
    };
    return await load(lns.pid, port, { tunnels, sessions, workers }, lnsUp, async (figures) => {
      // The p99 now, before the idle settle dilutes it (the histogram runs from the daemon's start).
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const p99Ms = Number(/l2tp_event_loop_delay_p99_seconds\{[^}]*\} ([\d.e-]+)/.exec(metrics)?.[1]) * 1000;
      const upGauge = Number(/l2tp_lns_sessions\{[^}]*\} (\d+)/.exec(metrics)?.[1]);
      await sleep(settleMs);
      const rssLoadedKiB = rssKiB(lns.pid);
      const status = await requestControlSocket(join(dir, 'k.sock'), { op: 'status' });
      const accepted = status.ok ? status.status.listeners.flatMap((l) => l.tunnels) : [];
      const retransmitted = accepted.reduce((n, t) => n + (t.control?.retransmitted ?? 0), 0);
      return { ...figures, total, upGauge, lnsSpanS: (log.lastCallMs - log.firstTunnelMs) / 1000, p99Ms, rssLoadedKiB, retransmitted };
    });
  } finally {
    lns.kill('SIGTERM');
    await Promise.race([new Promise((r) => lns.once('exit', r)), sleep(10_000)]);
    log.close();
  }
}

/**
 * xl2tpd 1.3.18 as LNS (stub pppd: a shell that records its argv and sleeps, one process per call),
 * loaded the same way. Its CPU and RSS are xl2tpd's own (the stub pppds are processes of their own).
 */
export async function runXl2tpd({ tunnels, sessions, workers, settleMs }) {
  const total = tunnels * sessions;
  const xl = await startXl2tpd({ role: 'lns', hostname: 'xl2tpd-lns', debug: false, ipRange: '10.64.0.2-10.127.255.254', localIp: '10.64.0.1' });
  try {
    // xl2tpd's call is up once it has started its pppd (after ICCN): every stub has recorded its
    // argv. Given up on when no pppd has started for 10 s (the count says how many came up).
    const lnsUp = async (t0) => {
      let wallS = (performance.now() - t0) / 1000;
      for (let seen = 0, stuckSince = Date.now(); seen < total && Date.now() - stuckSince < 10_000; await sleep(20)) {
        const now = xl.pppdPids().length;
        if (now > seen) { seen = now; stuckSince = Date.now(); wallS = (performance.now() - t0) / 1000; }
      }
      return wallS;
    };
    return await load(xl.pid, xl.port, { tunnels, sessions, workers }, lnsUp, async (figures) => {
      const pppds = xl.pppdPids().length;
      const established = xl.calls().length;
      await sleep(settleMs);
      return { ...figures, total, pppds, established, rssLoadedKiB: rssKiB(xl.pid) };
    });
  } finally {
    await xl.stop({ graceMs: 2000 });
  }
}
