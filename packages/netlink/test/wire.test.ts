import { describe, expect, test } from 'vitest';
import { AttrMap, encodeAttrs, encodeGenl, Nlmsg, parseAck, parseGenl, parseMessages } from '../src/netlink/wire.js';
import { ipString, ipv4Bytes, ipv6Bytes } from '../src/ip.js';
import { NetlinkError, errnoName, errnoNumber } from '../src/errors.js';

describe('netlink framing', () => {
  test('a genl request has nlmsghdr, genlmsghdr and 4-byte aligned attributes', () => {
    const bytes = encodeGenl({
      familyId: 0x20, command: 1, version: 1, flags: Nlmsg.F_REQUEST | Nlmsg.F_ACK, seq: 7, portId: 0,
      attrs: [{ type: 9, payload: Buffer.from([1, 0, 0, 0]) }, { type: 8, payload: Buffer.from('ab\0') }],
    });
    expect(bytes.toString('hex')).toBe(
      '24000000' + '2000' + '0500' + '07000000' + '00000000' // nlmsghdr: len 36, type 0x20, flags 5, seq 7
      + '0101' + '0000' // genlmsghdr: cmd 1, version 1
      + '0800' + '0900' + '01000000' // CONN_ID=1
      + '0700' + '0800' + '616200' + '00', // IFNAME "ab\0", padded
    );
  });

  test('nested attributes carry NLA_F_NESTED and parse back', () => {
    const inner = encodeAttrs([{ type: 1, payload: Buffer.from([5, 0, 0, 0, 0, 0, 0, 0]) }]);
    const outer = new AttrMap(encodeAttrs([{ type: 30, payload: inner, nested: true }]));
    expect(outer.types()).toEqual([30]);
    expect(outer.nested(30)?.u64(1)).toBe(5n);
  });

  test('several messages in one receive buffer are split; a truncated one is an error', () => {
    const a = encodeGenl({ familyId: 0x20, command: 4, version: 1, flags: Nlmsg.F_MULTI, seq: 1, portId: 9, attrs: [] });
    const b = encodeGenl({ familyId: 0x20, command: 4, version: 1, flags: Nlmsg.F_MULTI, seq: 1, portId: 9, attrs: [{ type: 9, payload: Buffer.from([2, 0, 0, 0]) }] });
    const buf = Buffer.concat([a, b, Buffer.alloc(100)]);
    const msgs = parseMessages(buf, a.length + b.length);
    expect(msgs.map((m) => [m.type, m.flags, m.seq, m.portId])).toEqual([[0x20, 2, 1, 9], [0x20, 2, 1, 9]]);
    expect(parseGenl(msgs[1]!.payload).attrs.uint(9)).toBe(2);
    expect(() => parseMessages(buf, a.length + 10)).toThrow(/truncated/);
  });

  test('attribute accessors: repeated types keep all, last wins, unknown width rejected', () => {
    const m = new AttrMap(encodeAttrs([
      { type: 2, payload: Buffer.from([1]) }, { type: 2, payload: Buffer.from([3]) },
      { type: 3, payload: Buffer.from([1, 2, 3]) }, { type: 4, payload: Buffer.alloc(0) },
    ]));
    expect(m.uint(2)).toBe(3);
    expect(m.all(2).length).toBe(2);
    expect(() => m.uint(3)).toThrow(RangeError);
    expect(m.has(4)).toBe(true);
    expect(m.uint(99)).toBeUndefined();
    expect(() => new AttrMap(Buffer.from([9, 0, 1, 0]))).toThrow(/truncated/);
  });

  test('NLMSG_ERROR: ACK, errno, and extended ack text and offset', () => {
    const ack = Buffer.alloc(4 + 16);
    expect(parseAck({ type: Nlmsg.ERROR, flags: 0, seq: 1, portId: 0, payload: ack })).toEqual({ errno: 0 });
    const tlvs = encodeAttrs([{ type: 1, payload: Buffer.from('Tunnel exists\0') }, { type: 2, payload: Buffer.from([24, 0, 0, 0]) }]);
    const nack = Buffer.concat([Buffer.alloc(4 + 16), tlvs]);
    nack.writeInt32LE(-17, 0);
    nack.writeUInt32LE(52, 4); // echoed request header says 52 bytes, but capped: only its header is there
    const e = parseAck({ type: Nlmsg.ERROR, flags: Nlmsg.F_CAPPED | Nlmsg.F_ACK_TLVS, seq: 1, portId: 0, payload: nack });
    expect(e).toEqual({ errno: 17, extAck: 'Tunnel exists', extAckOffset: 24 });
  });
});

describe('addresses and errors', () => {
  test.each([
    ['192.0.2.1', '192.0.2.1'], ['::1', '::1'], ['2001:db8::1', '2001:db8::1'], ['fe80:0:0:0:1:0:0:1', 'fe80::1:0:0:1'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'], ['2001:db8:0:0:1:0:0:0', '2001:db8:0:0:1::'], ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['::', '::'],
  ])('%s round-trips as %s', (text, canonical) => {
    const bytes = text.includes(':') ? ipv6Bytes(text) : ipv4Bytes(text);
    expect(ipString(bytes)).toBe(canonical);
  });

  test('invalid literals are rejected', () => {
    expect(() => ipv4Bytes('300.1.1.1')).toThrow(RangeError);
    expect(() => ipv6Bytes('1::2::3')).toThrow(RangeError);
  });

  test('NetlinkError names the operation, the errno and the kernel text', () => {
    const e = new NetlinkError('TUNNEL_CREATE', errnoNumber('EEXIST'), 'exists');
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.op, e.errno, e.errnoName, e.code, e.message]).toEqual(['NetlinkError', 'TUNNEL_CREATE', 17, 'EEXIST', 'EEXIST', 'TUNNEL_CREATE: EEXIST (exists)']);
    expect(errnoName(19)).toBe('ENODEV');
    expect(errnoName(11)).toBe('EAGAIN');
    expect(errnoName(95)).toBe('EOPNOTSUPP');
    expect(errnoName(100000)).toBe('E100000');
  });
});
