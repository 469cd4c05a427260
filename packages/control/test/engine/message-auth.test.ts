/**
 * Replacing the Message Digest secrets of a live control connection (RFC 3931 §5.4.1): MessageAuth's
 * `rekey` keeps both nonces and the counters while the signing secret and type change, so the
 * three-step rollover (["old", "new"] on both, ["new", "old"] on both, "new") never drops a message;
 * ControlEngine's `updateV3Digest` does it to a connection that stays up, HELLOs still verifying.
 */
import { describe, expect, it } from 'vitest';
import { encodeMessage } from '../../src/codec/index.js';
import { L2tpUsageError } from '../../src/engine/io.js';
import { MessageAuth, type MessageAuthSecrets } from '../../src/engine/index.js';
import { hmac } from '../codec/helpers.js';
import { v3Pair } from './v3-pair.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const [OLD, NEW] = [utf8('old-secret'), utf8('new-secret')];

/** Two gates of one connection, each knowing the other's nonce. */
function gates(a: MessageAuthSecrets, b: MessageAuthSecrets) {
  const ga = new MessageAuth({ ...a, hmac, localNonce: new Uint8Array(16).fill(0xa1) });
  const gb = new MessageAuth({ ...b, hmac, localNonce: new Uint8Array(20).fill(0xb2) });
  ga.learnPeerNonce(gb.config.localNonce);
  gb.learnPeerNonce(ga.config.localNonce);
  return { ga, gb };
}

/** A HELLO signed by `from`, as the engine builds it (the placeholder of the current type, then sign). */
const hello = (from: MessageAuth, ns: number) => from.sign(encodeMessage({ type: 'HELLO', avps: { messageDigest: from.placeholder() } }, { version: 3, tunnelId: 7, sessionId: 0, ns, nr: 0 }));

describe('MessageAuth.rekey', () => {
  it('the three-step rollover keeps the nonces and counters, and every message verifies; the older secret is counted', () => {
    const { ga, gb } = gates({ secrets: [OLD], digestType: 0 }, { secrets: [OLD], digestType: 0 });
    const nonces = [ga.config.localNonce, ga.remoteNonce, gb.config.localNonce, gb.remoteNonce];
    let ns = 0;
    const both = () => [gb.check(hello(ga, ns++)), ga.check(hello(gb, ns++))];
    expect(both()).toEqual([true, true]);
    // Step 1: both learn the new secret, still signing with the old one.
    ga.rekey({ secrets: [OLD, NEW], digestType: 0 });
    expect(both()).toEqual([true, true]);
    gb.rekey({ secrets: [OLD, NEW], digestType: 0 });
    expect(both()).toEqual([true, true]);
    expect([ga.counters.verifiedWithOlderSecret, gb.counters.verifiedWithOlderSecret]).toEqual([0, 0]);
    // Step 2: A signs with the new one (and switches to HMAC-SHA-1); B still signs with the old.
    ga.rekey({ secrets: [NEW, OLD], digestType: 1 });
    expect(ga.placeholder()).toEqual({ digestType: 1, digest: new Uint8Array(20) });
    expect(both()).toEqual([true, true]);
    expect([ga.counters.verifiedWithOlderSecret, gb.counters.verifiedWithOlderSecret]).toEqual([1, 1]);
    gb.rekey({ secrets: [NEW, OLD], digestType: 0 });
    expect(both()).toEqual([true, true]);
    // Step 3: the old secret goes.
    ga.rekey({ secrets: [NEW], digestType: 1 });
    gb.rekey({ secrets: [NEW], digestType: 0 });
    expect(both()).toEqual([true, true]);
    expect([ga.config.localNonce, ga.remoteNonce, gb.config.localNonce, gb.remoteNonce]).toEqual(nonces);
    expect(ga.counters).toEqual({ verified: 6, verifiedWithOlderSecret: 1, dropped: { 'malformed': 0, 'no-digest': 0, 'unsupported-type': 0, 'mismatch': 0 } });
    expect(gb.counters.verified).toBe(6);
  });

  it('after the rollover a message under the old secret is dropped as a mismatch', () => {
    const { ga, gb } = gates({ secrets: [OLD], digestType: 0 }, { secrets: [OLD], digestType: 0 });
    const stale = hello(ga, 0);
    gb.rekey({ secrets: [NEW], digestType: 0 });
    expect(gb.check(stale)).toBe(false);
    expect(gb.counters.dropped.mismatch).toBe(1);
  });

  it('refuses to drop every secret and keeps the ones it had', () => {
    const { ga, gb } = gates({ secrets: [OLD], digestType: 0 }, { secrets: [OLD], digestType: 0 });
    expect(() => ga.rekey({ secrets: [], digestType: 1 })).toThrow(RangeError);
    expect(ga.config).toMatchObject({ secrets: [OLD], digestType: 0 });
    expect(gb.check(hello(ga, 0))).toBe(true);
  });
});

