/**
 * The vocabulary of the L2TPv3 state machines (RFC 3931 §7): what they read from a peer message and
 * ask the engine to send, and the events a daemon acts on. Views, not wire formats: the engine maps
 * decoded codec messages to {@link V3Inbound} and {@link V3Outbound} to codec messages, adding what
 * comes from configuration (host name, router id, window, nonce, digest).
 */
import type { CircuitStatus, ResultCodeValue } from '../../codec/types.js';

/** A Result Code AVP (RFC 3931 §5.4.2). */
export type ResultCode = ResultCodeValue;

/** CDN result codes RFC 3931 §10.3 adds to RFC 2661's 1-11. */
export const V3CdnResult = {
  GENERAL_ERROR: 2, ADMIN: 3, INVALID_DESTINATION: 6,
  LOST_TIE_BREAKER: 13, UNSUPPORTED_PW_TYPE: 14, SEQUENCING_WITHOUT_L2SS: 15, FSM_ERROR: 16,
} as const;

/** Pseudowire types of the IANA registry this library negotiates (RFC 4719 Ethernet, RFC 3931 §10.6). */
export const PwType = { ETHERNET_VLAN: 0x0004, ETHERNET: 0x0005, PPP: 0x0007 } as const;

/** What SCCRQ and SCCRP tell about the sender (RFC 3931 §6.1-6.2). */
export interface V3SetupFields {
  readonly assignedConnectionId: number;
  readonly hostName?: string;
  readonly routerId?: number;
  readonly pwCapabilityList: readonly number[];
  /** Control Connection Tie Breaker (SCCRQ only), 8 octets. */
  readonly tieBreaker?: Uint8Array;
  /** Control Message Authentication Nonce: the peer enables the Message Digest (RFC 3931 §4.3). */
  readonly nonce?: Uint8Array;
}

/** What ICRQ and ICRP say about a pseudowire (RFC 3931 §6.6-6.7). */
export interface V3CallFields {
  readonly localSessionId: number;
  readonly remoteSessionId: number;
  readonly pwType?: number;
  readonly remoteEndId?: Uint8Array;
  readonly circuitStatus?: CircuitStatus;
  readonly cookie?: Uint8Array;
  readonly l2SpecificSublayer?: number;
  readonly dataSequencing?: number;
  /** Session Tie Breaker (ICRQ only), 8 octets. */
  readonly tieBreaker?: Uint8Array;
}

/** A peer message as the v3 machines see it. Session ids are from the sender's side (Local = theirs). */
export type V3Inbound =
  | ({ readonly type: 'SCCRQ' } & V3SetupFields)
  | ({ readonly type: 'SCCRP' } & V3SetupFields)
  | { readonly type: 'SCCCN' }
  | { readonly type: 'StopCCN'; readonly result: ResultCode }
  | { readonly type: 'HELLO' }
  | ({ readonly type: 'ICRQ'; readonly callSerialNumber: number } & V3CallFields)
  | ({ readonly type: 'ICRP' } & V3CallFields)
  | { readonly type: 'ICCN'; readonly localSessionId: number; readonly remoteSessionId: number }
  | { readonly type: 'CDN'; readonly localSessionId: number; readonly remoteSessionId: number; readonly result: ResultCode }
  | { readonly type: 'SLI'; readonly localSessionId: number; readonly remoteSessionId: number; readonly circuitStatus?: CircuitStatus }
  | { readonly type: 'WEN'; readonly localSessionId: number; readonly remoteSessionId: number };

/** A message the v3 machines ask the engine to send (session ids from our side: Local = ours). */
export type V3Outbound =
  | { readonly type: 'SCCRQ' }
  | { readonly type: 'SCCRP' }
  | { readonly type: 'SCCCN' }
  | { readonly type: 'StopCCN'; readonly result: ResultCode }
  | ({ readonly type: 'ICRQ'; readonly callSerialNumber: number } & V3CallFields)
  | ({ readonly type: 'ICRP' } & V3CallFields)
  | { readonly type: 'ICCN'; readonly localSessionId: number; readonly remoteSessionId: number }
  | { readonly type: 'CDN'; readonly localSessionId: number; readonly remoteSessionId: number; readonly result: ResultCode }
  | { readonly type: 'SLI'; readonly localSessionId: number; readonly remoteSessionId: number; readonly circuitStatus: CircuitStatus };

