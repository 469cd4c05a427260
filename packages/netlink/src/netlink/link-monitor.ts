/**
 * Link state notifications of rtnetlink (the RTNLGRP_LINK multicast group): the kernel announces
 * every change of an interface's flags, so a daemon learns when an attachment circuit goes down or
 * up (`ip link set l2tpeth100 down`) without asking. Drained without blocking on an unref'd
 * interval, as {@link L2tpMonitor} is (Node cannot watch an arbitrary fd).
 */
import { GenlSocket } from './genl-socket.js';
import { AttrMap, type NetlinkMessage } from './wire.js';
import { Rtnl } from './rtnl.js';

/** rtnetlink numbers of link notifications (include/uapi/linux/rtnetlink.h, if.h). */
export const RtnlLink = { RTNLGRP_LINK: 1, RTM_NEWLINK: 16, RTM_DELLINK: 17, IFF_UP: 0x1, IFF_RUNNING: 0x40 } as const;

/** One interface's state in a notification. `up`: administratively up and running (carrier). */
export interface LinkState {
  readonly interfaceName: string;
  readonly up: boolean;
  /** The interface was deleted. */
  readonly deleted: boolean;
}

/** The link state an RTM_NEWLINK/RTM_DELLINK message carries, or undefined for anything else. */
export function parseLinkMessage(m: NetlinkMessage): LinkState | undefined {
  if ((m.type !== RtnlLink.RTM_NEWLINK && m.type !== RtnlLink.RTM_DELLINK) || m.payload.length < Rtnl.IFINFOMSG_LEN) return undefined;
  // struct ifinfomsg: family u8, pad u8, type u16, index s32, flags u32, change u32.
  const flags = m.payload.readUInt32LE(8);
  const name = new AttrMap(m.payload.subarray(Rtnl.IFINFOMSG_LEN)).string(Rtnl.IFLA_IFNAME);
  if (name === undefined) return undefined;
  const deleted = m.type === RtnlLink.RTM_DELLINK;
  return { interfaceName: name, up: !deleted && (flags & RtnlLink.IFF_UP) !== 0 && (flags & RtnlLink.IFF_RUNNING) !== 0, deleted };
}

/** Subscribed to RTNLGRP_LINK in the namespace it was opened in. */
export class LinkMonitor {
  readonly #sock: GenlSocket;
  #timer: ReturnType<typeof setInterval> | undefined;

  private constructor(sock: GenlSocket) { this.#sock = sock; }

  /** Opens an rtnetlink socket and joins the link group. */
  static open(): LinkMonitor {
    const sock = GenlSocket.open('route');
    try {
      sock.joinGroup(RtnlLink.RTNLGRP_LINK);
      return new LinkMonitor(sock);
    } catch (e) {
      sock.close();
      throw e;
    }
  }

  /** Link changes received since the last call, without blocking (lost ones when the buffer overran are not recovered). */
  poll(): LinkState[] {
    const out: LinkState[] = [];
    for (const m of this.#sock.drain().messages) {
      const s = parseLinkMessage(m);
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  /** Calls `listener` with each change, checking every `intervalMs` (default 200) on an unref'd timer. */
  start(listener: (s: LinkState) => void, intervalMs = 200): void {
    this.#timer ??= setInterval(() => { for (const s of this.poll()) listener(s); }, intervalMs);
    this.#timer.unref();
  }

  /** Stops and closes the socket. Idempotent. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#sock.close();
  }
}
