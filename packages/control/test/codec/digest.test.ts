/**
 * The v3 Message Digest (RFC 3931 §4.3, §5.4.1) against vectors computed outside this codec
 * (test/vectors/v3-digest: Python's hmac, cross-checked by TShark's own implementation): our encoder
 * lays the messages out byte for byte as built by hand, signMessage fills the same digests, and
 * verifyMessage accepts them under the current or the previous secret and refuses everything else.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type AvpValues, type ControlHeader, decodeMessage, encodeMessage, findDigests, type MessageTypeName, sharedKey, signMessage, verifyMessage,
} from '../../src/codec/index.js';
import { hex, hmac, toHex } from './helpers.js';

interface Vector { name: MessageTypeName; from: 'A' | 'B'; unsigned: string; signed: string }
const VECTORS = JSON.parse(readFileSync(new URL('../vectors/v3-digest/vectors.json', import.meta.url), 'utf8')) as Vector[];

const secret = new TextEncoder().encode('s3cret');
const old = new TextEncoder().encode('old-secret');
const nonceA = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
const nonceB = Uint8Array.from({ length: 20 }, (_, i) => 0xb0 + i);
const nonces = { A: { local: nonceA, remote: nonceB }, B: { local: nonceB, remote: nonceA } };
const md5Digest = { digestType: 0, digest: new Uint8Array(16) };

/** The same messages built with the codec, as the engine would. */
const BUILT: Record<string, { header: ControlHeader; avps: AvpValues }> = {
  SCCRQ: { header: { version: 3, tunnelId: 0, sessionId: 0, ns: 0, nr: 0 }, avps: {
    messageDigest: md5Digest, hostName: 'lcce-a', routerId: 0xc0000201, assignedConnectionId: 0x11111111, pwCapabilityList: [5, 4], controlMessageAuthNonce: nonceA } },
  SCCRP: { header: { version: 3, tunnelId: 0x11111111, sessionId: 0, ns: 0, nr: 1 }, avps: {
    hostName: 'lcce-b', routerId: 0xc0000202, assignedConnectionId: 0x22222222, pwCapabilityList: [5], controlMessageAuthNonce: nonceB, messageDigest: md5Digest } },
  SCCCN: { header: { version: 3, tunnelId: 0x22222222, sessionId: 0, ns: 1, nr: 1 }, avps: { messageDigest: md5Digest } },
  HELLO: { header: { version: 3, tunnelId: 0x11111111, sessionId: 0, ns: 1, nr: 2 }, avps: { messageDigest: { digestType: 1, digest: new Uint8Array(20) } } },
  ICRQ: { header: { version: 3, tunnelId: 0x22222222, sessionId: 0, ns: 2, nr: 2 }, avps: {
    messageDigest: md5Digest, localSessionId: 0xabcd, remoteSessionId: 0, callSerialNumber: 1, pwType: 5, remoteEndId: new TextEncoder().encode('vc100'),
    circuitStatus: { active: true, new: true }, assignedCookie: hex('01020304') } },
};

