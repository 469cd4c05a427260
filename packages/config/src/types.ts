/**
 * The typed result of parsing: a deeply frozen {@link Config} with every default applied, so no
 * daemon code writes `?? default`. Field names follow the data-plane contract of `@l2tp/control`
 * (`tunnelId`/`peerTunnelId`, `Encap`, `Pseudowire`, `L2SpecType`); each field's TOML key is named
 * in its doc. Tunnels and sessions keep file order.
 */
import type { Endpoint } from './endpoint.js';

/** Encapsulation of a tunnel (TOML `encap`); same union as `Encap` in `@l2tp/control`. */
export type Encap = 'udp' | 'ip';

/**
 * Pseudowire type of a session (TOML `pseudowire`): `Pseudowire` of `@l2tp/control`, plus
 * `eth_vlan` (RFC 4719 Ethernet VLAN, negotiated in dynamic L2TPv3 tunnels only; the kernel carries
 * it as an Ethernet session).
 */
export type Pseudowire = 'ppp' | 'eth' | 'eth_vlan' | 'pppac';

/**
 * How a tunnel runs (TOML `mode`): `static` (kernel objects only, no control channel), `quiescent`
 * (a control channel of HELLOs with configured ids), `dynamic` (full control connection: ids,
 * cookies and sessions negotiated; every l2tpv2 tunnel).
 */
export type TunnelMode = 'static' | 'quiescent' | 'dynamic';

/** L2-Specific Sublayer (TOML `l2spec_type`); same union as `L2SpecType` in `@l2tp/control`. */
export type L2SpecType = 'none' | 'default';

/** Framing capabilities advertised in SCCRQ (TOML `framing_caps`, RFC 2661 §4.4.3). */
export interface FramingCaps {
  readonly sync: boolean;
  readonly async: boolean;
}

/** One `[tunnel.NAME.session.NAME]` table with defaults applied. */
export interface SessionConfig<S = Record<never, never>> {
  /** The table name (`s1` in `[tunnel.t1.session.s1]`). */
  readonly name: string;
  /** `sid`: our session id; 0 means "allocate" (l2tpv2 dynamic sessions only). */
  readonly sessionId: number;
  /** `psid`: the peer's session id; 0 means "learnt from the peer" (l2tpv2). */
  readonly peerSessionId: number;
  /** `pseudowire`. Required. */
  readonly pseudowire: Pseudowire;
  /** `seqnum`: send and require data sequence numbers (default false). */
  readonly seqnum: boolean;
  /** `reorder_timeout` in ms (default 0: no reordering). */
  readonly reorderTimeoutMs: number;
  /** `cookie`: 4 or 8 bytes, l2tpv3 only. Typed arrays cannot be frozen: do not modify. */
  readonly cookie: Uint8Array | undefined;
  /** `peer_cookie`: 4 or 8 bytes, l2tpv3 only. Typed arrays cannot be frozen: do not modify. */
  readonly peerCookie: Uint8Array | undefined;
  /** `interface_name`: kernel interface name (eth), or the PPPoE interface (pppac). */
  readonly interfaceName: string | undefined;
  /** `l2spec_type` (default `'none'`, as in go-l2tp). */
  readonly l2specType: L2SpecType;
  /** `pppoe_session_id` (pppac only; 0 otherwise). */
  readonly pppoeSessionId: number;
  /** `pppoe_peer_mac`: 6 bytes (pppac only). */
  readonly pppoePeerMac: Uint8Array | undefined;
  /** Values of the app's extension keys for sessions. */
  readonly ext: S;
}

/** One `[tunnel.NAME]` table with defaults applied. */
export interface TunnelConfig<T = Record<never, never>, S = Record<never, never>> {
  /** The table name (`t1` in `[tunnel.t1]`). */
  readonly name: string;
  /** `version`: `"l2tpv2"` → 2, `"l2tpv3"` → 3. Required. */
  readonly version: 2 | 3;
  /**
   * `mode`. Default: `dynamic` for l2tpv2; for l2tpv3 `quiescent` when `hello_timeout` is set,
   * else `static` (as before the key existed).
   */
  readonly mode: TunnelMode;
  /** `encap` (default `'udp'`); `'ip'` only with l2tpv3. */
  readonly encap: Encap;
  /** `local`; undefined lets a dynamic (l2tpv2) tunnel bind a wildcard address and ephemeral port. */
  readonly local: Endpoint | undefined;
  /** `peer`. Required. */
  readonly peer: Endpoint;
  /** `tid`: our tunnel id; 0 means "allocate" (l2tpv2 only). */
  readonly tunnelId: number;
  /** `ptid`: the peer's tunnel id; 0 for l2tpv2 (learnt from SCCRP). */
  readonly peerTunnelId: number;
  /** `window_size`: our receive window in messages (default 4). */
  readonly windowSize: number;
  /** `hello_timeout` in ms (default 0: no HELLO). */
  readonly helloTimeoutMs: number;
  /** `retry_timeout` in ms: first retransmission timeout (default 1000). */
  readonly retryTimeoutMs: number;
  /** `max_retries` (default 5, RFC 2661 §5.8; go-l2tp's default is 3). */
  readonly maxRetries: number;
  /** `host_name` (default: the OS host name). */
  readonly hostName: string;
  /** `framing_caps` (default both sync and async). */
  readonly framingCaps: FramingCaps;
  /** Sessions in file order. */
  readonly sessions: readonly SessionConfig<S>[];
  /** Values of the app's extension keys for tunnels. */
  readonly ext: T;
}

/** A whole config file: tunnels in file order and the app's top-level extension keys. */
export interface Config<G = Record<never, never>, T = Record<never, never>, S = Record<never, never>> {
  readonly tunnels: readonly TunnelConfig<T, S>[];
  /** Values of the app's top-level extension keys. */
  readonly ext: G;
}
