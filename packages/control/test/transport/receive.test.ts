/**
 * Pins the receive side (RFC 2661 §5.8): in-order delivery, duplicates acknowledged and never
 * delivered twice, out-of-order messages within our window held and released in order (go-l2tp
 * stalls for ever on one reordered message), delayed and piggy-backed acknowledgements.
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ReliableTransport, transportConfig } from '../../src/transport/index.js';

const make = () => new ReliableTransport<string>(transportConfig({ ackDelayMs: 100 }));

describe('receive', () => {
  test('an in-order message is delivered and acknowledged by a ZLB after the ack delay', () => {
    const t = make();
    const r = t.receive(0, 0, 0, false, 'm0');
    expect(r).toEqual({ status: 'delivered', delivered: ['m0'], acked: 0 });
    expect(t.nextDeadlineMs()).toBe(100);
    expect(t.poll(50)).toEqual([]);
    expect(t.poll(100)).toEqual([{ kind: 'ack', ns: 0, nr: 1 }]);
    expect(t.nextDeadlineMs()).toBeUndefined();
  });

  test('a message sent before the ack delay carries the acknowledgement instead of a ZLB', () => {
    const t = make();
    t.receive(0, 0, 0, false, 'm0');
    t.enqueue('reply');
    expect(t.poll(1)).toEqual([{ kind: 'send', ns: 0, nr: 1, item: 'reply', attempt: 0 }]);
    expect(t.poll(200)).toEqual([]);
  });

  test('once the peer has filled our receive window (4) the ZLB goes at once; the count restarts from the Nr it carried', () => {
    const t = make();
    for (let ns = 0; ns < 3; ns++) t.receive(ns, ns, 0, false, `m${ns}`);
    expect(t.poll(10)).toEqual([]);
    t.receive(10, 3, 0, false, 'm3');
    // The peer can send nothing more until acknowledged: waiting out the ack delay would only stall it.
    expect(t.poll(10)).toEqual([{ kind: 'ack', ns: 0, nr: 4 }]);
    t.receive(20, 4, 0, false, 'm4');
    expect(t.poll(20)).toEqual([]);
    expect(t.nextDeadlineMs()).toBe(120);
  });

  test('a duplicate is acknowledged at once and not delivered again', () => {
    const t = make();
    t.receive(0, 0, 0, false, 'm0');
    t.poll(100);
    expect(t.receive(500, 0, 0, false, 'm0')).toEqual({ status: 'duplicate', delivered: [], acked: 0 });
    expect(t.poll(500)).toEqual([{ kind: 'ack', ns: 0, nr: 1 }]);
  });

  test('a message ahead of a gap is held and released in order when the gap fills', () => {
    const t = make();
    expect(t.receive(0, 1, 0, false, 'm1').status).toBe('held');
    expect(t.receive(1, 2, 0, false, 'm2').status).toBe('held');
    expect(t.nr).toBe(0);
    expect(t.receive(2, 0, 0, false, 'm0').delivered).toEqual(['m0', 'm1', 'm2']);
    expect(t.nr).toBe(3);
  });

  test('a message beyond our receive window is dropped', () => {
    const t = make();
    expect(t.receive(0, 4, 0, false, 'm4').status).toBe('out-of-window');
    expect(t.receive(1, 0, 0, false, 'm0').delivered).toEqual(['m0']);
  });

  test('a ZLB acknowledges but does not advance Nr', () => {
    const t = make();
    t.enqueue('a');
    t.poll(0);
    expect(t.receive(5, 0, 1, true)).toEqual({ status: 'zlb', delivered: [], acked: 1 });
    expect(t.nr).toBe(0);
    expect(t.nextDeadlineMs()).toBeUndefined();
  });

  test('a Nr beyond what we sent makes the message invalid (RFC 3931 §4.2)', () => {
    const t = make();
    expect(t.receive(0, 0, 3, false, 'm0').status).toBe('bad-nr');
    expect(t.nr).toBe(0);
  });

  test('delivery wraps past Ns 65535', () => {
    const t = make();
    for (let i = 0; i < 65536; i++) t.receive(i, i, 0, false, 'x');
    expect(t.nr).toBe(0);
    expect(t.receive(70_000, 0, 0, false, 'wrapped').delivered).toEqual(['wrapped']);
  });

  test('any arrival order within the window delivers every message exactly once, in order', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 10, maxLength: 60 }), (order) => {
      const t = make();
      const got: string[] = [];
      // Feed a shuffled, duplicated stream of ns 0..9 (a sliding choice keeps it within the window).
      let base = 0;
      for (const pick of order) {
        const ns = Math.min(9, base + (pick % 4));
        got.push(...t.receive(0, ns, 0, false, `m${ns}`).delivered);
        base = t.nr;
      }
      for (let ns = t.nr; ns < 10; ns++) got.push(...t.receive(0, ns, 0, false, `m${ns}`).delivered);
      return got.join(',') === Array.from({ length: 10 }, (_, i) => `m${i}`).join(',');
    }));
  });
});
