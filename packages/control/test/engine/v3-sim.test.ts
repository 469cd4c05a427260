/**
 * Dynamic L2TPv3 LCCE ↔ LCCE through ControlEngine on SimNet: 30 % loss both ways over 500 seeds (one
 * initiator, and both opening at once so both tie breakers decide), a wrong digest secret, a secret
 * rollover, and a peer that restarts. With 30 % loss each way a retransmission round trip succeeds
 * about half the time, so 10 retries would lose a message in a few of 500 runs: as in
 * test/sim/lossy-seeds.test.ts, 20 retries.
 */
import { describe, expect, it } from 'vitest';
import { PwType } from '../../src/fsm/v3/index.js';
import type { SimNetOptions } from '../../src/testing/index.js';
import { type LcceSettings, pwUps, v3Pair } from './v3-pair.js';

const pe = (name: string, routerId: number, initiate: boolean, extra: Partial<LcceSettings> = {}): LcceSettings => ({
  hostName: name, routerId, digest: { secrets: ['s3cret'] }, transport: { maxRetries: 20 },
  pseudowires: [{ remoteEndId: 'vc100', pwType: PwType.ETHERNET, cookieLength: 4, initiate }], ...extra,
});

function converges(seed: number, bothOpen: boolean, net: SimNetOptions = { loss: 0.3 }): string | undefined {
  const p = v3Pair({ net: { seed, ...net }, pe1: pe('pe1', 1, true), pe2: pe('pe2', 2, bothOpen) });
  p.open('pe1');
  if (bothOpen) p.open('pe2');
  p.net.runUntilIdle({ limitMs: 300_000 });
  const [la, lb] = [p.live('pe1'), p.live('pe2')];
  if (la.length !== 1 || lb.length !== 1) return `seed ${seed}: ${la.length} and ${lb.length} live connections`;
  const [a, b] = [la[0]!, lb[0]!];
  if (a.state !== 'established' || b.state !== 'established') return `seed ${seed}: ${a.state} / ${b.state}`;
  if (a.peerConnectionId !== b.connectionId || b.peerConnectionId !== a.connectionId) return `seed ${seed}: connection ids do not pair`;
  const [sa, sb] = [a.sessions(), b.sessions()];
  if (sa.length !== 1 || sb.length !== 1 || sa[0]!.state !== 'established' || sb[0]!.state !== 'established') return `seed ${seed}: sessions ${sa.length}/${sb.length}`;
  const [x, y] = [pwUps(p.events('pe1')).at(-1)!.pseudowire, pwUps(p.events('pe2')).at(-1)!.pseudowire];
  if (x.remoteSessionId !== y.localSessionId || y.remoteSessionId !== x.localSessionId) return `seed ${seed}: session ids do not pair`;
  if (Buffer.compare(x.peerCookie, y.cookie) !== 0 || Buffer.compare(y.peerCookie, x.cookie) !== 0) return `seed ${seed}: cookies do not pair`;
  // Nothing else held: connections made by stale SCCRQs (a lost tie, a late duplicate) are gone.
  if (p.engines.pe1.size !== 1 || p.engines.pe2.size !== 1) return `seed ${seed}: ${p.engines.pe1.size} and ${p.engines.pe2.size} connections held`;
  return undefined;
}

describe('LCCE ↔ LCCE through ControlEngine over 30 % loss both ways', () => {
  it('one initiator: 500 seeds converge', () => {
    const bad = Array.from({ length: 500 }, (_, s) => converges(s, false)).filter((r) => r !== undefined);
    expect(bad).toEqual([]);
  });
  it('both ends open at once: 500 seeds converge to one connection and one pseudowire', () => {
    const bad = Array.from({ length: 500 }, (_, s) => converges(s, true)).filter((r) => r !== undefined);
    expect(bad).toEqual([]);
  });
});

describe('duplicated and reordered datagrams (20 % each, 10 % loss)', () => {
  it('200 seeds (alternately one initiator and both) converge, and nothing else is held at the end', () => {
    const net = { loss: 0.1, duplicate: 0.2, reorder: 0.2 };
    const bad = Array.from({ length: 200 }, (_, s) => converges(s, s % 2 === 1, net)).filter((r) => r !== undefined);
    expect(bad).toEqual([]);
  });
});

describe('simultaneous open without loss', () => {
  it('both tie breakers decide: one side loses its connection, one side its session (CDN 13), both report lost-tie', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      const p = v3Pair({ net: { seed }, pe1: pe('pe1', 1, true), pe2: pe('pe2', 2, true) });
      p.open('pe1');
      p.open('pe2');
      p.net.runUntilIdle({ limitMs: 60_000 });
      expect(p.live('pe1')).toHaveLength(1);
      expect(p.live('pe2')).toHaveLength(1);
      const downs = [...p.events('pe1'), ...p.events('pe2')].filter((e) => e.type === 'connection-down');
      expect(downs).toEqual([expect.objectContaining({ reason: { type: 'lost-tie' } })]);
      const pwLost = [...p.events('pe1'), ...p.events('pe2')].filter((e) => e.type === 'pw-down');
      expect(pwLost).toEqual([expect.objectContaining({ reason: { type: 'lost-tie' } })]);
      expect(pwUps(p.events('pe1'))).toHaveLength(1);
      expect(pwUps(p.events('pe2'))).toHaveLength(1);
      seen.add(p.events('pe1').some((e) => e.type === 'connection-down') ? 'pe1 lost' : 'pe2 lost');
    }
    expect([...seen].sort()).toEqual(['pe1 lost', 'pe2 lost']);
  });
});

