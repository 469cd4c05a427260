/**
 * Control messages: datagram bytes ⇄ typed messages. The AVP wire format (RFC 2661 §4.1):
 * ```
 *  |M|H| rsvd  |      Length       |           Vendor ID           |
 *  |         Attribute Type        |        Attribute Value...
 * ```
 * Decoding never throws on peer input: every failure is a {@link DecodeError} value carrying the
 * Result/Error Code the RFC says to answer with. Encoding throws only on our own misuse.
 */
import { AVP, AVP_BY_KEY, avpKey, type AvpName, type AvpSpec } from './avp-table.js';
import { type DataPacketInfo, checkHeader, decodeHeader, joinMessage } from './header.js';
import { encodePlain } from './encode-plain.js';
import { hideAvpValue, unhideAvpValue } from './hidden.js';
import { type WireAvp, encodeWithLayout, wireLayout } from './layout.js';
import { NEVER_HIDE_IN, REQUIRED_V2, REQUIRED_V3, SESSION_MESSAGES } from './message-rules.js';
import {
  type ControlHeader, type DecodeError, type Decoded, MESSAGE_TYPE_NAME, type Md5, MessageType, type MessageTypeName,
  type RawAvp,
} from './types.js';
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

const M_BIT = 0x8000;
const H_BIT = 0x4000;
const LENGTH_MASK = 0x03ff;
const AVP_HEADER = 6;

/**
 * Decodes every packet of a datagram: several control messages may share one (each has its own
 * Length). Never throws and never returns an empty list; a failure ends the list.
 */
export function decodeDatagram(bytes: Uint8Array, options: DecodeOptions = {}): Decoded<Packet>[] {
  const out: Decoded<Packet>[] = [];
  let offset = 0;
  do {
    const h = decodeHeader(bytes, offset, options.ipEncap === true);
    if (!h.ok) return [...out, h];
    const r = h.value;
    if (r.kind === 'data') return [...out, { ok: true, value: { kind: 'data', data: r.data } }];
    if (r.bodyOffset === r.end) out.push({ ok: true, value: { kind: 'zlb', header: r.header } });
    else out.push(decodeBody(bytes, r.header, r.bodyOffset, r.end, options));
    offset = r.end;
  } while (offset < bytes.length && out.at(-1)!.ok);
  return out;
}

/** Decodes the first control message of `bytes` (a datagram holding exactly one, as most do). */
export function decodeMessage(bytes: Uint8Array, options: DecodeOptions = {}): Decoded<Packet> {
  return decodeDatagram(bytes, options)[0]!;
}

