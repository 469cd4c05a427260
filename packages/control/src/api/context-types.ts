/**
 * What the library API reports and accepts: snapshots of tunnels and sessions, the events a
 * program subscribes to, and the options of dynamic (LAC), accepted (LNS) and quiescent tunnels.
 * Pure types; the context that produces them lives in `src/node/context.ts`.
 */
import type { AcceptOptions } from '../engine/control-engine.js';
import type { MessageAuthCounters } from '../engine/message-auth.js';
import type { V3DigestOptions, V3PseudowireOptions } from '../engine/v3-config.js';
import type { IgnoredReason, ResultCode, SessionDownReason, TunnelDownReason } from '../fsm/types.js';
import type { NegotiatedPseudowire, V3ConnectionDownReason, V3SessionDownReason } from '../fsm/v3/types.js';
import type { Encap, Pseudowire, SessionDataPlane, SocketAddress } from './dataplane.js';

/** Control-connection settings shared by dialled and accepted tunnels (config key names in quotes). */
export interface ControlOptions {
  readonly hostName?: string;
  readonly secret?: string | Uint8Array;
  /**
   * `hide_avps`: hide the AVPs RFC 2661 §4.3 allows (ids, serial numbers, proxy data) behind a Random
   * Vector; needs `secret`. Never in SCCRQ, SCCRP or a StopCCN refusing an SCCRQ (xl2tpd finds the
   * secret only after the SCCRQ/SCCRP exchange).
   */
  readonly hideAvps?: boolean;
  /** `hello_timeout`: idle time before HELLO; 0 disables. Default: 0 for dialled tunnels, 60 000 ms for an LNS listener. */
  readonly helloIntervalMs?: number;
  /** `retry_timeout`: first retransmission timeout. Default 1000 ms. */
  readonly retryTimeoutMs?: number;
  /** `max_retries`. Default 5. */
  readonly maxRetries?: number;
  /** `window_size`: our receive window. Default 4. */
  readonly windowSize?: number;
}

/** Options of a tunnel we originate (LAC, RFC 2661 §7.2.1) or run quiescent (RFC 3931, ql2tpd). */
export interface TunnelOptions extends ControlOptions {
  /** A name for logs and snapshots (the config table name). */
  readonly name: string;
  readonly peer: SocketAddress;
  /** Local address to bind; wildcard and ephemeral port when omitted. */
  readonly local?: SocketAddress;
  /** 2 (dynamic) or 3 (quiescent only). Default 2. */
  readonly version?: 2 | 3;
  /** Our tunnel id; allocated when 0 or omitted (v2). */
  readonly tunnelId?: number;
  /** The peer's id, quiescent tunnels only. */
  readonly peerTunnelId?: number;
  /** Quiescent L2TPv3: HELLO and acknowledgements only. */
  readonly quiescent?: boolean;
  /** Encapsulation of a quiescent L2TPv3 tunnel (RFC 3931 §4.1): UDP (default) or IP protocol 115. */
  readonly encap?: Encap;
  /**
   * Quiescent only: a probe for a peer that went away. The control channel runs (HELLOs out, the
   * peer's acknowledged) but the kernel tunnel is made and `tunnel-up` emitted only once a control
   * message from the peer arrives.
   */
  readonly awaitPeer?: boolean;
}

/** Options of a static tunnel: no control connection, everything agreed out of band (RFC 3931 unmanaged). */
export interface StaticTunnelOptions {
  readonly name: string;
  readonly tunnelId: number;
  readonly peerTunnelId: number;
  readonly encap: Encap;
  readonly local: SocketAddress;
  readonly peer: SocketAddress;
  /** UDP checksums on transmit (IPv4 UDP only). */
  readonly udpChecksum?: boolean;
}

/** Options of a session we place (LAC incoming call). */
export interface SessionOptions {
  readonly name?: string;
  /** Our session id; allocated when 0 or omitted. */
  readonly sessionId?: number;
  readonly pseudowire?: Pseudowire;
  readonly seqnum?: boolean;
  readonly reorderTimeoutMs?: number;
  readonly interfaceName?: string;
  readonly mtu?: number;
}

/** Options of an LNS listener. */
export interface ListenOptions extends ControlOptions {
  readonly local: SocketAddress;
  /**
   * The admission policy (access list, tunnel and rate limits): the Result Code to refuse a
   * well-formed SCCRQ with, or undefined to accept it. A refused SCCRQ is answered with StopCCN
   * (RFC 2661 §4.1) and reported as a `tunnel-down` with reason `refused`. Default: accept all.
   */
  readonly admit?: AcceptOptions['admit'];
}

