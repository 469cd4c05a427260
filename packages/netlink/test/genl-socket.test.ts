import { afterAll, describe, expect, test } from 'vitest';
import { GenlSocket } from '../src/netlink/genl-socket.js';
import { encodeGenl, GenlCtrl, Nlmsg } from '../src/netlink/wire.js';

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
