/**
 * Every libc call this package makes, through ffi-rs: the socket calls Node lacks (AF_NETLINK
 * send/recv, AF_PPPOX, IPPROTO_L2TP, sockets made with SOCK_CLOEXEC whose fd we own). Each call reads
 * errno in the same FFI crossing (`errno: true`) and failures throw `NetlinkError(call, errno)`.
 * The library is opened on first use, so importing this package never needs the FFI.
 */
import { DataType, load, open } from 'ffi-rs';
import { NetlinkError, type SyscallName } from '../errors.js';

/** Address families, socket types and protocols used here (Linux values). */
export const Sock = {
  AF_UNIX: 1, AF_INET: 2, AF_INET6: 10, AF_NETLINK: 16, AF_PPPOX: 24,
  SOCK_DGRAM: 2, SOCK_RAW: 3, SOCK_CLOEXEC: 0o2000000, SOCK_NONBLOCK: 0o4000,
  IPPROTO_UDP: 17, IPPROTO_L2TP: 115, NETLINK_GENERIC: 16, PX_PROTO_OL2TP: 1,
  SOL_SOCKET: 1, SO_REUSEADDR: 2, SOL_NETLINK: 270,
  NETLINK_ADD_MEMBERSHIP: 1, NETLINK_CAP_ACK: 10, NETLINK_EXT_ACK: 11,
  MSG_DONTWAIT: 0x40, MSG_TRUNC: 0x20, MSG_NOSIGNAL: 0x4000,
  POLLIN: 0x1,
} as const;

/** errno values the callers branch on. */
export const Errno = { EINTR: 4, EAGAIN: 11, ENOBUFS: 105, ETIMEDOUT: 110 } as const;

let opened = false;
function lib(): 'c' {
  if (!opened) {
    // An empty path opens the main program, whose libc symbols ffi-rs then finds (ffi-feasibility §1.1).
    open({ library: 'c', path: '' });
    opened = true;
  }
  return 'c';
}

type Ret = DataType.I32 | DataType.I64;
function call(funcName: string, retType: Ret, paramsType: DataType[], paramsValue: unknown[]): { value: number; errno: number } {
  const r = load({ library: lib(), funcName, retType, paramsType, paramsValue, errno: true }) as unknown as { value: number; errnoCode: number };
  return { value: Number(r.value), errno: r.errnoCode };
}
function check(op: SyscallName, r: { value: number; errno: number }): number {
  if (r.value < 0) throw new NetlinkError(op, r.errno);
  return r.value;
}
const { I32, I64, U64, U8Array } = DataType;

/** socket(2); returns the fd. */
export function socket(domain: number, type: number, protocol: number): number {
  return check('socket', call('socket', I32, [I32, I32, I32], [domain, type, protocol]));
}

/** bind(2) to a prepared sockaddr. */
export function bind(fd: number, sockaddr: Buffer): void {
  check('bind', call('bind', I32, [I32, U8Array, I32], [fd, sockaddr, sockaddr.length]));
}

/** connect(2) to a prepared sockaddr. */
export function connect(fd: number, sockaddr: Buffer): void {
  check('connect', call('connect', I32, [I32, U8Array, I32], [fd, sockaddr, sockaddr.length]));
}

/** setsockopt(2) with an int value. */
export function setsockoptInt(fd: number, level: number, name: number, value: number): void {
  const v = Buffer.alloc(4);
  v.writeInt32LE(value);
  check('setsockopt', call('setsockopt', I32, [I32, I32, I32, U8Array, I32], [fd, level, name, v, 4]));
}

/** getsockname(2) into a 128-byte sockaddr_storage; returns the filled bytes. */
export function getsockname(fd: number): Buffer {
  const sa = Buffer.alloc(128);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(sa.length);
  check('getsockname', call('getsockname', I32, [I32, U8Array, U8Array], [fd, sa, len]));
  return sa.subarray(0, len.readUInt32LE(0));
}

/** close(2). Errors are ignored except EBADF, which means a double close (a bug worth seeing). */
export function close(fd: number): void {
  const r = call('close', I32, [I32], [fd]);
  if (r.value < 0 && r.errno === 9) throw new NetlinkError('close', r.errno);
}

/** sendto(2); `to` omitted sends on a connected socket. Returns bytes sent. */
export function sendto(fd: number, bytes: Buffer, flags: number, to?: Buffer): number {
  if (to === undefined) return check('send', call('send', I64, [I32, U8Array, U64, I32], [fd, bytes, bytes.length, flags]));
  return check('sendto', call('sendto', I64, [I32, U8Array, U64, I32, U8Array, I32], [fd, bytes, bytes.length, flags, to, to.length]));
}

/** recv(2) into `buf` (written in place). Returns the length, or `-errno` (no throw: EAGAIN is routine). */
export function recv(fd: number, buf: Buffer, flags: number): number {
  const r = call('recv', I64, [I32, U8Array, U64, I32], [fd, buf, buf.length, flags]);
  return r.value < 0 ? -r.errno : r.value;
}

/** poll(2) on one fd for POLLIN; true when readable, false on timeout. Blocks the caller up to `timeoutMs`. */
export function pollIn(fd: number, timeoutMs: number): boolean {
  const pfd = Buffer.alloc(8);
  pfd.writeInt32LE(fd, 0);
  pfd.writeInt16LE(Sock.POLLIN, 4);
  for (;;) {
    const r = call('poll', I32, [U8Array, U64, I32], [pfd, 1, timeoutMs]);
    if (r.value >= 0) return r.value > 0;
    if (r.errno !== Errno.EINTR) throw new NetlinkError('poll', r.errno);
  }
}

/** setns(2) of the calling thread (the JS main thread) into the namespace open at `fd`. */
export function setns(fd: number, nstype: number): void {
  check('setns', call('setns', I32, [I32, I32], [fd, nstype]));
}
