/**
 * Replies of the l2tp family → plain data. Absent attributes stay `undefined` (older kernels omit
 * some); unknown ones are ignored.
 */
import type { AttrMap } from '../netlink/wire.js';
import { decodeAddress, L2tpAttr, L2tpEncapType, L2tpPwtype, L2tpStatsAttr } from './attrs.js';

/** Every counter of `L2TP_ATTR_STATS`. */
export interface L2tpStats {
  readonly txPackets: bigint;
  readonly txBytes: bigint;
  readonly txErrors: bigint;
  readonly rxPackets: bigint;
  readonly rxBytes: bigint;
  readonly rxSeqDiscards: bigint;
  readonly rxOosPackets: bigint;
  readonly rxErrors: bigint;
  readonly rxCookieDiscards: bigint;
  readonly rxInvalid: bigint;
}

/** A kernel tunnel as TUNNEL_GET describes it. */
export interface TunnelInfo {
  readonly tunnelId: number;
  readonly peerTunnelId: number;
  readonly version: number;
  readonly encap: 'udp' | 'ip' | undefined;
  readonly family: 4 | 6 | undefined;
  readonly localAddress: string | undefined;
  readonly peerAddress: string | undefined;
  readonly localPort: number | undefined;
  readonly peerPort: number | undefined;
  readonly udpChecksum: boolean | undefined;
  readonly stats: L2tpStats;
}

/** Name of a pseudowire type number. */
export type PseudowireName = 'none' | 'eth_vlan' | 'eth' | 'ppp' | 'pppac' | 'ip';

/** A kernel session as SESSION_GET describes it. */
export interface SessionInfo {
  readonly tunnelId: number;
  readonly peerTunnelId: number;
  readonly sessionId: number;
  readonly peerSessionId: number;
  readonly pseudowire: PseudowireName | undefined;
  readonly interfaceName: string | undefined;
  readonly cookie: Uint8Array | undefined;
  readonly peerCookie: Uint8Array | undefined;
  readonly sendSeq: boolean;
  readonly recvSeq: boolean;
  readonly lnsMode: boolean;
  readonly usingIpsec: boolean;
  readonly reorderTimeoutMs: number | undefined;
  readonly stats: L2tpStats;
}

const PW_NAMES = new Map<number, PseudowireName>([
  [L2tpPwtype.NONE, 'none'], [L2tpPwtype.ETH_VLAN, 'eth_vlan'], [L2tpPwtype.ETH, 'eth'],
  [L2tpPwtype.PPP, 'ppp'], [L2tpPwtype.PPP_AC, 'pppac'], [L2tpPwtype.IP, 'ip'],
]);

/** Parses a nested `L2TP_ATTR_STATS` (zeros when absent). */
export function parseStats(stats: AttrMap | undefined): L2tpStats {
  const g = (t: number): bigint => stats?.u64(t) ?? 0n;
  return {
    txPackets: g(L2tpStatsAttr.TX_PACKETS), txBytes: g(L2tpStatsAttr.TX_BYTES), txErrors: g(L2tpStatsAttr.TX_ERRORS),
    rxPackets: g(L2tpStatsAttr.RX_PACKETS), rxBytes: g(L2tpStatsAttr.RX_BYTES),
    rxSeqDiscards: g(L2tpStatsAttr.RX_SEQ_DISCARDS), rxOosPackets: g(L2tpStatsAttr.RX_OOS_PACKETS),
    rxErrors: g(L2tpStatsAttr.RX_ERRORS), rxCookieDiscards: g(L2tpStatsAttr.RX_COOKIE_DISCARDS),
    rxInvalid: g(L2tpStatsAttr.RX_INVALID),
  };
}

function required(a: AttrMap, type: number, what: string): number {
  const v = a.uint(type);
  if (v === undefined) throw new RangeError(`l2tp reply without ${what}`);
  return v;
}

/** Parses one TUNNEL_GET reply (or tunnel notification). */
export function parseTunnel(a: AttrMap): TunnelInfo {
  const encap = a.uint(L2tpAttr.ENCAP_TYPE);
  const v4 = a.bytes(L2tpAttr.IP_SADDR) !== undefined || a.bytes(L2tpAttr.IP_DADDR) !== undefined;
  const v6 = a.bytes(L2tpAttr.IP6_SADDR) !== undefined || a.bytes(L2tpAttr.IP6_DADDR) !== undefined;
  const addr = (t: number): string | undefined => {
    const b = a.bytes(t);
    return b === undefined ? undefined : decodeAddress(b);
  };
  const csum = a.uint(L2tpAttr.UDP_CSUM);
  return {
    tunnelId: required(a, L2tpAttr.CONN_ID, 'CONN_ID'),
    peerTunnelId: required(a, L2tpAttr.PEER_CONN_ID, 'PEER_CONN_ID'),
    version: required(a, L2tpAttr.PROTO_VERSION, 'PROTO_VERSION'),
    encap: encap === L2tpEncapType.UDP ? 'udp' : encap === L2tpEncapType.IP ? 'ip' : undefined,
    family: v4 ? 4 : v6 ? 6 : undefined,
    localAddress: addr(v6 ? L2tpAttr.IP6_SADDR : L2tpAttr.IP_SADDR),
    peerAddress: addr(v6 ? L2tpAttr.IP6_DADDR : L2tpAttr.IP_DADDR),
    localPort: a.uint(L2tpAttr.UDP_SPORT),
    peerPort: a.uint(L2tpAttr.UDP_DPORT),
    udpChecksum: csum === undefined ? undefined : csum !== 0,
    stats: parseStats(a.nested(L2tpAttr.STATS)),
  };
}

/** Parses one SESSION_GET reply (or session notification). */
export function parseSession(a: AttrMap): SessionInfo {
  const pw = a.uint(L2tpAttr.PW_TYPE);
  const timeout = a.u64(L2tpAttr.RECV_TIMEOUT);
  const flag = (t: number): boolean => (a.uint(t) ?? 0) !== 0;
  const bytes = (t: number): Uint8Array | undefined => {
    const b = a.bytes(t);
    return b === undefined || b.length === 0 ? undefined : new Uint8Array(b);
  };
  return {
    tunnelId: required(a, L2tpAttr.CONN_ID, 'CONN_ID'),
    peerTunnelId: a.uint(L2tpAttr.PEER_CONN_ID) ?? 0,
    sessionId: required(a, L2tpAttr.SESSION_ID, 'SESSION_ID'),
    peerSessionId: a.uint(L2tpAttr.PEER_SESSION_ID) ?? 0,
    pseudowire: pw === undefined ? undefined : PW_NAMES.get(pw),
    interfaceName: a.string(L2tpAttr.IFNAME),
    cookie: bytes(L2tpAttr.COOKIE),
    peerCookie: bytes(L2tpAttr.PEER_COOKIE),
    sendSeq: flag(L2tpAttr.SEND_SEQ),
    recvSeq: flag(L2tpAttr.RECV_SEQ),
    lnsMode: flag(L2tpAttr.LNS_MODE),
    usingIpsec: flag(L2tpAttr.USING_IPSEC),
    reorderTimeoutMs: timeout === undefined ? undefined : Number(timeout),
    stats: parseStats(a.nested(L2tpAttr.STATS)),
  };
}
