/**
 * A UDP listener on a wildcard address that knows, per datagram, which local address it was sent
 * to, and answers from that address: IP_PKTINFO / IPV6_RECVPKTINFO on receive, IP_PKTINFO /
 * IPV6_PKTINFO (`ipi_spec_dst`, `ipi6_addr`) on send (ip(7), ipv6(7)). Without it a multi-homed
 * LNS answers from whichever address its route to the peer prefers, the peer (a Cisco ASA, a
 * Windows client behind IPsec) drops the reply as coming from a stranger: xl2tpd's old bug.
 * node:dgram cannot pass control messages, so recvmsg/sendmsg go through libc (ffi-rs) and the
 * readiness through the shared poller. Structs are laid out for LP64 Linux (x86-64, arm64):
 * msghdr 56 bytes, iovec 16, cmsghdr 16 (cmsg_len is a size_t), in_pktinfo 12, in6_pktinfo 20.
 */
import type { ControlSocket, ControlSocketOptions, SocketAddress } from '@l2tp/control';
import { ipBytes, ipString } from '../ip.js';
import * as libc from '../sys/libc.js';
import { Errno, Sock } from '../sys/libc.js';
import { poller } from './poller.js';
import { parseSockaddrIp, sockaddrIp } from './sockaddr.js';

const DATA = 65536;
/** Offsets in one Buffer per direction: datagram, sockaddr, control, iovec, msghdr. */
const NAME = DATA;
const CONTROL = NAME + 32;
const IOV = CONTROL + 128;
const HDR = IOV + 16;
const SIZE = HDR + 64;
/** Datagrams read per wake-up before the event loop gets a turn. */
const BATCH = 64;
const CMSG_HDR = 16;

/** A msghdr/iovec pair pointing into `buf` (its memory does not move: see libc.addressOf). */
function prepare(buf: Buffer): bigint {
  const base = libc.addressOf(buf);
  buf.writeBigUInt64LE(base, IOV);
  buf.writeBigUInt64LE(BigInt(DATA), IOV + 8);
  buf.writeBigUInt64LE(base + BigInt(NAME), HDR);
  buf.writeBigUInt64LE(base + BigInt(IOV), HDR + 16);
  buf.writeBigUInt64LE(1n, HDR + 24);
  buf.writeBigUInt64LE(base + BigInt(CONTROL), HDR + 32);
  return base;
}

/** `::ffff:a.b.c.d` as node:dgram writes it, so peers compare equal with the per-tunnel sockets' view. */
function addressText(bytes: Buffer): string {
  if (bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes.readUInt16BE(10) === 0xffff) return `::ffff:${ipString(bytes.subarray(12))}`;
  return ipString(bytes);
}

/** The sender of a received datagram from its sockaddr_in/sockaddr_in6. */
function peerOf(name: Buffer): SocketAddress {
  const family = name.readUInt16LE(0);
  if (family === Sock.AF_INET6) {
    const scope = name.readUInt32LE(24);
    return { address: `${addressText(name.subarray(8, 24))}${scope === 0 ? '' : `%${scope}`}`, port: name.readUInt16BE(2), family: 6 };
  }
  return parseSockaddrIp(name);
}

/** The local address from the IP_PKTINFO / IPV6_PKTINFO control message; link-local IPv6 as `fe80::…%ifindex`. */
function localOf(control: Buffer, port: number): SocketAddress | undefined {
  for (let off = 0; off + CMSG_HDR <= control.length;) {
    const len = Number(control.readBigUInt64LE(off));
    if (len < CMSG_HDR) return undefined;
    const level = control.readInt32LE(off + 8);
    const type = control.readInt32LE(off + 12);
    const data = off + CMSG_HDR;
    if (level === Sock.IPPROTO_IP && type === Sock.IP_PKTINFO) {
      // ipi_spec_dst: the local address the datagram came in on (ip(7)).
      return { address: ipString(control.subarray(data + 4, data + 8)), port, family: 4 };
    }
    if (level === Sock.IPPROTO_IPV6 && type === Sock.IPV6_PKTINFO) {
      const addr = control.subarray(data, data + 16);
      const ifindex = control.readUInt32LE(data + 16);
      const linkLocal = addr[0] === 0xfe && ((addr[1] ?? 0) & 0xc0) === 0x80;
      return { address: `${addressText(addr)}${linkLocal ? `%${ifindex}` : ''}`, port, family: 6 };
    }
    off += (len + 7) & ~7;
  }
  return undefined;
}

