/**
 * The randomness port. The engine draws tunnel and session ids, challenges, random vectors and tie
 * breakers from an injected source, never from `Math.random`, so a seed reproduces a whole run.
 * `src/node/` backs it with `crypto.getRandomValues`; `@l2tp/control/testing` with a seeded generator.
 */

/** A source of random numbers and bytes. */
export interface RandomSource {
  /** A uniformly distributed integer in 0..2^32-1. */
  uint32(): number;
  /** `length` random bytes in a fresh array. */
  bytes(length: number): Uint8Array;
}
