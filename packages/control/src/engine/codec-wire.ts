/**
 * The {@link WireCodec} over `src/codec`: decoded control messages become the state machines'
 * {@link Inbound} view, their {@link Outbound} requests become encoded messages carrying the AVPs
 * RFC 2661 §6 requires (plus our window and, with a secret, challenges and hidden AVPs).
 *
 * Decode failures map to what the engine must do: no readable header → drop unacknowledged
 * (RFC 2661 §7.1); a readable header and an RFC answer (unknown M-bit AVP, bad value, missing AVP)
 * → acknowledge and clear the session (CDN) or tunnel (StopCCN) with that answer; a readable header
 * without an answer (unknown message type without the M bit) → acknowledge and ignore.
 */
import {
  type AvpValues, type ControlHeader, type ControlMessage, MESSAGE_TYPE_NAME, type OutgoingMessage, SESSION_MESSAGES, decodeDatagram,
  decodeHeader, encodeMessage, encodeZlb, withNr,
} from '../codec/index.js';
import type { Inbound, Outbound } from '../fsm/types.js';
import type { EncodeContext, SendHeader, WireCodec, WireDecoded, WireHeader } from './wire.js';

/** The Protocol Version AVP we send: L2TPv2 1.0 (RFC 2661 §4.4.3). */
const PROTOCOL_VERSION = 0x0100;
/** Tx Connect Speed we report in ICCN (RFC 2661 §4.4.5 requires one; pppd neither knows nor cares). */
const TX_CONNECT_SPEED_BPS = 100_000_000;

const header = (h: ControlHeader): WireHeader => ({ tunnelId: h.tunnelId, sessionId: h.sessionId, ns: h.ns, nr: h.nr });

function inbound(m: ControlMessage, h: ControlHeader): Inbound | undefined {
  const a = m.avps;
  const sessionId = h.sessionId;
  switch (m.type) {
    case 'SCCRQ': case 'SCCRP':
      return {
        type: m.type, assignedTunnelId: a.assignedTunnelId ?? a.assignedConnectionId ?? 0,
        ...(a.hostName !== undefined && { hostName: a.hostName }),
        ...(a.protocolVersion !== undefined && { protocolVersion: a.protocolVersion }),
        ...(a.receiveWindowSize !== undefined && { receiveWindowSize: a.receiveWindowSize }),
        ...(a.challenge !== undefined && { challenge: a.challenge }),
        ...(a.challengeResponse !== undefined && { challengeResponse: a.challengeResponse }),
      };
    case 'SCCCN': return { type: 'SCCCN', ...(a.challengeResponse !== undefined && { challengeResponse: a.challengeResponse }) };
    case 'StopCCN':
      return { type: 'StopCCN', result: a.resultCode ?? { result: 0 }, ...(a.assignedTunnelId !== undefined && { assignedTunnelId: a.assignedTunnelId }) };
    case 'HELLO': return { type: 'HELLO' };
    case 'ICRQ': case 'OCRQ':
      return { type: m.type, sessionId, assignedSessionId: a.assignedSessionId ?? 0, callSerialNumber: a.callSerialNumber ?? 0 };
    case 'ICRP': case 'OCRP': return { type: m.type, sessionId, assignedSessionId: a.assignedSessionId ?? 0 };
    case 'ICCN': case 'OCCN': return { type: m.type, sessionId };
    case 'CDN': return { type: 'CDN', sessionId, assignedSessionId: a.assignedSessionId ?? 0, result: a.resultCode ?? { result: 0 } };
    case 'WEN': return a.callErrors ? { type: 'WEN', sessionId, callErrors: a.callErrors } : undefined;
    case 'SLI': return a.accm ? { type: 'SLI', sessionId, accm: a.accm } : undefined;
    case 'ACK': return undefined;
  }
}

