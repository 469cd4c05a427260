/**
 * The data-plane port: what the {@link https://www.rfc-editor.org/rfc/rfc2661 L2TP} library asks of the
 * system below it (go-l2tp's `DataPlane`, mdlayher's `Socket`). `@l2tp/netlink` implements it against
 * the Linux kernel; `nullDataPlane` (in this package) implements it with plain UDP sockets and no
 * kernel objects, for tests and `kl2tpd -null`.
 *
 * Rules: every method is async and rejects with an Error whose `name` says what failed (for the
 * netlink implementation, `NetlinkError`); nothing here knows about the control protocol.
 * Ids are always named in pairs (`tunnelId`/`peerTunnelId`), as in `include/uapi/linux/l2tp.h`.
 */

/** An IP endpoint: address literal (no brackets for IPv6) and port (0 for IP encapsulation). */
export interface SocketAddress {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
}

/** Encapsulation of a tunnel: UDP (v2 and v3) or IP protocol 115 (v3 only, RFC 3931 §4.1.1). */
export type Encap = 'udp' | 'ip';

/** Pseudowire type of a session (`L2TP_PWTYPE_*`). */
export type Pseudowire = 'ppp' | 'eth' | 'pppac';

/** L2-Specific Sublayer (RFC 3931 §4.6): none, or the default 4-byte sublayer. */
export type L2SpecType = 'none' | 'default';

/**
 * A tunnel's control socket: bound, later connected to the peer, its fd handed to the kernel as
 * `L2TP_ATTR_FD` for managed tunnels. Control packets keep arriving through `onDatagram`; data
 * packets are consumed by the kernel once the tunnel exists.
 */
export interface ControlSocket {
  /** OS file descriptor for `L2TP_ATTR_FD`; `undefined` when the socket has none (null data plane). */
  readonly fd: number | undefined;
  /** Local address the socket is bound to (the ephemeral port resolved). */
  readonly local: SocketAddress;
  /**
   * Sends one datagram; to the connected peer when `to` is omitted. Does not retain `bytes`.
   * `from` (a socket opened with `packetInfo`, not connected) is the source address to send from:
   * the local address a datagram of that peer arrived on (IP_PKTINFO / IPV6_PKTINFO `ipi_spec_dst`).
   * Sockets without packet info ignore it; the kernel's route then picks the source.
   */
  send(bytes: Uint8Array, to?: SocketAddress, from?: SocketAddress): void;
  /** Connects to `peer` so that only its datagrams arrive and sends default to it. */
  connect(peer: SocketAddress): Promise<void>;
  /**
   * Registers the single receiver of incoming datagrams. `local` is the address (and the socket's
   * port) the datagram was sent to, given only by a socket opened with `packetInfo` on a wildcard
   * address; otherwise `undefined` (the socket's bound address is the only one).
   */
  onDatagram(receiver: (bytes: Uint8Array, from: SocketAddress, local?: SocketAddress) => void): void;
  /** Closes the socket; for a managed tunnel this also makes the kernel delete the tunnel. Idempotent. */
  close(): void;
}

/** Options for {@link DataPlane.openControlSocket}. */
export interface ControlSocketOptions {
  readonly family: 4 | 6;
  readonly encap: Encap;
  /** Address to bind; wildcard and ephemeral port when omitted. */
  readonly local?: SocketAddress;
  /** For IP encapsulation: the connection id to bind (`sockaddr_l2tpip.l2tp_conn_id`); 0 listens for SCCRQ. */
  readonly tunnelId?: number;
  /** Sets SO_REUSEADDR so that an LNS can run per-tunnel sockets on its listening port. */
  readonly reuseAddress?: boolean;
  /**
   * For a UDP socket bound to the wildcard (`0.0.0.0`, `::`): report each datagram's destination
   * address and let `send` pick the source address (IP_PKTINFO, IPV6_RECVPKTINFO), so that an LNS
   * on a multi-homed host answers from the address it was dialled on. A data plane that cannot
   * (the plain null data plane) ignores it and reports no destination.
   */
  readonly packetInfo?: boolean;
}

/** What the kernel needs to create a tunnel. `socket` given: managed; omitted: unmanaged (static). */
export interface TunnelSpec {
  readonly tunnelId: number;
  readonly peerTunnelId: number;
  readonly version: 2 | 3;
  readonly encap: Encap;
  readonly local: SocketAddress;
  readonly peer: SocketAddress;
  /** Managed tunnel: the control socket whose fd the kernel adopts. */
  readonly socket?: ControlSocket;
  /** Unmanaged UDP over IPv4: compute UDP checksums on transmit (`L2TP_ATTR_UDP_CSUM`). */
  readonly udpChecksum?: boolean;
}

