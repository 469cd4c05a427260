// Bounded reads: a config path naming something huge or endless is refused, not read whole.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadConfigFile, MAX_CONFIG_BYTES, readTextFile, readTextFileSync } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'l2tp-config-read-'));

describe('bounded config reads', () => {
  test('a file of exactly 1 MiB is read; one byte more is refused, sync and async', async () => {
    const fits = join(dir, 'fits.toml');
    writeFileSync(fits, `#${'x'.repeat(MAX_CONFIG_BYTES - 2)}\n`);
    expect((await readTextFile(fits)).length).toBe(MAX_CONFIG_BYTES);
    expect(readTextFileSync(fits).length).toBe(MAX_CONFIG_BYTES);
    const big = join(dir, 'big.toml');
    writeFileSync(big, `#${'x'.repeat(MAX_CONFIG_BYTES - 1)}\n`);
    await expect(readTextFile(big)).rejects.toThrow(`${big}: larger than 1 MiB; not a config file`);
    expect(() => readTextFileSync(big)).toThrow(/larger than 1 MiB/);
  });

  test('/dev/zero (endless, size 0 in stat) is refused after 1 MiB, not read until memory runs out', async () => {
    expect(MAX_CONFIG_BYTES).toBe(1 << 20);
    await expect(readTextFile('/dev/zero')).rejects.toThrow(/\/dev\/zero: larger than 1 MiB/);
    expect(() => readTextFileSync('/dev/zero')).toThrow(/larger than 1 MiB/);
    const r = await loadConfigFile('/dev/zero');
    expect(!r.ok && r.issues).toEqual([{ path: '', line: 1, column: 1, file: '/dev/zero',
      message: 'cannot read config file: /dev/zero: larger than 1 MiB; not a config file' }]);
  });

  test('a FIFO is read without blocking the event loop until its writer comes', async () => {
    const fifo = join(dir, 'fifo.toml');
    execFileSync('mkfifo', [fifo]);
    const read = readTextFile(fifo);
    // Written from this same thread: a read that blocked the event loop on the open would never see it.
    await writeFile(fifo, 'a = 1\n');
    expect(await read).toBe('a = 1\n');
  });

  test('a config file over 1 MiB is a config issue at line 1', async () => {
    const big = join(dir, 'huge.toml');
    writeFileSync(big, Buffer.alloc(3 * MAX_CONFIG_BYTES, 0x23));
    const r = await loadConfigFile(big);
    expect(!r.ok && r.issues[0]!.message).toMatch(/larger than 1 MiB/);
  });
});
