/**
 * Control messages: datagram bytes ⇄ typed messages. The AVP header rules are avp-header.ts's
 * table; which AVPs a message needs is message-spec.ts's. Decoding never throws on peer input:
 * every failure is a {@link DecodeError} value carrying the Result/Error Code to answer with and
 * what the answer clears (a session or the control connection). Encoding throws only on our own misuse.
 */
import { AVP, AVP_BY_KEY, AVP_BY_TYPE, avpKey, type AvpKind, type AvpName, type AvpSpec } from './avp-table.js';
import {
  AVP_HEADER_LENGTH as AVP_HEADER, LENGTH_MASK, M_BIT, H_BIT, RESERVED_BITS, type AvpVerdict, avpValueVerdict, avpVerdictOf, writeAvpHeader,
} from './avp-header.js';
import { CONTROL_HEADER_LENGTH, type DataPacketInfo, checkHeader, decodeHeader, encodeHeader } from './header.js';
import { hideAvpValue, unhideAvpValue } from './hidden.js';
import { type WireAvp, encodeWithLayout, wireLayout } from './layout.js';
import { MESSAGE_TYPE_NAME, type MessageTypeName, messageSpec } from './message-spec.js';
import { ErrorCode } from './result-codes.js';
import { allocate } from './slab.js';
import type { ControlHeader, DecodeError, Decoded, Md5, RawAvp } from './types.js';
import { type AvpKindValue, MalformedValue, decodeValue, decodeValueAt, encodeValue } from './values.js';

/** Decoded AVP values by name; which are present depends on the message. */
export type AvpValues = { readonly [N in AvpName]?: AvpKindValue[(typeof AVP)[N]['kind']] };

/** A control message with its AVPs, discriminated by `type`. */
export interface ControlMessage<T extends MessageTypeName = MessageTypeName> {
  readonly type: T;
  readonly avps: AvpValues;
  /** AVPs this table does not know (or malformed ones without the M bit), in order. */
  readonly unknownAvps: readonly RawAvp[];
  /** Names of the AVPs that arrived hidden. */
  readonly hidden: readonly AvpName[];
  /**
   * How the peer laid the AVPs out, when our encoder would differ (M bits, repeats, unknown AVPs
   * between known ones; see layout.ts): re-encoding then gives the received bytes.
   */
  readonly wire?: readonly WireAvp[];
}

/** One packet of a datagram. */
export type Packet =
  | { readonly kind: 'control'; readonly header: ControlHeader; readonly message: ControlMessage }
  /** Zero-Length Body: an acknowledgement only (RFC 2661 §5.8). */
  | { readonly kind: 'zlb'; readonly header: ControlHeader }
  | { readonly kind: 'data'; readonly data: DataPacketInfo };

/** What decoding needs beyond the bytes. */
export interface DecodeOptions {
  /** L2TPv3 over IP: the datagram starts with the 32-bit Session ID word. */
  readonly ipEncap?: boolean;
  /** Shared secret and MD5 for hidden AVPs (RFC 2661 §4.3). */
  readonly secret?: Uint8Array;
  readonly md5?: Md5;
}

/**
 * Decodes every packet of a datagram: several control messages may share one (each has its own
 * Length, RFC 2661 §3.1). A message that fails to decode takes its place in the list and the next
 * one is still read; only an unreadable header ends the list. Never throws, never returns [].
 */
export function decodeDatagram(bytes: Uint8Array, options: DecodeOptions = {}): Decoded<Packet>[] {
  const out: Decoded<Packet>[] = [];
  let offset = 0;
  do {
    const h = decodeHeader(bytes, offset, options.ipEncap === true);
    if (!h.ok) { out.push(h); return out; }
    const r = h.value;
    if (r.kind === 'data') { out.push({ ok: true, value: { kind: 'data', data: r.data } }); return out; }
    if (r.bodyOffset === r.end) out.push({ ok: true, value: { kind: 'zlb', header: r.header } });
    else out.push(decodeBody(bytes, r.header, r.bodyOffset, r.end, options));
    offset = r.end;
  } while (offset < bytes.length);
  return out;
}

