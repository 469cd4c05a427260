/**
 * The kernel's L2TP generic-netlink API, declared once. Mirrors include/uapi/linux/l2tp.h (numbers)
 * and the `l2tp_nl_policy` table of net/l2tp/l2tp_netlink.c (wire kinds); nothing else in the package
 * spells an attribute number.
 */
import { ipBytes, ipString } from '../ip.js';
import type { RawAttr } from '../netlink/wire.js';

/** Family name, version and multicast group (`L2TP_GENL_NAME`, `L2TP_GENL_VERSION`, `L2TP_GENL_MCGROUP`). */
export const L2TP_GENL = { NAME: 'l2tp', VERSION: 1, MCGROUP: 'l2tp' } as const;

/** `L2TP_CMD_*`. */
export const L2tpCmd = {
  NOOP: 0, TUNNEL_CREATE: 1, TUNNEL_DELETE: 2, TUNNEL_MODIFY: 3, TUNNEL_GET: 4,
  SESSION_CREATE: 5, SESSION_DELETE: 6, SESSION_MODIFY: 7, SESSION_GET: 8,
} as const;

/** Name of an L2TP command (`TUNNEL_CREATE`). */
export type L2tpCommandName = Exclude<keyof typeof L2tpCmd, 'NOOP'>;

/** `L2TP_ATTR_*`. */
export const L2tpAttr = {
  NONE: 0, PW_TYPE: 1, ENCAP_TYPE: 2, OFFSET: 3, DATA_SEQ: 4, L2SPEC_TYPE: 5, L2SPEC_LEN: 6,
  PROTO_VERSION: 7, IFNAME: 8, CONN_ID: 9, PEER_CONN_ID: 10, SESSION_ID: 11, PEER_SESSION_ID: 12,
  UDP_CSUM: 13, VLAN_ID: 14, COOKIE: 15, PEER_COOKIE: 16, DEBUG: 17, RECV_SEQ: 18, SEND_SEQ: 19,
  LNS_MODE: 20, USING_IPSEC: 21, RECV_TIMEOUT: 22, FD: 23, IP_SADDR: 24, IP_DADDR: 25,
  UDP_SPORT: 26, UDP_DPORT: 27, MTU: 28, MRU: 29, STATS: 30, IP6_SADDR: 31, IP6_DADDR: 32,
  UDP_ZERO_CSUM6_TX: 33, UDP_ZERO_CSUM6_RX: 34, PAD: 35,
} as const;

/** `L2TP_ATTR_*` nested in `L2TP_ATTR_STATS` (all u64). */
export const L2tpStatsAttr = {
  TX_PACKETS: 1, TX_BYTES: 2, TX_ERRORS: 3, RX_PACKETS: 4, RX_BYTES: 5, RX_SEQ_DISCARDS: 6,
  RX_OOS_PACKETS: 7, RX_ERRORS: 8, STATS_PAD: 9, RX_COOKIE_DISCARDS: 10, RX_INVALID: 11,
} as const;

/** `enum l2tp_pwtype`. */
export const L2tpPwtype = { NONE: 0x0000, ETH_VLAN: 0x0004, ETH: 0x0005, PPP: 0x0007, PPP_AC: 0x0008, IP: 0x000b } as const;
/** `enum l2tp_l2spec_type`. */
export const L2tpL2specType = { NONE: 0, DEFAULT: 1 } as const;
/** `enum l2tp_encap_type`. */
export const L2tpEncapType = { UDP: 0, IP: 1 } as const;

/**
 * Wire kinds. `in_addr`/`in6_addr` are network-order bytes (the kernel reads them with
 * `nla_get_in_addr`/`nla_get_in6_addr`); `msecs` is a u64 of milliseconds (NLA_MSECS); `flag` has no payload.
 */
export type AttrKind = 'u8' | 'u16' | 'u32' | 'msecs' | 'string' | 'bytes' | 'flag' | 'in_addr' | 'in6_addr' | 'nested';