function decodeBody(b: Uint8Array, header: ControlHeader, start: number, end: number, o: DecodeOptions): Decoded<Packet> {
  const avps: Record<string, unknown> = {};
  const unknownAvps: RawAvp[] = [];
  const hidden: AvpName[] = [];
  let type: MessageTypeName | undefined;
  let messageType: number | undefined;
  let randomVector: Uint8Array | undefined;
  // Set when re-encoding with the table would not give these bytes back (see layout.ts).
  let deviates = false;
  let seenUnknown = false;
  let refusal: DecodeError | undefined;
  const fail = (code: DecodeError['code'], offset: number, detail: string, extra: Partial<DecodeError> = {}): Decoded<Packet> => {
    const assigned = avps['assignedTunnelId'] ?? avps['assignedConnectionId'];
    return {
      ok: false,
      error: {
        code, offset, detail, header, ...(messageType !== undefined && { messageType }),
        ...(typeof assigned === 'number' && { assignedTunnelId: assigned }), ...extra,
      },
    };
  };
  for (let at = start; at < end;) {
    if (end - at < AVP_HEADER) return fail('bad-avp-length', at, `${end - at} bytes left, an AVP needs 6`, { answer: { result: 2, error: 2 } });
    const flags = (b[at]! << 8) | b[at + 1]!;
    const length = flags & LENGTH_MASK;
    if (length < AVP_HEADER || at + length > end) {
      // RFC 2661 §4.1: a bad AVP length makes the rest unparseable; the message cannot be trusted.
      return fail('bad-avp-length', at, `AVP length ${length} with ${end - at} bytes left`, { answer: { result: 2, error: 2 } });
    }
    const vendorId = (b[at + 2]! << 8) | b[at + 3]!;
    const attrType = (b[at + 4]! << 8) | b[at + 5]!;
    const mandatory = (flags & M_BIT) !== 0;
    const isHidden = (flags & H_BIT) !== 0;
    let value: Uint8Array | undefined;
    const row = AVP_BY_KEY.get(avpKey(vendorId, attrType));
    if (type === undefined) {
      // RFC 2661 §4.1: the Message Type AVP MUST be the first AVP of a message.
      if (row?.[0] !== 'messageType' || isHidden || length !== AVP_HEADER + 2) {
        return fail('first-avp-not-message-type', at, 'the first AVP is not an unhidden Message Type', { avp: { vendorId, attrType }, answer: { result: 2, error: 3 } });
      }
      messageType = (b[at + 6]! << 8) | b[at + 7]!;
      if (!mandatory) deviates = true;
      type = MESSAGE_TYPE_NAME.get(messageType);
      if (type === undefined) {
        // RFC 2661 §4.2: an unknown message type with the M bit set clears the tunnel; without it, ignore.
        return fail('unknown-message-type', at, `message type ${messageType}`, mandatory ? { answer: { result: 2, error: 8 } } : {});
      }
      at += length;
      continue;
    }
    if (isHidden) {
      if (row?.[1].neverHidden) return fail('bad-hidden-avp', at, `${row[0]} must not be hidden`, { avp: { vendorId, attrType }, answer: { result: 2, error: 3 } });
      if (o.secret === undefined || o.md5 === undefined) {
        if (!mandatory) { unknownAvps.push({ mandatory, hidden: true, vendorId, attrType, value: b.slice(at + AVP_HEADER, at + length) }); at += length; continue; }
        return fail('hidden-without-secret', at, 'hidden AVP and no shared secret configured', { avp: { vendorId, attrType }, answer: { result: 2, error: 6 } });
      }
      if (randomVector === undefined) return fail('hidden-without-random-vector', at, 'hidden AVP with no Random Vector before it', { avp: { vendorId, attrType }, answer: { result: 2, error: 3 } });
      const plain = unhideAvpValue(b.subarray(at + AVP_HEADER, at + length), attrType, o.secret, randomVector, o.md5);
      if (typeof plain === 'string') return fail('bad-hidden-avp', at, plain, { avp: { vendorId, attrType }, answer: { result: 2, error: 3 } });
      value = plain;
    }
    if (row === undefined) {
      // RFC 2661 §4.2, RFC 3931 §5.2: an unrecognized AVP with the M bit set clears the session or
      // connection (Result 2, Error 8). The rest is still read: the answer needs the message's ids.
      if (mandatory && refusal === undefined) {
        const f = fail('unknown-mandatory-avp', at, `unknown mandatory AVP vendor ${vendorId} type ${attrType}`, { avp: { vendorId, attrType }, answer: { result: 2, error: 8, message: `unknown mandatory AVP ${vendorId}:${attrType}` } });
        if (!f.ok) refusal = f.error;
      }
      seenUnknown = true;
      unknownAvps.push({ mandatory, hidden: isHidden, vendorId, attrType, value: value?.slice() ?? b.slice(at + AVP_HEADER, at + length) });
      at += length;
      continue;
    }
    const [name, spec] = row;
    if (mandatory !== spec.mandatory || seenUnknown) deviates = true;
    const decoded = value === undefined ? decodeValueAt(spec.kind, b, at + AVP_HEADER, at + length) : decodeValue(spec.kind, value);
    if (decoded instanceof MalformedValue) {
      if (mandatory) return fail('bad-avp-value', at, `${name}: ${decoded.reason}`, { avp: { vendorId, attrType }, answer: { result: 2, error: spec.length !== undefined ? 2 : 3 } });
      unknownAvps.push({ mandatory, hidden: isHidden, vendorId, attrType, value: value?.slice() ?? b.slice(at + AVP_HEADER, at + length) });
    } else {
      if (name === 'randomVector') randomVector = decoded as Uint8Array;
      if (!(name in avps)) avps[name] = decoded;
      else deviates = true;
      // A second Message Type AVP is kept as a value the table encoder never writes.
      if (name === 'messageType') deviates = true;
      if (isHidden) hidden.push(name);
    }
    at += length;
  }
  if (type === undefined) return fail('first-avp-not-message-type', start, 'message without AVPs after the header', { answer: { result: 2, error: 3 } });
  const wire = deviates ? wireLayout(b, start, end) : undefined;
  // Two literals, not a spread: this object is built once per received message.
  const message: ControlMessage = wire === undefined
    ? { type, avps: avps as AvpValues, unknownAvps, hidden }
    : { type, avps: avps as AvpValues, unknownAvps, hidden, wire };
  if (refusal !== undefined) {
    const assigned = avps['assignedTunnelId'] ?? avps['assignedConnectionId'];
    return { ok: false, error: { ...refusal, ...(typeof assigned === 'number' && { assignedTunnelId: assigned }), message } };
  }
  const required = (header.version === 2 ? REQUIRED_V2 : REQUIRED_V3)[type];
  for (const name of required) {
    if (!(name in avps)) {
      return fail('missing-required-avp', start, `${type} without the ${name} AVP`, {
        avp: { vendorId: 0, attrType: AVP[name].type }, answer: { result: 2, error: 3, message: `missing ${name} AVP` },
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

function avpBytes(spec: Pick<AvpSpec, 'mandatory' | 'type'>, vendorId: number, value: Uint8Array, hidden: boolean): Uint8Array {
  if (vendorId > 0xffff) throw new RangeError(`vendor id ${vendorId} does not fit 16 bits`);
  const length = AVP_HEADER + value.length;
  if (length > LENGTH_MASK) throw new RangeError(`AVP ${vendorId}:${spec.type} is ${length} bytes; the limit is 1023`);
  const out = new Uint8Array(length);
  const flags = (spec.mandatory ? M_BIT : 0) | (hidden ? H_BIT : 0) | length;
  out[0] = flags >> 8; out[1] = flags & 0xff;
  out[2] = vendorId >> 8; out[3] = vendorId & 0xff;
  out[4] = spec.type >> 8; out[5] = spec.type & 0xff;
  out.set(value, AVP_HEADER);
  return out;
}

/** Encodes one control message with its header; Message Type goes first (RFC 2661 §4.1). */
export function encodeMessage(message: OutgoingMessage, header: ControlHeader, options: EncodeOptions = {}): Uint8Array {
  checkHeader(header);
  const hide = options.hide !== undefined && !NEVER_HIDE_IN.has(message.type) ? options.hide : undefined;
  if (hide === undefined && message.wire !== undefined) return encodeWithLayout(MessageType[message.type], message.avps, message.wire, header);
  if (hide === undefined) return encodePlain(message.type, message.avps, message.unknownAvps, header);
  const parts: Uint8Array[] = [avpBytes(AVP.messageType, 0, encodeValue('u16', MessageType[message.type]), false)];
  let randomVector: Uint8Array | undefined;
  for (const [name, value] of digestFirst(Object.entries(message.avps) as [AvpName, unknown][])) {
    if (name === 'messageType' || value === undefined) continue;
    const spec: AvpSpec = AVP[name];
    let bytes = encodeValue(spec.kind, value as never);
    const hideThis = hide !== undefined && spec.hide === true;
    if (hideThis) {
      if (randomVector === undefined) {
        // RFC 2661 §4.3: a Random Vector AVP must precede the first hidden AVP.
        randomVector = hide.random(16);
        parts.push(avpBytes(AVP.randomVector, 0, randomVector, false));
      }
      // Pad to a 16-byte boundary to obscure the length (§4.3), never past the 1023-byte AVP limit.
      const room = LENGTH_MASK - AVP_HEADER - 2 - bytes.length;
      const pad = hide.random(Math.max(0, Math.min((16 - ((bytes.length + 2) % 16)) % 16, room)));
      bytes = hideAvpValue(bytes, spec.type, hide.secret, randomVector, hide.md5, pad);
    }
    parts.push(avpBytes(spec, spec.vendorId ?? 0, bytes, hideThis));
  }
  for (const raw of message.unknownAvps ?? []) parts.push(avpBytes({ mandatory: raw.mandatory, type: raw.attrType }, raw.vendorId, raw.value, raw.hidden));
  return joinMessage(header, parts);
}

/** RFC 3931 §5.4.1: the Message Digest AVP comes right after Message Type. */
function digestFirst(entries: [AvpName, unknown][]): [AvpName, unknown][] {
  const i = entries.findIndex(([name]) => name === 'messageDigest');
  return i <= 0 ? entries : [entries[i]!, ...entries.slice(0, i), ...entries.slice(i + 1)];
}
