// The LNS address pool: first free in configuration order (xl2tpd's get_addr), exclusions, release
// and reuse of the lowest given-back address, claims, counts, exhaustion, and a model check
// against a plain array under random operations. Memory/speed figures are in the bench.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { formatIpv4, parseIpv4, parseIpv4Span, type Ipv4Span } from '../../src/lns/ip.js';
import { AddressPool } from '../../src/lns/pool.js';

const span = (t: string): Ipv4Span => {
  const r = parseIpv4Span(t, true);
  if (!r.ok) throw new Error(r.reason);
  return r.span;
};

describe('AddressPool', () => {
  test('hands out the first free address in configuration order, skipping exclusions', () => {
    const p = new AddressPool([span('10.0.2.10-10.0.2.12'), span('10.0.1.0/30')], [span('10.0.2.11')]);
    expect(p.counts()).toEqual({ size: 4, used: 0, free: 4 });
    expect([p.allocate(), p.allocate(), p.allocate(), p.allocate(), p.allocate()])
      .toEqual(['10.0.2.10', '10.0.2.12', '10.0.1.1', '10.0.1.2', undefined]);
    expect(p.counts()).toEqual({ size: 4, used: 4, free: 0 });
  });

  test('a released address is the next one handed out when it comes first', () => {
    const p = new AddressPool([span('192.168.42.10-192.168.42.250')]);
    const a = Array.from({ length: 5 }, () => p.allocate());
    expect(p.release(a[3]!)).toBe(true);
    expect(p.release(a[1]!)).toBe(true);
    expect(p.allocate()).toBe('192.168.42.11');
    expect(p.allocate()).toBe('192.168.42.13');
    expect(p.allocate()).toBe('192.168.42.15');
  });

  test('release and claim refuse what is not in the pool or not in the expected state', () => {
    const p = new AddressPool([span('10.0.0.1-10.0.0.3')]);
    expect(p.release('10.0.0.1')).toBe(false);
    expect(p.release('10.9.9.9')).toBe(false);
    expect(p.release('not an address')).toBe(false);
    expect(p.claim('10.0.0.2')).toBe(true);
    expect(p.claim('10.0.0.2')).toBe(false);
    expect(p.claim('10.0.0.9')).toBe(false);
    expect(p.inUse('10.0.0.2')).toBe(true);
    expect([p.allocate(), p.allocate(), p.allocate()]).toEqual(['10.0.0.1', '10.0.0.3', undefined]);
    expect(p.release('10.0.0.2')).toBe(true);
    expect(p.allocate()).toBe('10.0.0.2');
  });

  test('an empty pool (everything excluded) is always exhausted', () => {
    const p = new AddressPool([span('10.0.0.1-10.0.0.2')], [span('10.0.0.0-10.0.0.3')]);
    expect(p.size).toBe(0);
    expect(p.allocate()).toBeUndefined();
  });

  test('overlapping ranges are refused (an address would be handed out twice)', () => {
    expect(() => new AddressPool([span('10.0.0.0/24'), span('10.0.0.128-10.0.1.5')])).toThrow(RangeError);
  });

  test('a /8 pool costs nothing until used and hands out addresses in order', () => {
    const p = new AddressPool([span('10.0.0.0/8')]);
    expect(p.counts()).toEqual({ size: 2 ** 24 - 2, used: 0, free: 2 ** 24 - 2 });
    expect(p.allocate()).toBe('10.0.0.1');
    expect(p.contains('10.255.255.254')).toBe(true);
    expect(p.contains('10.255.255.255')).toBe(false);
    expect(p.claim('10.200.0.1')).toBe(true);
    expect(p.counts().used).toBe(2);
  });

  test('behaves like a sorted free list under any sequence of allocate, release and claim', () => {
    const ranges = [span('10.0.0.20-10.0.0.29'), span('10.0.0.0-10.0.0.9')];
    const order = [...Array.from({ length: 10 }, (_, i) => 20 + i), ...Array.from({ length: 10 }, (_, i) => i)]
      .map((o) => formatIpv4(parseIpv4('10.0.0.0')! + o));
    const excluded = new Set(['10.0.0.25', '10.0.0.3']);
    const op = fc.oneof(
      fc.constant({ kind: 'allocate' as const }),
      fc.record({ kind: fc.constant('release' as const), i: fc.integer({ min: 0, max: 19 }) }),
      fc.record({ kind: fc.constant('claim' as const), i: fc.integer({ min: 0, max: 19 }) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const p = new AddressPool(ranges, [...excluded].map((a) => span(a)));
      const used = new Set<string>();
      for (const o of ops) {
        if (o.kind === 'allocate') {
          const want = order.find((a) => !used.has(a) && !excluded.has(a));
          expect(p.allocate()).toBe(want);
          if (want) used.add(want);
        } else {
          const a = order[o.i]!;
          const inPool = !excluded.has(a);
          if (o.kind === 'release') {
            expect(p.release(a)).toBe(inPool && used.has(a));
            used.delete(a);
          } else {
            expect(p.claim(a)).toBe(inPool && !used.has(a));
            if (inPool) used.add(a);
          }
        }
        expect(p.counts()).toEqual({ size: 18, used: used.size, free: 18 - used.size });
      }
    }), { numRuns: 300 });
  });
});
