// Value readers and endpoint parsing on their own.
import { describe, expect, test } from 'vitest';
import { bytes, integer, interfaceName, oneOf, parseEndpoint, parseListenAddress, unixSocketPath } from '../src/index.js';

const ctx = { baseDir: '/etc/kl2tpd' };

describe('readers', () => {
  test('integer accepts TOML integers (bigint) in range only', () => {
    const r = integer(1, 10);
    expect(r(5n, ctx)).toEqual({ ok: true, value: 5 });
    expect(r(0n, ctx).ok).toBe(false);
    expect(r(11n, ctx).ok).toBe(false);
    expect(r(5, ctx).ok).toBe(false); // a float 5.0
    expect(r('5', ctx).ok).toBe(false);
  });

  test('bytes checks length and each byte', () => {
    expect(bytes([4, 8])([1n, 2n, 3n, 4n], ctx)).toEqual({ ok: true, value: Uint8Array.of(1, 2, 3, 4) });
    expect(bytes([4, 8])([1n, 2n, 3n], ctx)).toEqual({ ok: false, expected: 'an array of 4 or 8 integers 0..255', got: '3 bytes' });
    expect(bytes([6])([1n, 2n, 3n, 4n, 5n, -1n], ctx)).toMatchObject({ ok: false, got: '-1 at index 5' });
  });

  test('oneOf, interfaceName, unixSocketPath', () => {
    expect(oneOf(['a', 'b', 'c'])('d', ctx)).toEqual({ ok: false, expected: 'one of "a", "b", "c"' });
    expect(interfaceName('l2tpeth0', ctx).ok).toBe(true);
    for (const bad of ['', 'a/b', 'eth0:1', 'with space', '0123456789abcdef']) expect(interfaceName(bad, ctx).ok).toBe(false);
    expect(unixSocketPath('k.sock', ctx)).toEqual({ ok: true, value: '/etc/kl2tpd/k.sock' });
    expect(unixSocketPath(`/${'x'.repeat(107)}`, ctx).ok).toBe(false);
  });
});

describe('parseEndpoint', () => {
  test.each([
    ['192.0.2.1:1701', { host: '192.0.2.1', port: 1701, family: 4 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0, family: 4 }],
    ['[::1]:1701', { host: '::1', port: 1701, family: 6 }],
    ['[fe80::1%eth0]:1701', { host: 'fe80::1%eth0', port: 1701, family: 6 }],
    ['lns.example.net:1701', { host: 'lns.example.net', port: 1701, family: undefined }],
    ['localhost:5', { host: 'localhost', port: 5, family: undefined }],
    ['192.0.2.1', { host: '192.0.2.1', port: undefined, family: 4 }],
    ['[2001:db8::1]', { host: '2001:db8::1', port: undefined, family: 6 }],
  ])('%s', (text, want) => {
    expect(parseEndpoint(text)).toEqual({ ok: true, value: want });
  });

  test.each(['', ':1701', '::1', '2001:db8::1:1701', '[192.0.2.1]:1', '1.2.3:1701', '256.0.0.1:1', 'a_b:1', 'h:-1', 'h:65536', 'h:', '[::1]x', '-a.com:1'])(
    'rejects %j', (text) => {
      expect(parseEndpoint(text).ok).toBe(false);
    });

  test('listen addresses need a non-zero port', () => {
    expect(parseListenAddress('127.0.0.1:9101')).toEqual({ ok: true, value: { host: '127.0.0.1', port: 9101, family: 4 } });
    expect(parseListenAddress('127.0.0.1').ok).toBe(false);
    expect(parseListenAddress('[::]:0').ok).toBe(false);
  });
});