/** A tunnel as a snapshot: readable at any time. */
export interface TunnelInfo {
  readonly name: string;
  readonly tunnelId: number;
  readonly peerTunnelId: number;
  readonly role: 'lac' | 'lns';
  /** `dynamic`: full control connection; `quiescent`: HELLO only; `static`: no control connection. */
  readonly kind: 'dynamic' | 'quiescent' | 'static';
  readonly state: string;
  readonly peer: SocketAddress;
  readonly peerHostName: string | undefined;
  /** Why it last went down, once it has. */
  readonly lastResult: TunnelDownReason | undefined;
  /**
   * Control-channel counters (sent, received, retransmitted, HELLOs, messages ignored: see the
   * `message-ignored` event), while the engine holds the tunnel.
   */
  readonly control: { readonly sent: number; readonly received: number; readonly retransmitted: number; readonly hellosSent: number; readonly ignored: number } | undefined;
  readonly sessions: readonly SessionInfo[];
}

/** A session as a snapshot. */
export interface SessionInfo {
  readonly name: string | undefined;
  readonly tunnelId: number;
  readonly sessionId: number;
  readonly peerSessionId: number;
  readonly state: string;
  readonly lastResult: SessionDownReason | undefined;
}

/** A pseudowire of a dynamic L2TPv3 connection: what is negotiated, and the kernel session it becomes. */
export interface V3PseudowireConfig extends V3PseudowireOptions {
  /** A name for logs and snapshots (the config table name). */
  readonly name?: string;
  /** Name of the Ethernet interface the kernel makes (`l2tpeth%d` when omitted). */
  readonly interfaceName?: string;
  readonly mtu?: number;
  /** Reorder timeout of a sequenced session, ms. Default 0. */
  readonly reorderTimeoutMs?: number;
}

/**
 * A dynamic L2TPv3 control connection between two LCCEs (RFC 3931 §3.3): dialled with `dialV3`,
 * or answered when the peer dials (the `acceptV3` policy returns these for it).
 */
export interface V3ConnectionOptions {
  /** A name for logs, snapshots and events (the config table name). */
  readonly name: string;
  /** UDP (RFC 3931 §4.1.2.2) or IP protocol 115 (§4.1.1.2). */
  readonly encap: Encap;
  /** Our address: the control socket binds it (port 0 for IP). */
  readonly local: SocketAddress;
  readonly peer: SocketAddress;
  readonly hostName?: string;
  /** Router ID AVP (RFC 3931 §5.4.3), 32 bits; usually our IPv4 address as a number. */
  readonly routerId: number;
  /** Message Digest on every control message (RFC 3931 §4.3); omitted: none. */
  readonly digest?: V3DigestOptions;
  /** Idle time before HELLO (RFC 3931 §4.4); 0 disables. Default 60 000 ms. */
  readonly helloIntervalMs?: number;
  readonly retryTimeoutMs?: number;
  readonly maxRetries?: number;
  readonly windowSize?: number;
  readonly pseudowires: readonly V3PseudowireConfig[];
}

/** One negotiated pseudowire as a snapshot (cookie lengths, never their values). */
export interface V3PseudowireInfo {
  readonly name: string | undefined;
  readonly remoteEndId: string;
  readonly localSessionId: number;
  readonly remoteSessionId: number;
  readonly pwType: number;
  /** Length of the cookie we assigned (the peer sends it to us), 0, 4 or 8. */
  readonly cookieLength: number;
  /** Length of the cookie the peer assigned. */
  readonly peerCookieLength: number;
  readonly l2SpecificSublayer: number;
  readonly interfaceName: string | undefined;
  readonly state: 'established' | 'kernel-pending';
}

/** A dynamic L2TPv3 control connection as a snapshot. */
export interface V3ConnectionInfo {
  readonly name: string;
  readonly connectionId: number;
  readonly peerConnectionId: number;
  readonly role: 'initiator' | 'responder';
  readonly encap: Encap;
  readonly state: string;
  readonly peer: SocketAddress;
  readonly peerHostName: string | undefined;
  readonly peerRouterId: number | undefined;
  readonly control: { readonly sent: number; readonly received: number; readonly retransmitted: number; readonly hellosSent: number } | undefined;
  /** Message Digest: undefined when off, else what the gate verified and dropped. */
  readonly digest: Readonly<MessageAuthCounters> | undefined;
  readonly lastResult: V3ConnectionDownReason | undefined;
  readonly pseudowires: readonly V3PseudowireInfo[];
}

