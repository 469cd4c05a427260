/**
 * The engine's view of the wire: what it needs from the codec, in the state machines' vocabulary.
 * `codec-wire.ts` implements it over `src/codec`; tests may supply their own.
 */
import type { Inbound, MessageName, Outbound, ResultCode } from '../fsm/types.js';
import type { EnginePorts } from './config.js';

/** The header fields of a received control message (ids are ours: the header names the recipient). */
export interface WireHeader {
  readonly tunnelId: number;
  readonly sessionId: number;
  readonly ns: number;
  readonly nr: number;
}

/** A decoded datagram as the engine sees it. */
export type WireDecoded =
  /** ZLB (v2) or ACK (v3): acknowledges only. */
  | { readonly kind: 'zlb'; readonly header: WireHeader }
  | { readonly kind: 'message'; readonly header: WireHeader; readonly message: Inbound }
  /** A well-formed message the engine has no use for (unknown type without the M bit): acknowledged, ignored. */
  | { readonly kind: 'ignored'; readonly header: WireHeader }
  /**
   * A sequenced message that must be refused (unknown M-bit AVP, RFC 2661 §4.1; bad value; missing
   * AVP): acknowledged, then the session (CDN, `scope` 'session') or the tunnel (StopCCN) is cleared
   * with `result`.
   */
  | {
    readonly kind: 'rejected'; readonly header: WireHeader; readonly scope: 'tunnel' | 'session'; readonly result: ResultCode;
    /** The message type, when it was readable. */
    readonly messageType?: MessageName;
    /** The Assigned Tunnel ID AVP when it could be read, so a StopCCN can reach the peer. */
    readonly assignedTunnelId?: number;
    /** The Assigned Session ID AVP when it could be read, so a CDN can reach the peer's call. */
    readonly assignedSessionId?: number;
  }
  /** Not a control message we can read (bad header, data packet): discarded unacknowledged (RFC 2661 §7.1). */
  | { readonly kind: 'drop'; readonly reason: string };

/** What a message needs beyond the state machine's {@link Outbound}: our identity and settings. */
export interface EncodeContext {
  readonly version: 2 | 3;
  readonly tunnelId: number;
  readonly hostName: string;
  readonly receiveWindowSize: number;
  readonly framingCapabilities: number;
  readonly secret: Uint8Array | undefined;
  readonly hideAvps: boolean;
  readonly ports: EnginePorts;
}

/** Header fields of a message we send. */
export interface SendHeader {
  readonly peerTunnelId: number;
  readonly peerSessionId: number;
  readonly ns: number;
  readonly nr: number;
}

/** The codec as the engine uses it. */
export interface WireCodec {
  /** The recipient tunnel id in a control header, without decoding the rest; `undefined` if not control. */
  tunnelIdOf(bytes: Uint8Array): number | undefined;
  /**
   * Decodes one datagram into its messages, in order (several may share one, RFC 2661 §3.1); never
   * throws and never returns an empty list. `secret` unhides hidden AVPs.
   */
  decode(bytes: Uint8Array, secret: Uint8Array | undefined, md5: EnginePorts['md5']): readonly WireDecoded[];
  /** Encodes a message with its header. */
  encode(message: Outbound, header: SendHeader, ctx: EncodeContext): Uint8Array;
  /** A copy of an encoded message with a new Nr (retransmissions keep Ns, RFC 2661 §5.8). */
  withNr(bytes: Uint8Array, nr: number): Uint8Array;
  /** A ZLB (v2) or ACK (v3) acknowledgement. */
  ack(version: 2 | 3, peerTunnelId: number, ns: number, nr: number): Uint8Array;
}
