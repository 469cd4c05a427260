/**
 * The CSPRNG port: ids and bytes come from /dev/urandom, and from node:crypto where the device
 * cannot be opened (random-fallback.test.ts mocks that case).
 */
import { expect, test } from 'vitest';
import { cryptoRandom } from '../../src/node/platform.js';

test('bytes(n) gives n bytes, different each time', () => {
  const a = cryptoRandom.bytes(32);
  const b = cryptoRandom.bytes(32);
  expect(a).toBeInstanceOf(Uint8Array);
  expect(a.length).toBe(32);
  expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  expect(cryptoRandom.bytes(0).length).toBe(0);
  // Longer than one read of the device is guaranteed to return.
  expect(new Set(cryptoRandom.bytes(4096)).size).toBeGreaterThan(200);
});

test('uint32 draws across pool refills are 32-bit and (with overwhelming probability) distinct', () => {
  const draws = Array.from({ length: 1000 }, () => cryptoRandom.uint32());
  for (const d of draws) expect(Number.isInteger(d) && d >= 0 && d <= 0xffff_ffff).toBe(true);
  expect(new Set(draws).size).toBe(1000);
  expect(draws.some((d) => d > 0xffff)).toBe(true);
});
