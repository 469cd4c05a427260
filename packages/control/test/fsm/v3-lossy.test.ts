/**
 * Two LCCEs over a network that loses 30 % of datagrams each way (seeded), in virtual time with the
 * library's reliable transport: one initiator, and both ends opening at once (tie breakers at both
 * levels), each over 500 seeds, with the Message Digest on. Every seed ends with exactly one
 * control connection and one pseudowire, up on both ends with matching ids and cookies. With 30 %
 * loss each way a retransmission round trip succeeds about half the time, so 10 retries would lose
 * a message in a few of 500 runs: as in test/sim/lossy-seeds.test.ts, 20 retries.
 */
import { describe, expect, it } from 'vitest';
import { PwType, type V3Event } from '../../src/fsm/v3/index.js';
import { Lcce, counterRandom, exchange } from './v3-lcce.js';

const secret = new TextEncoder().encode('s3cret');
const vc100 = (initiate: boolean) => ({ endId: 'vc100', pwType: PwType.ETHERNET, cookieLength: 8 as const, initiate });
const ups = (l: Lcce) => l.events.filter((e): e is Extract<V3Event, { type: 'pw-up' }> => e.type === 'pw-up');

function converges(seed: number, bothOpen: boolean): string | undefined {
  const a = new Lcce({ name: 'pe1', routerId: 1, seed: seed * 2 + 1, secrets: [secret], maxRetries: 20, pseudowires: [vc100(true)] });
  const b = new Lcce({ name: 'pe2', routerId: 2, seed: seed * 2 + 2, secrets: [secret], maxRetries: 20, pseudowires: [vc100(bothOpen)] });
  const draw = counterRandom(seed + 7);
  a.open();
  if (bothOpen) b.open();
  exchange(a, b, { loss: { p: 0.3, random: () => draw(1)[0]! / 256 } });
  const la = a.live();
  const lb = b.live();
  if (la.length !== 1 || lb.length !== 1) return `seed ${seed}: ${la.length} and ${lb.length} live connections`;
  if (la[0]!.data.state !== 'established' || lb[0]!.data.state !== 'established') return `seed ${seed}: ${la[0]!.data.state} / ${lb[0]!.data.state}`;
  if (la[0]!.data.peerConnectionId !== lb[0]!.id || lb[0]!.data.peerConnectionId !== la[0]!.id) return `seed ${seed}: connection ids do not pair`;
  const [pa, pb] = [ups(a), ups(b)];
  if (pa.length !== 1 || pb.length !== 1) return `seed ${seed}: ${pa.length} and ${pb.length} pseudowires up`;
  const [x, y] = [pa[0]!.pseudowire, pb[0]!.pseudowire];
  if (x.remoteSessionId !== y.localSessionId || y.remoteSessionId !== x.localSessionId) return `seed ${seed}: session ids do not pair`;
  if (Buffer.compare(x.peerCookie, y.cookie) !== 0 || Buffer.compare(y.peerCookie, x.cookie) !== 0) return `seed ${seed}: cookies do not pair`;
  return undefined;
}

describe('LCCE ↔ LCCE over 30 % loss both ways', () => {
  it('one initiator: 500 seeds converge', () => {
    const bad = Array.from({ length: 500 }, (_, s) => converges(s, false)).filter((r) => r !== undefined);
    expect(bad).toEqual([]);
  });
  it('both ends open at once: 500 seeds converge to one connection and one pseudowire', () => {
    const bad = Array.from({ length: 500 }, (_, s) => converges(s, true)).filter((r) => r !== undefined);
    expect(bad).toEqual([]);
  });
});
