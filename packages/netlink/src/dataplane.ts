/**
 * `NetlinkDataPlane`: the @l2tp/control {@link DataPlane} port on the Linux kernel. Control sockets
 * are ours (libc + node:dgram), tunnels and sessions are kernel objects made over generic netlink.
 */
import type {
  ControlSocket, ControlSocketOptions, DataPlane, DataPlaneStats, KernelChange, LinkChange, SessionDataPlane, SessionSpec, TunnelDataPlane, TunnelSpec,
} from '@l2tp/control';
import { NetlinkError } from './errors.js';
import { L2tpNetlink } from './l2tp/client.js';
import { L2tpMonitor } from './l2tp/monitor.js';
import { LinkMonitor } from './netlink/link-monitor.js';
import type { TunnelCreate } from './l2tp/commands.js';
import type { L2tpStats } from './l2tp/replies.js';
import { GenlSocket } from './netlink/genl-socket.js';
import { setLinkMtu } from './netlink/rtnl.js';
import { openKernelControlSocket } from './sockets/control-socket.js';

/** Options of {@link NetlinkDataPlane}. */
export interface NetlinkDataPlaneOptions {
  /** Control sockets (default: libc sockets adopted by node:dgram). Tests pass a fake. */
  readonly openControlSocket?: (options: ControlSocketOptions) => Promise<ControlSocket>;
  /**
   * How long TUNNEL_CREATE retries on EEXIST (default 1000 ms). The kernel frees a deleted tunnel's
   * id from a workqueue, so re-creating the same id right after a delete (a reload, a redial) can
   * briefly see EEXIST; a real duplicate still fails after this long.
   */
  readonly existRetryMs?: number;
  /**
   * Applies a session's MTU to its Ethernet interface (6.1 ignores `L2TP_ATTR_MTU`). `open()` sets
   * it to an rtnetlink request on a socket in the same namespace; without it the MTU is only sent
   * as the attribute. PPP MTUs are pppd's (its `mtu`/`mru` options).
   */
  readonly setLinkMtu?: (interfaceName: string, mtu: number) => Promise<void>;
  /** Called by `close()` (releases what `open()` made besides the netlink client). */
  readonly onClose?: () => void;
  /** Opens the l2tp multicast monitor behind `watch` (default `L2tpMonitor.open`; tests pass a fake). */
  readonly openMonitor?: () => Pick<L2tpMonitor, 'start' | 'close'>;
  /** Opens the rtnetlink link monitor behind `watchLinks` (default `LinkMonitor.open`; tests pass a fake). */
  readonly openLinkMonitor?: () => Pick<LinkMonitor, 'start' | 'close'>;
}

const toDataPlaneStats = (s: L2tpStats): DataPlaneStats => ({
  txPackets: s.txPackets, txBytes: s.txBytes, txErrors: s.txErrors, rxPackets: s.rxPackets, rxBytes: s.rxBytes, rxErrors: s.rxErrors,
});

/** Deleting what is already gone is success: `down()` is idempotent and the kernel may have beaten us to it. */
async function ignoreGone(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof NetlinkError && e.isNotExist())) throw e;
  }
}

/** The kernel data plane. */
export class NetlinkDataPlane implements DataPlane {
  /** The typed netlink client underneath. */
  readonly netlink: L2tpNetlink;
  readonly #openSocket: (options: ControlSocketOptions) => Promise<ControlSocket>;
  readonly #existRetryMs: number;
  readonly #options: NetlinkDataPlaneOptions;
  readonly #monitors = new Set<{ close(): void }>();

  /** Wraps a client (a fake one in unit tests). */
  constructor(netlink: L2tpNetlink, options: NetlinkDataPlaneOptions = {}) {
    this.netlink = netlink;
    this.#openSocket = options.openControlSocket ?? openKernelControlSocket;
    this.#existRetryMs = options.existRetryMs ?? 1000;
    this.#options = options;
  }

  async #createRetrying(t: TunnelCreate): Promise<void> {
    for (let waitedMs = 0, stepMs = 5; ; waitedMs += stepMs, stepMs = Math.min(stepMs * 2, 100)) {
      try {
        return await this.netlink.createTunnel(t);
      } catch (e) {
        if (!(e instanceof NetlinkError && e.isExist()) || waitedMs >= this.#existRetryMs) throw e;
      }
      await new Promise((resolve) => setTimeout(resolve, stepMs));
    }
  }

  /** Connects to the kernel; throws `L2tpFamilyMissingError` (naming the modules) when L2TP is not loaded. */
  static open(options: NetlinkDataPlaneOptions = {}): NetlinkDataPlane {
    const netlink = L2tpNetlink.open();
    // Opened now, not on first use: sockets belong to the namespace they are made in (see inNetns).
    const route = GenlSocket.open('route');
    return new NetlinkDataPlane(netlink, {
      setLinkMtu: async (name, mtu) => setLinkMtu(route, name, mtu),
      ...options,
      onClose: () => { route.close(); options.onClose?.(); },
    });
  }

