/**
 * Pins the retransmission schedule (RFC 2661 §5.8: same Ns, fresh Nr, doubling back-off capped at
 * 8 s, 5 retries by default) and the congestion-window trace of Appendix A, in plain numbers.
 */
import { describe, expect, test } from 'vitest';
import {
  ReliableTransport, retransmitDelayMs, transportConfig, type TransportOutput,
} from '../../src/transport/index.js';

const kinds = <T>(out: TransportOutput<T>[]) =>
  out.map((o) => (o.kind === 'send' ? [o.kind, o.ns, o.nr, o.attempt] : o.kind === 'ack' ? ['ack', o.nr] : ['failed', o.ns]));

/** Runs the transport's own deadlines until `limitMs`, collecting the time of every send. */
function runTimers(t: ReliableTransport<string>, limitMs: number): Array<[number, TransportOutput<string>]> {
  const log: Array<[number, TransportOutput<string>]> = [];
  for (let at = t.nextDeadlineMs(); at !== undefined && at <= limitMs; at = t.nextDeadlineMs()) {
    for (const o of t.poll(at)) log.push([at, o]);
  }
  return log;
}

describe('retransmission', () => {
  test('delays double from the initial timeout and stop at the cap', () => {
    const cfg = transportConfig();
    expect([0, 1, 2, 3, 4, 5].map((a) => retransmitDelayMs(a, cfg))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(retransmitDelayMs(3, transportConfig({ maxRetryTimeoutMs: 30_000 }))).toBe(8000);
  });

  test('an unacknowledged message goes out at 0, 1, 3, 7, 15, 23 s and fails at 31 s', () => {
    const t = new ReliableTransport<string>(transportConfig());
    t.enqueue('SCCRQ');
    const first = t.poll(0);
    expect(kinds(first)).toEqual([['send', 0, 0, 0]]);
    const log = runTimers(t, 100_000);
    expect(log.map(([at, o]) => [at, o.kind])).toEqual([
      [1000, 'send'], [3000, 'send'], [7000, 'send'], [15_000, 'send'], [23_000, 'send'], [31_000, 'failed'],
    ]);
    expect(log.at(-1)![1]).toEqual({ kind: 'failed', ns: 0, item: 'SCCRQ', transmissions: 6 });
    expect(t.failed).toBe(true);
    expect(t.nextDeadlineMs()).toBeUndefined();
  });

  test('max_retries and retry_timeout from config set the schedule', () => {
    const t = new ReliableTransport<string>(transportConfig({ maxRetries: 2, retryTimeoutMs: 500 }));
    t.enqueue('x');
    t.poll(0);
    expect(runTimers(t, 100_000).map(([at, o]) => [at, o.kind])).toEqual([[500, 'send'], [1500, 'send'], [3500, 'failed']]);
  });

  test('a retransmission keeps its Ns and carries the current Nr', () => {
    const t = new ReliableTransport<string>(transportConfig());
    t.enqueue('a');
    t.poll(0);
    t.receive(10, 0, 0, false, 'peer-0');
    t.receive(20, 1, 0, false, 'peer-1');
    const out = t.poll(1000);
    expect(kinds(out)).toEqual([['send', 0, 2, 1]]);
  });

  test('the acknowledgement of a retransmitted message ends its timer', () => {
    const t = new ReliableTransport<string>(transportConfig());
    t.enqueue('a');
    t.poll(0);
    t.poll(1000);
    expect(t.receive(1500, 0, 1, true).acked).toBe(1);
    expect(t.nextDeadlineMs()).toBeUndefined();
    expect(t.idle).toBe(true);
  });
});

describe('congestion window (RFC 2661 Appendix A)', () => {
  test('slow start to SSTHRESH, then one per CWND acks, never above the peer window', () => {
    const t = new ReliableTransport<number>(transportConfig());
    t.setPeerWindow(8);
    for (let i = 0; i < 40; i++) t.enqueue(i);
    const trace: number[] = [];
    let peerNr = 0;
    for (let step = 0; step < 20; step++) {
      const sent = t.poll(step).filter((o) => o.kind === 'send');
      peerNr = (peerNr + sent.length) & 0xffff;
      t.receive(step, step, peerNr, true);
      trace.push(t.congestion.cwnd);
    }
    expect(trace.slice(0, 10)).toEqual([2, 4, 8, 8, 8, 8, 8, 8, 8, 8]);
    expect(Math.max(...trace)).toBe(8);
  });

  test('a timeout halves SSTHRESH and resets CWND to 1; avoidance then adds one per CWND acks', () => {
    const t = new ReliableTransport<number>(transportConfig());
    t.setPeerWindow(8);
    for (let i = 0; i < 30; i++) t.enqueue(i);
    t.poll(0);                     // cwnd 1: sends ns 0
    t.receive(1, 0, 1, true);      // cwnd 2
    t.poll(1);                     // ns 1, 2
    t.receive(2, 1, 3, true);      // cwnd 4
    expect(t.congestion.cwnd).toBe(4);
    const sent = t.poll(2).filter((o) => o.kind === 'send');
    expect(sent.map((o) => o.ns)).toEqual([3, 4, 5, 6]);
    // Only the oldest is resent: the others are probably held by the peer behind the gap.
    const resent = t.poll(1002).filter((o) => o.kind === 'send');
    expect(resent.map((o) => [o.ns, o.attempt])).toEqual([[3, 1]]);
    expect(t.congestion).toMatchObject({ cwnd: 1, ssthresh: 2 });
    expect(t.nextDeadlineMs()).toBe(3002);
    t.receive(1003, 2, 7, true);   // the gap filled: all four acked at once: 1 -> 2 (slow start), then 3 acks in avoidance at cwnd 2
    expect(t.congestion.cwnd).toBe(3);
  });

  test('the window stalls while the peer does not acknowledge and resumes when it does', () => {
    const t = new ReliableTransport<number>(transportConfig());
    t.setPeerWindow(2);
    for (let i = 0; i < 5; i++) t.enqueue(i);
    t.poll(0);
    t.receive(1, 0, 1, true);
    expect(t.poll(2).map((o) => o.kind === 'send' && o.ns)).toEqual([1, 2]);
    expect(t.poll(3)).toEqual([]);
    expect(t.queued).toBe(2);
    t.receive(4, 0, 3, true);
    expect(t.poll(5).map((o) => o.kind === 'send' && o.ns)).toEqual([3, 4]);
  });

  test('a Receive Window Size of 0 is ignored (RFC 2661 §4.4.3: 0 is invalid)', () => {
    const t = new ReliableTransport<number>(transportConfig());
    t.setPeerWindow(0);
    expect(t.congestion.peerWindow).toBe(4);
  });
});

test('when the oldest is acknowledged alone, the next overdue message goes out on the next poll', () => {
  const t = new ReliableTransport<number>(transportConfig());
  t.setPeerWindow(4);
  for (let i = 0; i < 3; i++) t.enqueue(i);
  t.poll(0);
  t.receive(1, 0, 1, true);
  t.poll(1);                        // ns 1 and 2 out at 1 ms
  t.poll(1001);                     // ns 1 resent
  t.receive(1100, 1, 2, true);      // only ns 1 acknowledged: ns 2 was lost too
  expect(t.nextDeadlineMs()).toBe(1001);
  expect(t.poll(1100).map((o) => o.kind === 'send' && [o.ns, o.attempt])).toEqual([[2, 1]]);
});

describe('ack delay', () => {
  test('stays under a quarter of the retry timeout unless set explicitly', () => {
    expect(transportConfig().ackDelayMs).toBe(100);
    expect(transportConfig({ retryTimeoutMs: 100 }).ackDelayMs).toBe(25);
    expect(transportConfig({ retryTimeoutMs: 100, ackDelayMs: 90 }).ackDelayMs).toBe(90);
  });
});

describe('drive', () => {
  test('hands the sink what poll returns, in the same order, through retransmission, acks and failure', () => {
    const polled = new ReliableTransport<string>(transportConfig({ receiveWindowSize: 4 }));
    const driven = new ReliableTransport<string>(transportConfig({ receiveWindowSize: 4 }));
    const seen: TransportOutput<string>[] = [];
    const sink = {
      send: (ns: number, nr: number, item: string, attempt: number) => { seen.push({ kind: 'send', ns, nr, item, attempt }); },
      ack: (ns: number, nr: number) => { seen.push({ kind: 'ack', ns, nr }); },
      failed: (ns: number, item: string, transmissions: number) => { seen.push({ kind: 'failed', ns, item, transmissions }); },
    };
    const both = (f: (t: ReliableTransport<string>) => void) => { f(polled); f(driven); };
    const expected: TransportOutput<string>[] = [];
    const at = (nowMs: number) => { expected.push(...polled.poll(nowMs)); driven.drive(nowMs, sink); };
    both((t) => { t.setPeerWindow(2); for (const m of ['a', 'b', 'c']) t.enqueue(m); });
    at(0);
    both((t) => t.receive(10, 0, 1, false, 'x')); // acknowledges 'a', delivers the peer's first message
    at(10);
    at(200); // the delayed acknowledgement, had nothing carried it
    both((t) => t.receive(300, 1, 1, false, 'y'));
    at(400);
    for (let t = 1000; t <= 100_000; t += 500) at(t); // 'b' retransmitted until the transport fails
    expect(seen).toEqual(expected);
    expect(expected.map((o) => o.kind)).toEqual(expect.arrayContaining(['send', 'ack', 'failed']));
    expect(driven.failed).toBe(true);
  });
});
