/**
 * Kernel notifications of the `l2tp` multicast group: the kernel announces every TUNNEL_/SESSION_
 * CREATE, MODIFY and DELETE made over netlink (by us, `ip l2tp`, or another daemon), so a daemon
 * learns when its objects are deleted under it. Objects that vanish without a netlink command (a
 * managed tunnel whose socket closed, a PPP session whose pppd exited) are not announced.
 *
 * Node cannot watch an arbitrary fd, so the socket is drained without blocking on an unref'd
 * interval (a single ~2 µs FFI call when idle). `overrun` means the socket buffer overflowed and
 * notifications were lost: dump to resynchronise.
 */
import { GenlSocket } from '../netlink/genl-socket.js';
import { parseGenl } from '../netlink/wire.js';
import { L2TP_GENL, L2tpCmd } from './attrs.js';
import { resolveL2tpFamily } from './kernel-transport.js';
import { parseSession, parseTunnel, type SessionInfo, type TunnelInfo } from './replies.js';

/** One notification. */
export type L2tpEvent =
  | { readonly kind: 'tunnel'; readonly command: 'TUNNEL_CREATE' | 'TUNNEL_MODIFY' | 'TUNNEL_DELETE'; readonly tunnel: TunnelInfo }
  | { readonly kind: 'session'; readonly command: 'SESSION_CREATE' | 'SESSION_MODIFY' | 'SESSION_DELETE'; readonly session: SessionInfo }
  | { readonly kind: 'overrun' };

const TUNNEL_CMDS = new Map([[L2tpCmd.TUNNEL_CREATE, 'TUNNEL_CREATE'], [L2tpCmd.TUNNEL_MODIFY, 'TUNNEL_MODIFY'], [L2tpCmd.TUNNEL_DELETE, 'TUNNEL_DELETE']] as const);
const SESSION_CMDS = new Map([[L2tpCmd.SESSION_CREATE, 'SESSION_CREATE'], [L2tpCmd.SESSION_MODIFY, 'SESSION_MODIFY'], [L2tpCmd.SESSION_DELETE, 'SESSION_DELETE']] as const);

/** Subscribed to the `l2tp` group; call `poll()` yourself or `start()` the interval. */
export class L2tpMonitor {
  readonly #sock: GenlSocket;
  readonly #familyId: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  private constructor(sock: GenlSocket, familyId: number) {
    this.#sock = sock;
    this.#familyId = familyId;
  }

  /** Opens a socket and joins the `l2tp` multicast group. */
  static open(): L2tpMonitor {
    const sock = GenlSocket.open();
    try {
      const family = resolveL2tpFamily(sock);
      const group = family.groups.get(L2TP_GENL.MCGROUP);
      if (group === undefined) throw new Error(`the l2tp family has no "${L2TP_GENL.MCGROUP}" multicast group`);
      sock.joinGroup(group);
      return new L2tpMonitor(sock, family.id);
    } catch (e) {
      sock.close();
      throw e;
    }
  }

  /** Notifications received since the last call, without blocking. */
  poll(): L2tpEvent[] {
    const { messages, overrun } = this.#sock.drain();
    const events: L2tpEvent[] = overrun ? [{ kind: 'overrun' }] : [];
    for (const m of messages) {
      if (m.type !== this.#familyId) continue; // only l2tp notifications are multicast to this socket
      const g = parseGenl(m.payload);
      const t = TUNNEL_CMDS.get(g.command as 1);
      if (t !== undefined) { events.push({ kind: 'tunnel', command: t, tunnel: parseTunnel(g.attrs) }); continue; }
      const s = SESSION_CMDS.get(g.command as 5);
      if (s !== undefined) events.push({ kind: 'session', command: s, session: parseSession(g.attrs) });
    }
    return events;
  }

  /** Polls every `intervalMs` and hands each event to `listener`; the timer does not keep the process alive. */
  start(listener: (event: L2tpEvent) => void, intervalMs = 200): void {
    this.stop();
    this.#timer = setInterval(() => { for (const e of this.poll()) listener(e); }, intervalMs);
    this.#timer.unref();
  }

  /** Stops the interval. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Stops and frees the socket. */
  close(): void {
    this.stop();
    this.#sock.close();
  }
}
