/** Hidden AVPs (RFC 2661 §4.3), Challenge Response (§4.4.3) and the v3 Message Digest (RFC 3931 §4.3). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AVP, type AvpSpec, type AvpValues, challengeResponse, decodeMessage, encodeMessage, hideAvpValue, unhideAvpValue,
  type ControlHeader,
} from '../../src/codec/index.js';
import { hex, md5, toHex } from './helpers.js';

const secret = new TextEncoder().encode('xl2tpd-interop-secret');
const rv = hex('e798046a01caed19dfebee7f1ab9a284'); // the LAC's Random Vector in challenge-hidden.json
const H: ControlHeader = { version: 2, tunnelId: 7, sessionId: 3, ns: 1, nr: 2 };
let counter = 0;
const random = (n: number) => Uint8Array.from({ length: n }, () => (counter++ * 37) & 0xff);

describe('hidden AVPs', () => {
  it('the first keystream block is MD5(attribute type || secret || RV), XORed over length || value', () => {
    const value = hex('1234');
    const hidden = hideAvpValue(value, 14, secret, rv, md5);
    const b1 = md5(hex('000e'), secret, rv);
    expect(toHex(hidden)).toBe(toHex(Uint8Array.from([0x00 ^ b1[0]!, 0x02 ^ b1[1]!, 0x12 ^ b1[2]!, 0x34 ^ b1[3]!])));
  });
  it('long values chain blocks on the previous ciphertext, and padding is accepted on receipt', () => {
    const value = new TextEncoder().encode('a called number longer than sixteen bytes, to chain two blocks');
    const hidden = hideAvpValue(value, 21, secret, rv, md5, hex('deadbeefcafe'));
    expect(hidden.length).toBe(2 + value.length + 6);
    expect(unhideAvpValue(hidden, 21, secret, rv, md5)).toEqual(value);
    const b2 = md5(secret, hidden.subarray(0, 16));
    expect(hidden[16]! ^ b2[0]!).toBe(value[14]);
  });
  it('a lying Original Length (or the wrong secret) is refused, bounded by the AVP length', () => {
    const hidden = hideAvpValue(hex('1234'), 14, secret, rv, md5);
    expect(unhideAvpValue(hidden, 14, new TextEncoder().encode('wrong'), rv, md5)).toMatch(/exceeds|Original Length/);
    expect(unhideAvpValue(hidden.subarray(0, 1), 14, secret, rv, md5)).toMatch(/no Original Length/);
  });
  it('encodeMessage hides the call AVPs after a fresh Random Vector, and decode unhides them', () => {
    const m = encodeMessage({ type: 'ICRQ', avps: { assignedSessionId: 42, callSerialNumber: 7, bearerType: 0 } }, H, { hide: { secret, md5, random } });
    const r = decodeMessage(m, { secret, md5 });
    expect(r).toMatchObject({ ok: true, value: { message: { avps: { assignedSessionId: 42, callSerialNumber: 7, bearerType: 0 }, hidden: ['assignedSessionId', 'callSerialNumber'] } } });
    expect(decodeMessage(m)).toMatchObject({ ok: false, error: { code: 'hidden-without-secret', answer: { result: 2 } } });
  });
  it('SCCRQ is never hidden (interop), and Message Type / Result Code never are', () => {
    const sccrq = encodeMessage({ type: 'SCCRQ', avps: { protocolVersion: 0x100, hostName: 'h', framingCapabilities: 3, assignedTunnelId: 5 } }, { ...H, sessionId: 0 }, { hide: { secret, md5, random } });
    expect(decodeMessage(sccrq, { secret, md5 })).toMatchObject({ ok: true, value: { message: { hidden: [] } } });
    const stop = encodeMessage({ type: 'StopCCN', avps: { assignedTunnelId: 5, resultCode: { result: 1 } } }, { ...H, sessionId: 0 }, { hide: { secret, md5, random } });
    expect(decodeMessage(stop, { secret, md5 })).toMatchObject({ ok: true, value: { message: { hidden: ['assignedTunnelId'] } } });
  });
  it('a hidden AVP without a preceding Random Vector is refused', () => {
    const m = encodeMessage({ type: 'ICRQ', avps: { assignedSessionId: 42, callSerialNumber: 7 } }, H, { hide: { secret, md5, random } });
    // Cut the Random Vector AVP (22 bytes after Message Type) out of the message.
    const cut = new Uint8Array([...m.subarray(0, 20), ...m.subarray(42)]);
    new DataView(cut.buffer).setUint16(2, cut.length);
    expect(decodeMessage(cut, { secret, md5 })).toMatchObject({ ok: false, error: { code: 'hidden-without-random-vector' } });
  });
});

describe('tunnel authentication', () => {
  it('challenge response is MD5(type octet || secret || challenge)', () => {
    const challenge = hex('96be60d6557b77b69802e18691fd6c81');
    expect(challengeResponse(2, secret, challenge, md5)).toEqual(md5(hex('02'), secret, challenge));
    expect(challengeResponse(3, secret, challenge, md5)).not.toEqual(challengeResponse(2, secret, challenge, md5));
  });
});

describe('hidden AVP round trip for every length', () => {
  it('hide/unhide for value lengths 0..1017, with and without padding', () => {
    for (let n = 0; n <= 1017; n++) {
      const value = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff);
      const plain = hideAvpValue(value, 31, secret, rv, md5);
      expect(unhideAvpValue(plain, 31, secret, rv, md5)).toEqual(value);
      const padded = hideAvpValue(value, 31, secret, rv, md5, random((16 - ((n + 2) % 16)) % 16 + 16));
      expect(unhideAvpValue(padded, 31, secret, rv, md5)).toEqual(value);
    }
  });
  it('through encodeMessage/decodeDatagram for every value length an AVP can hide (0..1015)', () => {
    for (let n = 0; n <= 1015; n++) {
      const challenge = Uint8Array.from({ length: n }, (_, i) => (i * 13 + n) & 0xff);
      const m = encodeMessage({ type: 'ICRQ', avps: { assignedSessionId: 1, callSerialNumber: 2, proxyAuthenChallenge: challenge } }, H, { hide: { secret, md5, random } });
      const r = decodeMessage(m, { secret, md5 });
      expect(r.ok && r.value.kind === 'control' && r.value.message.avps.proxyAuthenChallenge).toEqual(challenge);
    }
  });
});

describe('encodeMessage with hide and a Random Vector of the caller (RFC 2661 §4.3)', () => {
  // ICRQ AVPs the table hides, and some it does not; keys in any order, the caller's Random Vector among them.
  const fields = {
    assignedSessionId: fc.integer({ min: 1, max: 0xffff }), callSerialNumber: fc.integer({ min: 0, max: 0xffffffff }),
    calledNumber: fc.string({ maxLength: 40 }), callingNumber: fc.string({ maxLength: 40 }), subAddress: fc.string({ maxLength: 20 }),
    physicalChannelId: fc.integer({ min: 0, max: 0xffffffff }), bearerType: fc.integer({ min: 0, max: 3 }),
    randomVector: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  };
  const icrq = fc.record(fields, { requiredKeys: ['assignedSessionId', 'callSerialNumber'] })
    .chain((avps) => fc.shuffledSubarray(Object.keys(avps), { minLength: Object.keys(avps).length }).map((order) =>
      Object.fromEntries(order.map((k) => [k, (avps as Record<string, unknown>)[k]])) as AvpValues));

  it('round-trips: every hidden AVP follows the one Random Vector it was hidden with, wherever the caller put it', () => {
    fc.assert(fc.property(icrq, (avps) => {
      const bytes = encodeMessage({ type: 'ICRQ', avps }, H, { hide: { secret, md5, random } });
      const r = decodeMessage(bytes, { secret, md5 });
      expect(r.ok).toBe(true);
      if (!r.ok || r.value.kind !== 'control') return;
      const m = r.value.message;
      // The caller's vector is the one used (and sent once); without one, a fresh one is decoded.
      expect(m.avps).toEqual(avps.randomVector === undefined ? { ...avps, randomVector: m.avps.randomVector } : avps);
      expect([...m.hidden].sort()).toEqual(Object.keys(avps).filter((k) => (AVP[k as keyof typeof AVP] as AvpSpec).hide === true).sort());
      expect(m.unknownAvps).toEqual([]);
    }), { numRuns: 2000 });
  });

  it('a Random Vector between hidden AVPs is sent before the first of them, once', () => {
    const rvGiven = hex('00112233445566778899aabbccddeeff');
    const bytes = encodeMessage({ type: 'ICRQ', avps: { assignedSessionId: 42, randomVector: rvGiven, callSerialNumber: 7 } }, H, { hide: { secret, md5, random } });
    // Message Type (8 bytes) after the 12-byte header, then the Random Vector AVP (type 36), then the hidden ones.
    expect(toHex(bytes.subarray(20, 26))).toBe(toHex(hex('8016 0000 0024')));
    expect(toHex(bytes.subarray(26, 42))).toBe(toHex(rvGiven));
    expect(decodeMessage(bytes, { secret, md5 })).toMatchObject({ ok: true, value: { message: { avps: { assignedSessionId: 42, callSerialNumber: 7 }, hidden: ['assignedSessionId', 'callSerialNumber'] } } });
  });
});
