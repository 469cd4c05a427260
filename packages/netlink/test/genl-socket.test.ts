import { afterAll, describe, expect, test } from 'vitest';
import { GenlSocket } from '../src/netlink/genl-socket.js';
import { setLinkMtu, setMtuRequest } from '../src/netlink/rtnl.js';
import { encodeGenl, GenlCtrl, Nlmsg, parseMessages } from '../src/netlink/wire.js';

// Generic netlink works on the host (only the l2tp family is absent): these run against the real kernel.
describe('GenlSocket on the host kernel', () => {
  const s = GenlSocket.open();
  afterAll(() => s.close());

  test('resolves nlctrl with its id and multicast group', () => {
    const f = s.resolveFamily('nlctrl');
    expect(f.id).toBe(GenlCtrl.FAMILY_ID);
    expect(f.groups.get('notify')).toBeGreaterThan(0);
  });

  test('an unknown family is ENOENT as a NetlinkError naming GETFAMILY', () => {
    expect(() => s.resolveFamily('no-such-family')).toThrow(expect.objectContaining({ name: 'NetlinkError', op: 'GETFAMILY', errnoName: 'ENOENT' }));
    // The socket stays in step: the next request gets its own reply.
    expect(s.resolveFamily('nlctrl').id).toBe(GenlCtrl.FAMILY_ID);
  });

  test('a dump returns every family and ends at NLMSG_DONE', () => {
    const seq = s.nextSeq();
    const bytes = encodeGenl({ familyId: GenlCtrl.FAMILY_ID, command: GenlCtrl.CMD_GETFAMILY, version: 1, flags: Nlmsg.F_REQUEST | Nlmsg.F_DUMP, seq, portId: s.portId, attrs: [] });
    const names = s.exchange('GETFAMILY', bytes, seq, true).map((m) => m.attrs.string(GenlCtrl.ATTR_FAMILY_NAME));
    expect(names).toContain('nlctrl');
    expect(names.length).toBeGreaterThan(3);
  });

  test('a bad attribute comes back with the errno and the kernel extended-ack text', () => {
    const seq = s.nextSeq();
    // FAMILY_ID must be a u16: a 1-byte payload fails the nlctrl policy.
    const bytes = encodeGenl({ familyId: GenlCtrl.FAMILY_ID, command: GenlCtrl.CMD_GETFAMILY, version: 1, flags: Nlmsg.F_REQUEST | Nlmsg.F_ACK, seq, portId: s.portId, attrs: [{ type: GenlCtrl.ATTR_FAMILY_ID, payload: Buffer.from([1]) }] });
    let err: unknown;
    try { s.exchange('GETFAMILY', bytes, seq, false); } catch (e) { err = e; }
    expect(err).toMatchObject({ name: 'NetlinkError', errnoName: 'ERANGE' }); // the policy's length check
    expect((err as { extAck?: string }).extAck).toMatch(/\w/);
  });
});

describe('rtnetlink link MTU', () => {
  test('RTM_NEWLINK names the link and carries IFLA_MTU', () => {
    const b = setMtuRequest('pw0', 1400, 3, 0);
    const [m] = parseMessages(b, b.length);
    expect([m?.type, m?.flags, m?.seq]).toEqual([16, 5, 3]);
    expect(m?.payload.subarray(16).toString('hex')).toBe('0800' + '0300' + '70773000' + '0800' + '0400' + '78050000');
    expect(() => setMtuRequest('pw0', 20, 1, 0)).toThrow(RangeError);
  });

  test('on the host kernel: an unknown link is ENODEV, named SETLINK', () => {
    const route = GenlSocket.open('route');
    try {
      expect(() => setLinkMtu(route, 'no-such-link', 1400)).toThrow(expect.objectContaining({ name: 'NetlinkError', op: 'SETLINK', errnoName: 'ENODEV' }));
    } finally {
      route.close();
    }
  });
});
