/**
 * The L2TPv3 machines between two LCCEs exchanging real, signed bytes (see v3-lcce.ts): both roles,
 * simultaneous open settled by the Control Connection Tie Breaker, the same pseudowire opened from
 * both ends settled by the Session Tie Breaker, SLI on a carrier change, a digest that does not
 * verify dropped and counted, and a secret rollover.
 */
import { describe, expect, it } from 'vitest';
import { PwType, type V3Event, tieWinner } from '../../src/fsm/v3/index.js';
import type { SessionSpec } from '../../src/api/dataplane.js';
import { v3SessionSpec } from '../../src/engine/v3-session-spec.js';
import { Lcce, exchange } from './v3-lcce.js';

const te = new TextEncoder();
const secret = te.encode('s3cret');
const oldSecret = te.encode('old-secret');
const vc100 = (initiate: boolean) => ({ endId: 'vc100', pwType: PwType.ETHERNET, cookieLength: 4 as const, initiate });
const ofType = <T extends V3Event['type']>(l: Lcce, t: T) => l.events.filter((e): e is Extract<V3Event, { type: T }> => e.type === t);

describe('tieWinner (RFC 2661 §4.4.3, RFC 3931 §5.4.3)', () => {
  it('the lower value wins, equal values both lose, one value beats none, none is no tie', () => {
    const lo = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1);
    const hi = Uint8Array.of(0, 0, 0, 0, 0, 0, 1, 0);
    expect(tieWinner(lo, hi)).toBe('ours');
    expect(tieWinner(hi, lo)).toBe('theirs');
    expect(tieWinner(lo, lo.slice())).toBe('both-lose');
    expect(tieWinner(lo, undefined)).toBe('ours');
    expect(tieWinner(undefined, hi)).toBe('theirs');
    expect(tieWinner(undefined, undefined)).toBe('none');
  });
});

