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
  IPPROTO_IP: 0, IP_PKTINFO: 8, IPPROTO_IPV6: 41, IPV6_RECVPKTINFO: 49, IPV6_PKTINFO: 50, O_NONBLOCK: 0o4000, O_CLOEXEC: 0o2000000,
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
async function callInThread(funcName: string, retType: Ret, paramsType: DataType[], paramsValue: unknown[]): Promise<{ value: number; errno: number }> {
  const r = await (load({ library: lib(), funcName, retType, paramsType, paramsValue, errno: true, runInNewThread: true }) as unknown as Promise<{ value: number; errnoCode: number }>);
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

/**
 * The address of a Buffer's memory, for pointers inside structs (msghdr, iovec). Only for Buffers
 * of 256 bytes or more, whose memory V8 never moves (smaller typed arrays may live on its heap).
 * ffi-rs has no cast: memcpy(p, p, 0) returns its first argument (ffi-feasibility §1.5).
 */
export function addressOf(buf: Buffer): bigint {
  if (buf.buffer.byteLength < 256) throw new RangeError('addressOf needs a Buffer of at least 256 bytes (V8 may move smaller ones)');
  return load({ library: lib(), funcName: 'memcpy', retType: DataType.BigInt, paramsType: [U8Array, U8Array, U64], paramsValue: [buf, buf, 0] }) as unknown as bigint;
}

/** recvmsg(2) with a prepared msghdr (its pointers into Buffers). Returns the length, or `-errno` (EAGAIN is routine). */
export function recvmsg(fd: number, msghdr: Buffer, flags: number): number {
  const r = call('recvmsg', I64, [I32, U8Array, I32], [fd, msghdr, flags]);
  return r.value < 0 ? -r.errno : r.value;
}

/** sendmsg(2) with a prepared msghdr. Returns bytes sent, or `-errno` (no throw: a full buffer is the caller's to count). */
export function sendmsg(fd: number, msghdr: Buffer, flags: number): number {
  const r = call('sendmsg', I64, [I32, U8Array, I32], [fd, msghdr, flags]);
  return r.value < 0 ? -r.errno : r.value;
}

/** pipe2(2) with O_NONBLOCK | O_CLOEXEC; returns [read end, write end]. */
export function pipe(): [number, number] {
  const fds = Buffer.alloc(8);
  check('pipe2', call('pipe2', I32, [U8Array, I32], [fds, Sock.O_NONBLOCK | Sock.O_CLOEXEC]));
  return [fds.readInt32LE(0), fds.readInt32LE(4)];
}

/** write(2) of `bytes`; returns bytes written or `-errno`. */
export function write(fd: number, bytes: Buffer): number {
  const r = call('write', I64, [I32, U8Array, U64], [fd, bytes, bytes.length]);
  return r.value < 0 ? -r.errno : r.value;
}

/** read(2) into `buf`; returns bytes read or `-errno`. */
export function read(fd: number, buf: Buffer): number {
  const r = call('read', I64, [I32, U8Array, U64], [fd, buf, buf.length]);
  return r.value < 0 ? -r.errno : r.value;
}

/**
 * poll(2) on a prepared `struct pollfd` array, in a libuv pool thread (the event loop runs on).
 * Resolves with the number of ready fds, or `-errno`; `pfds` must not change until it resolves.
 */
export async function pollInThread(pfds: Buffer, count: number, timeoutMs: number): Promise<number> {
  const r = await callInThread('poll', I32, [U8Array, U64, I32], [pfds, count, timeoutMs]);
  return r.value < 0 ? -r.errno : r.value;
}

/** setns(2) of the calling thread (the JS main thread) into the namespace open at `fd`. */
export function setns(fd: number, nstype: number): void {
  check('setns', call('setns', I32, [I32, I32], [fd, nstype]));
}
