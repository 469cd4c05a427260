/**
 * The MTU ql2tpd gives a pseudowire interface when the session has no `mtu` key: the underlying
 * MTU minus every header the kernel puts around an inner frame, so a full-size frame never needs
 * fragmenting (go-l2tp leaves the kernel's default, which fragments on a 1500-byte path).
 */
import type { Ql2tpdSessionConfig, Ql2tpdTunnelConfig } from './config.js';

/** Outer IP header: IPv4 without options (RFC 791) or the IPv6 fixed header (RFC 8200). */
const IP_HEADER = { 4: 20, 6: 40 } as const;
const UDP_HEADER = 8;
/** Inner Ethernet header of an eth pseudowire (no VLAN tag). */
const ETH_HEADER = 14;
/** Default L2-Specific Sublayer (RFC 3931 §4.6). */
const L2SS_DEFAULT = 4;

/**
 * L2TPv3 data header bytes (RFC 3931 §4.1.2): over UDP a 4-byte flags/version/reserved word, then
 * the 4-byte Session ID and the cookie; over IP only the Session ID and the cookie.
 */
export function l2tpv3HeaderBytes(encap: 'udp' | 'ip', cookieLength: number): number {
  return (encap === 'udp' ? 4 : 0) + 4 + cookieLength;
}

/**
 * Everything added around a session's payload on the wire, in bytes. `family` is the resolved
 * peer's; a peer given by host name and not yet resolved counts as IPv6, the larger header, so the
 * MTU errs on the side that never fragments.
 */
export function encapsulationOverhead(
  tunnel: Ql2tpdTunnelConfig, session: Ql2tpdSessionConfig, family: 4 | 6 = tunnel.peer.family ?? 6,
): number {
  const outer = IP_HEADER[family] + (tunnel.encap === 'udp' ? UDP_HEADER : 0);
  const l2tp = l2tpv3HeaderBytes(tunnel.encap, session.cookie?.length ?? 0);
  const l2ss = session.l2specType === 'default' ? L2SS_DEFAULT : 0;
  const inner = session.pseudowire === 'eth' ? ETH_HEADER : 0;
  return outer + l2tp + l2ss + inner;
}

/** The session's MTU: its `mtu` key, or `underlyingMtu` minus the encapsulation overhead. */
export function sessionMtu(
  tunnel: Ql2tpdTunnelConfig, session: Ql2tpdSessionConfig, underlyingMtu = 1500, family?: 4 | 6,
): number {
  return session.ext.mtu ?? underlyingMtu - encapsulationOverhead(tunnel, session, family);
}
