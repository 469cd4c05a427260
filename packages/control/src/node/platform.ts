/**
 * The engine's ports backed by Node: a monotonic clock (`performance.now`, not `Date.now`, so a
 * wall-clock step never fires or delays a retransmission), cryptographic randomness and MD5.
 */
import { createHash, getRandomValues } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { RandomSource } from '../api/random.js';

/** A monotonic millisecond clock. */
export interface Clock {
  nowMs(): number;
}

/** The monotonic clock of this process. */
export const monotonicClock: Clock = { nowMs: () => performance.now() };

/** A {@link RandomSource} backed by the operating system's CSPRNG. */
export const cryptoRandom: RandomSource = {
  uint32: () => getRandomValues(new Uint32Array(1))[0]!,
  bytes: (length: number) => getRandomValues(new Uint8Array(length)),
};

/** MD5 of the concatenation of `parts` (challenge responses and hidden AVPs, RFC 2661 §4.3, §5.1.1). */
export function md5(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}
