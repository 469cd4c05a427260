// Address arithmetic under the LNS pool, ACL and config checks: strict IPv4 (no octal guesses),
// IPv6 in every written form, IPv4-mapped IPv6 seen as IPv4, CIDR host bits, pool ranges, and the
// exact range → CIDR decomposition the xl2tpd importer relies on.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  canonicalAddress, cidrSpan, formatCidr, formatIpv4, formatIpv6, parseAddress, parseCidr, parseIpv4, parseIpv4Span,
  parseIpv6, spanToCidrs, subtractSpan,
} from '../../src/lns/ip.js';

describe('IPv4', () => {
  test('parses dotted quads and refuses leading zeros and junk', () => {
    expect(parseIpv4('192.0.2.1')).toBe(0xc0000201);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['192.0.2.010', '1.2.3', '1.2.3.4.5', '256.1.1.1', '', 'a.b.c.d', ' 1.2.3.4']) expect(parseIpv4(bad)).toBeUndefined();
  });

  test('format and parse are inverse', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => parseIpv4(formatIpv4(n)) === n));
  });
});

describe('IPv6', () => {
  test('parses compressed, full and dotted-tail forms', () => {
    expect(parseIpv6('::')).toBe(0n);
    expect(parseIpv6('::1')).toBe(1n);
    expect(parseIpv6('2001:db8::1')).toBe(0x20010db8000000000000000000000001n);
    expect(parseIpv6('2001:db8:0:0:0:0:0:1')).toBe(0x20010db8000000000000000000000001n);
    expect(parseIpv6('::ffff:192.0.2.1')).toBe(0xffffc0000201n);
    expect(parseIpv6('fe80::1%eth0')).toBeUndefined();
    expect(parseIpv6('1.2.3.4')).toBeUndefined();
  });

  test('format is canonical and parses back', () => {
    expect(formatIpv6(0x20010db8000000000000000000000001n)).toBe('2001:db8::1');
    expect(formatIpv6(0n)).toBe('::');
    expect(formatIpv6(0x00010000000000000000000000000000n)).toBe('1::');
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (v) => parseIpv6(formatIpv6(v)) === v));
  });

  test('IPv4-mapped IPv6 addresses are IPv4 peers', () => {
    expect(parseAddress('::ffff:192.0.2.1')).toEqual({ family: 4, value: 0xc0000201 });
    expect(parseAddress('::FFFF:c000:201')).toEqual({ family: 4, value: 0xc0000201 });
    expect(canonicalAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(parseAddress('2001:db8::1')?.family).toBe(6);
  });
});

describe('CIDR', () => {
  test('parses both families, single addresses and mapped blocks', () => {
    expect(parseCidr('192.0.2.0/24')).toEqual({ ok: true, cidr: { family: 4, network: 0xc0000200, prefix: 24 } });
    expect(parseCidr('192.0.2.7')).toEqual({ ok: true, cidr: { family: 4, network: 0xc0000207, prefix: 32 } });
    expect(parseCidr('0.0.0.0/0')).toEqual({ ok: true, cidr: { family: 4, network: 0, prefix: 0 } });
    expect(parseCidr('::ffff:192.0.2.0/120')).toEqual({ ok: true, cidr: { family: 4, network: 0xc0000200, prefix: 24 } });
    const v6 = parseCidr('2001:db8::/32');
    expect(v6.ok && formatCidr(v6.cidr)).toBe('2001:db8::/32');
  });

  test('refuses host bits, long prefixes and junk, saying which', () => {
    expect(parseCidr('192.0.2.1/24')).toEqual({ ok: false, reason: 'host bits are set (the block is 192.0.2.0/24)' });
    expect(parseCidr('192.0.2.0/33')).toMatchObject({ ok: false, reason: expect.stringContaining('longer than 32') });
    expect(parseCidr('2001:db8::1/32')).toMatchObject({ ok: false, reason: 'host bits are set' });
    expect(parseCidr('::ffff:0.0.0.0/64')).toMatchObject({ ok: false });
    expect(parseCidr('example.net/24')).toMatchObject({ ok: false });
    expect(parseCidr('1.2.3.0/x')).toMatchObject({ ok: false, reason: 'bad prefix length' });
  });
});

