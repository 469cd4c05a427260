/**
 * Control sockets whose fd the kernel can adopt as `L2TP_ATTR_FD`. The socket is made through libc
 * (SOCK_CLOEXEC, SO_REUSEADDR when asked, bound), then adopted by node:dgram with the documented
 * `bind({ fd })` so Node keeps receiving the control packets after the kernel takes the data packets.
 * It must not be connected in C before adoption: libuv would then refuse addressed sends, so
 * `connect()` goes through dgram (ffi-feasibility §3). L2TP/IP sockets (IPPROTO_L2TP, v3 only) are
 * SOCK_DGRAM over AF_INET/AF_INET6 too, which is what dgram checks; their port is always 0. On
 * them the kernel adds the zero session id of RFC 3931 §4.1.1.2 on send and strips it on receive:
 * datagrams here start at the control header. dgram cannot connect them (sockaddr_l2tpip6 is longer
 * than sockaddr_in6), so they are connected through libc and sends keep naming the peer.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { ControlSocket, ControlSocketOptions, SocketAddress } from '@l2tp/control';
import * as libc from '../sys/libc.js';
import { Sock } from '../sys/libc.js';
import { openPacketInfoSocket } from './packet-info.js';
import { parseSockaddrIp, sockaddrIp, sockaddrL2tpIp } from './sockaddr.js';

/**
 * Opens, binds and adopts a UDP or L2TP/IP control socket; its `fd` is ours to hand to the kernel.
 * A UDP socket on a wildcard address with `packetInfo` is a packet-info listener instead
 * (sockets/packet-info.ts): it reports each datagram's local address and sends from a chosen one.
 */
export async function openKernelControlSocket(options: ControlSocketOptions): Promise<ControlSocket> {
  const { family, encap } = options;
  const wildcard = options.local === undefined || options.local.address === '0.0.0.0' || options.local.address === '::';
  if (options.packetInfo === true && encap === 'udp' && wildcard) return openPacketInfoSocket(options);
  const domain = family === 6 ? Sock.AF_INET6 : Sock.AF_INET;
  const fd = libc.socket(domain, Sock.SOCK_DGRAM | Sock.SOCK_CLOEXEC, encap === 'ip' ? Sock.IPPROTO_L2TP : Sock.IPPROTO_UDP);
  let sock: Socket | undefined;
  try {
    if (options.reuseAddress === true) libc.setsockoptInt(fd, Sock.SOL_SOCKET, Sock.SO_REUSEADDR, 1);
    const address = options.local?.address ?? (family === 6 ? '::' : '0.0.0.0');
    libc.bind(fd, encap === 'ip' ? sockaddrL2tpIp(family, address, options.tunnelId ?? 0) : sockaddrIp(family, address, options.local?.port ?? 0));
    const bound = encap === 'ip' ? { address, port: 0, family } : parseSockaddrIp(libc.getsockname(fd));
    sock = createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
    // 'listening' is emitted synchronously inside bind({ fd }); errors arrive as 'error'.
    const s = sock;
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind({ fd }, () => { s.off('error', reject); resolve(); });
    });
    return adopt(sock, fd, bound, encap);
  } catch (e) {
    if (sock !== undefined) sock.close(); else libc.close(fd);
    throw e;
  }
}

function adopt(sock: Socket, fd: number, local: SocketAddress, encap: 'udp' | 'ip'): ControlSocket {
  // node:dgram refuses port 0, but L2TP/IP has no ports: the kernel ignores that slot of
  // sockaddr_l2tpip (`l2tp_unused`), so any non-zero number stands in for it.
  const portOf = (p: SocketAddress): number => (encap === 'ip' ? 1 : p.port);
  let peer: SocketAddress | undefined;
  let connecting = false;
  let closed = false;
  const held: Uint8Array[] = [];
  // Addressed sends resolve asynchronously; connect() waits for them or dgram drops them.
  let inFlight = 0;
  let drained: (() => void)[] = [];
  const sent = (): void => {
    if (--inFlight === 0) { const d = drained; drained = []; for (const f of d) f(); }
  };
  // ICMP errors (port unreachable) surface as 'error'; the control protocol retransmits, so ignore them.
  sock.on('error', () => undefined);
  const self: ControlSocket = {
    fd,
    local,
    send(bytes: Uint8Array, to?: SocketAddress): void {
      if (closed) return;
      if (connecting) held.push(bytes.slice());
      else if (peer !== undefined && encap === 'ip') sock.send(bytes, portOf(peer), peer.address);
      else if (peer !== undefined) sock.send(bytes);
      else if (to !== undefined) { inFlight++; sock.send(bytes, portOf(to), to.address, sent); }
    },
    async connect(p: SocketAddress): Promise<void> {
      if (inFlight > 0) await new Promise<void>((resolve) => drained.push(resolve));
      connecting = true;
      try {
        if (encap === 'ip') libc.connect(fd, sockaddrL2tpIp(p.family, p.address, 0));
        else await new Promise<void>((resolve, reject) => sock.connect(p.port, p.address, (err?: Error) => (err ? reject(err) : resolve())));
      } finally {
        connecting = false;
      }
      peer = p;
      for (const b of held.splice(0)) if (!closed) self.send(b);
    },
    onDatagram(receiver): void {
      sock.removeAllListeners('message');
      sock.on('message', (msg, rinfo) => receiver(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), {
        address: rinfo.address, port: encap === 'ip' ? 0 : rinfo.port, family: rinfo.family === 'IPv6' ? 6 : 4,
      }));
    },
    close(): void {
      if (closed) return;
      closed = true;
      // libuv owns the fd since bind({ fd }): closing the dgram socket closes it, and with it a managed tunnel.
      sock.close();
    },
  };
  return self;
}
