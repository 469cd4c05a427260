/**
 * The one rtnetlink request this package needs: setting a link's MTU by name (RTM_NEWLINK on an
 * existing link). Linux 6.1 ignores `L2TP_ATTR_MTU` and sizes an l2tpeth link from its underlay, so
 * a configured pseudowire MTU is applied here after SESSION_CREATE.
 */
import { encodeAttrs, encodeNetlink, Nlmsg } from './wire.js';
import type { GenlSocket } from './genl-socket.js';

/** rtnetlink numbers used here (include/uapi/linux/rtnetlink.h, if_link.h). */
export const Rtnl = { RTM_NEWLINK: 16, IFINFOMSG_LEN: 16, IFLA_IFNAME: 3, IFLA_MTU: 4 } as const;

/** RTM_NEWLINK request bytes that set `mtu` on the link named `ifname`. */
export function setMtuRequest(ifname: string, mtu: number, seq: number, portId: number): Buffer {
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 0xffff) throw new RangeError(`MTU ${mtu} out of range (68..65535)`);
  const mtuBytes = Buffer.alloc(4);
  mtuBytes.writeUInt32LE(mtu);
  const attrs = encodeAttrs([{ type: Rtnl.IFLA_IFNAME, payload: Buffer.from(`${ifname}\0`) }, { type: Rtnl.IFLA_MTU, payload: mtuBytes }]);
  // struct ifinfomsg all zero: AF_UNSPEC, index 0 (the link is named by IFLA_IFNAME), no flag changes.
  return encodeNetlink(Rtnl.RTM_NEWLINK, Nlmsg.F_REQUEST | Nlmsg.F_ACK, seq, portId, Buffer.concat([Buffer.alloc(Rtnl.IFINFOMSG_LEN), attrs]));
}

/** Sets the MTU of `ifname` over an rtnetlink socket (`GenlSocket.open('route')`). */
export function setLinkMtu(sock: GenlSocket, ifname: string, mtu: number): void {
  const seq = sock.nextSeq();
  sock.request('SETLINK', setMtuRequest(ifname, mtu, seq, sock.portId), seq, false);
}
