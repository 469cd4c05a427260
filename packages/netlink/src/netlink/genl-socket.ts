/**
 * A generic-netlink socket driven synchronously: libnl makes and binds it, TypeScript frames the
 * request, libc sends it and reads the replies with `recv()` into one Buffer. A genl doit runs
 * inside our sendmsg, so its replies are already queued when we read; a dump's next part is built
 * during our recvmsg (ffi-feasibility §1.2, §2): ~50 µs per request, so blocking is the right trade.
 */
import { NetlinkError, type NetlinkOp } from '../errors.js';
import * as libc from '../sys/libc.js';
import { Errno, Sock } from '../sys/libc.js';
import * as libnl from '../sys/libnl.js';
import {
  type AttrMap, encodeGenl, GenlCtrl, Nlmsg, parseAck, parseGenl, parseMessages, type GenlMessage, type NetlinkMessage,
} from './wire.js';

/** A resolved generic-netlink family: its id, version and multicast groups by name. */
export interface GenlFamily {
  readonly id: number;
  readonly version: number;
  readonly groups: ReadonlyMap<string, number>;
}

/** Longest a reply may take before the request is failed with ETIMEDOUT (it never should). */
const REPLY_TIMEOUT_MS = 5_000;
/** Kernel dump parts are at most 32 KiB (NLMSG_GOODSIZE is smaller); one receive buffer serves all. */
const RECV_BUFFER_BYTES = 64 * 1024;
// sockaddr_nl of the kernel: family AF_NETLINK, pid 0, groups 0.
const KERNEL = Buffer.alloc(12);
KERNEL.writeUInt16LE(Sock.AF_NETLINK, 0);

/** One generic-netlink socket; not shared between requests in flight (there are none: calls are sync). */
export class GenlSocket {
  readonly #sock: libnl.NlSock;
  /** The socket's fd (owned by libnl; closed by `close()`). */
  readonly fd: number;
  /** Our netlink port id. */
  readonly portId: number;
  readonly #buf = Buffer.alloc(RECV_BUFFER_BYTES);
  #seq = Math.floor(Date.now() / 1000) >>> 0;
  #closed = false;

  private constructor(sock: libnl.NlSock) {
    this.#sock = sock;
    this.fd = libnl.socketFd(sock);
    this.portId = libnl.localPort(sock);
  }

  /**
   * Opens a socket with extended acks on and echoed requests capped to their header: generic
   * netlink by default, or `'route'` (rtnetlink) for link changes.
   */
  static open(protocol: 'generic' | 'route' = 'generic'): GenlSocket {
    const s = new GenlSocket(protocol === 'generic' ? libnl.genlSocket() : libnl.netlinkSocket(0));
    try {
      libc.setsockoptInt(s.fd, Sock.SOL_NETLINK, Sock.NETLINK_EXT_ACK, 1);
      libc.setsockoptInt(s.fd, Sock.SOL_NETLINK, Sock.NETLINK_CAP_ACK, 1);
    } catch {
      // Kernels before 4.12 have no extended ack; errors then come without the kernel's text.
    }
    return s;
  }

  /** Next sequence number, for callers that frame their own request. */
  nextSeq(): number {
    this.#seq = (this.#seq + 1) >>> 0;
    return this.#seq;
  }

  /**
   * Sends one request (already framed with `seq`) and returns its reply messages. A doit is complete
   * at its ACK (NLMSG_ERROR 0), a dump at NLMSG_DONE. A negative ack throws `NetlinkError(op, …)`.
   */
  exchange(op: NetlinkOp, bytes: Buffer, seq: number, dump: boolean): GenlMessage[] {
    return this.request(op, bytes, seq, dump).map((m) => parseGenl(m.payload));
  }

