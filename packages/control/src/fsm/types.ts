/**
 * The vocabulary of the state machines: what they read from a peer message, what they ask the
 * engine to send, and the events and down reasons a daemon acts on. These are views, not wire
 * formats: the engine maps decoded codec messages to {@link Inbound} and {@link Outbound} to codec
 * messages, adding what comes from configuration (host name, window, framing capabilities).
 */

import type { AccmValue, CallErrorsValue, MessageTypeName, ResultCodeValue } from '../codec/types.js';

/** A Result Code AVP (RFC 2661 §4.4.2): result, optional error code, optional message. */
export type ResultCode = ResultCodeValue;

/** StopCCN result codes (RFC 2661 §4.4.2). */
export const StopCcnResult = {
  GENERAL_CLEAR: 1, GENERAL_ERROR: 2, CHANNEL_EXISTS: 3, NOT_AUTHORIZED: 4, UNSUPPORTED_VERSION: 5,
  SHUTTING_DOWN: 6, FSM_ERROR: 7,
} as const;

/** CDN result codes (RFC 2661 §4.4.2). */
export const CdnResult = {
  LOST_CARRIER: 1, GENERAL_ERROR: 2, ADMIN: 3, TEMPORARY_NO_FACILITIES: 4, PERMANENT_NO_FACILITIES: 5,
  INVALID_DESTINATION: 6, NO_CARRIER: 7, BUSY: 8, NO_DIAL_TONE: 9, TIMEOUT: 10, NO_FRAMING: 11,
} as const;

/** General error codes carried with result 2 (RFC 2661 §4.4.2). */
export const ErrorCode = {
  NO_ERROR: 0, NO_CONTROL_CONNECTION: 1, BAD_LENGTH: 2, BAD_VALUE: 3, NO_RESOURCES: 4, BAD_SESSION_ID: 5,
  VENDOR_SPECIFIC: 6, TRY_ANOTHER: 7, UNKNOWN_MANDATORY_AVP: 8,
} as const;

/** Message type names as RFC 2661 §3.2 and RFC 3931 §3.1 spell them (the codec's). */
export type MessageName = MessageTypeName;

/** The fields of a control-connection setup message the tunnel machine reads. */
export interface SetupFields {
  readonly assignedTunnelId: number;
  readonly hostName?: string;
  /** Protocol Version AVP as `version << 8 | revision`; 0x0100 is L2TPv2's 1.0. */
  readonly protocolVersion?: number;
  readonly receiveWindowSize?: number;
  readonly challenge?: Uint8Array;
  readonly challengeResponse?: Uint8Array;
}

/** A peer message as the state machines see it (`sessionId` is the header's, i.e. ours). */
export type Inbound =
  | ({ readonly type: 'SCCRQ' } & SetupFields)
  | ({ readonly type: 'SCCRP' } & SetupFields)
  | { readonly type: 'SCCCN'; readonly challengeResponse?: Uint8Array }
  | { readonly type: 'StopCCN'; readonly result: ResultCode; readonly assignedTunnelId?: number }
  | { readonly type: 'HELLO' }
  | { readonly type: 'ICRQ'; readonly sessionId: number; readonly assignedSessionId: number; readonly callSerialNumber: number }
  | { readonly type: 'ICRP'; readonly sessionId: number; readonly assignedSessionId: number }
  | { readonly type: 'ICCN'; readonly sessionId: number }
  | { readonly type: 'OCRQ'; readonly sessionId: number; readonly assignedSessionId: number; readonly callSerialNumber: number }
  | { readonly type: 'OCRP'; readonly sessionId: number; readonly assignedSessionId: number }
  | { readonly type: 'OCCN'; readonly sessionId: number }
  | { readonly type: 'CDN'; readonly sessionId: number; readonly assignedSessionId: number; readonly result: ResultCode }
  | { readonly type: 'WEN'; readonly sessionId: number; readonly callErrors: CallErrors }
  | { readonly type: 'SLI'; readonly sessionId: number; readonly accm: Accm };

/** Call Errors AVP of a WEN (RFC 2661 §4.4.6): counters since the call came up. */
export type CallErrors = CallErrorsValue;

/** ACCM AVP of an SLI (RFC 2661 §4.4.6): the PPP async control character maps. */
export type Accm = AccmValue;

/** A message the state machines ask the engine to send; the engine adds configured AVPs. */
export type Outbound =
  | { readonly type: 'SCCRQ'; readonly challenge?: Uint8Array }
  | { readonly type: 'SCCRP'; readonly challenge?: Uint8Array; readonly challengeResponse?: Uint8Array }
  | { readonly type: 'SCCCN'; readonly challengeResponse?: Uint8Array }
  | { readonly type: 'StopCCN'; readonly result: ResultCode }
  | { readonly type: 'HELLO' }
  | { readonly type: 'ICRQ'; readonly sessionId: number; readonly callSerialNumber: number }
  | { readonly type: 'ICRP'; readonly sessionId: number; readonly peerSessionId: number }
  | { readonly type: 'ICCN'; readonly sessionId: number; readonly peerSessionId: number }
  | { readonly type: 'CDN'; readonly sessionId: number; readonly peerSessionId: number; readonly result: ResultCode };

/** Why a tunnel went down. `sent` is the StopCCN we sent, when we sent one. */
export type TunnelDownReason =
  | { readonly type: 'peer-stopccn'; readonly result: ResultCode }
  | { readonly type: 'local-close'; readonly sent: ResultCode }
  | { readonly type: 'retransmit-exhausted'; readonly messageType: MessageName }
  | { readonly type: 'auth-failed'; readonly sent: ResultCode }
  | { readonly type: 'version-mismatch'; readonly sent: ResultCode }
  | { readonly type: 'peer-violation'; readonly sent: ResultCode };

/** Why a session went down. */
export type SessionDownReason =
  | { readonly type: 'peer-cdn'; readonly result: ResultCode }
  | { readonly type: 'local-close'; readonly sent: ResultCode }
  | { readonly type: 'refused'; readonly sent: ResultCode }
  | { readonly type: 'peer-violation'; readonly sent: ResultCode }
  | { readonly type: 'tunnel-down' };

/** Something a daemon acts on. Ids are always in pairs; `tunnelId` names the tunnel in every event. */
export type TunnelEvent =
  | { readonly type: 'tunnel-up'; readonly tunnelId: number; readonly peerTunnelId: number; readonly peerHostName: string | undefined }
  | { readonly type: 'tunnel-down'; readonly tunnelId: number; readonly peerTunnelId: number; readonly reason: TunnelDownReason }
  | { readonly type: 'session-up'; readonly tunnelId: number; readonly sessionId: number; readonly peerSessionId: number }
  | { readonly type: 'session-down'; readonly tunnelId: number; readonly sessionId: number; readonly peerSessionId: number; readonly reason: SessionDownReason }
  | { readonly type: 'wan-error-notify'; readonly tunnelId: number; readonly sessionId: number; readonly callErrors: CallErrors }
  | { readonly type: 'set-link-info'; readonly tunnelId: number; readonly sessionId: number; readonly accm: Accm };
