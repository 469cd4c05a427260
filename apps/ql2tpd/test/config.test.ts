// ql2tpd's config: the shipped examples (go-l2tp doc, IP encapsulation, IPv6) parse to the
// expected objects; ql2tpd's own keys are read, checked, defaulted and documented.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { extensionKeys, formatIssue } from '@l2tp/config';
import {
  DEFAULT_QL2TPD_CONTROL_SOCKET, loadQl2tpdConfig, parseQl2tpdConfig, ql2tpdExtension, type Ql2tpdConfig,
} from '../src/config.js';

const examples = resolve(import.meta.dirname, '..', '..', '..', 'configs', 'examples');
const load = async (file: string): Promise<Ql2tpdConfig> => {
  const r = await loadQl2tpdConfig(join(examples, file), { hostName: 'pe.test' });
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return r.config;
};
const tunnelDefaults = {
  encap: 'udp', windowSize: 4, helloTimeoutMs: 0, retryTimeoutMs: 1000, maxRetries: 5, hostName: 'pe.test',
  framingCaps: { sync: true, async: true }, ext: { routerId: undefined, digestSecret: undefined, digest: undefined },
};
const sessionDefaults = {
  seqnum: false, reorderTimeoutMs: 0, cookie: undefined, peerCookie: undefined, interfaceName: undefined,
  l2specType: 'none', pppoeSessionId: 0, pppoePeerMac: undefined, ext: { mtu: undefined, remoteEndId: undefined, cookieLength: undefined },
};

describe('shipped ql2tpd examples', () => {
  test('ql2tpd.toml: go-l2tp\'s documented static tunnel and a quiescent IP-encapsulated one', async () => {
    expect(await load('ql2tpd.toml')).toEqual({
      ext: { controlSocket: DEFAULT_QL2TPD_CONTROL_SOCKET, metricsListen: undefined },
      tunnels: [
        {
          ...tunnelDefaults, name: 't1', version: 3, mode: 'static',
          local: { host: '127.0.0.1', port: 5000, family: 4 }, peer: { host: '127.0.0.1', port: 5001, family: 4 },
          tunnelId: 62719, peerTunnelId: 72819,
          sessions: [{
            ...sessionDefaults, name: 's1', pseudowire: 'eth', sessionId: 12389, peerSessionId: 1234,
            cookie: Uint8Array.of(0x12, 0xe9, 0x54, 0x0f, 0xe2, 0x68, 0x72, 0xbc), peerCookie: Uint8Array.of(0x74, 0x2e, 0x28, 0xa8),
            interfaceName: 'l2tpeth42', l2specType: 'default',
          }],
        },
        {
          ...tunnelDefaults, name: 't2', version: 3, mode: 'quiescent', encap: 'ip',
          local: { host: '192.0.2.1', port: 0, family: 4 }, peer: { host: '192.0.2.2', port: 0, family: 4 },
          tunnelId: 100, peerTunnelId: 200, helloTimeoutMs: 10000,
          sessions: [
            {
              ...sessionDefaults, name: 'red', pseudowire: 'eth', sessionId: 1001, peerSessionId: 2001,
              cookie: Uint8Array.of(0xde, 0xad, 0xbe, 0xef), peerCookie: Uint8Array.of(0xca, 0xfe, 0xf0, 0x0d),
              interfaceName: 'l2tp-red', seqnum: true, reorderTimeoutMs: 50, ext: { ...sessionDefaults.ext, mtu: 1400 },
            },
            { ...sessionDefaults, name: 'blue', pseudowire: 'eth', sessionId: 1002, peerSessionId: 2002, interfaceName: 'l2tp-blue' },
          ],
        },
      ],
    });
  });

  test('ql2tpd-ipv6.toml', async () => {
    const t = (await load('ql2tpd-ipv6.toml')).tunnels[0]!;
    expect([t.local, t.peer, t.tunnelId, t.peerTunnelId]).toEqual([
      { host: '2001:db8::1', port: 1701, family: 6 }, { host: '2001:db8::2', port: 1701, family: 6 }, 1, 2,
    ]);
    expect(t.sessions[0]!.cookie).toEqual(Uint8Array.of(1, 2, 3, 4));
  });

  test('ql2tpd-dynamic.toml: a dynamic pseudowire over IP with a SHA-1 digest', async () => {
    const t = (await load('ql2tpd-dynamic.toml')).tunnels[0]!;
    expect([t.mode, t.encap, t.ext, t.helloTimeoutMs]).toEqual(['dynamic', 'ip', { routerId: undefined, digestSecret: ['s3cret'], digest: 'sha1' }, 60000]);
    expect(t.sessions.map((s) => [s.pseudowire, s.ext.remoteEndId, s.ext.cookieLength, s.interfaceName])).toEqual([['eth', 'vc100', 4, 'l2tpeth100']]);
  });

  test('kl2tpd examples are refused: ql2tpd runs only l2tpv3 (and pppd_args is not its key)', async () => {
    const r = await loadQl2tpdConfig(join(examples, 'nm-l2tp', 'kl2tpd.conf'));
    expect(!r.ok && r.issues.map((i) => [i.path, i.line, i.message])).toEqual([
      ['tunnel.t1.version', 4, 'expected "l2tpv3": ql2tpd runs only l2tpv3 tunnels (got "l2tpv2")'],
      ['tunnel.t1.session.s1.pppd_args', 8, 'unrecognised parameter pppd_args'],
    ]);
  });
});

