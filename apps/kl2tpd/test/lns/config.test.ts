// [lns.NAME] tables in kl2tpd.toml: every key read and defaulted, LAC tunnels and LNS tables in one
// file, the helpers the runtime builds its pool from, and each bad file of test/bad-lns reporting
// exactly the issues its `# expect LINE:COL PATH ~ TEXT` comments list, in that order.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatIssue } from '@l2tp/config';
import { parseKl2tpdConfig } from '../../src/config.js';
import { DEFAULT_LNS_HELLO_TIMEOUT_MS, lnsIpv6Only, lnsPoolSpans } from '../../src/lns/config.js';
import { AddressPool } from '../../src/lns/pool.js';

const parse = (text: string, file?: string) => {
  const r = parseKl2tpdConfig(text, file, { hostName: 'test' });
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return r.config;
};

describe('[lns.NAME]', () => {
  test('an empty table takes every default', () => {
    expect(parse('[lns.default]\n').ext.lns).toEqual([{
      name: 'default', listen: { host: '0.0.0.0', port: 1701, family: 4 }, hostName: undefined, secret: undefined,
      hideAvps: false, helloTimeoutMs: DEFAULT_LNS_HELLO_TIMEOUT_MS, retryTimeoutMs: 1000, maxRetries: 5, windowSize: 16, allow: undefined,
      maxTunnels: 0, maxSessions: 0, localIp: undefined, ipRange: [], ipRangeExclude: [], pppdPath: undefined,
      pppdArgs: undefined, pppName: undefined, sccrqLimit: { count: 10, intervalMs: 60_000 }, sccrqBurst: 3,
    }]);
  });

  test('every key of the issue is read; a file holds [tunnel.*] and [lns.*] together', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kl2tpd-lns-'));
    writeFileSync(join(dir, 'options.lns'), 'auth\nrequire-mschap-v2\nms-dns 192.0.2.53\n');
    const config = parse([
      '[tunnel.uplink]', 'peer = "192.0.2.9:1701"', 'version = "l2tpv2"',
      '[lns.default]', 'listen = "[::]:1701"', 'host_name = "lns.example.net"', 'secret = "s3cret"', 'hide_avps = true',
      'hello_timeout = 30000', 'retry_timeout = 500', 'max_retries = 7', 'window_size = 32', 'allow = ["192.0.2.0/24", "2001:db8::/32"]',
      'max_tunnels = 1000', 'max_sessions = 10000', 'local_ip = "203.0.113.1"',
      'ip_range = ["203.0.113.10-203.0.113.250", "198.51.100.0/25"]', 'ip_range_exclude = ["203.0.113.100"]',
      'pppd_path = "/usr/local/sbin/pppd"', 'pppd_args = "options.lns"', 'ppp_name = "l2tpd"',
      'sccrq_limit = "5/s"', 'sccrq_burst = 10',
    ].join('\n'), join(dir, 'kl2tpd.toml'));
    expect(config.tunnels.map((t) => t.name)).toEqual(['uplink']);
    expect(config.ext.lns).toEqual([{
      name: 'default', listen: { host: '::', port: 1701, family: 6 }, hostName: 'lns.example.net', secret: 's3cret',
      hideAvps: true, helloTimeoutMs: 30000, retryTimeoutMs: 500, maxRetries: 7, windowSize: 32, allow: ['192.0.2.0/24', '2001:db8::/32'],
      maxTunnels: 1000, maxSessions: 10000, localIp: '203.0.113.1',
      ipRange: ['203.0.113.10-203.0.113.250', '198.51.100.0/25'], ipRangeExclude: ['203.0.113.100'],
      pppdPath: '/usr/local/sbin/pppd', pppdArgs: join(dir, 'options.lns'), pppName: 'l2tpd',
      sccrqLimit: { count: 5, intervalMs: 1000 }, sccrqBurst: 10,
    }]);
    expect(Object.isFrozen(config.ext.lns[0]!.ipRange)).toBe(true);
  });

  test('sccrq_limit = "off" turns the rate limit off', () => {
    expect(parse('[lns.a]\nsccrq_limit = "off"\n').ext.lns[0]!.sccrqLimit).toBeUndefined();
  });

  test('the pool spans build a working pool: ranges in order, exclusions, local_ip excluded', () => {
    const [lns] = parse('[lns.a]\nlocal_ip = "10.0.0.1"\nip_range = ["10.0.1.0/30", "10.0.0.0/29"]\nip_range_exclude = ["10.0.0.1", "10.0.0.3"]\n').ext.lns;
    const { ranges, exclude } = lnsPoolSpans(lns!);
    const pool = new AddressPool(ranges, exclude);
    expect(Array.from({ length: 7 }, () => pool.allocate())).toEqual(['10.0.1.1', '10.0.1.2', '10.0.0.2', '10.0.0.4', '10.0.0.5', '10.0.0.6', undefined]);
  });

  test('[::] is IPv6-only next to an IPv4 listener on its port, dual-stack otherwise', () => {
    const both = parse('[lns.a]\nlisten = "[::]:1701"\n[lns.b]\nlisten = "0.0.0.0:1701"\n[lns.c]\nlisten = "[::]:1702"\n').ext.lns;
    expect([0, 1, 2].map((i) => lnsIpv6Only(both, i))).toEqual([true, false, false]);
  });

  test('listeners on different addresses or ports, and the two wildcards, do not clash', () => {
    expect(parse([
      '[lns.a]', 'listen = "192.0.2.1:1701"', '[lns.b]', 'listen = "192.0.2.2:1701"', '[lns.c]', 'listen = "0.0.0.0:1702"',
      '[lns.d]', 'listen = "[::]:1702"', 'allow = ["2001:db8::/32"]',
    ].join('\n')).ext.lns.map((l) => l.name)).toEqual(['a', 'b', 'c', 'd']);
  });
});