describe.each(VECTORS.map((v) => [v.name, v] as const))('%s', (name, v) => {
  const receiver = v.from === 'A' ? nonces.B : nonces.A;
  it('our encoder gives the hand-built bytes, Message Digest right after Message Type', () => {
    const b = BUILT[name]!;
    expect(toHex(encodeMessage({ type: name, avps: b.avps }, b.header))).toBe(v.unsigned);
  });
  it('signMessage fills the independently computed digest', () => {
    expect(toHex(signMessage(hex(v.unsigned), secret, hmac, nonces[v.from]))).toBe(v.signed);
  });
  it('verifyMessage accepts it under the secret, also as the second of two (rollover)', () => {
    expect(verifyMessage(hex(v.signed), [secret], hmac, receiver)).toEqual({ ok: true, secretIndex: 0 });
    expect(verifyMessage(hex(v.signed), [old, secret], hmac, receiver)).toEqual({ ok: true, secretIndex: 1 });
  });
  it('refuses another secret, a changed byte, and (past the SCCRQ) nonces in the wrong order', () => {
    expect(verifyMessage(hex(v.signed), [old], hmac, receiver)).toEqual({ ok: false, reason: 'mismatch' });
    const changed = hex(v.signed);
    changed[changed.length - 1]! ^= 1;
    expect(verifyMessage(changed, [secret], hmac, receiver)).toEqual({ ok: false, reason: 'mismatch' });
    const swapped = verifyMessage(hex(v.signed), [secret], hmac, { local: receiver.remote, remote: receiver.local });
    expect(swapped.ok).toBe(name === 'SCCRQ');
  });
  it('decodes with the digest as a typed value', () => {
    const r = decodeMessage(hex(v.signed));
    const digest = hex(v.signed).subarray(27, 27 + (name === 'HELLO' ? 20 : 16));
    expect(r).toMatchObject({ ok: true, value: { message: { type: name, avps: { messageDigest: { digestType: name === 'HELLO' ? 1 : 0, digest } } } } });
  });
});

describe('digest edge cases', () => {
  const sccrq = hex(VECTORS[0]!.signed);
  it('the shared key is HMAC-MD5(secret, 0x02)', () => {
    expect(toHex(sharedKey(secret, hmac))).toBe(toHex(hmac('md5', secret, hex('02'))));
  });
  it('a message without a Message Digest, or not a control message, does not verify and says why', () => {
    const hello = encodeMessage({ type: 'HELLO', avps: {} }, { version: 3, tunnelId: 1, sessionId: 0, ns: 0, nr: 0 });
    expect(verifyMessage(hello, [secret], hmac)).toEqual({ ok: false, reason: 'no-digest' });
    expect(verifyMessage(hex('c803000c0000000100000000'), [secret], hmac)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyMessage(sccrq.subarray(0, 20), [secret], hmac)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyMessage(sccrq, [], hmac)).toEqual({ ok: false, reason: 'mismatch' });
  });
  it('a digest type we do not compute is unsupported, not a mismatch', () => {
    const m = encodeMessage({ type: 'HELLO', avps: { messageDigest: { digestType: 7, digest: new Uint8Array(16) } } }, { version: 3, tunnelId: 1, sessionId: 0, ns: 0, nr: 0 });
    expect(verifyMessage(m, [secret], hmac)).toEqual({ ok: false, reason: 'unsupported-type' });
    expect(() => signMessage(m, secret, hmac)).toThrow(RangeError);
  });
  it('a digest value of the wrong length for its type is a malformed AVP', () => {
    const m = encodeMessage({ type: 'HELLO', avps: { messageDigest: { digestType: 0, digest: new Uint8Array(20) } } }, { version: 3, tunnelId: 1, sessionId: 0, ns: 0, nr: 0 });
    expect(decodeMessage(m)).toMatchObject({ ok: false, error: { code: 'bad-avp-value', avp: { attrType: 59 } } });
  });
  it('findDigests locates every digest field; signing needs one', () => {
    expect(findDigests(sccrq)).toEqual({ messageType: 1, fields: [{ digestType: 0, at: 27, length: 16 }] });
    const plain = encodeMessage({ type: 'HELLO', avps: {} }, { version: 3, tunnelId: 1, sessionId: 0, ns: 0, nr: 0 });
    expect(() => signMessage(plain, secret, hmac)).toThrow(/no Message Digest/);
  });
  it('signing ignores bytes past the Length (datagram padding) and never changes its input', () => {
    const unsigned = hex(VECTORS[2]!.unsigned);
    const padded = new Uint8Array([...unsigned, 0xff, 0xff]);
    const copy = padded.slice();
    expect(toHex(signMessage(padded, secret, hmac, nonces.A).subarray(0, unsigned.length))).toBe(VECTORS[2]!.signed);
    expect(padded).toEqual(copy);
  });
});
