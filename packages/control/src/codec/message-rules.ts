/**
 * Which AVPs each message MUST carry, per version (RFC 2661 §6.1-6.14, RFC 3931 §6.1-6.15;
 * research/anchors.md §3.2), and which messages concern one session (their failures clear the
 * session with CDN instead of the tunnel with StopCCN, RFC 2661 §4.2). Optional AVPs are always
 * accepted (§6: "MAY" AVPs never cause a failure).
 */
import type { AvpName } from './avp-table.js';
import type { MessageTypeName } from './types.js';

type Rules = Readonly<Record<MessageTypeName, readonly AvpName[]>>;

/** L2TPv2 required AVPs (Message Type is checked separately: it must come first). */
export const REQUIRED_V2: Rules = {
  SCCRQ: ['protocolVersion', 'hostName', 'framingCapabilities', 'assignedTunnelId'],
  SCCRP: ['protocolVersion', 'hostName', 'framingCapabilities', 'assignedTunnelId'],
  SCCCN: [],
  StopCCN: ['assignedTunnelId', 'resultCode'],
  HELLO: [],
  OCRQ: ['assignedSessionId', 'callSerialNumber', 'minimumBps', 'maximumBps', 'bearerType', 'framingType', 'calledNumber'],
  OCRP: ['assignedSessionId'],
  OCCN: ['txConnectSpeed', 'framingType'],
  ICRQ: ['assignedSessionId', 'callSerialNumber'],
  ICRP: ['assignedSessionId'],
  ICCN: ['txConnectSpeed', 'framingType'],
  CDN: ['resultCode', 'assignedSessionId'],
  WEN: ['callErrors'],
  SLI: ['accm'],
  ACK: [],
};

/** L2TPv3 required AVPs. */
export const REQUIRED_V3: Rules = {
  SCCRQ: ['hostName', 'routerId', 'assignedConnectionId', 'pwCapabilityList'],
  SCCRP: ['hostName', 'routerId', 'assignedConnectionId', 'pwCapabilityList'],
  SCCCN: [],
  StopCCN: ['resultCode'],
  HELLO: [],
  OCRQ: ['localSessionId', 'remoteSessionId', 'callSerialNumber', 'pwType', 'remoteEndId', 'circuitStatus'],
  OCRP: ['localSessionId', 'remoteSessionId', 'circuitStatus'],
  OCCN: ['localSessionId', 'remoteSessionId'],
  ICRQ: ['localSessionId', 'remoteSessionId', 'callSerialNumber', 'pwType', 'remoteEndId', 'circuitStatus'],
  ICRP: ['localSessionId', 'remoteSessionId', 'circuitStatus'],
  ICCN: ['localSessionId', 'remoteSessionId'],
  CDN: ['resultCode', 'localSessionId', 'remoteSessionId'],
  WEN: ['localSessionId', 'remoteSessionId', 'callErrors'],
  SLI: ['localSessionId', 'remoteSessionId'],
  ACK: [],
};

/** Messages about one session: a failure in them clears the session (CDN), not the tunnel. */
export const SESSION_MESSAGES: ReadonlySet<MessageTypeName> = new Set(
  ['OCRQ', 'OCRP', 'OCCN', 'ICRQ', 'ICRP', 'ICCN', 'CDN', 'WEN', 'SLI'] as const,
);

/** Messages that may never carry hidden AVPs when we send (interop: OpenL2TP, Cisco; anchors §3.8). */
export const NEVER_HIDE_IN: ReadonlySet<MessageTypeName> = new Set(['SCCRQ'] as const);