/** Events of the library context, by name. Every one names its tunnel. */
export interface ContextEvents {
  'tunnel-up': { readonly tunnel: TunnelInfo };
  /**
   * `wasUp`: the engine had reported the tunnel up (false: it failed or was refused during setup).
   * Always set by `L2tpContext`; optional so that hand-made events (tests) need not name it.
   */
  'tunnel-down': { readonly tunnel: TunnelInfo; readonly reason: TunnelDownReason; readonly wasUp?: boolean };
  'session-up': { readonly tunnel: TunnelInfo; readonly session: SessionInfo; readonly dataPlane: SessionDataPlane };
  /**
   * `wasUp`: the call had been established (false: it failed or was refused during setup), so a
   * count of live calls moves only when it is true. Always set by `L2tpContext` (see `tunnel-down`).
   */
  'session-down': { readonly tunnel: TunnelInfo; readonly session: SessionInfo; readonly reason: SessionDownReason; readonly wasUp?: boolean };
  'wan-error-notify': { readonly tunnelId: number; readonly sessionId: number; readonly callErrors: Record<string, number> };
  'set-link-info': { readonly tunnelId: number; readonly sessionId: number; readonly accm: { readonly sendAccm: number; readonly receiveAccm: number } };
  /**
   * A control message was acknowledged and not acted on (a call the tunnel does not hold, an
   * unreadable call id, an unrecognized type without the M bit). Raised for the 1st, 2nd, 4th ...
   * of a tunnel; `count` (and `tunnel.control.ignored`) is the running total.
   */
  'message-ignored': { readonly tunnel: TunnelInfo; readonly sessionId: number; readonly messageType: string | undefined; readonly reason: IgnoredReason; readonly count: number };
  /** The tunnel's state is gone; no further events for it. */
  'tunnel-released': { readonly tunnelId: number; readonly name: string };
  /**
   * The kernel deleted an object under us (`ip l2tp del`): a call's session (the call was cleared), a
   * connection's tunnel (the connection was closed), a static session of a quiescent tunnel (its
   * owner may make it again), or a static object that could not be made again (`error`).
   */
  'kernel-lost': { readonly tunnelId: number; readonly sessionId?: number; readonly error?: Error };
  /** A static kernel object deleted under us was made again. */
  'kernel-repaired': { readonly tunnelId: number; readonly sessionId?: number };
  /** A dynamic L2TPv3 control connection came up (its kernel tunnel made). */
  'connection-up': { readonly connection: V3ConnectionInfo };
  /** A dynamic L2TPv3 control connection went down (its kernel tunnel deleted); `wasUp` false: it never came up. */
  'connection-down': { readonly connection: V3ConnectionInfo; readonly reason: V3ConnectionDownReason; readonly wasUp: boolean };
  /** A negotiated pseudowire's kernel session exists (ids and cookies from the negotiation). */
  'pseudowire-up': { readonly connection: V3ConnectionInfo; readonly pseudowire: V3PseudowireInfo; readonly negotiated: NegotiatedPseudowire; readonly dataPlane: SessionDataPlane };
  'pseudowire-down': { readonly connection: V3ConnectionInfo; readonly localSessionId: number; readonly name: string | undefined; readonly reason: V3SessionDownReason; readonly wasUp: boolean };
  /** Our attachment circuit of a pseudowire (its interface) went down or up; the peer was sent SLI (RFC 3931 §5.4.5). */
  'circuit-changed': { readonly connection: V3ConnectionInfo; readonly name: string | undefined; readonly interfaceName: string; readonly active: boolean };
  /** The peer's attachment circuit of a pseudowire changed (SLI Circuit Status, RFC 3931 §5.4.5). */
  'pseudowire-circuit': { readonly connection: V3ConnectionInfo; readonly localSessionId: number; readonly active: boolean };
  /**
   * A v3 control message was discarded because its Message Digest did not verify (RFC 3931 §4.3).
   * `name`: the configured connection it was for, when known (a first SCCRQ names its peer only).
   */
  'message-dropped': { readonly name: string | undefined; readonly connectionId: number; readonly peer: SocketAddress | undefined; readonly reason: string; readonly messageType: string | undefined };
  /** A data-plane operation failed; the tunnel or session was closed with `result`. */
  'dataplane-error': { readonly tunnelId: number; readonly sessionId?: number; readonly error: Error; readonly result: ResultCode };
}

export type { NegotiatedPseudowire, V3ConnectionDownReason, V3SessionDownReason } from '../fsm/v3/types.js';
