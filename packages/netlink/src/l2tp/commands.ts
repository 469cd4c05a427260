/**
 * Typed L2TP commands → requests. Range and consistency checks that the kernel would answer with a
 * bare EINVAL (or silently accept, as go-l2tp's 16-bit v2 ids) are made here, before any FFI call.
 */
import { attr, L2tpEncapType, L2tpL2specType, L2tpPwtype, type L2tpAttrValue } from './attrs.js';
import { dumpRequest, request, type GenlRequest } from './request.js';

/** An address and port (port 0 for IP encapsulation). */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/** TUNNEL_CREATE. `fd` given: managed (the kernel adopts the socket); else unmanaged from addresses. */
export interface TunnelCreate {
  readonly tunnelId: number;
  readonly peerTunnelId: number;
  readonly version: 2 | 3;
  readonly encap: 'udp' | 'ip';
  /** Managed: the bound (and for UDP connected) socket the kernel adopts. */
  readonly fd?: number;
  /** Unmanaged: address family and both ends. */
  readonly family?: 4 | 6;
  readonly local?: Endpoint;
  readonly peer?: Endpoint;
  /** Unmanaged UDP over IPv4: checksum transmitted datagrams (`L2TP_ATTR_UDP_CSUM`). */
  readonly udpChecksum?: boolean;
  /** Unmanaged UDP over IPv6: send zero checksums (RFC 6935). */
  readonly udpZeroChecksum6Tx?: boolean;
  /** Unmanaged UDP over IPv6: accept zero checksums. */
  readonly udpZeroChecksum6Rx?: boolean;
}

/** SESSION_CREATE. */
export interface SessionCreate {
  readonly tunnelId: number;
  readonly peerTunnelId: number;
  readonly sessionId: number;
  readonly peerSessionId: number;
  /** Tunnel version: v2 ids are 16 bits and its pseudowires PPP only. */
  readonly version: 2 | 3;
  readonly pseudowire: 'ppp' | 'eth' | 'pppac';
  readonly cookie?: Uint8Array;
  readonly peerCookie?: Uint8Array;
  readonly l2specType?: 'none' | 'default';
  readonly sendSeq?: boolean;
  readonly recvSeq?: boolean;
  readonly lnsMode?: boolean;
  readonly reorderTimeoutMs?: number;
  readonly interfaceName?: string;
  readonly mtu?: number;
}

/** SESSION_MODIFY / TUNNEL_MODIFY fields the kernel lets change. */
export interface SessionModify {
  readonly tunnelId: number;
  readonly sessionId: number;
  readonly sendSeq?: boolean;
  readonly recvSeq?: boolean;
  readonly lnsMode?: boolean;
  readonly reorderTimeoutMs?: number;
}

const PWTYPE = { ppp: L2tpPwtype.PPP, eth: L2tpPwtype.ETH, pppac: L2tpPwtype.PPP_AC } as const;

function checkId(what: string, id: number, version: 2 | 3): void {
  const max = version === 2 ? 0xffff : 0xffffffff;
  // RFC 2661 §3.1 / RFC 3931 §3.2.1: id 0 is reserved (a message to a not-yet-assigned peer).
  if (!Number.isInteger(id) || id < 1 || id > max) throw new RangeError(`${what} ${id} is not a valid L2TPv${version} id (1..${max})`);
}

function checkCookie(what: string, c: Uint8Array | undefined): void {
  // RFC 3931 §4.1: the cookie is 0, 32 or 64 bits.
  if (c !== undefined && c.length !== 4 && c.length !== 8) throw new RangeError(`${what} must be 4 or 8 bytes, not ${c.length}`);
}

/** TUNNEL_CREATE request, managed or unmanaged. */
export function tunnelCreateRequest(t: TunnelCreate): GenlRequest {
  checkId('tunnelId', t.tunnelId, t.version);
  checkId('peerTunnelId', t.peerTunnelId, t.version);
  if (t.version === 2 && t.encap !== 'udp') throw new RangeError('L2TPv2 runs over UDP only (RFC 2661 §8.1)');
  const attrs: L2tpAttrValue[] = [
    attr('CONN_ID', t.tunnelId), attr('PEER_CONN_ID', t.peerTunnelId), attr('PROTO_VERSION', t.version),
    attr('ENCAP_TYPE', t.encap === 'udp' ? L2tpEncapType.UDP : L2tpEncapType.IP),
  ];
  if (t.fd !== undefined) {
    if (t.local !== undefined || t.peer !== undefined) throw new RangeError('a managed tunnel (fd) takes no addresses');
    if (!Number.isInteger(t.fd) || t.fd < 0) throw new RangeError(`fd ${t.fd} is not a file descriptor`);
    attrs.push(attr('FD', t.fd));
    return request('TUNNEL_CREATE', attrs);
  }
  if (t.local === undefined || t.peer === undefined || t.family === undefined) {
    throw new RangeError('an unmanaged tunnel needs family, local and peer (or an fd for a managed one)');
  }
  if (t.family === 4) attrs.push(attr('IP_SADDR', t.local.address), attr('IP_DADDR', t.peer.address));
  else attrs.push(attr('IP6_SADDR', t.local.address), attr('IP6_DADDR', t.peer.address));
  if (t.encap === 'udp') {
    attrs.push(attr('UDP_SPORT', t.local.port), attr('UDP_DPORT', t.peer.port));
    if (t.family === 4) attrs.push(attr('UDP_CSUM', t.udpChecksum === true ? 1 : 0));
    if (t.udpZeroChecksum6Tx === true) attrs.push(attr('UDP_ZERO_CSUM6_TX', true));
    if (t.udpZeroChecksum6Rx === true) attrs.push(attr('UDP_ZERO_CSUM6_RX', true));
  }
  return request('TUNNEL_CREATE', attrs);
}