describe('ql2tpd keys', () => {
  const base = '[tunnel.t]\nversion = "l2tpv3"\nlocal = "192.0.2.1:1701"\npeer = "192.0.2.2:1701"\ntid = 1\nptid = 2\n[tunnel.t.session.s]\npseudowire = "eth"\nsid = 1\npsid = 2\n';

  test('mtu, control_socket and metrics_listen are read', () => {
    const r = parseQl2tpdConfig(`control_socket = "/run/q.sock"\nmetrics_listen = "0.0.0.0:9102"\n${base}mtu = 1450\n`, '/etc/ql2tpd/ql2tpd.toml');
    if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
    expect(r.config.ext).toEqual({ controlSocket: '/run/q.sock', metricsListen: { host: '0.0.0.0', port: 9102, family: 4 } });
    expect(r.config.tunnels[0]!.sessions[0]!.ext).toEqual({ mtu: 1450, remoteEndId: undefined, cookieLength: undefined });
  });

  test('bad values are reported with path, line and column', () => {
    const r = parseQl2tpdConfig(`control_socket = 5\n${base}mtu = 67\n`, 'q.toml');
    expect(!r.ok && r.issues.map((i) => [i.line, i.column, i.path, i.message])).toEqual([
      [1, 18, 'control_socket', 'expected a unix socket path (got 5)'],
      [12, 7, 'tunnel.t.session.s.mtu', 'expected an integer 68..65535 (got 67)'],
    ]);
  });

  test('every ql2tpd key is documented in docs/config.md at its level, marked ql2tpd', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '..', '..', '..', 'docs', 'config.md'), 'utf8');
    const section = (h: string) => doc.split(/^## /m).find((s) => s.startsWith(h)) ?? '';
    const keys = extensionKeys(ql2tpdExtension);
    expect(keys.global.length + keys.tunnel.length + keys.session.length).toBe(8);
    const undocumented = ([['Top-level keys', keys.global], ['Tunnel keys', keys.tunnel], ['Session keys', keys.session]] as const)
      .flatMap(([h, ks]) => ks.map((k) => [h, k] as const))
      .filter(([h, k]) => !section(h).split('\n').some((l) => l.startsWith(`| \`${k}\` |`) && /\| (both|ql2tpd)\b/.test(l)));
    expect(undocumented).toEqual([]);
  });
});

