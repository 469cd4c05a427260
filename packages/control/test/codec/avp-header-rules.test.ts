/**
 * The AVP header rules of RFC 2661 §4.1/§4.3 and RFC 3931 §5.1, over every combination of the
 * header bits (M, H, the four reserved bits), vendor id, attribute type, value length, secret and
 * Random Vector. The expected outcome is written here from the RFC text, independently of
 * avp-header.ts's table:
 * - v2: "If any of the reserved bits are set, the AVP MUST be treated as unrecognized"; v3: reserved
 *   bits are ignored on receipt.
 * - unrecognized with M: clear the session/tunnel (Result 2, Error 8); without M: ignore.
 * - hidden: unhidden with the secret and the preceding Random Vector; one that cannot be unhidden is
 *   ignored without M and refused with it.
 * - a recognized value of the wrong length: refused with Error 2 with M, ignored without.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AVP_HEADER_RULES, avpHeaderVerdict, decodeDatagram, decodeMessage, encodeMessage, hideAvpValue, type ControlHeader,
} from '../../src/codec/index.js';
import { md5 } from './helpers.js';

const secret = new TextEncoder().encode('s3cret');
const rv = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
const BEARER_TYPE = 18; // u32, 4 octets (RFC 2661 §4.4.4); any message may carry it

function avp(flags: number, vendorId: number, type: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(6 + value.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, flags | out.length);
  v.setUint16(2, vendorId);
  v.setUint16(4, type);
  out.set(value, 6);
  return out;
}

/** A HELLO (v2 or v3) followed by `extra` AVP bytes. */
function helloWith(version: 2 | 3, ...extra: Uint8Array[]): Uint8Array {
  const h: ControlHeader = { version, tunnelId: 7, sessionId: 0, ns: 1, nr: 2 };
  const base = encodeMessage({ type: 'HELLO', avps: {} }, h);
  const body = extra.reduce((n, e) => n + e.length, 0);
  const out = new Uint8Array(base.length + body);
  out.set(base);
  let at = base.length;
  for (const e of extra) { out.set(e, at); at += e.length; }
  new DataView(out.buffer).setUint16(2, out.length);
  return out;
}

type Outcome = { used: true } | { ignored: true } | { refused: string; error: number };

/** What the RFCs say for one combination (see the file header). */
function expected(c: { version: 2 | 3; m: boolean; h: boolean; reserved: number; vendorId: number; known: boolean; goodLength: boolean; withSecret: boolean; withRv: boolean }): Outcome {
  const recognized = c.vendorId === 0 && c.known && !(c.version === 2 && c.reserved !== 0);
  if (!recognized) return c.m ? { refused: 'unknown-mandatory-avp', error: 8 } : { ignored: true };
  if (c.h && !c.withSecret) return c.m ? { refused: 'hidden-without-secret', error: 6 } : { ignored: true };
  if (c.h && !c.withRv) return c.m ? { refused: 'hidden-without-random-vector', error: 3 } : { ignored: true };
  if (!c.goodLength) return c.m ? { refused: 'bad-avp-value', error: 2 } : { ignored: true };
  return { used: true };
}