  /** {@link exchange} for any netlink protocol: the reply messages unparsed. */
  request(op: NetlinkOp, bytes: Buffer, seq: number, dump: boolean): NetlinkMessage[] {
    if (this.#closed) throw new NetlinkError(op, 9, undefined, 'netlink socket closed');
    libc.sendto(this.fd, bytes, 0, KERNEL);
    const replies: NetlinkMessage[] = [];
    for (;;) {
      for (const m of this.#receive(op, true)) {
        if (m.seq !== seq) continue; // a stale reply of an earlier, failed exchange
        if (m.type === Nlmsg.ERROR) {
          const ack = parseAck(m);
          if (ack.errno !== 0) throw new NetlinkError(op, ack.errno, ack.extAck);
          if (!dump) return replies;
        } else if (m.type === Nlmsg.DONE) {
          // Since 4.x a DONE carries the dump's final error as an int.
          const err = m.payload.length >= 4 ? m.payload.readInt32LE(0) : 0;
          if (err < 0) throw new NetlinkError(op, -err);
          return replies;
        } else if (m.type >= 0x10) {
          replies.push(m);
        }
      }
    }
  }

  /** Messages already queued (multicast notifications), without blocking; `overrun` when some were lost. */
  drain(): { messages: NetlinkMessage[]; overrun: boolean } {
    const messages: NetlinkMessage[] = [];
    let overrun = false;
    for (;;) {
      const n = libc.recv(this.fd, this.#buf, Sock.MSG_DONTWAIT);
      if (n === -Errno.EAGAIN) return { messages, overrun };
      if (n === -Errno.ENOBUFS) { overrun = true; continue; }
      if (n === -Errno.EINTR) continue;
      if (n < 0) throw new NetlinkError('recv', -n);
      messages.push(...parseMessages(this.#buf, n));
    }
  }

  #receive(op: NetlinkOp, wait: boolean): NetlinkMessage[] {
    for (;;) {
      const n = libc.recv(this.fd, this.#buf, Sock.MSG_DONTWAIT);
      if (n >= 0) return parseMessages(this.#buf, n);
      if (n === -Errno.EINTR) continue;
      if (n !== -Errno.EAGAIN) throw new NetlinkError(op, -n, undefined, 'recv');
      if (!wait || !libc.pollIn(this.fd, REPLY_TIMEOUT_MS)) throw new NetlinkError(op, Errno.ETIMEDOUT, undefined, 'no reply from the kernel');
    }
  }

  /** CTRL_CMD_GETFAMILY by name. ENOENT (a `NetlinkError`) when the family is not registered. */
  resolveFamily(name: string): GenlFamily {
    const seq = this.nextSeq();
    const bytes = encodeGenl({
      familyId: GenlCtrl.FAMILY_ID, command: GenlCtrl.CMD_GETFAMILY, version: 1, flags: Nlmsg.F_REQUEST | Nlmsg.F_ACK,
      seq, portId: this.portId, attrs: [{ type: GenlCtrl.ATTR_FAMILY_NAME, payload: Buffer.from(`${name}\0`) }],
    });
    const [reply] = this.exchange('GETFAMILY', bytes, seq, false);
    const id = reply?.attrs.uint(GenlCtrl.ATTR_FAMILY_ID);
    if (reply === undefined || id === undefined) throw new NetlinkError('GETFAMILY', 61 /* ENODATA */, undefined, `no id for family ${name}`);
    return { id, version: reply.attrs.uint(GenlCtrl.ATTR_VERSION) ?? 0, groups: parseGroups(reply.attrs.nested(GenlCtrl.ATTR_MCAST_GROUPS)) };
  }

  /** Joins a multicast group (its notifications then arrive on this socket). */
  joinGroup(groupId: number): void {
    libnl.addMembership(this.#sock, groupId);
  }

  /** Frees the socket. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    libnl.freeSocket(this.#sock);
  }
}

function parseGroups(nest: AttrMap | undefined): Map<string, number> {
  const groups = new Map<string, number>();
  if (nest === undefined) return groups;
  // An indexed list: each entry is a nest of NAME and ID, its type being its position.
  for (const t of nest.types()) {
    const g = nest.nested(t);
    const name = g?.string(GenlCtrl.ATTR_MCAST_GRP_NAME);
    const id = g?.uint(GenlCtrl.ATTR_MCAST_GRP_ID);
    if (name !== undefined && id !== undefined) groups.set(name, id);
  }
  return groups;
}
