/**
 * Two bare reliable transports over SimNet with random loss, duplication and reordering: every
 * message arrives exactly once and in order, for many seeds. Pins the transport against the
 * go-l2tp failure modes (stall on reorder, duplicate delivery) before any state machine is involved.
 */
import { describe, expect, test } from 'vitest';
import { ReliableTransport, transportConfig } from '../../src/transport/index.js';
import { SimNet, type SimEndpoint, type SimInput, type SimOutput } from '../../src/testing/index.js';

/** A toy wire format: [zlb, nsHi, nsLo, nrHi, nrLo, payload]. */
class ToyEndpoint implements SimEndpoint {
  readonly transport = new ReliableTransport<number>(transportConfig({ receiveWindowSize: 8 }));
  readonly received: number[] = [];
  failed = false;

  send(values: number[], nowMs: number): SimOutput[] {
    for (const v of values) this.transport.enqueue(v);
    return this.flush(nowMs);
  }

  handle(input: SimInput): SimOutput[] {
    if (input.kind === 'datagram') {
      const b = input.bytes;
      const zlb = b[0] === 1;
      const r = this.transport.receive(input.nowMs, (b[1]! << 8) | b[2]!, (b[3]! << 8) | b[4]!, zlb, zlb ? undefined : b[5]!);
      this.received.push(...r.delivered);
    }
    return this.flush(input.nowMs);
  }

  nextDeadlineMs(): number | undefined { return this.transport.nextDeadlineMs(); }

  private flush(nowMs: number): SimOutput[] {
    const out: SimOutput[] = [];
    for (const o of this.transport.poll(nowMs)) {
      if (o.kind === 'failed') this.failed = true;
      else if (o.kind === 'send') out.push({ kind: 'transmit', bytes: Uint8Array.of(0, o.ns >> 8, o.ns & 255, o.nr >> 8, o.nr & 255, o.item) });
      else out.push({ kind: 'transmit', bytes: Uint8Array.of(1, o.ns >> 8, o.ns & 255, o.nr >> 8, o.nr & 255) });
    }
    return out;
  }
}

function run(seed: number, loss: number) {
  const net = new SimNet({ seed, latencyMs: 20, jitterMs: 15, loss, duplicate: 0.1, reorder: 0.2, record: false });
  const a = new ToyEndpoint();
  const b = new ToyEndpoint();
  net.add('a', a);
  net.add('b', b);
  net.link('a', 'b');
  const want = Array.from({ length: 40 }, (_, i) => i);
  net.call('a', (now) => a.send(want, now));
  net.call('b', (now) => b.send(want.map((v) => 200 - v), now));
  net.runUntil(() => (a.transport.idle && b.transport.idle) || a.failed || b.failed, 3_600_000);
  return { a, b, want };
}

describe('transport pair over SimNet', () => {
  test('a clean link delivers everything in order', () => {
    const { a, b, want } = run(1, 0);
    expect(b.received).toEqual(want);
    expect(a.received).toEqual(want.map((v) => 200 - v));
  });

  test('with 20% loss, duplication and reordering, 200 seeds deliver exactly once and in order', () => {
    const bad: number[] = [];
    let completed = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const { a, b, want } = run(seed, 0.2);
      // With 5 retries a 20% loss can exhaust a message; then the run ends without delivering all.
      if (a.failed || b.failed) continue;
      completed++;
      if (b.received.join() !== want.join() || a.received.join() !== want.map((v) => 200 - v).join()) bad.push(seed);
    }
    expect(bad).toEqual([]);
    expect(completed).toBeGreaterThan(150);
  });
});