describe('pool ranges', () => {
  test('an address, a range, and a CIDR block (host addresses only for a pool up to /30)', () => {
    expect(parseIpv4Span('10.0.0.5', true)).toEqual({ ok: true, span: { first: 0x0a000005, last: 0x0a000005 } });
    expect(parseIpv4Span('10.0.0.5-10.0.0.9', true)).toEqual({ ok: true, span: { first: 0x0a000005, last: 0x0a000009 } });
    expect(parseIpv4Span('10.0.0.0/30', true)).toEqual({ ok: true, span: { first: 0x0a000001, last: 0x0a000002 } });
    expect(parseIpv4Span('10.0.0.0/31', true)).toEqual({ ok: true, span: { first: 0x0a000000, last: 0x0a000001 } });
    expect(parseIpv4Span('10.0.0.0/30', false)).toEqual({ ok: true, span: { first: 0x0a000000, last: 0x0a000003 } });
  });

  test('refuses reversed ranges, IPv6 and junk', () => {
    expect(parseIpv4Span('10.0.0.9-10.0.0.5', true)).toEqual({ ok: false, reason: 'the range starts after it ends' });
    expect(parseIpv4Span('2001:db8::/64', true)).toMatchObject({ ok: false, reason: expect.stringContaining('IPv4') });
    expect(parseIpv4Span('2001:db8::1', true)).toMatchObject({ ok: false, reason: expect.stringContaining('IPv4') });
    expect(parseIpv4Span('::ffff:10.0.0.0/120', true)).toMatchObject({ ok: false, reason: expect.stringContaining('IPv4') });
    expect(parseIpv4Span('10.0.0.1-', true)).toMatchObject({ ok: false });
    expect(parseIpv4Span('10.0.0.1 - 10.0.0.2', true)).toMatchObject({ ok: false });
  });

  test('subtraction leaves zero, one or two pieces', () => {
    const s = { first: 10, last: 20 };
    expect(subtractSpan(s, { first: 0, last: 30 })).toEqual([]);
    expect(subtractSpan(s, { first: 15, last: 15 })).toEqual([{ first: 10, last: 14 }, { first: 16, last: 20 }]);
    expect(subtractSpan(s, { first: 5, last: 12 })).toEqual([{ first: 13, last: 20 }]);
    expect(subtractSpan(s, { first: 21, last: 30 })).toEqual([s]);
  });

  test('a range decomposes into the fewest CIDR blocks that cover exactly it', () => {
    expect(spanToCidrs({ first: parseIpv4('192.168.42.10')!, last: parseIpv4('192.168.42.250')! }).map(formatCidr)).toEqual([
      '192.168.42.10/31', '192.168.42.12/30', '192.168.42.16/28', '192.168.42.32/27', '192.168.42.64/26',
      '192.168.42.128/26', '192.168.42.192/27', '192.168.42.224/28', '192.168.42.240/29', '192.168.42.248/31',
      '192.168.42.250/32',
    ]);
    expect(spanToCidrs({ first: 0, last: 0xffffffff }).map(formatCidr)).toEqual(['0.0.0.0/0']);
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 70000 }), (first, len) => {
      const last = Math.min(0xffffffff, first + len);
      const blocks = spanToCidrs({ first, last }).map(cidrSpan);
      // Contiguous, in order, exactly covering the span, each block aligned.
      expect(blocks[0]!.first).toBe(first);
      expect(blocks.at(-1)!.last).toBe(last);
      blocks.slice(1).forEach((b, i) => expect(b.first).toBe(blocks[i]!.last + 1));
      blocks.forEach((b) => expect(b.first % (b.last - b.first + 1)).toBe(0));
    }), { numRuns: 200 });
  });
});