function outgoing(m: Outbound, ctx: EncodeContext): OutgoingMessage {
  const tunnel: AvpValues = ctx.version === 2 ? { assignedTunnelId: ctx.tunnelId } : { assignedConnectionId: ctx.tunnelId };
  switch (m.type) {
    case 'SCCRQ': case 'SCCRP':
      return {
        type: m.type,
        avps: {
          protocolVersion: PROTOCOL_VERSION, hostName: ctx.hostName, framingCapabilities: ctx.framingCapabilities, ...tunnel,
          receiveWindowSize: ctx.receiveWindowSize, vendorName: 'l2tp (TypeScript)',
          ...(m.challenge && { challenge: m.challenge }), ...(m.type === 'SCCRP' && m.challengeResponse && { challengeResponse: m.challengeResponse }),
        },
      };
    case 'SCCCN': return { type: 'SCCCN', avps: m.challengeResponse ? { challengeResponse: m.challengeResponse } : {} };
    case 'StopCCN': return { type: 'StopCCN', avps: { ...tunnel, resultCode: m.result } };
    case 'HELLO': return { type: 'HELLO', avps: {} };
    case 'ICRQ': return { type: 'ICRQ', avps: { assignedSessionId: m.sessionId, callSerialNumber: m.callSerialNumber } };
    case 'ICRP': return { type: 'ICRP', avps: { assignedSessionId: m.sessionId } };
    case 'ICCN': return { type: 'ICCN', avps: { txConnectSpeed: TX_CONNECT_SPEED_BPS, framingType: ctx.framingCapabilities } };
    case 'CDN': return { type: 'CDN', avps: { resultCode: m.result, assignedSessionId: m.sessionId } };
  }
}

/** The real wire format (RFC 2661 / RFC 3931) for the engine. */
export const codecWire: WireCodec = {
  tunnelIdOf(bytes) {
    const h = decodeHeader(bytes, 0);
    return h.ok && h.value.kind === 'control' ? h.value.header.tunnelId : undefined;
  },

  decode(bytes, secret, md5): WireDecoded {
    const p = decodeDatagram(bytes, secret ? { secret, md5 } : {})[0]!;
    if (!p.ok) {
      const e = p.error;
      if (e.header === undefined) return { kind: 'drop', reason: e.detail };
      if (e.answer === undefined) return { kind: 'ignored', header: header(e.header) };
      const type = e.messageType === undefined ? undefined : MESSAGE_TYPE_NAME.get(e.messageType);
      return {
        kind: 'rejected', header: header(e.header), sessionScoped: type !== undefined && SESSION_MESSAGES.has(type),
        result: e.answer, ...(e.assignedTunnelId !== undefined && { assignedTunnelId: e.assignedTunnelId }),
      };
    }
    const v = p.value;
    if (v.kind === 'data') return { kind: 'drop', reason: 'data packet on the control socket' };
    if (v.kind === 'zlb') return { kind: 'zlb', header: header(v.header) };
    // RFC 3931 §5.3: the explicit ACK acknowledges like a ZLB and takes no Ns of its own.
    if (v.message.type === 'ACK') return { kind: 'zlb', header: header(v.header) };
    const message = inbound(v.message, v.header);
    return message === undefined ? { kind: 'ignored', header: header(v.header) } : { kind: 'message', header: header(v.header), message };
  },

  encode(m, h: SendHeader, ctx) {
    const hdr: ControlHeader = { version: ctx.version, tunnelId: h.peerTunnelId, sessionId: ctx.version === 2 ? h.peerSessionId : 0, ns: h.ns, nr: h.nr };
    const hide = ctx.hideAvps && ctx.secret !== undefined ? { hide: { secret: ctx.secret, md5: ctx.ports.md5, random: (n: number) => ctx.ports.random.bytes(n) } } : {};
    return encodeMessage(outgoing(m, ctx), hdr, hide);
  },

  withNr: (bytes, nr) => withNr(bytes, nr),

  ack(version, peerTunnelId, ns, nr) {
    const h: ControlHeader = { version, tunnelId: peerTunnelId, sessionId: 0, ns, nr };
    return version === 2 ? encodeZlb(h) : encodeMessage({ type: 'ACK', avps: {} }, h);
  },
};
