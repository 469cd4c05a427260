/**
 * xl2tpd interop harness: runs a real xl2tpd 1.3.x (Debian) as LAC or LNS on loopback for host tests.
 *
 * Theory of operation: every instance gets a fresh temp dir holding its config, l2tp-secrets, pid file,
 * control fifo and (in stub mode) a stub pppd. The host has no PPP, so in `pppd: 'stub'` mode xl2tpd runs
 * inside `unshare -m` (a private mount namespace; `--map-root-user` is added when not root) where the stub
 * is bind-mounted over /usr/sbin/pppd: xl2tpd has no pppd-path option. The stub records its argv and
 * sleeps until killed, so a call stays up with no data plane. Nothing global is touched: /var/run/xl2tpd is
 * never needed because -p and -C point into the temp dir, and commands go straight into the control fifo
 * (`@result-fifo cmd`, the protocol xl2tpd-control speaks) instead of through xl2tpd-control, which insists
 * on /var/run/xl2tpd. stop() sends SIGTERM (xl2tpd then exits without a StopCCN), then SIGKILLs xl2tpd's session and
 * every stub pppd, and removes the temp dir. A process 'exit' hook kills what a crashed test left behind.
 */
import { spawn, execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, openSync, readFileSync, readdirSync, readSync, closeSync, rmSync, writeFileSync, writeSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Path of the xl2tpd binary the harness runs. */
export const XL2TPD_BIN = process.env.XL2TPD_BIN ?? '/usr/sbin/xl2tpd';
const PPPD_PATH = '/usr/sbin/pppd';
const live = new Set();

process.on('exit', () => {
  for (const inst of live) {
    inst.killNow();
    if (!process.env.XL2TPD_KEEP) rmSync(inst.dir, { recursive: true, force: true });
  }
});

/** Reports whether xl2tpd can be run here (binary present, unshare usable); tests skip loudly when not. */
export function xl2tpdAvailable() {
  if (!existsSync(XL2TPD_BIN)) return { ok: false, reason: `${XL2TPD_BIN} not installed (apt-get install xl2tpd)` };
  try {
    execFileSync('unshare', [...unshareArgs(), 'true'], { stdio: 'ignore' });
  } catch (e) {
    return { ok: false, reason: `unshare -m not permitted here: ${e.message}` };
  }
  return { ok: true, reason: '' };
}

/** Version string printed by `xl2tpd -v`, e.g. "xl2tpd-1.3.18". */
export function xl2tpdVersion() {
  try { execFileSync(XL2TPD_BIN, ['-v'], { encoding: 'utf8', stdio: 'pipe' }); } catch (e) {
    const m = /xl2tpd-[\d.]+/.exec(String(e.stdout ?? ''));
    if (m) return m[0];
  }
  return 'unknown';
}

function unshareArgs() {
  return process.getuid?.() === 0 ? ['-m'] : ['-m', '--map-root-user'];
}

/** Finds a UDP port that is free on `address` right now (bind to 0, read it, close). */
export async function freeUdpPort(address = '127.0.0.1') {
  const s = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  await new Promise((res, rej) => { s.once('error', rej); s.bind(0, address, res); });
  const { port } = s.address();
  await new Promise((res) => s.close(res));
  return port;
}

const yn = (b) => (b ? 'yes' : 'no');

/** Renders the xl2tpd.conf text for the given options (exported so captures can record it). */
export function renderConfig(o) {
  const g = {
    'listen-addr': o.listenAddr, port: String(o.port), 'access control': 'no', 'auth file': o.authFile,
    ...(o.debug ? { 'debug avp': 'yes', 'debug network': 'yes', 'debug state': 'yes', 'debug tunnel': 'yes' } : {}),
    ...(o.extra?.global ?? {}),
  };
  const s = {
    ...(o.role === 'lns'
      ? { 'ip range': o.ipRange, 'local ip': o.localIp, 'require authentication': 'no' }
      : { lns: `${o.peer.address}:${o.peer.port}`, autodial: yn(o.autodial), redial: yn(o.redial) }),
    ...(o.hostname ? { hostname: o.hostname } : {}),
    challenge: yn(o.challenge), 'hidden bit': yn(o.hidden), 'length bit': 'yes',
    'ppp debug': yn(o.debug), pppoptfile: o.pppOptFile,
    ...(o.extra?.section ?? {}),
  };
  const lines = (obj) => Object.entries(obj).map(([k, v]) => `${k} = ${v}`).join('\n');
  const head = o.role === 'lns' ? `[lns ${o.name}]` : `[lac ${o.name}]`;
  return `[global]\n${lines(g)}\n\n${head}\n${lines(s)}\n`;
}

const STUB = (dir) => `#!/bin/sh
# Stub pppd for the xl2tpd harness: records argv (one per line) and waits to be killed.
printf '%s\\n' "$@" > "${dir}/pppd.$$.argv"
exec sleep infinity
`;

/**
 * Starts one xl2tpd and resolves once it listens. See harness.d.mts for the options and the handle.
 * When the harness picked the port itself and lost the race for it, it retries on another one.
 * @param {import('./harness.mjs').Xl2tpdOptions} opts
 */
export async function startXl2tpd(opts) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (e) {
      if (opts.port !== undefined || attempt >= 3 || !/Address already in use/.test(e.message)) throw e;
    }
  }
}

