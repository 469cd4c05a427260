/**
 * Kernel objects for one configured L2TPv3 tunnel and its sessions, through the library's
 * `L2tpContext`: a static tunnel is an unmanaged kernel tunnel the context makes on request; a
 * quiescent tunnel's kernel tunnel is the context's own (made when its control channel is up), and
 * only the sessions are added here. Creation is all or nothing: if a session fails halfway, what
 * was created is deleted again and the error (a NetlinkError naming the command and errno) goes to
 * the caller.
 */
import type { DataPlaneStats, L2tpContext, SessionDataPlane, SessionSpec, SocketAddress } from '@l2tp/control';
import type { Logger } from '@l2tp/daemon';
import type { Ql2tpdSessionConfig, Ql2tpdTunnelConfig } from './config.js';
import { sessionMtu } from './mtu.js';

/** The resolved addresses of a tunnel (host names looked up, IP encapsulation port 0). */
export interface TunnelAddresses {
  readonly local: SocketAddress;
  readonly peer: SocketAddress;
}

/** What pseudowires need of the context. */
export type PseudowireContext = Pick<L2tpContext, 'addStaticTunnel' | 'removeStaticTunnel' | 'addStaticSession' | 'tunnelStats'>;

/** A tunnel's kernel objects as ql2tpd holds them. */
export interface Pseudowires {
  readonly tunnel: Ql2tpdTunnelConfig;
  readonly sessions: ReadonlyMap<string, SessionDataPlane>;
  /** The kernel tunnel's counters. */
  stats(): Promise<DataPlaneStats | undefined>;
  /** Creates one more session (SIGHUP: a new or changed session). */
  addSession(session: Ql2tpdSessionConfig): Promise<void>;
  /** Deletes one session. */
  removeSession(name: string): Promise<void>;
  /** Deletes every session, and a static tunnel itself; idempotent. */
  down(): Promise<void>;
}

/** The kernel session for one configured session. */
export function sessionSpec(tunnel: Ql2tpdTunnelConfig, session: Ql2tpdSessionConfig, family: 4 | 6): SessionSpec {
  return {
    tunnelId: tunnel.tunnelId, peerTunnelId: tunnel.peerTunnelId,
    sessionId: session.sessionId, peerSessionId: session.peerSessionId,
    // eth_vlan is only accepted in dynamic tunnels (checked by the config); the kernel carries it as eth.
    pseudowire: session.pseudowire === 'eth_vlan' ? 'eth' : session.pseudowire, l2specType: session.l2specType, seqnum: session.seqnum,
    reorderTimeoutMs: session.reorderTimeoutMs, mtu: sessionMtu(tunnel, session, 1500, family),
    ...(session.cookie ? { cookie: session.cookie } : {}),
    ...(session.peerCookie ? { peerCookie: session.peerCookie } : {}),
    ...(session.interfaceName !== undefined ? { interfaceName: session.interfaceName } : {}),
  };
}

/**
 * Creates the kernel tunnel of a static tunnel (unmanaged; for a quiescent one, `managed`, the
 * context already made it) and every session; on any failure deletes what it made and rethrows.
 */
export async function createPseudowires(
  context: PseudowireContext, tunnel: Ql2tpdTunnelConfig, addrs: TunnelAddresses, log: Logger, managed = false,
): Promise<Pseudowires> {
  const id = tunnel.tunnelId;
  if (!managed) {
    await context.addStaticTunnel({
      name: tunnel.name, tunnelId: id, peerTunnelId: tunnel.peerTunnelId, encap: tunnel.encap, local: addrs.local, peer: addrs.peer,
      udpChecksum: addrs.peer.family === 4,
    });
  }
  const sessions = new Map<string, SessionDataPlane>();
  let closed = false;
  const self: Pseudowires = {
    tunnel, sessions,
    stats: () => context.tunnelStats(id),
    async addSession(s) {
      const { tunnelId: _t, peerTunnelId: _p, ...spec } = sessionSpec(tunnel, s, addrs.peer.family);
      const made = await context.addStaticSession(id, spec);
      sessions.set(s.name, made);
      log.info({ session_name: s.name, session_id: s.sessionId, peer_session_id: s.peerSessionId, interface_name: made.interfaceName }, 'session created');
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
      const all = [...sessions.values()];
      sessions.clear();
      if (managed) await Promise.all(all.map((s) => s.down()));
      else await context.removeStaticTunnel(id);
      log.info(managed ? 'sessions deleted' : 'tunnel deleted');
    },
  };
  log.info({ peer_tunnel_id: tunnel.peerTunnelId, managed }, managed ? 'kernel tunnel up' : 'tunnel created');
  try {
    for (const s of tunnel.sessions) await self.addSession(s);
  } catch (e) {
    await self.down().catch((e2: unknown) => log.error({ err: e2 }, 'cleanup after a failed creation failed'));
    throw e;
  }
  return self;
}