describe('Message Digest', () => {
  it('a wrong secret brings nothing up: every message is dropped and counted, each drop reported with its reason', () => {
    const p = v3Pair({ pe1: pe('pe1', 1, true), pe2: pe('pe2', 2, false, { digest: { secrets: ['wrong'] } }), responders: ['pe2'] });
    p.open('pe1');
    p.net.runUntilIdle();
    expect([...p.events('pe1'), ...p.events('pe2')].filter((e) => e.type === 'connection-up' || e.type === 'pw-up')).toEqual([]);
    expect(p.engines.pe2.v3DigestDrops).toBe(21);
    expect(p.events('pe2').filter((e) => e.type === 'message-dropped')).toHaveLength(21);
    expect(p.events('pe2')[0]).toEqual({ type: 'message-dropped', connectionId: 0, reason: 'mismatch', messageType: 'SCCRQ' });
    expect(p.net.events('pe2')[0]!.output).toMatchObject({ kind: 'v3-event', tunnelId: 0, peer: p.net.addressOf('pe1') });
    // The SCCRQ and its 20 retransmissions, then the initiator gives up.
    expect(p.events('pe1')).toEqual([expect.objectContaining({ type: 'connection-down', reason: { type: 'retransmit-exhausted' } })]);
    expect(p.engines.pe1.settled && p.engines.pe2.settled).toBe(true);
  });

  it('a tampered message on an established connection is dropped and counted; the retransmission gets through', () => {
    const p = v3Pair({ pe1: pe('pe1', 1, true), pe2: pe('pe2', 2, false), responders: ['pe2'] });
    let flips = 1;
    const id = p.open('pe1');
    p.net.runUntil(() => p.engines.pe1.connection(id)?.state === 'established', 1_000);
    // Once up, flip the last byte of the next long datagram pe2 receives (pe1's ICRQ) on its way in.
    const original = p.engines.pe2.handle.bind(p.engines.pe2);
    p.engines.pe2.handle = (input) => {
      if (input.kind === 'datagram' && flips > 0 && input.bytes.length > 60) { flips--; const b = input.bytes.slice(); b[b.length - 1]! ^= 1; return original({ ...input, bytes: b }); }
      return original(input);
    };
    p.net.runUntilIdle({ limitMs: 30_000 });
    const b = p.live('pe2')[0]!;
    expect(b.digest!.dropped.mismatch).toBe(1);
    expect(p.events('pe2').filter((e) => e.type === 'message-dropped')).toEqual([expect.objectContaining({ reason: 'mismatch', messageType: 'ICRQ' })]);
    expect(pwUps(p.events('pe2'))).toHaveLength(1);
  });

  it('rollover: mid-way (pe1 signs with the old secret, pe2 with the new, each verifies both) everything comes up, counted', () => {
    const p = v3Pair({ pe1: pe('pe1', 1, true, { digest: { secrets: ['old', 'new'] } }), pe2: pe('pe2', 2, false, { digest: { secrets: ['new', 'old'] } }), responders: ['pe2'] });
    const id = p.open('pe1');
    p.net.runUntilIdle({ limitMs: 10_000 });
    const [a, b] = [p.engines.pe1.connection(id)!, p.live('pe2')[0]!];
    expect([a.state, b.state]).toEqual(['established', 'established']);
    expect(pwUps(p.events('pe1'))).toHaveLength(1);
    expect(pwUps(p.events('pe2'))).toHaveLength(1);
    // Each verified every message with its second secret: the one the other side signs with.
    for (const v of [a, b]) {
      expect(v.digest!.verified).toBeGreaterThan(2);
      expect(v.digest!.verifiedWithOlderSecret).toBe(v.digest!.verified);
    }
  });

  it('rollover done on one side only (pe2 dropped the old secret, pe1 never learnt the new): nothing comes up', () => {
    const p = v3Pair({ pe1: pe('pe1', 1, true, { digest: { secrets: ['old'] } }), pe2: pe('pe2', 2, false, { digest: { secrets: ['new'] } }), responders: ['pe2'] });
    p.open('pe1');
    p.net.runUntilIdle();
    expect(p.live('pe2')).toEqual([]);
    expect(p.engines.pe2.v3DigestDrops).toBe(21);
  });
});

describe('peer restart', () => {
  it('a restarted initiator\'s new SCCRQ replaces the stale connection; the pseudowire returns', () => {
    const p = v3Pair({ pe1: pe('pe1', 1, true, { helloIntervalMs: 60_000 }), pe2: pe('pe2', 2, false, { helloIntervalMs: 60_000 }), responders: ['pe2'] });
    p.open('pe1');
    p.net.advanceTo(1_000);
    const stale = p.live('pe2')[0]!;
    expect(stale.state).toBe('established');
    const staleId = stale.connectionId;
    // pe1 loses all state (kill -9) and comes back; pe2 still holds the old connection.
    p.restart('pe1');
    const fresh = p.open('pe1');
    p.net.advanceTo(3_000);
    const live = p.live('pe2');
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ state: 'established', peerConnectionId: fresh });
    expect(p.engines.pe2.connection(staleId)).toBeUndefined();
    const after = p.events('pe2').slice(2).map((e) => {
      const r = (e as { reason?: { type: string } }).reason;
      return r === undefined ? e.type : `${e.type}:${r.type}`;
    });
    expect(after).toEqual(['connection-up', 'pw-down:connection-down', 'connection-down:superseded', 'pw-up']);
    expect(pwUps(p.events('pe1'))).toHaveLength(2);
    expect(pwUps(p.events('pe2')).at(-1)!.pseudowire.remoteSessionId).toBe(pwUps(p.events('pe1')).at(-1)!.pseudowire.localSessionId);
  });
});
