/**
 * The vocabulary of the state machines: what they read from a peer message, what they ask the
 * engine to send, and the events and down reasons a daemon acts on. These are views, not wire
 * formats: the engine maps decoded codec messages to {@link Inbound} and {@link Outbound} to codec
 * messages, adding what comes from configuration (host name, window, framing capabilities).
 */

import type { AccmValue, CallErrorsValue, MessageTypeName, ResultCodeValue } from '../codec/types.js';

/** A Result Code AVP (RFC 2661 §4.4.2): result, optional error code, optional message. */
export type ResultCode = ResultCodeValue;

/** The Result/Error Code table (RFC 2661 §4.4.2) lives below the state machines, in the codec. */
export { CdnResult, ErrorCode, StopCcnResult } from '../codec/result-codes.js';

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
  readonly vendorName?: string;
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
  | { readonly type: 'ICCN'; readonly sessionId: number; readonly txConnectSpeed?: number; readonly framingType?: number }
  | { readonly type: 'OCRQ'; readonly sessionId: number; readonly assignedSessionId: number; readonly callSerialNumber: number }
  | { readonly type: 'OCRP'; readonly sessionId: number; readonly assignedSessionId: number }
  | { readonly type: 'OCCN'; readonly sessionId: number; readonly txConnectSpeed?: number; readonly framingType?: number }
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
  | { readonly type: 'peer-violation'; readonly sent: ResultCode }
  /** Our policy refused the peer's SCCRQ (access list, limits): `sent` is the StopCCN's result. */
  | { readonly type: 'refused'; readonly sent: ResultCode }
  /**
   * The peer started a new control connection from the same address, port and Assigned Tunnel ID
   * (it restarted): this one is stale and cleared without a StopCCN, which would reach the new one.
   */
  | { readonly type: 'superseded' };

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
  /** `wasUp`: this tunnel had a `tunnel-up` event (false: it failed or was refused during setup). */
  | { readonly type: 'tunnel-down'; readonly tunnelId: number; readonly peerTunnelId: number; readonly reason: TunnelDownReason; readonly wasUp: boolean }
  | { readonly type: 'session-up'; readonly tunnelId: number; readonly sessionId: number; readonly peerSessionId: number }
  /**
   * Every call that had `session-up` gets exactly one `session-down` with `wasUp` true; a call that
   * never came up (failed setup, refused ICRQ/OCRQ) gets one with `wasUp` false, so a count of live
   * calls moves only on `wasUp` true. `sessionId` is 0 for a call refused before we gave it an id.
   */
  | { readonly type: 'session-down'; readonly tunnelId: number; readonly sessionId: number; readonly peerSessionId: number; readonly reason: SessionDownReason; readonly wasUp: boolean }
  | { readonly type: 'wan-error-notify'; readonly tunnelId: number; readonly sessionId: number; readonly callErrors: CallErrors }
  | { readonly type: 'set-link-info'; readonly tunnelId: number; readonly sessionId: number; readonly accm: Accm }
  /**
   * A control message acknowledged but not acted on (see {@link IgnoredReason}); `count` is the
   * tunnel's running total. Raised for the 1st, 2nd, 4th, 8th ... such message of a tunnel, so a
   * peer repeating one cannot flood the log: the total is always in the tunnel's counters.
   */
  | { readonly type: 'message-ignored'; readonly tunnelId: number; readonly sessionId: number; readonly messageType: string | undefined; readonly reason: IgnoredReason; readonly count: number };

/**
 * Why a control message was acknowledged and not acted on: `unknown-session` — for a call the
 * tunnel does not hold (closed: our CDN reaches the peer reliably, RFC 2661 §5.8, so answering
 * again could only start a CDN exchange about nobody); `unreadable-session` — a call's message
 * refused whose call could not be read (a hidden id and no secret) and that opens no call;
 * `unrecognized-type` — a Message Type not recognized with its M bit clear (RFC 2661 §4.4.1: ignored).
 */
export type IgnoredReason = 'unknown-session' | 'unreadable-session' | 'unrecognized-type';
