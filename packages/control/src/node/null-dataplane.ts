/**
 * The null data plane: real UDP control sockets (node:dgram) and no kernel objects. Tunnels and
 * sessions "exist" only as counters, so `kl2tpd -null`, the demo and the interop suites run the whole
 * control protocol without netlink, root or the L2TP modules (go-l2tp's `nullDataPlane`).
 */
import { createSocket, type Socket } from 'node:dgram';
import type {
  ControlSocket, ControlSocketOptions, DataPlane, DataPlaneStats, SessionDataPlane, SessionSpec,
  SocketAddress, TunnelDataPlane, TunnelSpec,
} from '../api/dataplane.js';

const ZERO_STATS: DataPlaneStats = Object.freeze({
  txPackets: 0n, txBytes: 0n, txErrors: 0n, rxPackets: 0n, rxBytes: 0n, rxErrors: 0n,
});

/** Opens a bound UDP socket as a {@link ControlSocket} without an fd for the kernel. */
export async function openUdpControlSocket(options: ControlSocketOptions): Promise<ControlSocket> {
  if (options.encap !== 'udp') throw new Error('the null data plane supports UDP encapsulation only');
  const sock = createSocket({ type: options.family === 6 ? 'udp6' : 'udp4', reuseAddr: options.reuseAddress === true });
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
  let closed = false;
  // Late ICMP errors (port unreachable on loopback) must not crash the process; the control
  // protocol's retransmission covers them.
  sock.on('error', () => undefined);
  return {
    fd: undefined,
    local: { address: bound.address, port: bound.port, family },
    send(bytes: Uint8Array, to?: SocketAddress): void {
      if (closed) return;
      const dest = to ?? peer;
      if (dest === undefined) return;
      if (to === undefined) sock.send(bytes);
      else sock.send(bytes, dest.port, dest.address);
    },
    async connect(p: SocketAddress): Promise<void> {
      await new Promise<void>((resolve, reject) => sock.connect(p.port, p.address, (err?: Error) => (err ? reject(err) : resolve())));
      peer = p;
    },
    onDatagram(receiver): void {
      sock.removeAllListeners('message');
      sock.on('message', (msg, rinfo) => receiver(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), {
        address: rinfo.address, port: rinfo.port, family: rinfo.family === 'IPv6' ? 6 : 4,
      }));
    },
    close(): void {
      if (closed) return;
      closed = true;
      sock.close();
    },
  };
}

/** A {@link DataPlane} with UDP control sockets and no kernel tunnels or sessions. */
export function nullDataPlane(): DataPlane {
  return {
    openControlSocket: openUdpControlSocket,
    async createTunnel(_spec: TunnelSpec): Promise<TunnelDataPlane> {
      return {
        async createSession(spec: SessionSpec): Promise<SessionDataPlane> {
          return {
            interfaceName: spec.interfaceName,
            stats: async () => ZERO_STATS,
            down: async () => undefined,
          };
        },
        stats: async () => ZERO_STATS,
        down: async () => undefined,
      };
    },
    close: async () => undefined,
  };
}
