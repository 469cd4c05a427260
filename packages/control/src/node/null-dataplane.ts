/**
 * The null data plane: real UDP control sockets (node:dgram) and no kernel objects. Tunnels and
 * sessions "exist" only as counters, so `kl2tpd -null`, the demo and the interop suites run the whole
 * control protocol without netlink, root or the L2TP modules (go-l2tp's `nullDataPlane`).
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import type {
  ControlSocket, ControlSocketOptions, DataPlane, DataPlaneStats, SessionDataPlane, SessionSpec,
  SocketAddress, TunnelDataPlane, TunnelSpec,
} from '../api/dataplane.js';

const ZERO_STATS: DataPlaneStats = Object.freeze({
  txPackets: 0n, txBytes: 0n, txErrors: 0n, rxPackets: 0n, rxBytes: 0n, rxErrors: 0n,
});

/**
 * node:dgram's address lookup for the addresses it is given here, which are literals (SocketAddress):
 * passed through as they are, at once (node:dgram takes a synchronous answer: its bind, connect and
 * send continue in the callback; the next tick cost each addressed send ~1 µs more). node:dgram's
 * own, dns.lookup, loaded node:dns for every daemon start only to hand the literal back; anything
 * else still goes to it.
 */
function literalLookup(address: string, options: LookupOneOptions | number, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  // Node 20 passes the family as a number (its types say options).
  const family = typeof options === 'number' ? options : options.family === 6 || options.family === 'IPv6' ? 6 : 4;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address) || address.includes(':')) callback(null, address, family);
  else dnsLookup(address, { family }, callback);
}

/** Opens a bound UDP socket as a {@link ControlSocket} without an fd for the kernel. */
export async function openUdpControlSocket(options: ControlSocketOptions): Promise<ControlSocket> {
  if (options.encap !== 'udp') throw new Error('the null data plane supports UDP encapsulation only');
  const sock = createSocket({ type: options.family === 6 ? 'udp6' : 'udp4', reuseAddr: options.reuseAddress === true, lookup: literalLookup });
  const wildcard = options.family === 6 ? '::' : '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(options.local?.port ?? 0, options.local?.address ?? wildcard, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  return udpControlSocket(sock, options.family);
}

function udpControlSocket(sock: Socket, family: 4 | 6): ControlSocket {
  const bound = sock.address();
  let peer: SocketAddress | undefined;
  let connecting = false;
  const queued: Uint8Array[] = [];
  let closed = false;
  // Addressed sends resolve the address asynchronously; connect() must wait for them or they are lost.
  let inFlight = 0;
  let drained: (() => void)[] = [];
  const sent = () => {
    if (--inFlight === 0) { const d = drained; drained = []; for (const f of d) f(); }
  };
  // Late ICMP errors (port unreachable on loopback) must not crash the process; the control
  // protocol's retransmission covers them.
  sock.on('error', () => undefined);
  return {
    fd: undefined,
    local: { address: bound.address, port: bound.port, family },
    send(bytes: Uint8Array, to?: SocketAddress): void {
      if (closed) return;
      // Once connect() is called, node:dgram refuses explicit addresses (ERR_SOCKET_DGRAM_IS_CONNECTED)
      // and cannot send without one until connected: hold datagrams until then.
      if (connecting) queued.push(bytes.slice());
      else if (peer !== undefined) sock.send(bytes);
      else if (to !== undefined) {
        inFlight++;
        sock.send(bytes, to.port, to.address, sent);
      }
    },
    async connect(p: SocketAddress): Promise<void> {
      if (inFlight > 0) await new Promise<void>((resolve) => drained.push(resolve));
      connecting = true;
      try {
        await new Promise<void>((resolve, reject) => sock.connect(p.port, p.address, (err?: Error) => (err ? reject(err) : resolve())));
      } finally {
        connecting = false;
      }
      peer = p;
      for (const b of queued.splice(0)) if (!closed) sock.send(b);
    },
    onDatagram(receiver): void {
      sock.removeAllListeners('message');
      // The sender's address, kept while the next datagram comes from it too (a connected socket's
      // always do): one object per peer, not one per datagram. Readers keep it, never change it.
      let from: SocketAddress | undefined;
      sock.on('message', (msg, rinfo) => {
        if (from === undefined || from.port !== rinfo.port || from.address !== rinfo.address) {
          from = { address: rinfo.address, port: rinfo.port, family: rinfo.family === 'IPv6' ? 6 : 4 };
        }
        receiver(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), from);
      });
    },
    close(): void {
      if (closed) return;
      closed = true;
      sock.close();
    },
  };
}

/** A session of no kernel: one small object (an LNS holds one per call; closures per call cost 150 bytes more). */
class NullSession implements SessionDataPlane {
  constructor(readonly interfaceName: string | undefined) {}
  async stats(): Promise<DataPlaneStats> { return ZERO_STATS; }
  async down(): Promise<void> { return undefined; }
}

/** A {@link DataPlane} with UDP control sockets and no kernel tunnels or sessions. */
export function nullDataPlane(): DataPlane {
  return {
    openControlSocket: openUdpControlSocket,
    async createTunnel(_spec: TunnelSpec): Promise<TunnelDataPlane> {
      return {
        async createSession(spec: SessionSpec): Promise<SessionDataPlane> {
          return new NullSession(spec.interfaceName);
        },
        stats: async () => ZERO_STATS,
        down: async () => undefined,
      };
    },
    close: async () => undefined,
  };
}