  /** Opens a UDP or L2TP/IP control socket whose fd can become `L2TP_ATTR_FD`. */
  openControlSocket(options: ControlSocketOptions): Promise<ControlSocket> {
    return this.#openSocket(options);
  }

  /** TUNNEL_CREATE: managed when `spec.socket` is given (connect the socket first), else unmanaged. */
  async createTunnel(spec: TunnelSpec): Promise<TunnelDataPlane> {
    const { tunnelId, peerTunnelId, version, encap } = spec;
    if (spec.socket !== undefined) {
      const fd = spec.socket.fd;
      if (fd === undefined) throw new RangeError('a managed tunnel needs a control socket with an fd (not the null data plane\'s)');
      await this.#createRetrying({ tunnelId, peerTunnelId, version, encap, fd });
    } else {
      if (spec.local.family !== spec.peer.family) throw new RangeError('local and peer addresses are of different families');
      await this.#createRetrying({
        tunnelId, peerTunnelId, version, encap, family: spec.local.family, local: spec.local, peer: spec.peer,
        ...(spec.udpChecksum !== undefined ? { udpChecksum: spec.udpChecksum } : {}),
      });
    }
    return this.#tunnel(spec);
  }

  #tunnel(spec: TunnelSpec): TunnelDataPlane {
    const nl = this.netlink;
    let down: Promise<void> | undefined;
    return {
      createSession: async (s: SessionSpec): Promise<SessionDataPlane> => {
        if (s.tunnelId !== spec.tunnelId) throw new RangeError(`session ${s.sessionId} is for tunnel ${s.tunnelId}, not ${spec.tunnelId}`);
        await nl.createSession({
          tunnelId: s.tunnelId, peerTunnelId: s.peerTunnelId, sessionId: s.sessionId, peerSessionId: s.peerSessionId,
          version: spec.version, pseudowire: s.pseudowire, l2specType: s.l2specType,
          sendSeq: s.seqnum, recvSeq: s.seqnum, reorderTimeoutMs: s.reorderTimeoutMs,
          ...(s.cookie !== undefined ? { cookie: s.cookie } : {}),
          ...(s.peerCookie !== undefined ? { peerCookie: s.peerCookie } : {}),
          ...(s.lnsMode !== undefined ? { lnsMode: s.lnsMode } : {}),
          ...(s.interfaceName !== undefined ? { interfaceName: s.interfaceName } : {}),
          ...(s.mtu !== undefined ? { mtu: s.mtu } : {}),
        });
        // The kernel names the Ethernet interface (l2tpeth%d) when we did not: ask it.
        const info = s.pseudowire === 'eth' ? await nl.getSession(s.tunnelId, s.sessionId) : undefined;
        const setMtu = this.#options.setLinkMtu;
        if (s.mtu !== undefined && info?.interfaceName !== undefined && setMtu !== undefined) {
          try {
            await setMtu(info.interfaceName, s.mtu);
          } catch (e) {
            await ignoreGone(nl.deleteSession(s.tunnelId, s.sessionId));
            throw e;
          }
        }
        let sessionDown: Promise<void> | undefined;
        return {
          interfaceName: info?.interfaceName ?? s.interfaceName,
          stats: async () => toDataPlaneStats((await nl.getSession(s.tunnelId, s.sessionId)).stats),
          down: () => (sessionDown ??= ignoreGone(nl.deleteSession(s.tunnelId, s.sessionId))),
        };
      },
      stats: async () => toDataPlaneStats((await nl.getTunnel(spec.tunnelId)).stats),
      down: () => (down ??= ignoreGone(nl.deleteTunnel(spec.tunnelId))),
    };
  }

  /**
   * Deletions made by others, from the kernel's l2tp multicast group (polled every 200 ms; an
   * overrun becomes `resync`). Our own deletions are announced too: receivers confirm before acting.
   */
  watch(listener: (change: KernelChange) => void): () => void {
    const monitor = (this.#options.openMonitor ?? L2tpMonitor.open)();
    monitor.start((e) => {
      if (e.kind === 'overrun') listener({ kind: 'resync' });
      else if (e.kind === 'tunnel' && e.command === 'TUNNEL_DELETE') listener({ kind: 'tunnel-deleted', tunnelId: e.tunnel.tunnelId });
      else if (e.kind === 'session' && e.command === 'SESSION_DELETE') listener({ kind: 'session-deleted', tunnelId: e.session.tunnelId, sessionId: e.session.sessionId });
    });
    this.#monitors.add(monitor);
    return () => { monitor.close(); this.#monitors.delete(monitor); };
  }

  /** Interface state changes from rtnetlink (RTNLGRP_LINK, polled every 200 ms). */
  watchLinks(listener: (change: LinkChange) => void): () => void {
    const monitor = (this.#options.openLinkMonitor ?? LinkMonitor.open)();
    monitor.start(listener);
    this.#monitors.add(monitor);
    return () => { monitor.close(); this.#monitors.delete(monitor); };
  }

  /** Releases the netlink socket (kernel tunnels stay). */
  async close(): Promise<void> {
    for (const m of this.#monitors) m.close();
    this.#monitors.clear();
    await this.netlink.close();
    this.#options.onClose?.();
  }
}
