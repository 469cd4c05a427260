// The peer ACL: CIDR blocks of both families, IPv4 peers as a dual-stack socket reports them
// (IPv4-mapped IPv6), mapped entries, and a model check against plain prefix comparison.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { formatIpv4 } from '../../src/lns/ip.js';
import { PeerAcl } from '../../src/lns/acl.js';

describe('PeerAcl', () => {
  const acl = new PeerAcl(['192.0.2.0/24', '2001:db8::/32', '::ffff:198.51.100.0/120', '203.0.113.7']);

  test('matches IPv4 and IPv6 peers against their own family', () => {
    expect(acl.allows('192.0.2.200')).toBe(true);
    expect(acl.allows('192.0.3.1')).toBe(false);
    expect(acl.allows('2001:db8:ffff::1')).toBe(true);
    expect(acl.allows('2001:db9::1')).toBe(false);
    expect(acl.allows('203.0.113.7')).toBe(true);
    expect(acl.allows('203.0.113.8')).toBe(false);
  });

  test('IPv4-mapped peers match IPv4 entries, and mapped entries are IPv4 entries', () => {
    expect(acl.allows('::ffff:192.0.2.9')).toBe(true);
    expect(acl.allows('198.51.100.4')).toBe(true);
    expect(acl.allows('::ffff:198.51.101.4')).toBe(false);
    expect(acl.entries).toEqual(['192.0.2.0/24', '2001:db8::/32', '198.51.100.0/24', '203.0.113.7/32']);
  });

  test('text that is no address never matches; 0.0.0.0/0 and ::/0 match their family', () => {
    expect(acl.allows('nonsense')).toBe(false);
    const any = new PeerAcl(['0.0.0.0/0', '::/0']);
    expect(any.allows('1.2.3.4') && any.allows('::1') && any.allows('::ffff:1.2.3.4')).toBe(true);
    expect(new PeerAcl(['0.0.0.0/0']).allows('2001:db8::1')).toBe(false);
  });

  test('a bad entry throws naming it', () => {
    expect(() => new PeerAcl(['192.0.2.1/24'])).toThrow(/192\.0\.2\.1\/24.*host bits/);
  });

  test('an IPv4 block matches exactly the addresses sharing its prefix', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 0xffffffff }),
      (net, prefix, addr) => {
        const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
        const network = (net & mask) >>> 0;
        const want = ((addr & mask) >>> 0) === network;
        const a = new PeerAcl([`${formatIpv4(network)}/${prefix}`]);
        expect(a.allows(formatIpv4(addr))).toBe(want);
        expect(a.allows(`::ffff:${formatIpv4(addr)}`)).toBe(want);
      }));
  });
});
