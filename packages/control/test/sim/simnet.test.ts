/**
 * SimNet itself: the same seed replays the same run, impairments do what they say (loss rate,
 * duplication, reordering, latency), drop rules count down, and time only jumps to what is due.
 */
import { describe, expect, test } from 'vitest';
import { ScriptedPeer, SimNet, seededRandom } from '../../src/testing/index.js';

/** A sender of `n` one-byte datagrams at t=0 towards a recording peer. */
function blast(options: ConstructorParameters<typeof SimNet>[0], n = 1000) {
  const net = new SimNet(options);
  const sink = new ScriptedPeer(() => []);
  const arrivals: Array<[number, number]> = [];
  const recorder = new ScriptedPeer((b, nowMs) => { arrivals.push([b[0]!, nowMs]); return []; });
  net.add('src', sink);
  net.add('dst', recorder);
  net.link('src', 'dst');
  net.call('src', () => Array.from({ length: n }, (_, i) => ({ kind: 'transmit', bytes: Uint8Array.of(i & 0xff) })));
  net.runUntilIdle();
  return { net, arrivals };
}

describe('SimNet', () => {
  test('the same seed replays the same run; another seed does not', () => {
    const opts = { loss: 0.2, duplicate: 0.1, reorder: 0.2, jitterMs: 5 };
    const a = blast({ seed: 7, ...opts }).arrivals;
    expect(blast({ seed: 7, ...opts }).arrivals).toEqual(a);
    expect(blast({ seed: 8, ...opts }).arrivals).not.toEqual(a);
  });

  test('loss and duplication rates are close to the configured probabilities', () => {
    expect(blast({ seed: 1, loss: 0.3 }).arrivals.length).toBeGreaterThan(650);
    expect(blast({ seed: 1, loss: 0.3 }).arrivals.length).toBeLessThan(750);
    const dup = blast({ seed: 2, duplicate: 0.1 }).arrivals.length;
    expect(dup).toBeGreaterThan(1060);
    expect(dup).toBeLessThan(1140);
  });

  test('a clean link delivers in order after exactly the latency; reordering breaks the order', () => {
    const clean = blast({ seed: 3, latencyMs: 25 }, 50).arrivals;
    expect(clean.map(([v]) => v)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(new Set(clean.map(([, t]) => t))).toEqual(new Set([25]));
    const shuffled = blast({ seed: 3, reorder: 0.5 }, 50).arrivals.map(([v]) => v);
    expect(shuffled).not.toEqual([...shuffled].sort((x, y) => x - y));
  });

  test('a counted drop rule drops exactly that many matching datagrams', () => {
    const net = new SimNet();
    const got: number[] = [];
    net.add('a', new ScriptedPeer(() => []));
    net.add('b', new ScriptedPeer((b) => { got.push(b[0]!); return []; }));
    net.link('a', 'b');
    net.drop({ match: (b) => b[0] === 1, count: 2 });
    net.call('a', () => [1, 1, 1, 2].map((v) => ({ kind: 'transmit', bytes: Uint8Array.of(v) })));
    net.runUntilIdle();
    expect(got).toEqual([1, 2]);
    expect(net.log.filter((r) => r.dropped)).toHaveLength(2);
  });

  test('seededRandom is reproducible and roughly uniform', () => {
    const a = seededRandom(42), b = seededRandom(42);
    const xs = Array.from({ length: 10_000 }, () => a.float());
    expect(Array.from({ length: 10_000 }, () => b.float())).toEqual(xs);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
    expect(seededRandom(1).bytes(8)).not.toEqual(seededRandom(2).bytes(8));
  });
});