/** Why a control connection went down. `sent` is the StopCCN we sent, when we sent one. */
export type V3ConnectionDownReason =
  | { readonly type: 'peer-stopccn'; readonly result: ResultCode }
  | { readonly type: 'local-close'; readonly sent: ResultCode }
  | { readonly type: 'retransmit-exhausted' }
  | { readonly type: 'auth-failed'; readonly sent: ResultCode }
  | { readonly type: 'peer-violation'; readonly sent: ResultCode }
  /** Both ends opened at once and the peer's Control Connection Tie Breaker won (nothing sent). */
  | { readonly type: 'lost-tie' }
  /** The peer restarted: its new SCCRQ replaced this connection (nothing sent: a StopCCN would reach nobody). */
  | { readonly type: 'superseded' };

/** Why a pseudowire went down. */
export type V3SessionDownReason =
  | { readonly type: 'peer-cdn'; readonly result: ResultCode }
  | { readonly type: 'local-close'; readonly sent: ResultCode }
  | { readonly type: 'refused'; readonly sent: ResultCode }
  | { readonly type: 'lost-tie' }
  /** Closed before anything was sent for it. */
  | { readonly type: 'cancelled' }
  | { readonly type: 'connection-down' };

/** The negotiated parameters of an established pseudowire: what the kernel session needs. */
export interface NegotiatedPseudowire {
  readonly localSessionId: number;
  readonly remoteSessionId: number;
  readonly pwType: number;
  readonly remoteEndId: Uint8Array;
  /** The cookie we assigned (the peer puts it in packets to us); 0, 4 or 8 bytes. */
  readonly cookie: Uint8Array;
  /** The cookie the peer assigned (we put it in packets to it). */
  readonly peerCookie: Uint8Array;
  readonly l2SpecificSublayer: number;
  readonly dataSequencing: number;
}

/** Something a daemon acts on. */
export type V3Event =
  | { readonly type: 'connection-up'; readonly connectionId: number; readonly peerConnectionId: number; readonly peerHostName?: string; readonly peerRouterId?: number }
  | { readonly type: 'connection-down'; readonly connectionId: number; readonly peerConnectionId: number; readonly reason: V3ConnectionDownReason }
  | { readonly type: 'pw-up'; readonly connectionId: number; readonly pseudowire: NegotiatedPseudowire }
  /** A session ended; `remoteEndId` is the configured pseudowire's, absent for a call for an unknown Remote End ID. */
  | { readonly type: 'pw-down'; readonly connectionId: number; readonly localSessionId: number; readonly remoteSessionId: number; readonly upBefore: boolean; readonly reason: V3SessionDownReason; readonly remoteEndId?: Uint8Array }
  /** The peer's attachment circuit changed (Circuit Status in SLI, RFC 3931 §5.4.5). */
  | { readonly type: 'pw-circuit'; readonly connectionId: number; readonly localSessionId: number; readonly active: boolean }
  /** The peer reported circuit errors (WEN, accepted and passed on). */
  | { readonly type: 'pw-wan-error'; readonly connectionId: number; readonly localSessionId: number };

/**
 * Compares Tie Breaker AVP values (RFC 2661 §4.4.3, RFC 3931 §5.4.3-5.4.4): the lower value wins;
 * equal values lose on both sides; a side that sent none loses to one that did; none on either
 * side is no tie at all (both connections or sessions stand).
 */
export function tieWinner(ours: Uint8Array | undefined, theirs: Uint8Array | undefined): 'ours' | 'theirs' | 'both-lose' | 'none' {
  if (ours === undefined && theirs === undefined) return 'none';
  if (ours === undefined) return 'theirs';
  if (theirs === undefined) return 'ours';
  const n = Math.max(ours.length, theirs.length);
  for (let i = 0; i < n; i++) {
    const a = ours[i] ?? 0;
    const b = theirs[i] ?? 0;
    if (a !== b) return a < b ? 'ours' : 'theirs';
  }
  return 'both-lose';
}
