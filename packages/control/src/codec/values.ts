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
const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Why an AVP value could not be decoded (a value, never thrown). */
export class MalformedValue {
  /** Records the reason. */
  constructor(readonly reason: string) {}
}

/** Decodes one value; a {@link MalformedValue} says why it is malformed. */
export function decodeValue<K extends AvpKind>(kind: K, b: Uint8Array): AvpKindValue[K] | MalformedValue {
  return decoders[kind](b) as AvpKindValue[K] | MalformedValue;
}

const need = (b: Uint8Array, n: number, exact = true) =>
  (exact ? b.length !== n : b.length < n) ? new MalformedValue(`value length ${b.length}, expected ${exact ? '' : 'at least '}${n}`) : undefined;

/** Decodes the value in `b[start, end)`; numbers are read in place, other kinds from a view. */
export function decodeValueAt<K extends AvpKind>(kind: K, b: Uint8Array, start: number, end: number): AvpKindValue[K] | MalformedValue {
  const n = end - start;
  if (kind === 'u16' && n === 2) return ((b[start]! << 8) | b[start + 1]!) as AvpKindValue[K];
  if (kind === 'u32' && n === 4) return (b[start]! * 0x1000000 + ((b[start + 1]! << 16) | (b[start + 2]! << 8) | b[start + 3]!)) as AvpKindValue[K];
  return decodeValue(kind, b.subarray(start, end));
}

/** UTF-8 text, with a fast path for the ASCII that host names and numbers nearly always are. */
function text(b: Uint8Array): string {
  if (b.length > 64) return utf8.decode(b);
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c >= 0x80) return utf8.decode(b);
    s += String.fromCharCode(c);
  }
  return s;
}

// u16/u32 are read with byte arithmetic: a DataView per value costs more than the decode itself.
const decoders: { readonly [K in AvpKind]: (b: Uint8Array) => AvpKindValue[K] | MalformedValue } = {
  'u16': (b) => (b.length === 2 ? (b[0]! << 8) | b[1]! : need(b, 2)!),
  'u32': (b) => (b.length === 4 ? (b[0]! * 0x1000000) + ((b[1]! << 16) | (b[2]! << 8) | b[3]!) : need(b, 4)!),
  'u64': (b) => need(b, 8) ?? view(b).getBigUint64(0),
  'string': (b) => text(b),
  'bytes': (b) => b.slice(),
  'empty': (b) => need(b, 0) ?? true,
  'result-code': (b) => {
    // RFC 2661 §4.4.2: the Error Code and message are optional (an AVP of length 8 has neither).
    if (b.length < 2 || b.length === 3) return new MalformedValue(`value length ${b.length}, expected 2 or at least 4`);
    const v = view(b);
    if (b.length === 2) return { result: v.getUint16(0) };
    const r: ResultCodeValue = { result: v.getUint16(0), error: v.getUint16(2) };
    return b.length > 4 ? { ...r, message: utf8.decode(b.subarray(4)) } : r;
  },
  'protocol-version': (b) => (b.length === 2 ? (b[0]! << 8) | b[1]! : need(b, 2)!),
  'q931-cause': (b) => {
    const bad = need(b, 3, false);
    if (bad) return bad;
    const c: Q931Cause = { causeCode: view(b).getUint16(0), causeMessage: b[2]! };
    return b.length > 3 ? { ...c, advisory: utf8.decode(b.subarray(3)) } : c;
  },
  'call-errors': (b) => {
    const bad = need(b, 26);
    if (bad) return bad;
    const v = view(b);
    return {
      crcErrors: v.getUint32(2), framingErrors: v.getUint32(6), hardwareOverruns: v.getUint32(10),
      bufferOverruns: v.getUint32(14), timeoutErrors: v.getUint32(18), alignmentErrors: v.getUint32(22),
    };
  },
  'accm': (b) => need(b, 10) ?? { sendAccm: view(b).getUint32(2), receiveAccm: view(b).getUint32(6) },
  'proxy-authen-id': (b) => need(b, 2) ?? b[1]!,
  'pw-list': (b) => {
    if (b.length % 2 !== 0) return new MalformedValue(`value length ${b.length} is not a list of 16-bit pseudowire types`);
    const v = view(b);
    return Array.from({ length: b.length / 2 }, (_, i) => v.getUint16(i * 2));
  },
  'circuit-status': (b) => {
    const bad = need(b, 2);
    if (bad) return bad;
    const s = view(b).getUint16(0);
    // RFC 3931 §5.4.5: the two low bits are N (new) and A (active).
    return { active: (s & 1) !== 0, new: (s & 2) !== 0 };
  },
  'message-digest': (b) => {
    const bad = need(b, 1, false);
    if (bad) return bad;
    const expected = DIGEST_BYTES[b[0]!];
    if (expected !== undefined && b.length - 1 !== expected) {
      return new MalformedValue(`digest type ${b[0]!} with ${b.length - 1} digest bytes, expected ${expected}`);
    }
    return { digestType: b[0]!, digest: b.slice(1) };
  },
  // RFC 3931 §4.1: a cookie is 0, 32 or 64 bits (Linux takes exactly these).
  'cookie': (b) => (COOKIE_LENGTHS.has(b.length) ? b.slice() : new MalformedValue(`cookie of ${b.length} bytes, expected 0, 4 or 8`)),
};