async function startOnce(opts) {
  if (opts.role !== 'lns' && opts.role !== 'lac') throw new Error(`role must be 'lns' or 'lac', got ${opts.role}`);
  if (opts.role === 'lac' && !opts.peer) throw new Error('an LAC needs peer: { address, port } of the LNS');
  const dir = mkdtempSync(join(tmpdir(), `xl2tpd-${opts.role}-`));
  const o = {
    listenAddr: '127.0.0.1', name: opts.role === 'lns' ? 'default' : 'lac', challenge: false, hidden: false,
    autodial: true, redial: false, debug: true, pppd: 'stub', ipRange: '10.250.0.2-10.250.0.254',
    localIp: '10.250.0.1', pppOptions: ['noauth'], startTimeoutMs: 5000, ...opts,
    peer: opts.peer ? { address: '127.0.0.1', port: 1701, ...opts.peer } : undefined,
    authFile: join(dir, 'l2tp-secrets'), pppOptFile: join(dir, 'options.xl2tpd'),
  };
  o.port = opts.port ?? (await freeUdpPort(o.listenAddr));
  const paths = { conf: join(dir, 'xl2tpd.conf'), pid: join(dir, 'xl2tpd.pid'), ctl: join(dir, 'l2tp-control'), log: join(dir, 'xl2tpd.log') };
  const config = renderConfig(o);
  const secrets = o.secret !== undefined ? `* * ${o.secret}\n` : '';
  writeFileSync(paths.conf, config);
  writeFileSync(o.authFile, secrets, { mode: 0o600 });
  writeFileSync(o.pppOptFile, `${o.pppOptions.join('\n')}\n`);
  const xargs = [XL2TPD_BIN, '-D', '-c', paths.conf, '-p', paths.pid, '-C', paths.ctl];
  let argv;
  if (o.pppd === 'stub') {
    writeFileSync(join(dir, 'pppd-stub'), STUB(dir), { mode: 0o755 });
    const q = (a) => `'${a.replace(/'/g, `'\\''`)}'`;
    argv = ['unshare', ...unshareArgs(), 'sh', '-c',
      `mount --bind ${q(join(dir, 'pppd-stub'))} ${PPPD_PATH} && exec ${xargs.map(q).join(' ')}`];
  } else {
    argv = xargs;
  }
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  let waiters = [];
  const onData = (d) => {
    log += d.toString('utf8');
    for (const w of waiters.slice()) w();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exitInfo = null;
  const exited = new Promise((res) => child.on('exit', (code, signal) => {
    exitInfo = { code, signal };
    for (const w of waiters.slice()) w();
    res(exitInfo);
  }));

  const waitForLog = (re0, timeoutMs = 10_000, since = 0) => new Promise((resolve, reject) => {
    const re = new RegExp(re0.source, re0.flags.replace(/[gy]/g, '')); // no lastIndex state between polls
    const check = () => {
      const m = re.exec(log.slice(since));
      if (m) { done(); resolve(m); return true; }
      if (exitInfo) { done(); reject(new Error(`xl2tpd (${o.role}) exited (${JSON.stringify(exitInfo)}) before ${re}\n${log}`)); return true; }
      return false;
    };
    const timer = setTimeout(() => { done(); reject(new Error(`timeout ${timeoutMs} ms waiting for ${re} in xl2tpd (${o.role}) log:\n${log}`)); }, timeoutMs);
    const done = () => { clearTimeout(timer); waiters = waiters.filter((w) => w !== check); };
    if (!check()) waiters.push(check);
  });

  const stubPids = () => readdirSync(dir).map((f) => /^pppd\.(\d+)\.argv$/.exec(f)).filter(Boolean).map((m) => Number(m[1]));
  const kill = (pid, sig) => { try { process.kill(pid, sig); return true; } catch { return false; } };
  const inst = {
    dir,
    killNow() {
      if (child.pid && !exitInfo) kill(-child.pid, 'SIGKILL') || kill(child.pid, 'SIGKILL');
      for (const p of stubPids()) kill(p, 'SIGKILL');
    },
  };
  live.add(inst);

  let resultSeq = 0;
  /** Writes one line into the control fifo and returns what xl2tpd writes to the result fifo. */
  const control = async (line, timeoutMs = 3000) => {
    const res = join(dir, `result-${++resultSeq}`);
    execFileSync('mkfifo', [res]);
    // O_NONBLOCK: opening the read end must not wait for xl2tpd; it makes us a reader before xl2tpd opens it.
    const rfd = openSync(res, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      let wfd;
      try { wfd = openSync(paths.ctl, constants.O_WRONLY | constants.O_NONBLOCK); } catch (e) {
        throw new Error(`xl2tpd (${o.role}) control fifo not open: ${e.code}`);
      }
      try { writeSync(wfd, `@${res} ${line}\n`); } finally { closeSync(wfd); }
      let out = '';
      const buf = Buffer.alloc(4096);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        let n = -1;
        try { n = readSync(rfd, buf, 0, buf.length, null); } catch (e) { if (e.code !== 'EAGAIN') throw e; }
        if (n > 0) out += buf.toString('utf8', 0, n);
        // n === 0 means no writer: either xl2tpd has not opened the fifo yet or it is done (data seen).
        else if (n === 0 && (out !== '' || !existsSync(res))) break;
        if (Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      return out;
    } finally {
      closeSync(rfd);
      rmSync(res, { force: true });
    }
  };

  const handle = {
    role: o.role, address: o.listenAddr, port: o.port, dir, name: o.name, config, secrets,
    get pid() { return child.pid; },
    exited,
    logs: () => log,
    waitForLog,
    control,
    connect: (lac = o.name) => control(`c ${lac}`),
    // An LNS has no lac name to disconnect by: default to the tunnel it established last.
    disconnect: (nameOrTunnelId = o.role === 'lac' ? o.name : handle.tunnels().at(-1)?.local) => control(`d ${nameOrTunnelId}`),
    hangup: (callId) => control(`h ${callId}`),
    tunnels: () => [...log.matchAll(/Connection established to ([\d.:a-f]+), (\d+)\.\s+Local: (\d+), Remote: (\d+)/g)]
      .map((m) => ({ peer: m[1], peerPort: Number(m[2]), local: Number(m[3]), remote: Number(m[4]) })),
    calls: () => [...log.matchAll(/Call established with ([\d.:a-f]+), (?:PID: \d+, )?Local: (\d+), Remote: (\d+), Serial: (\d+)/g)]
      .map((m) => ({ peer: m[1], local: Number(m[2]), remote: Number(m[3]), serial: Number(m[4]) })),
    pppdPids: () => stubPids().sort((a, b) => a - b),
    // A stub writes its argv file in one printf; an empty read means it is mid-write, so it is skipped.
    pppdCalls: () => stubPids().sort((a, b) => a - b)
      .map((p) => { try { return readFileSync(join(dir, `pppd.${p}.argv`), 'utf8'); } catch { return ''; } })
      .filter((t) => t.endsWith('\n')).map((t) => t.split('\n').slice(0, -1)),
    async waitForPppd(count = 1, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (handle.pppdCalls().length < count) {
        if (Date.now() > deadline) throw new Error(`timeout ${timeoutMs} ms waiting for ${count} stub pppd(s) in xl2tpd (${o.role}):\n${log}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return handle.pppdCalls();
    },
    killPppd(signal = 'SIGTERM') {
      return stubPids().filter((p) => kill(p, signal)).length;
    },
    async stop({ graceMs = 2000 } = {}) {
      if (!exitInfo) {
        kill(child.pid, 'SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs))]);
      }
      inst.killNow();
      if (!exitInfo) await exited;
      live.delete(inst);
      if (!process.env.XL2TPD_KEEP) rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitForLog(/Listening on IP address/, o.startTimeoutMs);
  } catch (e) {
    await handle.stop({ graceMs: 0 });
    throw e;
  }
  return handle;
}