describe('dynamic tunnel keys', () => {
  const dyn = '[tunnel.pe]\nversion = "l2tpv3"\nmode = "dynamic"\nencap = "ip"\nlocal = "192.0.2.1"\npeer = "192.0.2.2"\n';

  test('are read with their defaults (router_id from local)', () => {
    const r = parseQl2tpdConfig(`${dyn}digest_secret = "s3cret"\ndigest = "sha1"\n[tunnel.pe.session.vc100]\npseudowire = "eth_vlan"\nremote_end_id = "vc100"\ncookie_length = 8\n`, 'q.toml');
    if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
    const t = r.config.tunnels[0]!;
    expect([t.mode, t.tunnelId, t.ext]).toEqual(['dynamic', 0, { routerId: undefined, digestSecret: ['s3cret'], digest: 'sha1' }]);
    expect(t.sessions[0]).toMatchObject({ pseudowire: 'eth_vlan', sessionId: 0, ext: { remoteEndId: 'vc100', cookieLength: 8 } });
    const two = parseQl2tpdConfig(`${dyn}router_id = "10.1.2.3"\ndigest_secret = ["new", "old"]\n`, 'q.toml');
    expect(two.ok && two.config.tunnels[0]!.ext).toEqual({ routerId: 0x0a010203, digestSecret: ['new', 'old'], digest: undefined });
  });

  test('every problem at once, each at its key', () => {
    const r = parseQl2tpdConfig(`[tunnel.pe]\nversion = "l2tpv3"\nmode = "dynamic"\nlocal = "[2001:db8::1]:1701"\npeer = "[2001:db8::2]:1701"\ntid = 5
digest = "sha256"\ncookie_length = 4\n[tunnel.pe.session.a]\npseudowire = "eth"\nsid = 3\ncookie_length = 5\n[tunnel.pe.session.b]\npseudowire = "ppp"\n
[tunnel.st]\nversion = "l2tpv3"\nlocal = "192.0.2.1:1701"\npeer = "192.0.2.2:1701"\ntid = 1\nptid = 2\nrouter_id = 7\n[tunnel.st.session.s]\npseudowire = "eth_vlan"\nsid = 1\npsid = 2\nremote_end_id = "x"\n
[tunnel.q]\nversion = "l2tpv3"\nmode = "quiescent"\nlocal = "192.0.2.1:1702"\npeer = "192.0.2.2:1702"\ntid = 3\nptid = 4\n`, 'q.toml');
    expect(!r.ok && r.issues.map(formatIssue)).toEqual([
      'q.toml:4:1: tunnel.pe.local: a dynamic tunnel needs router_id when local is not an IPv4 address other than 0.0.0.0 (the Router ID defaults to it, RFC 3931 §5.4.3)',
      'q.toml:6:1: tunnel.pe.tid: unexpected tid: a dynamic tunnel\'s control connection ids are negotiated (RFC 3931 §5.4.3)',
      'q.toml:7:10: tunnel.pe.digest: expected "md5" or "sha1" (got "sha256")',
      'q.toml:8:1: tunnel.pe.cookie_length: unrecognised parameter cookie_length',
      'q.toml:9:1: tunnel.pe.session.a: missing remote_end_id: a dynamic session is matched with the peer\'s by it (RFC 3931 §5.4.4)',
      'q.toml:11:1: tunnel.pe.session.a.sid: unexpected sid: a dynamic tunnel negotiates session ids and cookies (RFC 3931 §5.4.4; cookie_length sets ours)',
      'q.toml:12:17: tunnel.pe.session.a.cookie_length: expected 0, 4 or 8 (got 5)',
      'q.toml:13:1: tunnel.pe.session.b: missing remote_end_id: a dynamic session is matched with the peer\'s by it (RFC 3931 §5.4.4)',
      'q.toml:22:1: tunnel.st.router_id: unexpected router_id: only for mode = "dynamic" tunnels',
      'q.toml:24:14: tunnel.st.session.s.pseudowire: expected "eth" here ("eth_vlan" is negotiated in dynamic l2tpv3 tunnels; the kernel carries tagged frames in "eth") (got "eth_vlan")',
      'q.toml:27:1: tunnel.st.session.s.remote_end_id: unexpected remote_end_id: only in mode = "dynamic" tunnels',
      'q.toml:31:1: tunnel.q.mode: a quiescent tunnel needs hello_timeout (the HELLO interval in ms, > 0)',
    ]);
  });
});

describe('docs/ql2tpd.toml.5.md', () => {
  const man = readFileSync(new URL('../../../docs/ql2tpd.toml.5.md', import.meta.url), 'utf8');
  test('every toml example is a valid ql2tpd config', () => {
    const blocks = [...man.matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const b of blocks) expect(parseQl2tpdConfig(b, 'ql2tpd.toml.5.md', { hostName: 'h' }).ok).toBe(true);
  });
  test('says next to its ip l2tp example that the default l2spec_type differs from ip l2tp\'s', () => {
    const section = man.split('## A PEER MADE WITH ip l2tp')[1]!.split('\n## ')[0]!;
    expect(section).toContain('ql2tpd\'s default is `l2spec_type = "none"`');
    expect(section).toMatch(/ip l2tp add session .* l2spec_type none/);
    const toml = /```toml\n([\s\S]*?)```/.exec(section)![1]!;
    const r = parseQl2tpdConfig(toml, 'x', { hostName: 'h' });
    expect(r.ok && r.config.tunnels[0]!.sessions[0]!.l2specType).toBe('none');
  });
});
