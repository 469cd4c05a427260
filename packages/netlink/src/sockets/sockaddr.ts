/**
 * Socket address structs as bytes, for the libc calls in sys/libc.ts. Layouts from
 * include/uapi/linux/in.h, in6.h, l2tp.h (sockaddr_l2tpip{,6}) and if_pppol2tp.h / if_pppox.h
 * (the packed sockaddr_pppol2tp variants; offsets checked with offsetof, ffi-feasibility §4).
 * Ports are network order; L2TP ids in these structs are host order.
 */
import { ipBytes, ipString } from '../ip.js';
import { Sock } from '../sys/libc.js';

/** `struct sockaddr_in` (16 bytes) or `struct sockaddr_in6` (28 bytes). */
export function sockaddrIp(family: 4 | 6, address: string, port: number): Buffer {
  if (family === 4) {
    const b = Buffer.alloc(16);
    b.writeUInt16LE(Sock.AF_INET, 0);
    b.writeUInt16BE(port, 2);
    ipBytes(address, 4).copy(b, 4);
    return b;
  }
  const b = Buffer.alloc(28);
  b.writeUInt16LE(Sock.AF_INET6, 0);
  b.writeUInt16BE(port, 2);
  ipBytes(address, 6).copy(b, 8);
  return b;
}

/** `struct sockaddr_l2tpip` (16 bytes) or `sockaddr_l2tpip6` (32 bytes): address and connection id. */
export function sockaddrL2tpIp(family: 4 | 6, address: string, connId: number): Buffer {
  if (family === 4) {
    const b = Buffer.alloc(16);
    b.writeUInt16LE(Sock.AF_INET, 0);
    ipBytes(address, 4).copy(b, 4);
    b.writeUInt32LE(connId, 8);
    return b;
  }
  const b = Buffer.alloc(32);
  b.writeUInt16LE(Sock.AF_INET6, 0);
  ipBytes(address, 6).copy(b, 8);
  b.writeUInt32LE(connId, 28);
  return b;
}

/** Address and port of a `sockaddr_in`/`sockaddr_in6` as getsockname(2) returns it. */
export function parseSockaddrIp(sa: Buffer): { address: string; port: number; family: 4 | 6 } {
  const family = sa.readUInt16LE(0);
  if (family === Sock.AF_INET) return { address: ipString(sa.subarray(4, 8)), port: sa.readUInt16BE(2), family: 4 };
  if (family === Sock.AF_INET6) return { address: ipString(sa.subarray(8, 24)), port: sa.readUInt16BE(2), family: 6 };
  throw new RangeError(`not an IP socket address (family ${family})`);
}

/** Ids of the PPPoL2TP session a socket attaches to. */
export interface Pppol2tpIds {
  readonly version: 2 | 3;
  readonly tunnelId: number;
  readonly sessionId: number;
  readonly peerTunnelId: number;
  readonly peerSessionId: number;
}

/**
 * `struct sockaddr_pppol2tp` (v2, 38 bytes, 16-bit ids) or `sockaddr_pppol2tpv3` (46 bytes, 32-bit
 * ids), packed. pid 0 and fd -1: the tunnel already exists (made by netlink), so the kernel needs no
 * tunnel socket and ignores the address; the struct size tells it the version.
 */
export function sockaddrPppol2tp(ids: Pppol2tpIds): Buffer {
  const b = Buffer.alloc(ids.version === 2 ? 38 : 46);
  b.writeUInt16LE(Sock.AF_PPPOX, 0);
  b.writeUInt32LE(Sock.PX_PROTO_OL2TP, 2);
  b.writeInt32LE(0, 6);
  b.writeInt32LE(-1, 10);
  // addr (sockaddr_in) at 14..30 stays zero.
  if (ids.version === 2) {
    b.writeUInt16LE(ids.tunnelId, 30);
    b.writeUInt16LE(ids.sessionId, 32);
    b.writeUInt16LE(ids.peerTunnelId, 34);
    b.writeUInt16LE(ids.peerSessionId, 36);
  } else {
    b.writeUInt32LE(ids.tunnelId, 30);
    b.writeUInt32LE(ids.sessionId, 34);
    b.writeUInt32LE(ids.peerTunnelId, 38);
    b.writeUInt32LE(ids.peerSessionId, 42);
  }
  return b;
}

/** `struct sockaddr_un` for a path, or an abstract name given with a leading `@` (no trailing NUL). */
export function sockaddrUn(path: string): Buffer {
  const abstract = path.startsWith('@');
  const name = Buffer.from(abstract ? `\0${path.slice(1)}` : `${path}\0`, 'utf8');
  if (name.length > 108) throw new RangeError(`unix socket path too long: ${path}`);
  const b = Buffer.alloc(2 + name.length);
  b.writeUInt16LE(Sock.AF_UNIX, 0);
  name.copy(b, 2);
  return b;
}
