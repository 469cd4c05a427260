// Start-up figures for the bundled CLIs (apps/*/bench): wall time of whole processes, paired with a
// bare `node -e 0` run just before each one so that the machine's load of the moment cancels out
// in the ratio. Printed, never asserted (targets live in the issue and the bench output).
import { spawn, spawnSync } from 'node:child_process';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const timeSync = (argv) => {
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return performance.now() - t0;
};

/**
 * Runs each case `runs` times, each run right after a `node -e 0`; returns and prints, per case, the
 * median wall time and the median of the per-run ratios to the bare start, and the case's target.
 * The runs of all cases interleave, so a change in the machine's load touches every case alike.
 * @param {string} label  printed before each line
 * @param {{ name: string, run: () => Promise<number> | number, target?: number }[]} cases  run() resolves
 *   with ms; `target`: the ratio the case should stay under (issue 13)
 * @param {number} runs  default: STARTUP_RUNS from the environment, else 20
 */
export async function pairedStartup(label, cases, runs = Number(process.env.STARTUP_RUNS ?? 20)) {
  const bare = [];
  const times = cases.map(() => []);
  const ratios = cases.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, c] of cases.entries()) {
      const b = timeSync([process.execPath, '-e', '0']);
      const t = await c.run();
      bare.push(b);
      times[j].push(t);
      ratios[j].push(t / b);
    }
  }
  console.log(`${label}: node -e 0: median ${median(bare).toFixed(0)} ms (${bare.length} runs, each paired with one below)`);
  const out = cases.map((c, j) => {
    const r = { name: c.name, ms: median(times[j]), ratio: median(ratios[j]) };
    const target = c.target === undefined ? '' : `; target ≤ ${c.target}×: ${r.ratio <= c.target ? 'met' : 'NOT MET'}`;
    console.log(`${label}: ${c.name}: median ${r.ms.toFixed(0)} ms = ${r.ratio.toFixed(2)}× node -e 0 (median of ${runs} paired ratios${target})`);
    return r;
  });
  return out;
}

/** A case that runs `node argv…` to completion (it must exit 0). */
export const processCase = (name, argv, target) => ({ name, target, run: () => timeSync([process.execPath, ...argv]) });

/**
 * A case that starts `node argv…` and resolves with the ms until its stderr contains `line`; the
 * process is then sent SIGTERM and awaited. `env`: added to this process's environment.
 */
export const untilLogCase = (name, argv, line, target, env = {}) => ({
  name,
  target,
  run: () => new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let log = '';
    let at;
    child.stderr.on('data', (d) => {
      log += d;
      if (at === undefined && log.includes(line)) {
        at = performance.now() - t0;
        child.kill('SIGTERM');
      }
    });
    child.once('exit', () => (at === undefined ? reject(new Error(`${name}: exited before "${line}":\n${log.slice(-2000)}`)) : resolve(at)));
  }),
});