/** Digest length by Message Digest type (RFC 3931 §5.4.1). */
const DIGEST_BYTES: Readonly<Record<number, number>> = { 0: 16, 1: 20 };
const COOKIE_LENGTHS: ReadonlySet<number> = new Set([0, 4, 8]);

function checkInt(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what}: ${v} is not an integer 0..${max}`);
  return v;
}

/** Encodes one value (throws RangeError on out-of-range numbers: a bug in the caller). */
export function encodeValue<K extends AvpKind>(kind: K, value: AvpKindValue[K]): Uint8Array {
  return (encoders[kind] as (v: AvpKindValue[K]) => Uint8Array)(value);
}

function fixed(length: number, fill: (v: DataView) => void): Uint8Array {
  const b = new Uint8Array(length);
  fill(view(b));
  return b;
}

const encoders: { readonly [K in AvpKind]: (v: AvpKindValue[K]) => Uint8Array } = {
  'u16': (n) => fixed(2, (v) => v.setUint16(0, checkInt(n, 0xffff, 'u16'))),
  'u32': (n) => fixed(4, (v) => v.setUint32(0, checkInt(n, 0xffffffff, 'u32'))),
  'u64': (n) => fixed(8, (v) => v.setBigUint64(0, BigInt.asUintN(64, n))),
  'string': (s) => utf8Encode.encode(s),
  'bytes': (b) => b.slice(),
  'empty': () => new Uint8Array(0),
  'result-code': (r) => {
    const msg = r.message === undefined ? new Uint8Array(0) : utf8Encode.encode(r.message);
    const withError = r.error !== undefined || msg.length > 0;
    const b = new Uint8Array((withError ? 4 : 2) + msg.length);
    const v = view(b);
    v.setUint16(0, checkInt(r.result, 0xffff, 'result'));
    if (withError) v.setUint16(2, checkInt(r.error ?? 0, 0xffff, 'error'));
    if (msg.length > 0) b.set(msg, 4);
    return b;
  },
  'protocol-version': (n) => fixed(2, (v) => v.setUint16(0, checkInt(n, 0xffff, 'protocol version'))),
  'q931-cause': (c) => {
    const adv = c.advisory === undefined ? new Uint8Array(0) : utf8Encode.encode(c.advisory);
    const b = new Uint8Array(3 + adv.length);
    view(b).setUint16(0, checkInt(c.causeCode, 0xffff, 'cause code'));
    b[2] = checkInt(c.causeMessage, 0xff, 'cause message');
    b.set(adv, 3);
    return b;
  },
  'call-errors': (e) => fixed(26, (v) => {
    [e.crcErrors, e.framingErrors, e.hardwareOverruns, e.bufferOverruns, e.timeoutErrors, e.alignmentErrors]
      .forEach((n, i) => v.setUint32(2 + i * 4, checkInt(n, 0xffffffff, 'call errors')));
  }),
  'accm': (a) => fixed(10, (v) => {
    v.setUint32(2, checkInt(a.sendAccm, 0xffffffff, 'send ACCM'));
    v.setUint32(6, checkInt(a.receiveAccm, 0xffffffff, 'receive ACCM'));
  }),
  'proxy-authen-id': (id) => fixed(2, (v) => v.setUint8(1, checkInt(id, 0xff, 'proxy authen id'))),
  'pw-list': (list) => fixed(list.length * 2, (v) => list.forEach((t, i) => v.setUint16(i * 2, checkInt(t, 0xffff, 'pw type')))),
  'circuit-status': (s) => fixed(2, (v) => v.setUint16(0, (s.active ? 1 : 0) | (s.new ? 2 : 0))),
  'cookie': (c) => {
    if (!COOKIE_LENGTHS.has(c.length)) throw new RangeError(`cookie of ${c.length} bytes: 0, 4 or 8 (RFC 3931 §4.1)`);
    return c.slice();
  },
  'message-digest': (d) => {
    const b = new Uint8Array(1 + d.digest.length);
    b[0] = checkInt(d.digestType, 0xff, 'digest type');
    b.set(d.digest, 1);
    return b;
  },
};