describe('ControlEngine.updateV3Digest', () => {
  it('rolls a live connection over to a new secret: same ids, no drop, HELLOs verify under the new secret', () => {
    const pe = (name: string, routerId: number) => ({ hostName: name, routerId, helloIntervalMs: 1000, digest: { secrets: ['old'] } });
    const p = v3Pair({ pe1: pe('pe1', 1), pe2: pe('pe2', 2), responders: ['pe2'] });
    const id = p.open('pe1');
    p.net.runUntilIdle({ limitMs: 3000 });
    const [a, b] = [p.engines.pe1.connection(id)!, p.live('pe2')[0]!];
    expect([a.state, b.state]).toEqual(['established', 'established']);
    const peerId = b.connectionId;
    const steps: [string, string][] = [['old', 'new'], ['new', 'old']];
    for (const secrets of [...steps, ['new']]) {
      expect(p.engines.pe1.updateV3Digest(id, { secrets, digestType: 1 })).toBe(true);
      p.net.runUntilIdle({ limitMs: 3000 });
      expect(p.engines.pe2.updateV3Digest(peerId, { secrets })).toBe(true);
      p.net.runUntilIdle({ limitMs: 3000 });
    }
    expect(p.engines.pe1.connection(id)).toMatchObject({ state: 'established', peerConnectionId: peerId });
    expect(p.live('pe2').map((c) => c.connectionId)).toEqual([peerId]);
    for (const c of [a, b]) expect(c.digest!.dropped).toEqual({ 'malformed': 0, 'no-digest': 0, 'unsupported-type': 0, 'mismatch': 0 });
    expect(a.digest!.verifiedWithOlderSecret).toBeGreaterThan(0);
    expect(b.digest!.verifiedWithOlderSecret).toBeGreaterThan(0);
    const seen = b.digest!.verified;
    p.net.runUntilIdle({ limitMs: 3000 });
    expect(b.digest!.verified).toBeGreaterThan(seen);
    expect(p.events('pe1').filter((e) => e.type === 'connection-down')).toEqual([]);
  });

  it('a connection without a digest cannot be given one in place; an unknown id is false; an empty secret is refused', () => {
    const p = v3Pair({ pe1: { hostName: 'pe1', routerId: 1 }, pe2: { hostName: 'pe2', routerId: 2 } });
    const id = p.open('pe1');
    expect(() => p.engines.pe1.updateV3Digest(id, { secrets: ['s'] })).toThrow(L2tpUsageError);
    expect(p.engines.pe1.updateV3Digest(id + 1, { secrets: ['s'] })).toBe(false);
    const q = v3Pair({ pe1: { hostName: 'pe1', routerId: 1, digest: { secrets: ['s'] } }, pe2: { hostName: 'pe2', routerId: 2 } });
    const qid = q.open('pe1');
    expect(() => q.engines.pe1.updateV3Digest(qid, { secrets: [''] })).toThrow(RangeError);
    expect(q.engines.pe1.connection(qid)!.state).toBe('wait-ctl-reply');
  });
});
