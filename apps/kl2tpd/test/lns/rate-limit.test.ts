// The SCCRQ token bucket per source address, on an injected clock: burst then refill at the rate,
// addresses independent (IPv4-mapped = IPv4), bounded memory, and the sccrq_limit syntax.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseRate, SccrqRateLimiter } from '../../src/lns/rate-limit.js';

const tenPerMin = { count: 10, intervalMs: 60_000 };

describe('SccrqRateLimiter', () => {
  test('accel-ppp\'s limit=10/min burst=3: three at once, then one every 6 s', () => {
    const l = new SccrqRateLimiter({ rate: tenPerMin, burst: 3 });
    expect([0, 0, 0, 0].map(() => l.take('192.0.2.1', 1000))).toEqual([true, true, true, false]);
    expect(l.retryAfterMs('192.0.2.1', 1000)).toBe(6000);
    expect(l.take('192.0.2.1', 6999)).toBe(false);
    expect(l.take('192.0.2.1', 7000)).toBe(true);
    expect(l.take('192.0.2.1', 7000)).toBe(false);
  });

  test('each address has its own bucket; an IPv4-mapped address is the IPv4 address', () => {
    const l = new SccrqRateLimiter({ rate: tenPerMin, burst: 1 });
    expect(l.take('192.0.2.1', 0)).toBe(true);
    expect(l.take('::ffff:192.0.2.1', 0)).toBe(false);
    expect(l.take('192.0.2.2', 0)).toBe(true);
    expect(l.take('2001:db8::1', 0)).toBe(true);
  });

  test('a refilled bucket is forgotten on sweep; past maxPeers the least recently seen go, down to 7/8', () => {
    const l = new SccrqRateLimiter({ rate: tenPerMin, burst: 2, maxPeers: 3 });
    for (const a of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) l.take(a, 0);
    l.take('10.0.0.1', 1);
    expect(l.size).toBe(3);
    l.take('10.0.0.4', 2);
    expect(l.size).toBe(2);
    // 10.0.0.2 was the least recently seen: forgotten, so it has a full bucket again; 10.0.0.1 (both
    // tokens spent) was kept, so it stays empty.
    expect([l.take('10.0.0.2', 3), l.take('10.0.0.2', 3), l.take('10.0.0.2', 3)]).toEqual([true, true, false]);
    expect(l.take('10.0.0.1', 3)).toBe(false);
    l.sweep(3 + 60_000);
    expect(l.size).toBe(0);
  });

  test('never accepts more than burst + rate × elapsed from one address', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 5 }),
      fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 300 }),
      (count, burst, gaps) => {
        const l = new SccrqRateLimiter({ rate: { count, intervalMs: 60_000 }, burst });
        let now = 0;
        let accepted = 0;
        for (const g of gaps) {
          now += g;
          if (l.take('198.51.100.1', now)) accepted++;
        }
        expect(accepted).toBeLessThanOrEqual(burst + Math.floor((now * count) / 60_000));
        expect(accepted).toBeGreaterThanOrEqual(Math.min(gaps.length, burst));
      }));
  });

  test('refuses a rate or burst that is not positive', () => {
    expect(() => new SccrqRateLimiter({ rate: { count: 0, intervalMs: 1 }, burst: 1 })).toThrow(RangeError);
    expect(() => new SccrqRateLimiter({ rate: tenPerMin, burst: 0 })).toThrow(RangeError);
  });
});

describe('parseRate', () => {
  test('accel-ppp spellings and off', () => {
    expect(parseRate('10/min')).toEqual(tenPerMin);
    expect(parseRate('5/s')).toEqual({ count: 5, intervalMs: 1000 });
    expect(parseRate('5/sec')).toEqual({ count: 5, intervalMs: 1000 });
    expect(parseRate('100/hour')).toEqual({ count: 100, intervalMs: 3_600_000 });
    expect(parseRate('off')).toBe('off');
    for (const bad of ['0/min', '10', '10/day', '-1/s', '10 / min', '']) expect(parseRate(bad)).toBeUndefined();
  });
});
