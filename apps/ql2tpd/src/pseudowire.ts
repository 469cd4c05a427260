/**
 * Kernel objects for one configured L2TPv3 tunnel and its sessions, through the DataPlane port.
 * Creation is all or nothing: if a session fails halfway, what was created is deleted again and
 * the error (a NetlinkError naming the command and errno) goes to the caller.
 */
import type { Logger } from '@l2tp/daemon';
import type {
  ControlSocket, DataPlane, SessionDataPlane, SessionSpec, SocketAddress, TunnelDataPlane,
} from '@l2tp/control';
import type { Ql2tpdSessionConfig, Ql2tpdTunnelConfig } from './config.js';
import { sessionMtu } from './mtu.js';

/** The resolved addresses of a tunnel (host names looked up, IP encapsulation port 0). */
export interface TunnelAddresses {
  readonly local: SocketAddress;
  readonly peer: SocketAddress;
}

/** A tunnel's kernel objects as ql2tpd holds them. */
export interface Pseudowires {
  readonly tunnel: Ql2tpdTunnelConfig;
  readonly sessions: ReadonlyMap<string, SessionDataPlane>;
  readonly dataPlane: TunnelDataPlane;
  /** Creates one more session (SIGHUP: a new or changed session). */
  addSession(session: Ql2tpdSessionConfig): Promise<void>;
  /** Deletes one session. */
  removeSession(name: string): Promise<void>;
  /** Deletes the tunnel and every session in it; idempotent. */
  down(): Promise<void>;
}

/** The kernel session for one configured session. */
export function sessionSpec(tunnel: Ql2tpdTunnelConfig, session: Ql2tpdSessionConfig, family: 4 | 6): SessionSpec {
  return {
    tunnelId: tunnel.tunnelId, peerTunnelId: tunnel.peerTunnelId,
    sessionId: session.sessionId, peerSessionId: session.peerSessionId,
    pseudowire: session.pseudowire, l2specType: session.l2specType, seqnum: session.seqnum,
    reorderTimeoutMs: session.reorderTimeoutMs, mtu: sessionMtu(tunnel, session, 1500, family),
    ...(session.cookie ? { cookie: session.cookie } : {}),
    ...(session.peerCookie ? { peerCookie: session.peerCookie } : {}),
    ...(session.interfaceName !== undefined ? { interfaceName: session.interfaceName } : {}),
  };
}

/**
 * Creates the kernel tunnel (managed by `socket` for quiescent tunnels, unmanaged for static ones)
 * and every session; on any failure deletes what it made and rethrows.
 */
export async function createPseudowires(
  dp: DataPlane, tunnel: Ql2tpdTunnelConfig, addrs: TunnelAddresses, log: Logger, socket?: ControlSocket,
): Promise<Pseudowires> {
  const dataPlane = await dp.createTunnel({
    tunnelId: tunnel.tunnelId, peerTunnelId: tunnel.peerTunnelId, version: 3, encap: tunnel.encap,
    local: addrs.local, peer: addrs.peer, ...(socket ? { socket } : { udpChecksum: addrs.peer.family === 4 }),
  });
  const sessions = new Map<string, SessionDataPlane>();
  let closed = false;
  const self: Pseudowires = {
    tunnel, sessions, dataPlane,
    async addSession(s) {
      const made = await dataPlane.createSession(sessionSpec(tunnel, s, addrs.peer.family));
      sessions.set(s.name, made);
      log.info({ session_name: s.name, session_id: s.sessionId, peer_session_id: s.peerSessionId,
        interface_name: made.interfaceName }, 'session created');
    },
    async removeSession(name) {
      const s = sessions.get(name);
      sessions.delete(name);
      await s?.down();
      if (s) log.info({ session_name: name }, 'session deleted');
    },
    async down() {
      if (closed) return;
      closed = true;
      sessions.clear();
      await dataPlane.down();
      log.info('tunnel deleted');
    },
  };
  log.info({ tunnel_id: tunnel.tunnelId, peer_tunnel_id: tunnel.peerTunnelId, managed: socket !== undefined }, 'tunnel created');
  try {
    for (const s of tunnel.sessions) await self.addSession(s);
  } catch (e) {
    await self.down().catch((e2: unknown) => log.error({ err: e2 }, 'cleanup after a failed creation failed'));
    throw e;
  }
  return self;
}
