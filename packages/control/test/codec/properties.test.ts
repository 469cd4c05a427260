/** Properties over generated input (fast-check): decode never throws; encode → decode is the identity. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDatagram, encodeMessage, type AvpValues, type ControlHeader, type MessageTypeName } from '../../src/codec/index.js';
import { CAPTURES, hex, md5 } from './helpers.js';
import { CONSTRUCTED } from '../vectors/constructed.js';

const secret = new TextEncoder().encode('s3cret');
const constructed = CONSTRUCTED.map((v) => {
  const text = v.hex.join('').replace(/\s/g, '');
  return hex(text.replace('LLLL', ((text.length - (v.ipEncap ? 8 : 0)) / 2).toString(16).padStart(4, '0')));
});
const seeds = [...CAPTURES.flatMap((c) => c.datagrams.map((d) => hex(d.hex))), ...constructed];

describe('decodeDatagram on hostile input', () => {
  it('never throws on arbitrary bytes (with and without a secret, UDP and IP)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), fc.boolean(), (b, withSecret, ipEncap) => {
      const r = decodeDatagram(b, { ipEncap, ...(withSecret && { secret, md5 }) });
      expect(r.length).toBeGreaterThan(0);
    }), { numRuns: 5000 });
  });
  it('never throws on every vector (captured and constructed) with bytes flipped or cut', () => {
    fc.assert(fc.property(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat(), (seed, flips, cut) => {
      const b = seed.slice(0, Math.max(1, seed.length - (cut % 8)));
      for (const [at, v] of flips) b[at % b.length] = v;
      for (const p of decodeDatagram(b, { secret, md5 })) if (!p.ok) expect(typeof p.error.code).toBe('string');
    }), { numRuns: 5000 });
  });
});

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
/** An id a message assigns: non-zero (RFC 2661 §4.4.3, §4.4.4; 0 is refused, decode-errors.test.ts). */
const id16 = fc.integer({ min: 1, max: 0xffff });
const header = fc.record({ tunnelId: u16, sessionId: u16, ns: u16, nr: u16 }).map((h): ControlHeader => ({ version: 2, ...h }));
const messages: fc.Arbitrary<{ type: MessageTypeName; avps: AvpValues }> = fc.oneof(
  fc.record({ hostName: fc.string({ minLength: 1, maxLength: 40 }), assignedTunnelId: id16, framingCapabilities: u32, protocolVersion: fc.constant(0x100),
    receiveWindowSize: u16, challenge: fc.uint8Array({ minLength: 1, maxLength: 64 }), tieBreaker: fc.uint8Array({ minLength: 8, maxLength: 8 }) })
    .map((avps) => ({ type: 'SCCRQ' as const, avps })),
  fc.record({ assignedTunnelId: u16, resultCode: fc.record({ result: u16, error: u16, message: fc.string({ minLength: 1, maxLength: 30 }) }, { requiredKeys: ['result'] }) })
    .map((avps) => ({ type: 'StopCCN' as const, avps: { ...avps, resultCode: avps.resultCode.message !== undefined && avps.resultCode.error === undefined ? { ...avps.resultCode, error: 0 } : avps.resultCode } })),
  fc.record({ assignedSessionId: id16, callSerialNumber: u32, calledNumber: fc.string({ maxLength: 20 }) }).map((avps) => ({ type: 'ICRQ' as const, avps })),
  fc.record({ callErrors: fc.record({ crcErrors: u32, framingErrors: u32, hardwareOverruns: u32, bufferOverruns: u32, timeoutErrors: u32, alignmentErrors: u32 }) }).map((avps) => ({ type: 'WEN' as const, avps })),
  fc.record({ accm: fc.record({ sendAccm: u32, receiveAccm: u32 }) }).map((avps) => ({ type: 'SLI' as const, avps })),
);

describe('encode then decode', () => {
  it('gives back the message and header, hidden or not', () => {
    let i = 0;
    const random = (n: number) => Uint8Array.from({ length: n }, () => (i++ * 131) & 0xff);
    fc.assert(fc.property(messages, header, fc.boolean(), (m, h, hide) => {
      const bytes = encodeMessage(m, h, hide ? { hide: { secret, md5, random } } : {});
      const [p, ...rest] = decodeDatagram(bytes, { secret, md5 });
      expect(rest).toEqual([]);
      expect(p).toMatchObject({ ok: true, value: { kind: 'control', header: h, message: { type: m.type, avps: m.avps } } });
    }), { numRuns: 3000 });
  });
  it('refuses to encode what does not fit (our misuse throws)', () => {
    expect(() => encodeMessage({ type: 'HELLO', avps: {} }, { version: 2, tunnelId: 70000, sessionId: 0, ns: 0, nr: 0 })).toThrow(RangeError);
    expect(() => encodeMessage({ type: 'SCCRQ', avps: { hostName: 'x'.repeat(1020) } }, { version: 2, tunnelId: 1, sessionId: 0, ns: 0, nr: 0 })).toThrow(/1023/);
    expect(() => encodeMessage({ type: 'ICRQ', avps: { assignedSessionId: -1 } }, { version: 2, tunnelId: 1, sessionId: 0, ns: 0, nr: 0 })).toThrow(RangeError);
  });
});