describe('LCCE ↔ LCCE', () => {
  it.each([[undefined], [0 as const], [1 as const]])('initiator and responder come up and bring an Ethernet pseudowire up (digest type %s)', (digestType) => {
    const auth = digestType === undefined ? {} : { secrets: [secret], digestType };
    const a = new Lcce({ name: 'pe1', routerId: 0xc0000201, seed: 1, ...auth, pseudowires: [vc100(true)] });
    const b = new Lcce({ name: 'pe2', routerId: 0xc0000202, seed: 2, ...auth, pseudowires: [vc100(false)] });
    a.open();
    exchange(a, b);
    expect(ofType(a, 'connection-up')).toMatchObject([{ peerHostName: 'pe2', peerRouterId: 0xc0000202 }]);
    expect(ofType(b, 'connection-up')).toMatchObject([{ peerHostName: 'pe1', peerRouterId: 0xc0000201 }]);
    const [pwA] = ofType(a, 'pw-up');
    const [pwB] = ofType(b, 'pw-up');
    expect(pwA!.pseudowire).toMatchObject({ pwType: 5, remoteSessionId: pwB!.pseudowire.localSessionId, peerCookie: pwB!.pseudowire.cookie });
    expect(pwB!.pseudowire).toMatchObject({ pwType: 5, remoteSessionId: pwA!.pseudowire.localSessionId, peerCookie: pwA!.pseudowire.cookie });
    expect(pwA!.pseudowire.cookie).toHaveLength(4);
    // The kernel sessions these make: what one end sends in its data packets the other expects.
    const specA = v3SessionSpec(pwA!.pseudowire, { tunnelId: 1, peerTunnelId: 2 }) as SessionSpec;
    const specB = v3SessionSpec(pwB!.pseudowire, { tunnelId: 2, peerTunnelId: 1 }) as SessionSpec;
    expect(specA.cookie).toHaveLength(4);
    expect(specA.cookie).toEqual(specB.peerCookie);
    expect(specB.cookie).toEqual(specA.peerCookie);
    expect(specA).toMatchObject({ sessionId: pwA!.pseudowire.localSessionId, peerSessionId: pwB!.pseudowire.localSessionId, pseudowire: 'eth' });
    expect(a.droppedDigest + b.droppedDigest).toBe(0);
    if (digestType !== undefined) {
      // SCCRP and ICRP (a), SCCRQ, SCCCN, ICRQ and ICCN (b), plus the ACKs each way.
      expect(a.live()[0]!.auth!.counters.verified).toBeGreaterThanOrEqual(2);
      expect(b.live()[0]!.auth!.counters.verified).toBeGreaterThanOrEqual(4);
      expect(Object.values(a.live()[0]!.auth!.counters.dropped).every((n) => n === 0)).toBe(true);
    }
  });

  it('a carrier change on one end reaches the other as SLI with Circuit Status', () => {
    const a = new Lcce({ name: 'pe1', routerId: 1, seed: 1, secrets: [secret], pseudowires: [vc100(true)] });
    const b = new Lcce({ name: 'pe2', routerId: 2, seed: 2, secrets: [secret], pseudowires: [vc100(false)] });
    a.open();
    exchange(a, b);
    a.circuit('vc100', false);
    exchange(a, b);
    a.circuit('vc100', true);
    exchange(a, b);
    expect(ofType(b, 'pw-circuit').map((e) => e.active)).toEqual([false, true]);
  });

  it('an ICRQ for a Remote End ID the responder does not have is refused with CDN result 6', () => {
    const a = new Lcce({ name: 'pe1', routerId: 1, seed: 1, pseudowires: [vc100(true)] });
    const b = new Lcce({ name: 'pe2', routerId: 2, seed: 2, pseudowires: [] });
    a.open();
    exchange(a, b);
    expect(ofType(a, 'pw-down')).toMatchObject([{ upBefore: false, reason: { type: 'peer-cdn', result: { result: 6 } } }]);
    expect(ofType(b, 'pw-down')).toMatchObject([{ upBefore: false, reason: { type: 'refused', sent: { result: 6 } } }]);
  });

  it('a pseudowire type the responder was not configured for is refused with CDN result 14', () => {
    const a = new Lcce({ name: 'pe1', routerId: 1, seed: 1, pseudowires: [vc100(true)] });
    const b = new Lcce({ name: 'pe2', routerId: 2, seed: 2, pseudowires: [{ ...vc100(false), pwType: PwType.ETHERNET_VLAN }] });
    a.open();
    exchange(a, b);
    expect(ofType(a, 'pw-down')).toMatchObject([{ reason: { type: 'peer-cdn', result: { result: 14 } } }]);
  });
});

describe('simultaneous open', () => {
  const lo = Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0);
  const hi = Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0);
  it.each([['A', lo, hi], ['B', hi, lo]])('the lower Control Connection Tie Breaker (%s) leaves one connection, up on both ends', (winner, tieA, tieB) => {
    const a = new Lcce({ name: 'pe1', routerId: 1, seed: 1, secrets: [secret], tieBreaker: tieA, pseudowires: [vc100(true)] });
    const b = new Lcce({ name: 'pe2', routerId: 2, seed: 2, secrets: [secret], tieBreaker: tieB, pseudowires: [vc100(true)] });
    a.open();
    b.open();
    exchange(a, b);
    const [loser, win] = winner === 'A' ? [b, a] : [a, b];
    expect(a.live()).toHaveLength(1);
    expect(b.live()).toHaveLength(1);
    expect(a.live()[0]!.data.state).toBe('established');
    expect(b.live()[0]!.data.state).toBe('established');
    expect(a.live()[0]!.data.peerConnectionId).toBe(b.live()[0]!.id);
    expect(ofType(loser, 'connection-down')).toMatchObject([{ reason: { type: 'lost-tie' } }]);
    expect(ofType(win, 'connection-down')).toEqual([]);
    // Both ends list vc100 as theirs to open: the Session Tie Breaker leaves one pseudowire.
    const upA = ofType(a, 'pw-up');
    const upB = ofType(b, 'pw-up');
    expect(upA).toHaveLength(1);
    expect(upB).toHaveLength(1);
    expect(upA[0]!.pseudowire.remoteSessionId).toBe(upB[0]!.pseudowire.localSessionId);
    const lostSession = [...ofType(a, 'pw-down'), ...ofType(b, 'pw-down')];
    expect(lostSession).toHaveLength(1);
    expect(lostSession[0]).toMatchObject({ upBefore: false, reason: { type: 'lost-tie' } });
  });
  it('equal tie breakers: both ends drop their connection', () => {
    const a = new Lcce({ name: 'pe1', routerId: 1, seed: 1, tieBreaker: lo });
    const b = new Lcce({ name: 'pe2', routerId: 2, seed: 2, tieBreaker: lo.slice() });
    a.open();
    b.open();
    exchange(a, b);
    expect(a.live()).toHaveLength(0);
    expect(b.live()).toHaveLength(0);
  });
});