const dir = join(import.meta.dirname, '..', 'bad-lns');
describe.each(readdirSync(dir).filter((f) => f.endsWith('.toml')).sort())('bad-lns/%s', (name) => {
  test('reports exactly the expected issues', () => {
    const text = readFileSync(join(dir, name), 'utf8');
    const expected = [...text.matchAll(/^# expect (\d+):(\d+) (\S+) ~ (.*)$/gm)]
      .map((m) => ({ line: Number(m[1]), column: Number(m[2]), path: m[3]!, text: m[4]! }));
    expect(expected.length).toBeGreaterThan(0);
    const r = parseKl2tpdConfig(text, join(dir, name), { hostName: 'test' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => ({ line: i.line, column: i.column, path: i.path })))
      .toEqual(expected.map((e) => ({ line: e.line, column: e.column, path: e.path })));
    r.issues.forEach((issue, i) => expect(issue.message).toContain(expected[i]!.text));
  });
});

describe('shipped LNS example and documentation', () => {
  const root = join(import.meta.dirname, '..', '..', '..', '..');
  test('configs/examples/kl2tpd-lns.toml parses with its pppd options file', () => {
    const file = join(root, 'configs', 'examples', 'kl2tpd-lns.toml');
    const lns = parse(readFileSync(file, 'utf8'), file).ext.lns;
    expect(lns.map((l) => [l.name, l.listen.host, l.ipRange, l.pppdArgs])).toEqual([
      ['default', '0.0.0.0', ['192.168.42.10-192.168.42.250'], join(root, 'configs', 'examples', 'kl2tpd-lns-options')],
      ['carrier', '2001:db8::1', ['198.51.100.0/25'], join(root, 'configs', 'examples', 'kl2tpd-lns-options')],
    ]);
  });

  test('every [lns.NAME] key is in docs/config.md (LNS keys) and kl2tpd.toml(5), with its default', async () => {
    const { extensionKeys } = await import('@l2tp/config');
    const { kl2tpdExtension } = await import('../../src/config.js');
    const keys = extensionKeys(kl2tpdExtension).tables['lns']!;
    expect(keys).toHaveLength(19);
    const config = readFileSync(join(root, 'docs', 'config.md'), 'utf8').split(/^## /m).find((s) => s.startsWith('LNS keys')) ?? '';
    const man = readFileSync(join(root, 'docs', 'kl2tpd.toml.5.md'), 'utf8').split(/^## /m).find((s) => s.startsWith('LNS TABLES')) ?? '';
    const row = (doc: string, k: string) => doc.split('\n').find((l) => l.startsWith(`| \`${k}\` |`)) ?? '';
    expect(keys.filter((k) => !row(config, k) || !row(man, k))).toEqual([]);
    for (const [k, v] of [['hello_timeout', '`60000`'], ['listen', '`"0.0.0.0:1701"`'], ['sccrq_limit', '`"10/min"`'], ['sccrq_burst', '`3`'], ['window_size', '`16`']]) {
      expect(row(config, k!)).toContain(v);
      expect(row(man, k!)).toContain(v);
    }
  });
});
