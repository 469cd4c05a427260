// The config's IP literal checks accept exactly what node:net's do (they replace it to keep the
// net module out of --check-config).
import { isIP as netIsIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isIP, isIPv4, isIPv6 } from '../src/index.js';

const SAMPLES = [
  '', '1', '1.2.3', '1.2.3.4', '0.0.0.0', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3.4.5', ' 1.2.3.4', '1.2.3.4 ',
  '::', '::1', '1::', 'fe80::1%eth0', 'fe80::1%', '::ffff:192.0.2.1', '::ffff:192.0.2.256', '2001:db8::1', '2001:db8:0:0:0:0:0:1',
  '2001:db8:0:0:0:0:0:0:1', '2001:db8:::1', 'g::1', '[::1]', '::1:', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', 'localhost',
  '2001:DB8::A', '12345::1', ':1', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8',
];

describe('IP literals as node:net reads them', () => {
  test.each(SAMPLES)('%j', (s) => {
    const want = netIsIP(s);
    expect(isIP(s)).toBe(want);
    expect(isIPv4(s)).toBe(want === 4);
    expect(isIPv6(s)).toBe(want === 6);
  });

  test('generated addresses and near-addresses', () => {
    const nearAddress = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFg:.%'.split('')), maxLength: 45 });
    fc.assert(fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), nearAddress, fc.string()), (s) => {
      expect(isIP(s)).toBe(netIsIP(s));
    }), { numRuns: 5000 });
  });
});