describe('Message Digest', () => {
  it('a wrong secret brings nothing up: every SCCRQ is dropped and counted, the initiator gives up', () => {
    const a = new Lcce({ name: 'pe1', routerId: 1, seed: 1, secrets: [secret], pseudowires: [vc100(true)] });
    const b = new Lcce({ name: 'pe2', routerId: 2, seed: 2, secrets: [te.encode('wrong')], pseudowires: [vc100(false)] });
    a.open();
    exchange(a, b);
    expect(b.droppedDigest).toBe(11); // the SCCRQ and its 10 retransmissions
    expect(b.live()).toHaveLength(0);
    expect(ofType(a, 'connection-up')).toEqual([]);
    expect(ofType(a, 'connection-down')).toMatchObject([{ reason: { type: 'retransmit-exhausted' } }]);
  });
  it('a message changed in flight is dropped and counted; its retransmission gets through', () => {
    const a = new Lcce({ name: 'pe1', routerId: 1, seed: 1, secrets: [secret], pseudowires: [vc100(true)] });
    const b = new Lcce({ name: 'pe2', routerId: 2, seed: 2, secrets: [secret], pseudowires: [vc100(false)] });
    a.open();
    exchange(a, b);
    a.circuit('vc100', false);
    let once = true;
    exchange(a, b, { tamper: (d, from) => { if (from !== a || !once) return d; once = false; const t = d.slice(); t[t.length - 1]! ^= 1; return t; } });
    expect(b.droppedDigest).toBe(1);
    expect(b.live()[0]!.auth!.counters.dropped.mismatch).toBe(1);
    expect(ofType(b, 'pw-circuit')).toMatchObject([{ active: false }]);
    expect(ofType(b, 'pw-down')).toEqual([]);
  });
  it('a peer without a nonce is refused when a secret is configured (StopCCN result 4)', () => {
    const a = new Lcce({ name: 'pe1', routerId: 1, seed: 1 });
    const b = new Lcce({ name: 'pe2', routerId: 2, seed: 2, secrets: [secret] });
    a.open();
    exchange(a, b);
    expect(ofType(b, 'connection-down')).toMatchObject([{ reason: { type: 'auth-failed', sent: { result: 4 } } }]);
    expect(ofType(a, 'connection-down')).toMatchObject([{ reason: { type: 'peer-stopccn', result: { result: 4 } } }]);
  });
  it('rollover: an end with the new and the old secret talks to one still on the old, and counts it', () => {
    const a = new Lcce({ name: 'pe1', routerId: 1, seed: 1, secrets: [oldSecret], pseudowires: [vc100(true)] });
    const b = new Lcce({ name: 'pe2', routerId: 2, seed: 2, secrets: [secret, oldSecret], pseudowires: [vc100(false)] });
    a.open();
    exchange(a, b);
    // b signs with the new secret, which a does not know yet: a drops b's SCCRP.
    expect(a.droppedDigest).toBeGreaterThan(0);
    const a2 = new Lcce({ name: 'pe1', routerId: 1, seed: 3, secrets: [oldSecret, secret], pseudowires: [vc100(true)] });
    const b2 = new Lcce({ name: 'pe2', routerId: 2, seed: 4, secrets: [secret, oldSecret], pseudowires: [vc100(false)] });
    a2.open();
    exchange(a2, b2);
    expect(ofType(a2, 'pw-up')).toHaveLength(1);
    expect(a2.live()[0]!.auth!.counters.verifiedWithOlderSecret).toBeGreaterThan(0);
    expect(b2.live()[0]!.auth!.counters.verifiedWithOlderSecret).toBeGreaterThan(0);
  });
});