/** Kind of each attribute, as the kernel's policy table checks it. */
export const L2TP_ATTR_KIND = {
  PW_TYPE: 'u16', ENCAP_TYPE: 'u16', OFFSET: 'u16', DATA_SEQ: 'u8', L2SPEC_TYPE: 'u8', L2SPEC_LEN: 'u8',
  PROTO_VERSION: 'u8', IFNAME: 'string', CONN_ID: 'u32', PEER_CONN_ID: 'u32', SESSION_ID: 'u32',
  PEER_SESSION_ID: 'u32', UDP_CSUM: 'u8', VLAN_ID: 'u16', COOKIE: 'bytes', PEER_COOKIE: 'bytes',
  DEBUG: 'u32', RECV_SEQ: 'u8', SEND_SEQ: 'u8', LNS_MODE: 'u8', USING_IPSEC: 'u8', RECV_TIMEOUT: 'msecs',
  FD: 'u32', IP_SADDR: 'in_addr', IP_DADDR: 'in_addr', UDP_SPORT: 'u16', UDP_DPORT: 'u16', MTU: 'u16',
  MRU: 'u16', STATS: 'nested', IP6_SADDR: 'in6_addr', IP6_DADDR: 'in6_addr', UDP_ZERO_CSUM6_TX: 'flag',
  UDP_ZERO_CSUM6_RX: 'flag',
} as const satisfies Partial<Record<keyof typeof L2tpAttr, AttrKind>>;

/** Name of an attribute that has a wire kind. */
export type L2tpAttrName = keyof typeof L2TP_ATTR_KIND;

/** TypeScript value of a wire kind. */
export type AttrValueOf<K extends AttrKind> =
  K extends 'u8' | 'u16' | 'u32' | 'msecs' ? number
    : K extends 'string' | 'in_addr' | 'in6_addr' ? string
      : K extends 'bytes' ? Uint8Array
        : K extends 'flag' ? true
          : never;

/** One typed attribute of a request, as plain data (`{ name: 'CONN_ID', value: 7 }`). */
export type L2tpAttrValue = {
  [N in L2tpAttrName]: { readonly name: N; readonly value: AttrValueOf<(typeof L2TP_ATTR_KIND)[N]> };
}[L2tpAttrName];

/** Builds a typed attribute; `attr('CONN_ID', 'x')` does not compile. */
export function attr<N extends L2tpAttrName>(name: N, value: AttrValueOf<(typeof L2TP_ATTR_KIND)[N]>): L2tpAttrValue {
  return { name, value } as L2tpAttrValue;
}

const LIMIT = { u8: 0xff, u16: 0xffff, u32: 0xffffffff } as const;

/** Encodes one typed attribute to its wire form, range-checking integers. */
export function encodeL2tpAttr(a: L2tpAttrValue): RawAttr {
  const kind: AttrKind = L2TP_ATTR_KIND[a.name];
  const type = L2tpAttr[a.name];
  const v = a.value;
  switch (kind) {
    case 'u8': case 'u16': case 'u32': {
      const n = v as number;
      if (!Number.isInteger(n) || n < 0 || n > LIMIT[kind]) throw new RangeError(`L2TP_ATTR_${a.name}: ${n} is not a ${kind}`);
      const b = Buffer.alloc(kind === 'u8' ? 1 : kind === 'u16' ? 2 : 4);
      if (kind === 'u8') b.writeUInt8(n); else if (kind === 'u16') b.writeUInt16LE(n); else b.writeUInt32LE(n);
      return { type, payload: b };
    }
    case 'msecs': {
      const n = v as number;
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`L2TP_ATTR_${a.name}: ${n} ms is not a duration`);
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt(n));
      return { type, payload: b };
    }
    case 'string': return { type, payload: Buffer.from(`${v as string}\0`, 'utf8') };
    case 'bytes': return { type, payload: v as Uint8Array };
    case 'flag': return { type, payload: new Uint8Array(0) };
    case 'in_addr': return { type, payload: ipBytes(v as string, 4) };
    case 'in6_addr': return { type, payload: ipBytes(v as string, 6) };
    case 'nested': throw new RangeError(`L2TP_ATTR_${a.name} is reply-only`);
  }
}

/** Decodes an address attribute payload back to its literal. */
export function decodeAddress(payload: Uint8Array): string {
  return ipString(payload);
}
