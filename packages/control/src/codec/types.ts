/**
 * The codec's vocabulary: message type codes (RFC 2661 §3.2, RFC 3931 §3.1), decoded values, and
 * decode errors as values. Wire constants keep the RFC's spelling so grepping from the spec works.
 */
import type { ControlMessage } from './message.js';

export { MessageType, MESSAGE_TYPE_NAME, type MessageTypeName } from './message-spec.js';

/** The control message header (RFC 2661 §3.1 for v2; RFC 3931 §3.2.1 for v3). */
export interface ControlHeader {
  readonly version: 2 | 3;
  /** v2: the recipient's Tunnel ID (16 bits); v3: the recipient's Control Connection ID (32 bits). */
  readonly tunnelId: number;
  /** v2: the recipient's Session ID; always 0 in v3 control headers (the AVPs name sessions). */
  readonly sessionId: number;
  readonly ns: number;
  readonly nr: number;
}

/** A Result Code AVP value (RFC 2661 §4.4.2): a length-8 AVP has no Error Code. */
export interface ResultCodeValue {
  readonly result: number;
  readonly error?: number;
  readonly message?: string;
}

/** Q.931 Cause Code AVP value (RFC 2661 §4.4.10). */
export interface Q931Cause {
  readonly causeCode: number;
  readonly causeMessage: number;
  readonly advisory?: string;
}

/** Call Errors AVP value (RFC 2661 §4.4.6). */
export interface CallErrorsValue {
  readonly crcErrors: number;
  readonly framingErrors: number;
  readonly hardwareOverruns: number;
  readonly bufferOverruns: number;
  readonly timeoutErrors: number;
  readonly alignmentErrors: number;
}

/** ACCM AVP value (RFC 2661 §4.4.6). */
export interface AccmValue {
  readonly sendAccm: number;
  readonly receiveAccm: number;
}

/** Circuit Status AVP value (RFC 3931 §5.4.5): A(ctive) and N(ew) bits. */
export interface CircuitStatus {
  readonly active: boolean;
  readonly new: boolean;
}

/** Proxy Authen ID AVP value (RFC 2661 §4.4.5): the PPP authentication id octet. */
export interface ProxyAuthenId {
  readonly id: number;
}

/** An AVP the table does not know, kept whole (in order) for logs and re-encoding. */
export interface RawAvp {
  readonly mandatory: boolean;
  readonly hidden: boolean;
  readonly vendorId: number;
  readonly attrType: number;
  readonly value: Uint8Array;
  /**
   * The reserved flag bits as received (mask 0x3c00; RFC 2661 §4.1 and RFC 3931 §5.1 say to send
   * them as 0), present only when non-zero, so that an AVP skipped for them re-encodes as it came.
   */
  readonly reserved?: number;
}

/** Why bytes from a peer could not be used. A value to act on, never an exception. */
export type DecodeErrorCode =
  | 'truncated' | 'bad-header' | 'bad-version' | 'bad-length' | 'bad-avp-length' | 'first-avp-not-message-type'
  | 'unknown-message-type' | 'unknown-mandatory-avp' | 'missing-required-avp' | 'bad-avp-value'
  | 'hidden-without-secret' | 'hidden-without-random-vector' | 'bad-hidden-avp';

/** A decode failure: what, where (byte offset in the datagram), and what the RFC says to answer. */
export interface DecodeError {
  readonly code: DecodeErrorCode;
  readonly offset: number;
  readonly detail: string;
  /** The header, when it was readable (the engine still acknowledges the message). */
  readonly header?: ControlHeader;
  /** The message type, when it was readable. */
  readonly messageType?: number;
  /** The offending AVP's (vendor id, type), when one is at fault. */
  readonly avp?: { readonly vendorId: number; readonly attrType: number };
  /** Result/Error Code to answer with (StopCCN or CDN), when the RFC names one. */
  readonly answer?: ResultCodeValue;
  /** The Assigned Tunnel ID AVP if it was read (so a StopCCN can reach a peer we never heard from). */
  readonly assignedTunnelId?: number;
  /**
   * What the failure clears when answered: one session (CDN) for a session-scoped message type, the
   * control connection (StopCCN) otherwise (RFC 2661 §4.1 on the M bit). Absent when the type is unknown.
   */
  readonly scope?: 'tunnel' | 'session';
  /** The Assigned Session ID AVP (v3: Local Session ID) if it could be read, so a CDN can reach the peer's call. */
  readonly assignedSessionId?: number;
  /**
   * For `unknown-mandatory-avp`: the whole message as decoded (the unknown AVPs in `unknownAvps`),
   * so the answer can be scoped to its session and name its ids (RFC 3931 §5.2).
   */
  readonly message?: ControlMessage;
}

/** A decode result. */
export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: DecodeError };

/** Injected MD5 (the codec imports nothing from `node:*`). */
export type Md5 = (...parts: Uint8Array[]) => Uint8Array;

/** Injected keyed hash for the v3 Message Digest (HMAC-MD5 or HMAC-SHA-1). */
export type Hmac = (algorithm: 'md5' | 'sha1', key: Uint8Array, ...parts: Uint8Array[]) => Uint8Array;
