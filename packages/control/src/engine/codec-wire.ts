/**
 * The {@link WireCodec} over `src/codec`: decoded control messages become the state machines'
 * {@link Inbound} view and their {@link Outbound} requests become encoded messages, both through the
 * message specification (codec/message-spec.ts), which names the AVP behind every typed field. The
 * AVPs a message requires are there after decoding (validation refused it otherwise), so no field
 * is defaulted here.
 *
 * Decode failures map to what the engine must do: no readable header → drop unacknowledged
 * (RFC 2661 §7.1); a readable header and an RFC answer (unknown M-bit AVP, bad value, missing AVP)
 * → acknowledge and clear the session (CDN) or tunnel (StopCCN) with that answer; a readable header
 * without an answer (unknown message type without the M bit) → acknowledge and ignore.
 */
import {
  CONTROL_HEADER_LENGTH, type ControlHeader, type Decoded, MESSAGE_TYPE_NAME, type Packet, decodeDatagram, decodeHeader, encodeMessage, encodeZlb,
  SESSION_MESSAGES, fieldAvps, messageFields, withNr,
} from '../codec/index.js';
import type { Inbound, Outbound } from '../fsm/types.js';
import type { EncodeContext, SendHeader, WireCodec, WireDecoded, WireHeader } from './wire.js';

/** The Protocol Version AVP we send: L2TPv2 1.0 (RFC 2661 §4.4.3). */
const PROTOCOL_VERSION = 0x0100;
/** Tx Connect Speed we report in ICCN (RFC 2661 §4.4.5 requires one; pppd neither knows nor cares). */
const TX_CONNECT_SPEED_BPS = 100_000_000;
/** Vendor Name AVP we send in SCCRQ/SCCRP. */
const VENDOR_NAME = 'l2tp (TypeScript)';

/** Decode/encode options when there is no secret (one object, not one per message). */
const NO_OPTIONS = {} as const;

const header = (h: ControlHeader): WireHeader => ({ tunnelId: h.tunnelId, sessionId: h.sessionId, ns: h.ns, nr: h.nr });

function toWire(p: Decoded<Packet>): WireDecoded {
  if (!p.ok) {
    const e = p.error;
    if (e.header === undefined) return { kind: 'drop', reason: e.detail };
    if (e.answer === undefined) return { kind: 'ignored', header: header(e.header) };
    const type = e.messageType === undefined ? undefined : MESSAGE_TYPE_NAME.get(e.messageType);
    return {
      kind: 'rejected', header: header(e.header), scope: e.scope ?? 'tunnel', result: e.answer,
      ...(type !== undefined && { messageType: type }),
      ...(e.assignedTunnelId !== undefined && { assignedTunnelId: e.assignedTunnelId }),
      ...(e.assignedSessionId !== undefined && { assignedSessionId: e.assignedSessionId }),
    };
  }
  const v = p.value;
  if (v.kind === 'data') return { kind: 'drop', reason: 'data packet on the control socket' };
  if (v.kind === 'zlb') return { kind: 'zlb', header: header(v.header) };
  const m = v.message;
  // RFC 3931 §5.3: the explicit ACK acknowledges like a ZLB and takes no Ns of its own.
  if (m.type === 'ACK') return { kind: 'zlb', header: header(v.header) };
  const fields = messageFields(m.type, v.header.version, m.avps,
    SESSION_MESSAGES.has(m.type) ? { type: m.type, sessionId: v.header.sessionId } : { type: m.type });
  return { kind: 'message', header: header(v.header), message: fields as unknown as Inbound };
}

/** The value of typed field `field` of an outgoing message: the state machine's, or what configuration supplies. */
function fieldValue(field: string, m: Outbound, ctx: EncodeContext): unknown {
  switch (field) {
    case 'protocolVersion': return PROTOCOL_VERSION;
    case 'hostName': return ctx.hostName;
    case 'framingCapabilities': return ctx.framingCapabilities;
    case 'assignedTunnelId': return ctx.tunnelId;
    case 'receiveWindowSize': return ctx.receiveWindowSize;
    case 'vendorName': return VENDOR_NAME;
    case 'txConnectSpeed': return TX_CONNECT_SPEED_BPS;
    case 'framingType': return ctx.framingCapabilities;
    // Outbound `sessionId` is ours: the Assigned Session ID the message carries (the header names the peer's).
    case 'assignedSessionId': return (m as { sessionId?: number }).sessionId;
    default: return (m as unknown as Record<string, unknown>)[field];
  }
}

/** The real wire format (RFC 2661 / RFC 3931) for the engine. */
export const codecWire: WireCodec = {
  tunnelIdOf(bytes) {
    // The common case read in place, as decodeHeader would (every datagram is routed by it, then
    // decoded whole by its tunnel): an L2TPv2 control header (T, L and S set, no O bit) whose
    // Length fits the datagram. Anything else takes the full header decode.
    if (bytes.length >= CONTROL_HEADER_LENGTH && (bytes[0]! & 0xca) === 0xc8 && (bytes[1]! & 0x0f) === 2) {
      const length = (bytes[2]! << 8) | bytes[3]!;
      if (length >= CONTROL_HEADER_LENGTH && length <= bytes.length) return (bytes[4]! << 8) | bytes[5]!;
    }
    const h = decodeHeader(bytes, 0);
    return h.ok && h.value.kind === 'control' ? h.value.header.tunnelId : undefined;
  },

  decode(bytes, secret, md5): readonly WireDecoded[] {
    return decodeDatagram(bytes, secret ? { secret, md5 } : NO_OPTIONS).map(toWire);
  },

  encode(m, h: SendHeader, ctx) {
    const hdr: ControlHeader = { version: ctx.version, tunnelId: h.peerTunnelId, sessionId: ctx.version === 2 ? h.peerSessionId : 0, ns: h.ns, nr: h.nr };
    const hide = ctx.hideAvps && ctx.secret !== undefined ? { hide: { secret: ctx.secret, md5: ctx.ports.md5, random: (n: number) => ctx.ports.random.bytes(n) } } : NO_OPTIONS;
    return encodeMessage({ type: m.type, avps: fieldAvps(m.type, ctx.version, fieldValue, m, ctx) }, hdr, hide);
  },

  withNr: (bytes, nr) => withNr(bytes, nr),

  ack(version, peerTunnelId, ns, nr) {
    const h: ControlHeader = { version, tunnelId: peerTunnelId, sessionId: 0, ns, nr };
    return version === 2 ? encodeZlb(h) : encodeMessage({ type: 'ACK', avps: {} }, h);
  },
};
