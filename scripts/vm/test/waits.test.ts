/**
 * The kernel suites' waits (waits.mjs): bounds scale with the guest's measured `node -e 0` time,
 * never below the reference; a wait ends on the event, fails naming what it waited for, and a
 * process that exits before its awaited output fails at once.
 */
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REFERENCE_NODE_START_MS, until, waitForOutput } from '../waits.mjs';

const WAITS = new URL('../waits.mjs', import.meta.url).pathname;
const slowdownWith = (ms: string) => Number(spawnSync(process.execPath, ['--input-type=module', '-e',
  `import { slowdown, scaled } from '${WAITS}'; console.log(slowdown, scaled(1000))`], { env: { ...process.env, L2TP_GUEST_NODE_START_MS: ms }, encoding: 'utf8' }).stdout.split(' ')[1]);

describe('scaling', () => {
  it('a guest three times slower than the reference gets three times the bound', () => {
    expect(slowdownWith(String(3 * REFERENCE_NODE_START_MS))).toBe(3000);
  });
  it('a faster guest, or none measured, keeps the bound as written', () => {
    expect(slowdownWith('200')).toBe(1000);
    expect(slowdownWith('')).toBe(1000);
  });
});

describe('until', () => {
  it('resolves when the check holds and rejects naming what it waited for', async () => {
    let n = 0;
    await until(() => ++n === 3, 1000, 'three calls', 1);
    expect(n).toBe(3);
    await expect(until(() => false, 50, 'nothing', 5)).rejects.toThrow(/timed out after \d+ ms .*waiting for nothing/);
  });
});

describe('waitForOutput', () => {
  it('resolves on the matching output without waiting out the bound', async () => {
    const child = spawn(process.execPath, ['-e', 'console.error("starting"); setTimeout(() => console.log("listening on 1701"), 50); setTimeout(() => {}, 5000)']);
    const t0 = Date.now();
    expect(await waitForOutput(child, /listening on \d+/, 120_000, 'listening')).toMatch(/starting[\s\S]*listening on 1701/);
    expect(Date.now() - t0).toBeLessThan(30_000); // far from the 120 s bound, on however loaded a host
    child.kill();
  });
  it('a process that exits first fails the wait at once, with what it wrote', async () => {
    const child = spawn(process.execPath, ['-e', 'console.error("bind: address in use"); process.exit(2)']);
    await expect(waitForOutput(child, /listening/, 10_000, 'the LNS to listen')).rejects.toThrow(/the LNS to listen: the process exited \(2\) first:\nbind: address in use/);
  });
});