/** Writes the source-address control message for `from` at CONTROL; returns its length (CMSG_SPACE). */
function sourceControl(buf: Buffer, socketFamily: 4 | 6, from: SocketAddress): number {
  buf.fill(0, CONTROL, CONTROL + 48);
  if (socketFamily === 4) {
    buf.writeBigUInt64LE(BigInt(CMSG_HDR + 12), CONTROL);
    buf.writeInt32LE(Sock.IPPROTO_IP, CONTROL + 8);
    buf.writeInt32LE(Sock.IP_PKTINFO, CONTROL + 12);
    ipBytes(from.address, 4).copy(buf, CONTROL + CMSG_HDR + 4);
    return CMSG_HDR + 16;
  }
  // A dual-stack socket sends to an IPv4 peer with an IPv4-mapped IPV6_PKTINFO (ip_cmsg_send accepts it).
  const [address = '', scope] = from.address.split('%');
  buf.writeBigUInt64LE(BigInt(CMSG_HDR + 20), CONTROL);
  buf.writeInt32LE(Sock.IPPROTO_IPV6, CONTROL + 8);
  buf.writeInt32LE(Sock.IPV6_PKTINFO, CONTROL + 12);
  ipBytes(address, 6).copy(buf, CONTROL + CMSG_HDR);
  buf.writeUInt32LE(scope === undefined ? 0 : Number(scope), CONTROL + CMSG_HDR + 16);
  return CMSG_HDR + 24;
}

/**
 * Opens a UDP socket on a wildcard address (SO_REUSEADDR when asked) whose datagrams report their
 * local address and whose sends may name their source. It is a listener: it cannot be connected
 * (`connect` rejects) and its fd is not for the kernel. Throws `NetlinkError` when a socket call fails.
 */
export function openPacketInfoSocket(options: ControlSocketOptions): ControlSocket {
  const { family } = options;
  if (options.encap !== 'udp') throw new RangeError('packet info is for UDP sockets');
  const fd = libc.socket(family === 6 ? Sock.AF_INET6 : Sock.AF_INET, Sock.SOCK_DGRAM | Sock.SOCK_NONBLOCK | Sock.SOCK_CLOEXEC, Sock.IPPROTO_UDP);
  let local: SocketAddress;
  try {
    if (options.reuseAddress === true) libc.setsockoptInt(fd, Sock.SOL_SOCKET, Sock.SO_REUSEADDR, 1);
    if (family === 4) libc.setsockoptInt(fd, Sock.IPPROTO_IP, Sock.IP_PKTINFO, 1);
    else libc.setsockoptInt(fd, Sock.IPPROTO_IPV6, Sock.IPV6_RECVPKTINFO, 1);
    libc.bind(fd, sockaddrIp(family, options.local?.address ?? (family === 6 ? '::' : '0.0.0.0'), options.local?.port ?? 0));
    local = parseSockaddrIp(libc.getsockname(fd));
  } catch (e) {
    libc.close(fd);
    throw e;
  }
  const rx = Buffer.alloc(SIZE);
  const tx = Buffer.alloc(SIZE);
  prepare(rx);
  prepare(tx);
  let receiver: ((bytes: Uint8Array, from: SocketAddress, local?: SocketAddress) => void) | undefined;
  let closed = false;
  const drain = (): void => {
    for (let i = 0; i < BATCH && !closed; i++) {
      rx.writeUInt32LE(32, HDR + 8);
      rx.writeBigUInt64LE(128n, HDR + 40);
      const n = libc.recvmsg(fd, rx.subarray(HDR, HDR + 56), Sock.MSG_DONTWAIT);
      // EAGAIN: drained. Other errors (a queued ICMP error) are consumed by the read; the protocol retransmits.
      if (n < 0) { if (n === -Errno.EAGAIN) return; continue; }
      const controlLen = Number(rx.readBigUInt64LE(HDR + 40));
      const from = peerOf(rx.subarray(NAME, NAME + rx.readUInt32LE(HDR + 8)));
      const to = localOf(rx.subarray(CONTROL, CONTROL + controlLen), local.port);
      receiver?.(Uint8Array.prototype.slice.call(rx, 0, n), from, to);
    }
  };
  poller.watch(fd, drain);
  return {
    fd,
    local,
    send(bytes: Uint8Array, to?: SocketAddress, from?: SocketAddress): void {
      if (closed || to === undefined || bytes.length > DATA) return;
      tx.set(bytes, 0);
      tx.writeBigUInt64LE(BigInt(bytes.length), IOV + 8);
      // A dual-stack IPv6 socket reaches IPv4 peers as ::ffff:a.b.c.d.
      const [address = '', scope] = to.address.split('%');
      const name = family === 6 && to.family === 4 ? sockaddrIp(6, `::ffff:${address}`, to.port) : sockaddrIp(family, address, to.port);
      // A link-local peer (fe80::…%ifindex, as received) is reached through its interface: sin6_scope_id.
      if (family === 6 && scope !== undefined) name.writeUInt32LE(Number(scope) >>> 0, 24);
      name.copy(tx, NAME);
      tx.writeUInt32LE(name.length, HDR + 8);
      tx.writeBigUInt64LE(BigInt(from === undefined ? 0 : sourceControl(tx, family, from)), HDR + 40);
      // A full send buffer drops the datagram, as node:dgram would: the control protocol retransmits.
      libc.sendmsg(fd, tx.subarray(HDR, HDR + 56), Sock.MSG_DONTWAIT | Sock.MSG_NOSIGNAL);
    },
    connect(): Promise<void> {
      return Promise.reject(new Error('a packet-info listener is not connected; open a socket per peer'));
    },
    onDatagram(r): void {
      receiver = r;
    },
    close(): void {
      if (closed) return;
      closed = true;
      poller.unwatchAndClose(fd);
    },
  };
}