describe('AVP header rules (RFC 2661 §4.1, §4.3; RFC 3931 §5.1)', () => {
  it('the table has one row per rule, each citing its RFC section', () => {
    expect(AVP_HEADER_RULES.map((r) => r.rfc)).toEqual([
      'RFC 2661 §4.1 Length', 'RFC 2661 §4.3', 'RFC 2661 §4.1 Reserved', 'RFC 2661 §4.1 M bit, RFC 3931 §5.1', 'RFC 2661 §4.3 H bit', 'RFC 2661 §4.1',
    ]);
  });

  it('every combination of M, H, reserved bits, vendor, type, length, secret and Random Vector decodes as the RFCs say', () => {
    const combos = fc.record({
      version: fc.constantFrom(2 as const, 3 as const), m: fc.boolean(), h: fc.boolean(), reserved: fc.integer({ min: 0, max: 15 }),
      vendorId: fc.constantFrom(0, 9, 311), known: fc.boolean(), goodLength: fc.boolean(), withSecret: fc.boolean(), withRv: fc.boolean(),
    });
    fc.assert(fc.property(combos, (c) => {
      const type = c.known ? BEARER_TYPE : 100;
      const plain = c.goodLength ? Uint8Array.of(0, 0, 0, 1) : Uint8Array.of(0, 1);
      const value = c.h ? hideAvpValue(plain, type, secret, rv, md5) : plain;
      const flags = (c.m ? 0x8000 : 0) | (c.h ? 0x4000 : 0) | (c.reserved << 10);
      const avps = [...(c.withRv ? [avp(0x8000, 0, 36, rv)] : []), avp(flags, c.vendorId, type, value)];
      const r = decodeMessage(helloWith(c.version, ...avps), c.withSecret ? { secret, md5 } : {});
      const want = expected(c);
      if ('refused' in want) {
        expect(r).toMatchObject({ ok: false, error: { code: want.refused, answer: { result: 2, error: want.error }, scope: 'tunnel' } });
      } else {
        expect(r.ok).toBe(true);
        if (!r.ok || r.value.kind !== 'control') return;
        if ('used' in want) expect(r.value.message.avps.bearerType).toBe(1);
        else {
          expect(r.value.message.avps.bearerType).toBeUndefined();
          expect(r.value.message.unknownAvps.at(-1)).toMatchObject({ vendorId: c.vendorId, attrType: type, mandatory: c.m });
        }
      }
    }), { numRuns: 3000 });
  });

  it('an AVP Length below 6 or past the message end is refused with Error 2 whatever the other bits say', () => {
    fc.assert(fc.property(fc.constantFrom(2 as const, 3 as const), fc.integer({ min: 0, max: 0x3f }), fc.constantFrom(0, 1, 2, 3, 4, 5, 200, 1023), (version, high, length) => {
      const b = avp(0, 0, BEARER_TYPE, Uint8Array.of(0, 0, 0, 1));
      new DataView(b.buffer).setUint16(0, (high << 10) | length);
      expect(decodeMessage(helloWith(version, b))).toMatchObject({ ok: false, error: { code: 'bad-avp-length', answer: { result: 2, error: 2 } } });
    }));
  });

  it('in a session message the refusal is scoped to the call and names it, even when Assigned Session ID comes after the bad AVP', () => {
    const h: ControlHeader = { version: 2, tunnelId: 7, sessionId: 0, ns: 1, nr: 2 };
    const icrq = encodeMessage({ type: 'ICRQ', avps: { callSerialNumber: 1 }, unknownAvps: [
      { mandatory: true, hidden: false, vendorId: 9, attrType: 100, value: Uint8Array.of(1) },
      { mandatory: true, hidden: false, vendorId: 0, attrType: 14, value: Uint8Array.of(0, 2) },
    ] }, h);
    expect(decodeMessage(icrq)).toMatchObject({ ok: false, error: { code: 'unknown-mandatory-avp', scope: 'session', assignedSessionId: 2, answer: { result: 2, error: 8 } } });
  });

  it('RFC 2661 §4.3/§4.1: an AVP that must never be hidden (Result Code) with H set is ignored without M, refused with it', () => {
    // 40 0a 00 00 00 01 00 01 00 00: Result Code, H=1 M=0 — seen from a tester against an established tunnel.
    const resultCode = (flags: number) => avp(flags, 0, 1, Uint8Array.of(0, 1, 0, 0));
    for (const version of [2, 3] as const) {
      const skipped = decodeMessage(helloWith(version, resultCode(0x4000)), { secret, md5 });
      expect(skipped.ok, `v${version}`).toBe(true);
      if (!skipped.ok || skipped.value.kind !== 'control') return;
      expect(skipped.value.message.avps.resultCode).toBeUndefined();
      expect(skipped.value.message.unknownAvps).toEqual([{ mandatory: false, hidden: true, vendorId: 0, attrType: 1, value: Uint8Array.of(0, 1, 0, 0) }]);
      expect(decodeMessage(helloWith(version, resultCode(0xc000)), { secret, md5 }))
        .toMatchObject({ ok: false, error: { code: 'bad-hidden-avp', answer: { result: 2, error: 3 } } });
    }
  });

  it('several messages in one datagram are all decoded, in order, even when one of them is refused', () => {
    const bad = helloWith(2, avp(0x8000, 9, 100, Uint8Array.of(1)));
    const good = helloWith(2);
    const r = decodeDatagram(new Uint8Array([...good, ...bad, ...good]));
    expect(r.map((p) => (p.ok ? p.value.kind : p.error.code))).toEqual(['control', 'unknown-mandatory-avp', 'control']);
  });
});

describe('the decoder fast path', () => {
  it('agrees with the table: a recognized AVP with no H or reserved bit is used, M or not, in both versions', () => {
    for (const version of [2, 3] as const) for (const mandatory of [false, true]) for (const neverHidden of [false, true]) {
      expect(avpHeaderVerdict({ version, mandatory, hidden: false, reserved: false, lengthOk: true, recognized: true, neverHidden })).toEqual({ act: 'use' });
    }
  });
});

describe('reserved AVP flag bits survive a round trip', () => {
  it('RFC 2661 §4.1: a v2 AVP with a reserved bit is skipped, kept with its bits, and re-encodes byte for byte', async () => {
    const { decodeDatagram, encodeMessage } = await import('../../src/index.js');
    const header = { version: 2 as const, tunnelId: 5, sessionId: 0, ns: 0, nr: 0 };
    const bytes = encodeMessage({ type: 'ICRQ', avps: { assignedSessionId: 7, callSerialNumber: 1, bearerType: 0 } }, header);
    // Bearer Type (type 18) is optional in ICRQ: set reserved bit 0x0800 in its header
    let at = 12;
    while (((bytes[at + 4]! << 8) | bytes[at + 5]!) !== 18) at += ((bytes[at]! << 8) | bytes[at + 1]!) & 0x3ff;
    bytes[at] = (bytes[at]! & 0x7f) | 0x08; // and M off: with M=1 the message is refused
    const r = decodeDatagram(bytes)[0]!;
    if (!r.ok || r.value.kind !== 'control') throw new Error(`expected a control message: ${JSON.stringify(r.ok ? r.value.kind : r.error)}`);
    const m = r.value.message;
    expect('bearerType' in m.avps).toBe(false);
    expect(m.unknownAvps).toEqual([{ mandatory: false, hidden: false, vendorId: 0, attrType: 18, value: new Uint8Array(4), reserved: 0x0800 }]);
    expect(encodeMessage(m, r.value.header)).toEqual(bytes);
  });
});