/** Decodes the first control message of `bytes` (a datagram holding exactly one, as most do). */
export function decodeMessage(bytes: Uint8Array, options: DecodeOptions = {}): Decoded<Packet> {
  return decodeDatagram(bytes, options)[0]!;
}

const u16At = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const u32At = (b: Uint8Array, i: number) => b[i]! * 0x1000000 + ((b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!);

/**
 * The ids a refusal needs to reach the peer (Assigned Tunnel ID / Control Connection ID, Assigned
 * Session ID / Local Session ID), from what was decoded or, past the failure, from plain AVPs
 * whose headers still parse.
 */
function salvageIds(b: Uint8Array, from: number, end: number, avps: Record<string, unknown>): { tunnel?: number; session?: number } {
  let tunnel = (avps['assignedTunnelId'] ?? avps['assignedConnectionId']) as number | undefined;
  let session = (avps['assignedSessionId'] ?? avps['localSessionId']) as number | undefined;
  for (let at = from; at + AVP_HEADER <= end && (tunnel === undefined || session === undefined);) {
    const flags = u16At(b, at);
    const length = flags & LENGTH_MASK;
    if (length < AVP_HEADER || at + length > end) break;
    if ((flags & H_BIT) === 0 && u16At(b, at + 2) === 0) {
      const type = u16At(b, at + 4);
      if (length === 8 && type === AVP.assignedTunnelId.type) tunnel ??= u16At(b, at + 6);
      else if (length === 10 && type === AVP.assignedConnectionId.type) tunnel ??= u32At(b, at + 6);
      else if (length === 8 && type === AVP.assignedSessionId.type) session ??= u16At(b, at + 6);
      else if (length === 10 && type === AVP.localSessionId.type) session ??= u32At(b, at + 6);
    }
    at += length;
  }
  return { ...(tunnel !== undefined && { tunnel }), ...(session !== undefined && { session }) };
}

/** What a failure in a message body knows: the message so far, to scope and address the answer. */
interface BodyContext {
  readonly b: Uint8Array;
  readonly header: ControlHeader;
  readonly end: number;
  readonly avps: Record<string, unknown>;
  readonly type: MessageTypeName | undefined;
  readonly messageType: number | undefined;
}

function fail(c: BodyContext, code: DecodeError['code'], offset: number, detail: string, extra: Partial<DecodeError> = {}): Decoded<Packet> {
  const ids = salvageIds(c.b, offset, c.end, c.avps);
  return {
    ok: false,
    error: {
      code, offset, detail, header: c.header, ...(c.messageType !== undefined && { messageType: c.messageType }),
      ...(c.type !== undefined && { scope: messageSpec(c.type).scope }),
      ...(ids.tunnel !== undefined && { assignedTunnelId: ids.tunnel }), ...(ids.session !== undefined && { assignedSessionId: ids.session }),
      ...extra,
    },
  };
}

/** A refusal by the AVP rules: Result 2 with the rule's error code, and the reason as the Error Message (RFC 2661 §4.4.2). */
function refuse(c: BodyContext, v: Extract<AvpVerdict, { act: 'refuse' }>, at: number, detail: string, avp: { vendorId: number; attrType: number }): Decoded<Packet> {
  return fail(c, v.code, at, detail, { avp, answer: { result: 2, error: v.error, message: detail } });
}

const USE: AvpVerdict = { act: 'use' };
const NO_RAW_AVPS: readonly RawAvp[] = Object.freeze([]);
const NO_NAMES: readonly AvpName[] = Object.freeze([]);

/**
 * A table row as the decoder reads it: flat, built once, looked up by wire (vendor id, type). Each
 * row has a slot, one bit of the `taken` words decodeBody keeps: which AVPs a message already
 * carried is a bit test there, not a keyed `in` on the half-built values object per AVP.
 */
interface Row {
  readonly name: AvpName;
  readonly spec: AvpSpec;
  readonly kind: AvpKind;
  readonly mandatory: boolean;
  /** Index into `taken` and the bit there. */
  readonly word: number;
  readonly bit: number;
}

/** Words of `taken` (a literal in decodeBody: keep in step). */
const TAKEN_WORDS = 3;
const ROW_BY_NAME: ReadonlyMap<string, Row> = new Map([...AVP_BY_KEY.values()].map(([name, spec], slot): [AvpName, Row] => {
  if (slot >= TAKEN_WORDS * 32) throw new Error(`the AVP table outgrew ${TAKEN_WORDS} words of decoder slots`);
  return [name, { name, spec, kind: spec.kind, mandatory: spec.mandatory, word: slot >> 5, bit: 1 << (slot & 31) }];
}));
/** IETF rows (vendor id 0) by attribute type: an array index, not a Map lookup, per received AVP. */
const IETF_ROWS: readonly (Row | undefined)[] = Array.from({ length: Math.max(...AVP_BY_TYPE.keys()) + 1 }, (_, type) => {
  const row = AVP_BY_TYPE.get(type);
  return row === undefined ? undefined : ROW_BY_NAME.get(row[0]);
});
/** Rows of other vendors by {@link avpKey}. */
const VENDOR_ROWS: ReadonlyMap<number, Row> = new Map([...AVP_BY_KEY].filter(([, [, s]]) => (s.vendorId ?? 0) !== 0).map(([k, [name]]) => [k, ROW_BY_NAME.get(name)!]));
/** Message type names by code, as an array (see {@link IETF_ROWS}). */
const TYPE_NAMES: readonly (MessageTypeName | undefined)[] = Array.from({ length: Math.max(...MESSAGE_TYPE_NAME.keys()) + 1 }, (_, code) => MESSAGE_TYPE_NAME.get(code));
/** The required AVPs' rows per version and message type (message-spec.ts). */
const REQUIRED_ROWS: { readonly [V in 2 | 3]: ReadonlyMap<MessageTypeName, readonly Row[]> } = {
  2: new Map([...MESSAGE_TYPE_NAME.values()].map((t) => [t, messageSpec(t).required[2].map((n) => ROW_BY_NAME.get(n)!)])),
  3: new Map([...MESSAGE_TYPE_NAME.values()].map((t) => [t, messageSpec(t).required[3].map((n) => ROW_BY_NAME.get(n)!)])),
};
/**
 * The rows of the AVPs that MUST NOT be 0 (message-spec.ts `nonZero`), per version, by message type
 * code (an array index; undefined for the many types without one, so most messages skip the check).
 */
const NON_ZERO_V2 = nonZeroRows(2);
const NON_ZERO_V3 = nonZeroRows(3);
function nonZeroRows(version: 2 | 3): readonly (readonly Row[] | undefined)[] {
  return TYPE_NAMES.map((t) => {
    if (t === undefined) return undefined;
    const spec = messageSpec(t);
    const rows = (spec.nonZero ?? []).flatMap((f) => { const avp = spec.fields[f]?.[version]; return avp === undefined ? [] : [ROW_BY_NAME.get(avp)!]; });
    return rows.length === 0 ? undefined : rows;
  });
}
const MESSAGE_TYPE_ROW = ROW_BY_NAME.get('messageType')!;

function decodeBody(b: Uint8Array, header: ControlHeader, start: number, end: number, o: DecodeOptions): Decoded<Packet> {
  const avps: Record<string, unknown> = {};
  // Made on first use: most messages have neither (the shared empty lists are frozen).
  let unknownAvps: RawAvp[] | undefined;
  let hidden: AvpName[] | undefined;
  const version = header.version;
  let type: MessageTypeName | undefined;
  let messageType: number | undefined;
  let randomVector: Uint8Array | undefined;
  // Set when re-encoding with the table would not give these bytes back (see layout.ts).
  let deviates = false;
  let seenUnknown = false;
  // RFC 3931 §5.2: an unknown M-bit AVP refuses the message, but the rest is still read so the
  // answer (and the log) has the whole message; the first such AVP is the one reported.
  let refusal: DecodeError | undefined;
  const taken = [0, 0, 0];
  for (let at = start; at < end;) {
    const left = end - at;
    const flags = left >= 2 ? u16At(b, at) : 0;
    const length = flags & LENGTH_MASK;
    if (left < AVP_HEADER || length < AVP_HEADER || length > left) {
      // RFC 2661 §4.1: a bad AVP length makes the rest unparseable; the message cannot be trusted.
      return fail({ b, header, end, avps, type, messageType }, 'bad-avp-length', at, left < AVP_HEADER ? `${left} bytes left, an AVP needs 6` : `AVP length ${length} with ${left} bytes left`, { answer: { result: 2, error: ErrorCode.BAD_LENGTH } });
    }
    const vendorId = u16At(b, at + 2);
    const attrType = u16At(b, at + 4);
    const mandatory = (flags & M_BIT) !== 0;
    const row = vendorId === 0 ? (attrType < IETF_ROWS.length ? IETF_ROWS[attrType] : undefined) : VENDOR_ROWS.get(avpKey(vendorId, attrType));
    if (type === undefined) {
      // RFC 2661 §4.1: the Message Type AVP MUST be the first AVP of a message.
      if (row?.name !== 'messageType' || (flags & H_BIT) !== 0 || length !== AVP_HEADER + 2) {
        return fail({ b, header, end, avps, type, messageType }, 'first-avp-not-message-type', at, 'the first AVP is not an unhidden Message Type', { avp: { vendorId, attrType }, answer: { result: 2, error: ErrorCode.BAD_VALUE } });
      }
      messageType = u16At(b, at + 6);
      // A second Message Type AVP is kept as a value the table encoder never writes.
      taken[MESSAGE_TYPE_ROW.word]! |= MESSAGE_TYPE_ROW.bit;
      if (!mandatory) deviates = true;
      type = messageType < TYPE_NAMES.length ? TYPE_NAMES[messageType] : undefined;
      if (type === undefined) {
        // RFC 2661 §4.2: an unknown message type with the M bit set clears the tunnel; without it, ignore.
        return fail({ b, header, end, avps, type, messageType }, 'unknown-message-type', at, `message type ${messageType}`, mandatory ? { answer: { result: 2, error: ErrorCode.UNKNOWN_MANDATORY_AVP } } : {});
      }
      if (version === 2 && (flags & RESERVED_BITS) !== 0) {
        // RFC 2661 §4.1: an AVP with a reserved bit set MUST be treated as unrecognized, and a
        // message whose Message Type is not recognized is refused with M set, ignored without
        // (§4.4.1, as for an unknown type). The type read still scopes the refusal (§4.1): a call's
        // message costs that call (CDN), not the tunnel. L2TPv3 ignores reserved bits (RFC 3931 §5.1).
        const detail = `Message Type AVP (${type}) with reserved bits 0x${(flags & RESERVED_BITS).toString(16)} set: unrecognized`;
        return fail({ b, header, end, avps, type, messageType }, mandatory ? 'unknown-mandatory-avp' : 'unknown-message-type', at, detail,
          mandatory ? { avp: { vendorId: 0, attrType: 0 }, answer: { result: 2, error: ErrorCode.UNKNOWN_MANDATORY_AVP, message: detail } } : {});
      }
      at += length;
      continue;
    }
    // Fast path: a recognized AVP with no H or reserved bit is the table's `use` row whatever M says
    // (avp-header-rules.test.ts pins that this agrees with the table); a well-formed value is taken here.
    if (row !== undefined && (flags & (H_BIT | RESERVED_BITS)) === 0) {
      const decoded = decodeValueAt(row.kind, b, at + AVP_HEADER, at + length);
      if (!(decoded instanceof MalformedValue)) {
        const name = row.name;
        if (name === 'randomVector') randomVector = decoded as Uint8Array;
        if ((taken[row.word]! & row.bit) !== 0) deviates = true;
        else {
          taken[row.word]! |= row.bit;
          avps[name] = decoded;
          if (mandatory !== row.mandatory || seenUnknown) deviates = true;
        }
        at += length;
        continue;
      }
    }
    let verdict = row !== undefined && (flags & (H_BIT | RESERVED_BITS)) === 0 ? USE : avpVerdictOf(version, flags, true, row !== undefined, row?.spec.neverHidden === true);
    let value: Uint8Array | undefined;
    if (verdict.act === 'unhide') {
      if (o.secret === undefined || o.md5 === undefined) verdict = avpValueVerdict(mandatory, 'no-secret', false);
      else if (randomVector === undefined) verdict = avpValueVerdict(mandatory, 'no-random-vector', false);
      else {
        const plain = unhideAvpValue(b.subarray(at + AVP_HEADER, at + length), attrType, o.secret, randomVector, o.md5);
        if (typeof plain === 'string') verdict = { ...avpValueVerdict(mandatory, 'bad-hidden', false) };
        else { value = plain; verdict = { act: 'use' }; }
      }
    }
    if (verdict.act === 'use') {
      const { name, spec: s } = row!;
      const decoded = value === undefined ? decodeValueAt(s.kind, b, at + AVP_HEADER, at + length) : decodeValue(s.kind, value);
      if (!(decoded instanceof MalformedValue)) {
        if (name === 'randomVector') randomVector = decoded as Uint8Array;
        if ((taken[row!.word]! & row!.bit) !== 0) deviates = true;
        else {
          taken[row!.word]! |= row!.bit;
          avps[name] = decoded;
          if (mandatory !== s.mandatory || seenUnknown) deviates = true;
        }
        if (value !== undefined) (hidden ??= []).push(name);
        at += length;
        continue;
      }
      verdict = avpValueVerdict(mandatory, 'malformed', s.length !== undefined);
      if (verdict.act === 'refuse') return refuse({ b, header, end, avps, type, messageType }, verdict, at, `${name}: ${decoded.reason}`, { vendorId, attrType });
    }
    if (verdict.act === 'refuse') {
      const what = row === undefined ? `${mandatory ? 'unknown mandatory' : 'unrecognized'} AVP vendor ${vendorId} type ${attrType}` : `${row.name}: ${verdict.code}`;
      const c = { b, header, end, avps, type, messageType };
      if (verdict.code !== 'unknown-mandatory-avp') return refuse(c, verdict, at, what, { vendorId, attrType });
      if (refusal === undefined) { const f = refuse(c, verdict, at, what, { vendorId, attrType }); if (!f.ok) refusal = f.error; }
    }
    seenUnknown = true;
    // skip: kept raw (unhidden when we could), for logs and re-encoding.
    const raw: RawAvp = { mandatory, hidden: value === undefined && (flags & H_BIT) !== 0, vendorId, attrType, value: value ?? b.slice(at + AVP_HEADER, at + length) };
    (unknownAvps ??= []).push((flags & RESERVED_BITS) === 0 ? raw : { ...raw, reserved: flags & RESERVED_BITS });
    at += length;
  }
  if (type === undefined) return fail({ b, header, end, avps, type, messageType }, 'first-avp-not-message-type', start, 'message without AVPs after the header', { answer: { result: 2, error: ErrorCode.BAD_VALUE } });
  const wire = deviates ? wireLayout(b, start, end, version) : undefined;
  // Two literals, not a spread: this object is built once per received message.
  const message: ControlMessage = wire === undefined
    ? { type, avps: avps as AvpValues, unknownAvps: unknownAvps ?? NO_RAW_AVPS, hidden: hidden ?? NO_NAMES }
    : { type, avps: avps as AvpValues, unknownAvps: unknownAvps ?? NO_RAW_AVPS, hidden: hidden ?? NO_NAMES, wire };
  if (refusal !== undefined) return { ok: false, error: { ...refusal, message } };
  for (const { name, word, bit } of REQUIRED_ROWS[version].get(type)!) {
    if ((taken[word]! & bit) === 0) {
      return fail({ b, header, end, avps, type, messageType }, 'missing-required-avp', end, `${type} without the ${name} AVP`, {
        avp: { vendorId: 0, attrType: AVP[name].type }, answer: { result: 2, error: ErrorCode.BAD_VALUE, message: `missing ${name} AVP` },
      });
    }
  }
  const nonZero = (version === 2 ? NON_ZERO_V2 : NON_ZERO_V3)[messageType!];
  for (let i = 0; nonZero !== undefined && i < nonZero.length; i++) {
    const name = nonZero[i]!.name;
    // RFC 2661 §4.4.3, §4.4.4; RFC 3931 §5.4.3, §5.4.4: an assigned id is non-zero (0 names nobody:
    // the header's "not yet known", and in v3 the Session ID of control messages, §4.1).
    if (avps[name] === 0) {
      return fail({ b, header, end, avps, type, messageType }, 'bad-avp-value', end, `${type} with ${name} 0`, {
        avp: { vendorId: 0, attrType: AVP[name].type }, answer: { result: 2, error: ErrorCode.BAD_VALUE, message: `${name} 0: an assigned id is non-zero` },
      });
    }
  }
  return { ok: true, value: { kind: 'control', header, message } };
}

/** A message to encode: its type and AVP values; unknown AVPs are re-encoded as they came. */
export interface OutgoingMessage {
  readonly type: MessageTypeName;
  readonly avps: AvpValues;
  readonly unknownAvps?: readonly RawAvp[];
  /** A received message's layout (see {@link ControlMessage.wire}): followed when not hiding. */
  readonly wire?: readonly WireAvp[];
}

/** Options of {@link encodeMessage}. */
export interface EncodeOptions {
  /** Hide the AVPs the table marks `hide` (RFC 2661 §4.3); never in SCCRQ. */
  readonly hide?: { readonly secret: Uint8Array; readonly md5: Md5; readonly random: (length: number) => Uint8Array };
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

function checked(v: unknown, max: number, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what}: ${String(v)} is not an integer 0..${max}`);
  return v;
}

/**
 * Encodes one control message with its header; Message Type goes first (RFC 2661 §4.1). Lengths
 * first, then one output buffer written in place: numbers and ASCII strings go straight in.
 * With `hide`, the AVPs the table marks `hide` are hidden behind one Random Vector (RFC 2661 §4.3).
 */
export function encodeMessage(message: OutgoingMessage, header: ControlHeader, options: EncodeOptions = {}): Uint8Array {
  checkHeader(header);
  const mspec = messageSpec(message.type);
  const hide = options.hide !== undefined && mspec.neverHide !== true ? options.hide : undefined;
  if (hide === undefined && message.wire !== undefined) return encodeWithLayout(mspec.code, message.avps, message.wire, header);
  // Per AVP: its table row and a number (u16/u32, width 2/4) or its value bytes/ASCII text. An AVP
  // is hidden exactly when `hide` is on and its row says `hide` (the Random Vector row does not).
  const specs: AvpSpec[] = [];
  const values: (number | Uint8Array | string)[] = [];
  let length = CONTROL_HEADER_LENGTH + AVP_HEADER + 2;
  let randomVector: Uint8Array | undefined;
  let digest: Uint8Array | undefined;
  const avps = message.avps as Readonly<Record<string, unknown>>;
  // RFC 2661 §4.3: a hidden AVP is unhidden with the Random Vector AVP most recently before it. A
  // caller's Random Vector is that vector: it goes out once, before the first hidden AVP, wherever
  // it stands in `avps` (hiding with a fresh one and sending the caller's between hidden AVPs
  // made the ones after it undecodable).
  const given = hide !== undefined && avps['randomVector'] instanceof Uint8Array ? avps['randomVector'] : undefined;
  for (const key in avps) {
    const value = avps[key];
    if (key === 'messageType' || value === undefined) continue;
    const name = key as AvpName;
    // A Map lookup: a keyed read of the 69-row AVP object was a third of the encoder's time.
    const spec: AvpSpec = ROW_BY_NAME.get(name)!.spec;
    let v: number | Uint8Array | string;
    let n: number;
    if (hide !== undefined && (spec.hide === true || name === 'randomVector')) {
      if (randomVector === undefined) {
        // RFC 2661 §4.3: a Random Vector AVP must precede the first hidden AVP.
        randomVector = given ?? hide.random(16);
        if (AVP_HEADER + randomVector.length > LENGTH_MASK) throw new RangeError(`Random Vector of ${randomVector.length} bytes; an AVP's limit is 1023`);
        specs.push(AVP.randomVector); values.push(randomVector);
        length += AVP_HEADER + randomVector.length;
      }
      if (name === 'randomVector') continue;
      const plain = encodeValue(spec.kind, value as never);
      // Pad to a 16-byte boundary to obscure the length (§4.3), never past the 1023-byte AVP limit.
      const room = LENGTH_MASK - AVP_HEADER - 2 - plain.length;
      const pad = hide.random(Math.max(0, Math.min((16 - ((plain.length + 2) % 16)) % 16, room)));
      v = hideAvpValue(plain, spec.type, hide.secret, randomVector, hide.md5, pad);
      n = v.length;
    } else if (spec.kind === 'u16' || spec.kind === 'protocol-version') { v = checked(value, 0xffff, name); n = 2; }
    else if (spec.kind === 'u32') { v = checked(value, 0xffffffff, name); n = 4; }
    else if (spec.kind === 'string' && isAscii(value as string)) { v = value as string; n = v.length; }
    else if (spec.kind === 'bytes' && value instanceof Uint8Array) { v = value; n = value.length; }
    else { v = encodeValue(spec.kind, value as never); n = v.length; }
    if (AVP_HEADER + n > LENGTH_MASK) throw new RangeError(`AVP ${spec.vendorId ?? 0}:${spec.type} is ${AVP_HEADER + n} bytes; the limit is 1023`);
    length += AVP_HEADER + n;
    // RFC 3931 §5.4.1: the Message Digest AVP comes right after Message Type.
    if (name === 'messageDigest') digest = v as Uint8Array;
    else { specs.push(spec); values.push(v); }
  }
  for (const raw of message.unknownAvps ?? []) {
    if (AVP_HEADER + raw.value.length > LENGTH_MASK) throw new RangeError(`AVP ${raw.vendorId}:${raw.attrType} is ${AVP_HEADER + raw.value.length} bytes; the limit is 1023`);
    length += AVP_HEADER + raw.value.length;
  }
  if (length > 0xffff) throw new RangeError(`message of ${length} bytes exceeds the 16-bit Length field`);
  const out = allocate(length);
  encodeHeader(out, 0, header, length);
  let at = CONTROL_HEADER_LENGTH;
  writeAvpHeader(out, at, true, false, AVP_HEADER + 2, 0, AVP.messageType.type);
  const code = mspec.code;
  out[at + 6] = code >> 8; out[at + 7] = code & 0xff;
  at += AVP_HEADER + 2;
  if (digest !== undefined) {
    writeAvpHeader(out, at, AVP.messageDigest.mandatory, false, AVP_HEADER + digest.length, 0, AVP.messageDigest.type);
    out.set(digest, at + AVP_HEADER);
    at += AVP_HEADER + digest.length;
  }
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const value = values[i]!;
    if (typeof value === 'number') {
      const n = spec.kind === 'u32' ? 4 : 2;
      writeAvpHeader(out, at, spec.mandatory, false, AVP_HEADER + n, spec.vendorId ?? 0, spec.type);
      at += AVP_HEADER;
      if (n === 2) { out[at] = value >> 8; out[at + 1] = value & 0xff; }
      else { out[at] = value >>> 24; out[at + 1] = (value >>> 16) & 0xff; out[at + 2] = (value >>> 8) & 0xff; out[at + 3] = value & 0xff; }
      at += n;
    } else if (typeof value === 'string') {
      writeAvpHeader(out, at, spec.mandatory, false, AVP_HEADER + value.length, spec.vendorId ?? 0, spec.type);
      at += AVP_HEADER;
      for (let j = 0; j < value.length; j++) out[at + j] = value.charCodeAt(j);
      at += value.length;
    } else {
      writeAvpHeader(out, at, spec.mandatory, hide !== undefined && spec.hide === true, AVP_HEADER + value.length, spec.vendorId ?? 0, spec.type);
      out.set(value, at + AVP_HEADER);
      at += AVP_HEADER + value.length;
    }
  }
  for (const raw of message.unknownAvps ?? []) {
    writeAvpHeader(out, at, raw.mandatory, raw.hidden, AVP_HEADER + raw.value.length, raw.vendorId, raw.attrType, raw.reserved);
    out.set(raw.value, at + AVP_HEADER);
    at += AVP_HEADER + raw.value.length;
  }
  return out;
}
