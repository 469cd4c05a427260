// rtnetlink link notifications: RTM_NEWLINK/RTM_DELLINK bodies (struct ifinfomsg + IFLA_IFNAME) read
// into an interface's state; anything else ignored. The socket itself is exercised in the guest
// (ql2tpd's dynamic kernel test: `ip link set` down/up reaching the peer as SLI).
import { describe, expect, it } from 'vitest';
import { parseLinkMessage, RtnlLink } from '../src/netlink/link-monitor.js';

function linkMessage(type: number, flags: number, name: string | undefined) {
  const ifinfo = Buffer.alloc(16);
  ifinfo.writeInt32LE(7, 4);            // ifi_index
  ifinfo.writeUInt32LE(flags, 8);       // ifi_flags
  const attrs: Buffer[] = [];
  const mtu = Buffer.alloc(8);          // IFLA_MTU first: attributes are read by type, not position
  mtu.writeUInt16LE(8, 0); mtu.writeUInt16LE(4, 2); mtu.writeUInt32LE(1500, 4);
  attrs.push(mtu);
  if (name !== undefined) {
    const value = Buffer.from(`${name}\0`);
    const len = 4 + value.length;
    const a = Buffer.alloc((len + 3) & ~3);
    a.writeUInt16LE(len, 0); a.writeUInt16LE(3, 2); value.copy(a, 4);
    attrs.push(a);
  }
  return { type, flags: 0, seq: 0, portId: 0, payload: Buffer.concat([ifinfo, ...attrs]) };
}

describe('parseLinkMessage', () => {
  it('reads the name and whether the link is up and running', () => {
    const { IFF_UP, IFF_RUNNING, RTM_NEWLINK, RTM_DELLINK } = RtnlLink;
    expect(parseLinkMessage(linkMessage(RTM_NEWLINK, IFF_UP | IFF_RUNNING | 0x1000, 'l2tpeth100'))).toEqual({ interfaceName: 'l2tpeth100', up: true, deleted: false });
    expect(parseLinkMessage(linkMessage(RTM_NEWLINK, IFF_UP, 'l2tpeth100'))).toEqual({ interfaceName: 'l2tpeth100', up: false, deleted: false });
    expect(parseLinkMessage(linkMessage(RTM_NEWLINK, 0, 'l2tpeth100'))).toEqual({ interfaceName: 'l2tpeth100', up: false, deleted: false });
    expect(parseLinkMessage(linkMessage(RTM_DELLINK, IFF_UP | IFF_RUNNING, 'l2tpeth100'))).toEqual({ interfaceName: 'l2tpeth100', up: false, deleted: true });
  });

  it('ignores other messages and links without a name', () => {
    expect(parseLinkMessage(linkMessage(20, RtnlLink.IFF_UP, 'eth0'))).toBeUndefined();         // RTM_NEWADDR
    expect(parseLinkMessage(linkMessage(RtnlLink.RTM_NEWLINK, RtnlLink.IFF_UP, undefined))).toBeUndefined();
    expect(parseLinkMessage({ type: RtnlLink.RTM_NEWLINK, flags: 0, seq: 0, portId: 0, payload: Buffer.alloc(8) })).toBeUndefined();
  });
});
