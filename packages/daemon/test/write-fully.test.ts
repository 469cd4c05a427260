/**
 * write-fully.ts, in a child process whose stdout is a pipe: nothing is lost when Node has made the
 * pipe non-blocking (something touched process.stdout) and the reader lags, and a reader that goes
 * away costs the writer nothing (no exception, exit 0).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const module = new URL('../dist/write-fully.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'l2tp-write-fully-'));
const MIB = 1 << 20;
// 1 MiB of numbered lines, written in one call (a pipe holds 64 KiB).
const writer = (touchStdout: boolean) => `${touchStdout ? 'process.stdout;' : ''}
import('${module}').then(({ writeFully }) => writeFully(1, Array.from({ length: ${MIB / 16} }, (_, i) => String(i).padStart(15, '0') + '\\n').join('')));`;
const expected = Array.from({ length: MIB / 16 }, (_, i) => `${String(i).padStart(15, '0')}\n`).join('');

test.each([
  ['made non-blocking by process.stdout', true],
  ['as inherited (blocking)', false],
])('a slow reader gets every byte of a pipe %s', (_, touch) => {
  const out = join(dir, `out-${touch}`);
  const r = spawnSync('sh', ['-c', `"${process.execPath}" -e "$WRITER" | (sleep 0.3; cat > "${out}")`],
    { encoding: 'utf8', env: { ...process.env, WRITER: writer(touch) }, timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  expect(readFileSync(out, 'utf8') === expected).toBe(true);
});

test('a reader that goes away (EPIPE) costs the writer nothing: no exception, exit 0', () => {
  const r = spawnSync('sh', ['-c', `{ "${process.execPath}" -e "$WRITER"; echo "writer exited $?" >&2; } | head -c 10 > /dev/null`],
    { encoding: 'utf8', env: { ...process.env, WRITER: writer(true) }, timeout: 30_000 });
  expect(r.stderr).toBe('writer exited 0\n');
});
