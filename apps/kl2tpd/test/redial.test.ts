import { describe, expect, it } from 'vitest';
import { redialDelayMs } from '../src/redial.js';

describe('redialDelayMs', () => {
  it('is off without redial = true', () => {
    expect(redialDelayMs(1, { redial: false, redialTimeoutMs: 5000, maxRedials: 0 })).toBeUndefined();
  });
  it('doubles from redial_timeout up to one minute, forever when max_redials = 0', () => {
    const cfg = { redial: true, redialTimeoutMs: 5000, maxRedials: 0 };
    expect([1, 2, 3, 4, 5, 100, 10_000].map((a) => redialDelayMs(a, cfg))).toEqual([5000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
  });
  it('gives up after max_redials', () => {
    const cfg = { redial: true, redialTimeoutMs: 1000, maxRedials: 3 };
    expect([1, 2, 3, 4].map((a) => redialDelayMs(a, cfg))).toEqual([1000, 2000, 4000, undefined]);
  });
  it('a redial_timeout above the cap is used as it is', () => {
    expect(redialDelayMs(3, { redial: true, redialTimeoutMs: 120_000, maxRedials: 0 })).toBe(120_000);
  });
});
