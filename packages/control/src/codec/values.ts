/**
 * AVP value layouts (RFC 2661 §4.4, RFC 3931 §5.4): bytes ⇄ typed values per {@link AvpKind}.
 * Decoding returns a reason string on malformed input instead of throwing; encoding trusts its
 * typed input but range-checks numbers, throwing only on our own misuse.
 */
import type { AvpKind } from './avp-table.js';
import type { AccmValue, CallErrorsValue, CircuitStatus, Q931Cause, ResultCodeValue } from './types.js';

/**
 * The v3 Message Digest AVP value (RFC 3931 §5.4.1): digest type 0 = HMAC-MD5 (16-byte digest),
 * 1 = HMAC-SHA-1 (20 bytes). Another type decodes (its digest cannot be checked: see digest.ts).
 */
export interface MessageDigestValue {
  readonly digestType: number;
  readonly digest: Uint8Array;
}

/** The TypeScript type of each value layout. */
export interface AvpKindValue {
  'u16': number; 'u32': number; 'u64': bigint; 'string': string; 'bytes': Uint8Array; 'empty': true;
  'result-code': ResultCodeValue; 'protocol-version': number; 'q931-cause': Q931Cause; 'call-errors': CallErrorsValue;
  'accm': AccmValue; 'proxy-authen-id': number; 'pw-list': readonly number[]; 'circuit-status': CircuitStatus;
  'message-digest': MessageDigestValue; 'cookie': Uint8Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8Encode = new TextEncoder();

/** Why an AVP value could not be decoded (a value, never thrown). */
export class MalformedValue {
  /** Records the reason. */
  constructor(readonly reason: string) {}
}

/** Decodes one value; a {@link MalformedValue} says why it is malformed. */
export function decodeValue<K extends AvpKind>(kind: K, b: Uint8Array): AvpKindValue[K] | MalformedValue {
  return decodeValueAt(kind, b, 0, b.length);
}

const lengthIs = (n: number, expected: number): MalformedValue => new MalformedValue(`value length ${n}, expected ${expected}`);
const lengthAtLeast = (n: number, expected: number): MalformedValue => new MalformedValue(`value length ${n}, expected at least ${expected}`);
const u16 = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;
const u32 = (b: Uint8Array, i: number): number => b[i]! * 0x1000000 + ((b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!);

/**
 * Decodes the value in `b[start, end)`. Every layout is read in place with byte arithmetic: a
 * subarray or DataView per value costs more than the decode itself (decoding runs per received AVP).
 * Values that are bytes are copies, never views into `b`.
 */
export function decodeValueAt<K extends AvpKind>(kind: K, b: Uint8Array, start: number, end: number): AvpKindValue[K] | MalformedValue {
  return decodeAt(kind, b, start, end) as AvpKindValue[K] | MalformedValue;
}

function decodeAt(kind: AvpKind, b: Uint8Array, start: number, end: number): AvpKindValue[AvpKind] | MalformedValue {
  const n = end - start;
  switch (kind) {
    case 'u16': case 'protocol-version': return n === 2 ? u16(b, start) : lengthIs(n, 2);
    case 'u32': return n === 4 ? u32(b, start) : lengthIs(n, 4);
    case 'u64': return n === 8 ? (BigInt(u32(b, start)) << 32n) | BigInt(u32(b, start + 4)) : lengthIs(n, 8);
    case 'string': return text(b, start, end);
    case 'bytes': return b.slice(start, end);
    case 'empty': return n === 0 ? true : lengthIs(n, 0);
    case 'result-code': {
      // RFC 2661 §4.4.2: the Error Code and message are optional (an AVP of length 8 has neither).
      if (n < 2 || n === 3) return new MalformedValue(`value length ${n}, expected 2 or at least 4`);
      if (n === 2) return { result: u16(b, start) };
      if (n === 4) return { result: u16(b, start), error: u16(b, start + 2) };
      return { result: u16(b, start), error: u16(b, start + 2), message: text(b, start + 4, end) };
    }
    case 'q931-cause': {
      if (n < 3) return lengthAtLeast(n, 3);
      if (n === 3) return { causeCode: u16(b, start), causeMessage: b[start + 2]! };
      return { causeCode: u16(b, start), causeMessage: b[start + 2]!, advisory: text(b, start + 3, end) };
    }
    case 'call-errors':
      if (n !== 26) return lengthIs(n, 26);
      return {
        crcErrors: u32(b, start + 2), framingErrors: u32(b, start + 6), hardwareOverruns: u32(b, start + 10),
        bufferOverruns: u32(b, start + 14), timeoutErrors: u32(b, start + 18), alignmentErrors: u32(b, start + 22),
      };
    case 'accm': return n === 10 ? { sendAccm: u32(b, start + 2), receiveAccm: u32(b, start + 6) } : lengthIs(n, 10);
    case 'proxy-authen-id': return n === 2 ? b[start + 1]! : lengthIs(n, 2);
    case 'pw-list': {
      if (n % 2 !== 0) return new MalformedValue(`value length ${n} is not a list of 16-bit pseudowire types`);
      const list: number[] = [];
      for (let i = start; i < end; i += 2) list.push(u16(b, i));
      return list;
    }
    case 'circuit-status': {
      if (n !== 2) return lengthIs(n, 2);
      const s = u16(b, start);
      // RFC 3931 §5.4.5: the two low bits are N (new) and A (active).
      return { active: (s & 1) !== 0, new: (s & 2) !== 0 };
    }
    case 'message-digest': {
      if (n < 1) return lengthAtLeast(n, 1);
      const digestType = b[start]!;
      const expected = DIGEST_BYTES[digestType];
      if (expected !== undefined && n - 1 !== expected) {
        return new MalformedValue(`digest type ${digestType} with ${n - 1} digest bytes, expected ${expected}`);
      }
      return { digestType, digest: b.slice(start + 1, end) };
    }
    // RFC 3931 §4.1: a cookie is 0, 32 or 64 bits (Linux takes exactly these).
    case 'cookie': return n === 0 || n === 4 || n === 8 ? b.slice(start, end) : new MalformedValue(`cookie of ${n} bytes, expected 0, 4 or 8`);
  }
}

/** UTF-8 text of `b[start, end)`, with a fast path for the ASCII that host names and numbers nearly always are. */
function text(b: Uint8Array, start: number, end: number): string {
  if (end - start > 64) return utf8.decode(b.subarray(start, end));
  let s = '';
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c >= 0x80) return utf8.decode(b.subarray(start, end));
    s += String.fromCharCode(c);
  }
  return s;
}

