/**
 * `resync`: a quiescent L2TPv3 connection (no SCCRQ to start both sequences at 0, RFC 3931 §4.2)
 * adopts the peer's numbers from the first message it hears, so a restarted end and one that kept
 * counting converge instead of rejecting each other's Ns/Nr until both time out.
 */
import { describe, expect, test } from 'vitest';
import { ReliableTransport, transportConfig } from '../../src/transport/index.js';

const make = () => new ReliableTransport<string>(transportConfig({ ackDelayMs: 0, retryTimeoutMs: 250, maxRetries: 3 }));

describe('resync', () => {
  test('the peer\'s Ns becomes the next expected: its message is delivered, not taken for a future one', () => {
    const t = make();
    t.resync(0, 3, 0);
    expect(t.receive(0, 3, 0, false, 'hello3')).toEqual({ status: 'delivered', delivered: ['hello3'], acked: 0 });
    expect(t.poll(0)).toEqual([{ kind: 'ack', ns: 0, nr: 4 }]);
  });

  test('a Nr outside what we sent renumbers our unacknowledged message from it, sent again at once', () => {
    const t = make();
    t.enqueue('hello');
    expect(t.poll(0)).toEqual([{ kind: 'send', ns: 0, nr: 0, item: 'hello', attempt: 0 }]);
    // The peer (which heard our previous incarnation) expects Ns 5 from us.
    t.resync(100, 9, 5);
    expect(t.receive(100, 9, 5, false, 'peer-hello').status).toBe('delivered');
    const out = t.poll(100);
    expect(out[0]).toEqual({ kind: 'send', ns: 5, nr: 10, item: 'hello', attempt: 1 });
    expect(t.receive(120, 10, 6, true)).toEqual({ status: 'zlb', delivered: [], acked: 1 });
    t.enqueue('next');
    expect(t.poll(130)).toEqual([{ kind: 'send', ns: 6, nr: 10, item: 'next', attempt: 0 }]);
  });

  test('a Nr within what we sent keeps our numbers: it acknowledges what it covers', () => {
    const t = make();
    t.enqueue('a');
    t.enqueue('b');
    t.poll(0);
    t.resync(10, 0, 1);
    expect(t.receive(10, 0, 1, true).acked).toBe(1);
    // 'b' waited behind the slow-start window: its first transmission, with the Ns it was given.
    expect(t.poll(10)).toEqual([{ kind: 'send', ns: 1, nr: 0, item: 'b', attempt: 0 }]);
  });

  test('the retry budget starts again: what was sent before the peer existed reached nobody', () => {
    const t = make();
    t.enqueue('hello');
    t.poll(0);
    for (const at of [250, 750, 1750]) expect(t.poll(at)[0]).toMatchObject({ kind: 'send', attempt: expect.any(Number) });
    // One more expiry would fail the connection; the peer is heard first.
    t.resync(2000, 0, 0);
    t.receive(2000, 0, 0, false, 'peer-hello');
    expect(t.poll(2000)[0]).toEqual({ kind: 'send', ns: 0, nr: 1, item: 'hello', attempt: 1 });
    expect(t.poll(2499)).toEqual([]);
    expect(t.poll(2500)[0]).toMatchObject({ kind: 'send', attempt: 2 });
    expect(t.failed).toBe(false);
  });
});
