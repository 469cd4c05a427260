// Without /dev/urandom (a chroot without /dev), the CSPRNG port falls back to node:crypto.
import { expect, test, vi } from 'vitest';

const opened: string[] = [];
vi.mock('node:fs', async (importOriginal) => ({
  ...await importOriginal<typeof import('node:fs')>(),
  openSync: (path: string) => {
    opened.push(path);
    throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
  },
}));

test('bytes and uint32 still come from a CSPRNG when /dev/urandom cannot be opened', async () => {
  const { cryptoRandom } = await import('../../src/node/platform.js');
  const a = cryptoRandom.bytes(32);
  expect(a.length).toBe(32);
  expect(Buffer.from(a).equals(Buffer.from(cryptoRandom.bytes(32)))).toBe(false);
  expect(new Set(Array.from({ length: 300 }, () => cryptoRandom.uint32())).size).toBe(300);
  expect(opened).toContain('/dev/urandom');
});