/** What the kernel needs to create a session in an existing tunnel. */
export interface SessionSpec {
  readonly tunnelId: number;
  readonly peerTunnelId: number;
  readonly sessionId: number;
  readonly peerSessionId: number;
  readonly pseudowire: Pseudowire;
  /** Our cookie, 4 or 8 bytes (`L2TP_ATTR_COOKIE`). */
  readonly cookie?: Uint8Array;
  /** The peer's cookie, 4 or 8 bytes (`L2TP_ATTR_PEER_COOKIE`, not COOKIE as go-l2tp sends it). */
  readonly peerCookie?: Uint8Array;
  readonly l2specType: L2SpecType;
  /** Send and require sequence numbers on data packets. */
  readonly seqnum: boolean;
  readonly reorderTimeoutMs: number;
  readonly interfaceName?: string;
  readonly mtu?: number;
  /** LNS mode for v2 data sequencing (RFC 2661 §5.4). */
  readonly lnsMode?: boolean;
}

/** Data counters of a kernel tunnel or session (`L2TP_ATTR_STATS`). */
export interface DataPlaneStats {
  readonly txPackets: bigint;
  readonly txBytes: bigint;
  readonly txErrors: bigint;
  readonly rxPackets: bigint;
  readonly rxBytes: bigint;
  readonly rxErrors: bigint;
}

/** A kernel session (or its null stand-in). */
export interface SessionDataPlane {
  /** Interface the kernel made for an Ethernet pseudowire (`l2tpeth0`), when there is one. */
  readonly interfaceName: string | undefined;
  /** Reads the kernel's data counters (SESSION_GET). */
  stats(): Promise<DataPlaneStats>;
  /** Deletes the session from the kernel. Idempotent. */
  down(): Promise<void>;
}

/** A kernel tunnel (or its null stand-in). */
export interface TunnelDataPlane {
  /** Creates a session in this tunnel. */
  createSession(spec: SessionSpec): Promise<SessionDataPlane>;
  /** Reads the kernel's data counters (TUNNEL_GET). */
  stats(): Promise<DataPlaneStats>;
  /** Deletes the tunnel (and with it every session) from the kernel. Idempotent. */
  down(): Promise<void>;
}

/**
 * A kernel object deleted by someone else (`ip l2tp del`, another daemon), or `resync` when
 * notifications were lost. A hint: the receiver confirms before acting (a deletion it made itself
 * arrives too, possibly after the object was made again).
 */
export type KernelChange =
  | { readonly kind: 'tunnel-deleted'; readonly tunnelId: number }
  | { readonly kind: 'session-deleted'; readonly tunnelId: number; readonly sessionId: number }
  | { readonly kind: 'resync' };

/**
 * An interface's state changed (rtnetlink link notifications): `up` is administratively up with
 * carrier; `deleted` when it is gone. An L2TPv3 pseudowire's interface is its attachment circuit
 * here: a change goes to the peer as SLI (RFC 3931 §5.4.5).
 */
export interface LinkChange {
  readonly interfaceName: string;
  readonly up: boolean;
  readonly deleted: boolean;
}

/** The system below the L2TP library: sockets plus kernel tunnels and sessions. */
export interface DataPlane {
  /** Opens and binds a control socket (UDP, or L2TP/IP for `encap: 'ip'`), close-on-exec. */
  openControlSocket(options: ControlSocketOptions): Promise<ControlSocket>;
  /** Creates a kernel tunnel, managed when `spec.socket` is set. */
  createTunnel(spec: TunnelSpec): Promise<TunnelDataPlane>;
  /**
   * Subscribes to deletions of kernel objects (the l2tp multicast group); returns how to stop.
   * Absent: the data plane cannot tell (the null data plane has no kernel objects to lose).
   */
  watch?(listener: (change: KernelChange) => void): () => void;
  /** Subscribes to interface state changes; returns how to stop. Absent: the data plane cannot tell. */
  watchLinks?(listener: (change: LinkChange) => void): () => void;
  /** Releases what the data plane holds (netlink sockets). Does not delete tunnels. */
  close(): Promise<void>;
}
