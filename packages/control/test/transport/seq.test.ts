/**
 * Pins the 16-bit serial arithmetic of Ns/Nr (RFC 2661 §5.8), including the wrap at 65535 and the
 * 32767-value "before" window that decides duplicates.
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { seqBefore, seqDistance, seqNext } from '../../src/transport/seq.js';

describe('seq', () => {
  test('seqNext wraps at 2^16', () => {
    expect(seqNext(0)).toBe(1);
    expect(seqNext(65535)).toBe(0);
  });

  test.each([
    [0, 1, true], [1, 0, false], [5, 5, false], [65535, 0, true], [0, 65535, false],
    [15, 32782, true], [15, 32783, false], [32784, 15, true], [16, 15, false],
  ])('seqBefore(%i, %i) is %s', (a, b, want) => {
    expect(seqBefore(a, b)).toBe(want);
  });

  test('RFC 2661 §5.8 example: with last = 15, 0..15 and 32784..65535 are at or before it', () => {
    const atOrBefore = (v: number) => v === 15 || seqBefore(v, 15);
    expect([0, 15, 32784, 65535].every(atOrBefore)).toBe(true);
    expect([16, 32783].some(atOrBefore)).toBe(false);
  });

  test('seqBefore is antisymmetric and irreflexive', () => {
    const u16 = fc.integer({ min: 0, max: 65535 });
    fc.assert(fc.property(u16, u16, (a, b) => !(seqBefore(a, b) && seqBefore(b, a)) && !seqBefore(a, a)));
  });

  test('seqDistance inverts addition modulo 2^16', () => {
    const u16 = fc.integer({ min: 0, max: 65535 });
    fc.assert(fc.property(u16, u16, (a, d) => seqDistance(a, (a + d) % 65536) === d));
  });
});
