// kl2tpd benchmarks (printed figures, no assertions): session setup rate of kl2tpd -null (the built
// CLI as a process) against our own LNS (10 000 sessions in 10 tunnels) and against xl2tpd's LNS
// (100 sessions in one tunnel, stub pppd); resident memory idle and per 1 000 sessions; time from
// start to READY with one tunnel; start-up of the bundled CLI (--version, --check-config, start to
// ICCN against our LNS and xl2tpd's), each paired with a bare `node -e 0`.
// `node bench/run.mjs --startup` runs the start-up part alone (STARTUP_RUNS pairs, default 20).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codecWire, L2tpContext, nullDataPlane } from '@l2tp/control';
import { startXl2tpd, xl2tpdAvailable } from '../../../scripts/xl2tpd/harness.mjs';
import { pairedStartup, processCase, untilLogCase } from '../../../scripts/pack/startup.mjs';

const MAIN = new URL('../dist/kl2tpd.cjs', import.meta.url).pathname;

function config(port, tunnels, sessions) {
  const out = [`control_socket = "${mkdtempSync(join(tmpdir(), 'kb-'))}/k.sock"`];
  for (let t = 0; t < tunnels; t++) {
    out.push(`[tunnel.t${t}]`, `peer = "127.0.0.1:${port}"`, 'version = "l2tpv2"', 'window_size = 16');
    for (let s = 0; s < sessions; s++) out.push(`[tunnel.t${t}.session.s${s}]`, 'pseudowire = "ppp"');
  }
  const file = join(mkdtempSync(join(tmpdir(), 'kb-')), 'k.toml');
  writeFileSync(file, `${out.join('\n')}\n`);
  return file;
}
const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

/** Runs kl2tpd -null until every session is up; returns ms to READY and RSS then. */
async function run(port, tunnels, sessions) {
  const file = config(port, tunnels, sessions);
  const t0 = performance.now();
  const child = spawn(process.execPath, [MAIN, '-config', file, '-null', '--log-format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const ready = await new Promise((resolve) => {
    child.stderr.on('data', (d) => {
      log += d;
      if (log.includes('every configured tunnel and session is up')) resolve(performance.now() - t0);
    });
    child.once('exit', () => resolve(undefined));
  });
  await new Promise((r) => setTimeout(r, 500));
  const rss = rssKiB(child.pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  if (ready === undefined) throw new Error(`kl2tpd exited before READY:\n${log.slice(-2000)}`);
  return { ms: ready, rss };
}

const x = xl2tpdAvailable();
if (!process.argv.includes('--startup')) {
  const lns = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
  const { port } = await lns.listen({ local: { address: '127.0.0.1', port: 0, family: 4 }, hostName: 'bench-lns', windowSize: 16 });
  const one = await run(port, 1, 1);
  console.log(`kl2tpd: start to READY, 1 tunnel + 1 session (our LNS): ${one.ms.toFixed(0)} ms; RSS idle ${(one.rss / 1024).toFixed(1)} MiB`);
  const big = await run(port, 10, 1000);
  console.log(`kl2tpd: 10 000 sessions in 10 tunnels against our LNS: READY after ${(big.ms / 1000).toFixed(2)} s = ${Math.round(10000 / (big.ms / 1000))} sessions/s (process start included)`);
  console.log(`kl2tpd: RSS with 10 000 sessions ${(big.rss / 1024).toFixed(1)} MiB → ${((big.rss - one.rss) / 10 / 1024).toFixed(2)} MiB per 1 000 sessions`);
  await lns.close(500);

  if (x.ok) {
    const xl = await startXl2tpd({ role: 'lns', hostname: 'xl2tpd-lns', debug: false });
    try {
      const r = await run(xl.port, 1, 100);
      console.log(`kl2tpd: 100 sessions in 1 tunnel against xl2tpd 1.3.18 (stub pppd): READY after ${r.ms.toFixed(0)} ms = ${Math.round(100 / (r.ms / 1000))} sessions/s`);
    } finally { await xl.stop(); }
  } else console.log(`kl2tpd: xl2tpd bench skipped: ${x.reason}`);
}

// Start-up, paired with a bare `node -e 0` (scripts/pack/startup.mjs). Targets (issue 13): --version
// and --check-config ≤ 1.2×, process start to ICCN sent (the session is up) ≤ 1.5× a bare start.
const example = new URL('../../../configs/examples/kl2tpd.toml', import.meta.url).pathname;
const upLine = 'every configured tunnel and session is up';
/** @type {{ name: string, run: () => number | Promise<number>, target?: number }[]} */
const startup = [
  processCase('kl2tpd --version', [MAIN, '--version'], 1.2),
  processCase('kl2tpd --check-config (configs/examples/kl2tpd.toml)', [MAIN, '--check-config', '-config', example], 1.2),
];
const ourLns = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
const ours = await ourLns.listen({ local: { address: '127.0.0.1', port: 0, family: 4 }, hostName: 'bench-lns', windowSize: 16 });
startup.push(untilLogCase('kl2tpd -null start → ICCN sent, our LNS', [MAIN, '-config', config(ours.port, 1, 1), '-null', '--log-format', 'json'], upLine, 1.5));
// As systemd starts it: with the unit's NODE_OPTIONS (the package has code caches for them too). No
// target: any V8 option makes Node refuse its own built-in modules' code cache, a cost the bare
// `node -e 0` it is paired with does not pay.
const unitOptions = /^Environment=NODE_OPTIONS=(.*)$/m.exec(readFileSync(new URL('../../../configs/systemd/kl2tpd.service', import.meta.url), 'utf8'))?.[1] ?? '';
startup.push(untilLogCase(`kl2tpd -null start → ICCN sent, our LNS, NODE_OPTIONS="${unitOptions}" (the unit's)`,
  [MAIN, '-config', config(ours.port, 1, 1), '-null', '--log-format', 'json'], upLine, undefined, { NODE_OPTIONS: unitOptions }));
const xStart = x.ok ? await startXl2tpd({ role: 'lns', hostname: 'xl2tpd-lns', debug: false }) : undefined;
if (xStart) startup.push(untilLogCase('kl2tpd -null start → ICCN sent, xl2tpd LNS', [MAIN, '-config', config(xStart.port, 1, 1), '-null', '--log-format', 'json'], upLine, 1.5));
else console.log(`kl2tpd: start → ICCN against xl2tpd skipped: ${x.reason}`);
try {
  await pairedStartup('kl2tpd start-up', startup);
} finally {
  await xStart?.stop();
  await ourLns.close(500);
}