/** TUNNEL_DELETE request. */
export function tunnelDeleteRequest(tunnelId: number): GenlRequest {
  return request('TUNNEL_DELETE', [attr('CONN_ID', tunnelId)]);
}

/** TUNNEL_MODIFY request (the kernel's only modifiable tunnel field is the obsolete debug mask). */
export function tunnelModifyRequest(tunnelId: number, debug = 0): GenlRequest {
  return request('TUNNEL_MODIFY', [attr('CONN_ID', tunnelId), attr('DEBUG', debug)]);
}

/** TUNNEL_GET for one tunnel, or a dump of all when `tunnelId` is omitted. */
export function tunnelGetRequest(tunnelId?: number): GenlRequest {
  return tunnelId === undefined ? dumpRequest('TUNNEL_GET') : request('TUNNEL_GET', [attr('CONN_ID', tunnelId)]);
}

/** SESSION_CREATE request; the peer cookie goes in `L2TP_ATTR_PEER_COOKIE` (go-l2tp sends it as COOKIE). */
export function sessionCreateRequest(s: SessionCreate): GenlRequest {
  checkId('tunnelId', s.tunnelId, s.version);
  checkId('peerTunnelId', s.peerTunnelId, s.version);
  checkId('sessionId', s.sessionId, s.version);
  checkId('peerSessionId', s.peerSessionId, s.version);
  checkCookie('cookie', s.cookie);
  checkCookie('peerCookie', s.peerCookie);
  if (s.version === 2 && s.pseudowire === 'eth') throw new RangeError('L2TPv2 carries PPP only: pseudowire must be ppp or pppac');
  if (s.version === 2 && (s.cookie !== undefined || s.peerCookie !== undefined)) throw new RangeError('cookies are L2TPv3 only (RFC 3931 §4.1)');
  if (s.interfaceName !== undefined && (s.interfaceName.length === 0 || Buffer.byteLength(s.interfaceName) > 15)) {
    throw new RangeError(`interface name "${s.interfaceName}" must be 1..15 bytes (IFNAMSIZ)`);
  }
  const attrs: L2tpAttrValue[] = [
    attr('CONN_ID', s.tunnelId), attr('PEER_CONN_ID', s.peerTunnelId),
    attr('SESSION_ID', s.sessionId), attr('PEER_SESSION_ID', s.peerSessionId),
    attr('PW_TYPE', PWTYPE[s.pseudowire]),
  ];
  if (s.version === 3) {
    const l2spec = s.l2specType ?? 'default';
    attrs.push(attr('L2SPEC_TYPE', l2spec === 'none' ? L2tpL2specType.NONE : L2tpL2specType.DEFAULT),
      attr('L2SPEC_LEN', l2spec === 'none' ? 0 : 4));
  }
  if (s.cookie !== undefined) attrs.push(attr('COOKIE', s.cookie));
  if (s.peerCookie !== undefined) attrs.push(attr('PEER_COOKIE', s.peerCookie));
  if (s.sendSeq !== undefined) attrs.push(attr('SEND_SEQ', s.sendSeq ? 1 : 0));
  if (s.recvSeq !== undefined) attrs.push(attr('RECV_SEQ', s.recvSeq ? 1 : 0));
  if (s.lnsMode !== undefined) attrs.push(attr('LNS_MODE', s.lnsMode ? 1 : 0));
  if (s.reorderTimeoutMs !== undefined && s.reorderTimeoutMs > 0) attrs.push(attr('RECV_TIMEOUT', s.reorderTimeoutMs));
  if (s.interfaceName !== undefined) attrs.push(attr('IFNAME', s.interfaceName));
  if (s.mtu !== undefined) attrs.push(attr('MTU', s.mtu));
  return request('SESSION_CREATE', attrs);
}

/** SESSION_DELETE request. */
export function sessionDeleteRequest(tunnelId: number, sessionId: number): GenlRequest {
  return request('SESSION_DELETE', [attr('CONN_ID', tunnelId), attr('SESSION_ID', sessionId)]);
}

/** SESSION_MODIFY request: sequencing, LNS mode and reorder timeout. */
export function sessionModifyRequest(m: SessionModify): GenlRequest {
  const attrs: L2tpAttrValue[] = [attr('CONN_ID', m.tunnelId), attr('SESSION_ID', m.sessionId)];
  if (m.sendSeq !== undefined) attrs.push(attr('SEND_SEQ', m.sendSeq ? 1 : 0));
  if (m.recvSeq !== undefined) attrs.push(attr('RECV_SEQ', m.recvSeq ? 1 : 0));
  if (m.lnsMode !== undefined) attrs.push(attr('LNS_MODE', m.lnsMode ? 1 : 0));
  if (m.reorderTimeoutMs !== undefined) attrs.push(attr('RECV_TIMEOUT', m.reorderTimeoutMs));
  return request('SESSION_MODIFY', attrs);
}

/** SESSION_GET for one session, or a dump of every session (of every tunnel) when ids are omitted. */
export function sessionGetRequest(tunnelId?: number, sessionId?: number): GenlRequest {
  if (tunnelId === undefined || sessionId === undefined) return dumpRequest('SESSION_GET');
  return request('SESSION_GET', [attr('CONN_ID', tunnelId), attr('SESSION_ID', sessionId)]);
}