/** Digest length by Message Digest type (RFC 3931 §5.4.1). */
const DIGEST_BYTES: Readonly<Record<number, number>> = { 0: 16, 1: 20 };

function checkInt(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what}: ${v} is not an integer 0..${max}`);
  return v;
}

/** Encodes one value (throws RangeError on out-of-range numbers: a bug in the caller). */
export function encodeValue<K extends AvpKind>(kind: K, value: AvpKindValue[K]): Uint8Array {
  return (encoders[kind] as (v: AvpKindValue[K]) => Uint8Array)(value);
}

const put16 = (b: Uint8Array, i: number, n: number): void => { b[i] = n >>> 8; b[i + 1] = n & 0xff; };
const put32 = (b: Uint8Array, i: number, n: number): void => { b[i] = n >>> 24; b[i + 1] = (n >>> 16) & 0xff; b[i + 2] = (n >>> 8) & 0xff; b[i + 3] = n & 0xff; };
const u16Bytes = (n: number): Uint8Array => { const b = new Uint8Array(2); put16(b, 0, n); return b; };

// Byte writes, not a DataView per value (see decodeValueAt).
const encoders: { readonly [K in AvpKind]: (v: AvpKindValue[K]) => Uint8Array } = {
  'u16': (n) => u16Bytes(checkInt(n, 0xffff, 'u16')),
  'u32': (n) => { const b = new Uint8Array(4); put32(b, 0, checkInt(n, 0xffffffff, 'u32')); return b; },
  'u64': (n) => {
    const x = BigInt.asUintN(64, n);
    const b = new Uint8Array(8);
    put32(b, 0, Number(x >> 32n)); put32(b, 4, Number(x & 0xffffffffn));
    return b;
  },
  'string': (s) => utf8Encode.encode(s),
  'bytes': (b) => b.slice(),
  'empty': () => new Uint8Array(0),
  'result-code': (r) => {
    const msg = r.message === undefined ? undefined : utf8Encode.encode(r.message);
    const withError = r.error !== undefined || (msg !== undefined && msg.length > 0);
    const b = new Uint8Array((withError ? 4 : 2) + (msg?.length ?? 0));
    put16(b, 0, checkInt(r.result, 0xffff, 'result'));
    if (withError) put16(b, 2, checkInt(r.error ?? 0, 0xffff, 'error'));
    if (msg !== undefined && msg.length > 0) b.set(msg, 4);
    return b;
  },
  'protocol-version': (n) => u16Bytes(checkInt(n, 0xffff, 'protocol version')),
  'q931-cause': (c) => {
    const adv = c.advisory === undefined ? undefined : utf8Encode.encode(c.advisory);
    const b = new Uint8Array(3 + (adv?.length ?? 0));
    put16(b, 0, checkInt(c.causeCode, 0xffff, 'cause code'));
    b[2] = checkInt(c.causeMessage, 0xff, 'cause message');
    if (adv !== undefined) b.set(adv, 3);
    return b;
  },
  'call-errors': (e) => {
    const b = new Uint8Array(26);
    put32(b, 2, checkInt(e.crcErrors, 0xffffffff, 'call errors'));
    put32(b, 6, checkInt(e.framingErrors, 0xffffffff, 'call errors'));
    put32(b, 10, checkInt(e.hardwareOverruns, 0xffffffff, 'call errors'));
    put32(b, 14, checkInt(e.bufferOverruns, 0xffffffff, 'call errors'));
    put32(b, 18, checkInt(e.timeoutErrors, 0xffffffff, 'call errors'));
    put32(b, 22, checkInt(e.alignmentErrors, 0xffffffff, 'call errors'));
    return b;
  },
  'accm': (a) => {
    const b = new Uint8Array(10);
    put32(b, 2, checkInt(a.sendAccm, 0xffffffff, 'send ACCM'));
    put32(b, 6, checkInt(a.receiveAccm, 0xffffffff, 'receive ACCM'));
    return b;
  },
  'proxy-authen-id': (id) => { const b = new Uint8Array(2); b[1] = checkInt(id, 0xff, 'proxy authen id'); return b; },
  'pw-list': (list) => {
    const b = new Uint8Array(list.length * 2);
    for (let i = 0; i < list.length; i++) put16(b, i * 2, checkInt(list[i]!, 0xffff, 'pw type'));
    return b;
  },
  'circuit-status': (s) => u16Bytes((s.active ? 1 : 0) | (s.new ? 2 : 0)),
  'cookie': (c) => {
    if (c.length !== 0 && c.length !== 4 && c.length !== 8) throw new RangeError(`cookie of ${c.length} bytes: 0, 4 or 8 (RFC 3931 §4.1)`);
    return c.slice();
  },
  'message-digest': (d) => {
    const b = new Uint8Array(1 + d.digest.length);
    b[0] = checkInt(d.digestType, 0xff, 'digest type');
    b.set(d.digest, 1);
    return b;
  },
};
