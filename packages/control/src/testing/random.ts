/**
 * A seeded {@link RandomSource} (sfc32, seeded through splitmix32) for reproducible simulations: the
 * same seed always yields the same ids, challenges, losses and reorderings.
 */
import type { RandomSource } from '../api/random.js';

/** A seeded, reproducible {@link RandomSource} with a `float()` helper for simulations. */
export interface SeededRandom extends RandomSource {
  /** A number in [0, 1). */
  float(): number;
  /** A new independent generator derived from this one (for a second engine in the same run). */
  fork(): SeededRandom;
}

/** Creates a {@link SeededRandom} from a 32-bit seed. */
export function seededRandom(seed: number): SeededRandom {
  let s = seed >>> 0;
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(), b = split(), c = split(), d = split();
  const uint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) uint32();
  return {
    uint32,
    float: () => uint32() / 0x1_0000_0000,
    bytes(length: number): Uint8Array {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) out[i] = uint32() & 0xff;
      return out;
    },
    fork: () => seededRandom(uint32()),
  };
}
