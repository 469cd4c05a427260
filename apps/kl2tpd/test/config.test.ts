// kl2tpd's config: the shipped examples (go-l2tp doc, IPv6, NetworkManager-l2tp, kpppoed) parse
// to the expected objects; kl2tpd's own keys are read, checked, defaulted and documented.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, expectTypeOf, test } from 'vitest';
import { extensionKeys, formatIssue, type Endpoint } from '@l2tp/config';
import {
  DEFAULT_KL2TPD_CONTROL_SOCKET, DEFAULT_PPPD_PATH, kl2tpdExtension, loadKl2tpdConfig, parseKl2tpdConfig,
  type Kl2tpdConfig, type Kl2tpdLnsConfig, type Kl2tpdSessionConfig, type Kl2tpdTunnelConfig,
} from '../src/config.js';

const examples = resolve(import.meta.dirname, '..', '..', '..', 'configs', 'examples');
const load = async (file: string): Promise<Kl2tpdConfig> => {
  const r = await loadKl2tpdConfig(join(examples, file), { hostName: 'lac.test' });
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return r.config;
};
const tunnelDefaults = {
  encap: 'udp', local: undefined, tunnelId: 0, peerTunnelId: 0, windowSize: 4, helloTimeoutMs: 0,
  retryTimeoutMs: 1000, maxRetries: 5, hostName: 'lac.test', framingCaps: { sync: true, async: true },
  ext: { secret: undefined, hideAvps: false, redial: false, redialTimeoutMs: 5000, maxRedials: 0, stayUp: false },
};
const sessionDefaults = {
  sessionId: 0, peerSessionId: 0, seqnum: false, reorderTimeoutMs: 0, cookie: undefined, peerCookie: undefined,
  interfaceName: undefined, l2specType: 'none', pppoeSessionId: 0, pppoePeerMac: undefined,
};
const globalDefaults = { pppdPath: DEFAULT_PPPD_PATH, controlSocket: DEFAULT_KL2TPD_CONTROL_SOCKET, metricsListen: undefined, lns: [] };

describe('shipped kl2tpd examples', () => {
  test('kl2tpd.toml (go-l2tp\'s documented example, valid TOML)', async () => {
    expect(await load('kl2tpd.toml')).toEqual({
      ext: globalDefaults,
      tunnels: [{
        ...tunnelDefaults, name: 't1', version: 2, mode: 'dynamic',
        local: { host: '127.0.0.1', port: 5000, family: 4 }, peer: { host: '127.0.0.1', port: 5001, family: 4 },
        tunnelId: 62719, windowSize: 10, helloTimeoutMs: 7500, retryTimeoutMs: 1500, maxRetries: 5,
        hostName: 'basilbrush.local', framingCaps: { sync: true, async: true },
        sessions: [{
          ...sessionDefaults, name: 's1', pseudowire: 'ppp', sessionId: 12389,
          ext: { pppdArgs: join(examples, 'kl2tpd-pppd-args.txt') },
        }],
      }],
    });
  });

  test('kl2tpd-ipv6.toml', async () => {
    const c = await load('kl2tpd-ipv6.toml');
    expect(c.tunnels.map((t) => [t.name, t.local, t.peer, t.helloTimeoutMs])).toEqual([
      ['primary', undefined, { host: '2001:db8::10', port: 1701, family: 6 }, 0],
      ['backup', { host: '::', port: 1701, family: 6 }, { host: '2001:db8::11', port: 1701, family: 6 }, 60000],
    ]);
    expect(c.tunnels.map((t) => t.sessions.map((s) => s.name))).toEqual([['office'], ['office']]);
  });

  test('nm-l2tp/kl2tpd.conf with its ppp-options file', async () => {
    expect(await load('nm-l2tp/kl2tpd.conf')).toEqual({
      ext: globalDefaults,
      tunnels: [{
        ...tunnelDefaults, name: 't1', version: 2, mode: 'dynamic',
        local: { host: '0.0.0.0', port: 1701, family: 4 }, peer: { host: '203.0.113.5', port: 1701, family: 4 },
        sessions: [{ ...sessionDefaults, name: 's1', pseudowire: 'ppp', ext: { pppdArgs: join(examples, 'nm-l2tp', 'ppp-options') } }],
      }],
    });
  });

  test('kpppoed-kl2tpd.toml (pppac with PPPoE session id, peer MAC, interface)', async () => {
    const c = await load('kpppoed-kl2tpd.toml');
    expect(c.tunnels[0]!.sessions[0]).toEqual({
      ...sessionDefaults, name: 's1', pseudowire: 'pppac', pppoeSessionId: 4660, interfaceName: 'eth0',
      pppoePeerMac: Uint8Array.of(0x02, 0x42, 0x94, 0xd1, 0x4e, 0x9a), ext: { pppdArgs: undefined },
    });
  });

  test('the exact text NetworkManager-l2tp writes, with its absolute rundir, IPv4 and IPv6', () => {
    const rundir = mkdtempSync(join(tmpdir(), 'nm-l2tp-6ab2c4a1-'));
    writeFileSync(join(rundir, 'ppp-options'), readFileSync(join(examples, 'nm-l2tp', 'ppp-options')));
    for (const [local, gw, peer] of [['0.0.0.0', '198.51.100.7', '198.51.100.7'], ['[::]', '[2001:db8::7]', '2001:db8::7']] as const) {
      // nm-l2tp-service.c: write_config_option() calls, in order.
      const text = `[tunnel.t1]\nlocal = "${local}:1701"\npeer = "${gw}:1701"\nversion = "l2tpv2"\nencap = "udp"\n` +
        `[tunnel.t1.session.s1]\npseudowire = "ppp"\npppd_args = "${rundir}/ppp-options"\n`;
      const r = parseKl2tpdConfig(text, join(rundir, 'kl2tpd.conf'));
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.config.tunnels[0]!.peer.host).toBe(peer);
      expect(r.config.tunnels[0]!.sessions[0]!.ext.pppdArgs).toBe(`${rundir}/ppp-options`);
      // The ephemeral-port variant leaves out `local`.
      expect(parseKl2tpdConfig(text.replace(/^local = .*\n/m, ''), join(rundir, 'kl2tpd.conf')).ok).toBe(true);
    }
  });

  test('ql2tpd examples are refused: kl2tpd runs only l2tpv2', async () => {
    const r = await loadKl2tpdConfig(join(examples, 'ql2tpd-ipv6.toml'));
    expect(!r.ok && r.issues.map((i) => [i.path, i.line, i.message])).toEqual([
      ['tunnel.v6.version', 4, 'expected "l2tpv2": kl2tpd runs only l2tpv2 tunnels (got "l2tpv3")'],
    ]);
  });
});

describe('kl2tpd keys', () => {
  test('the extension keys are typed for the daemon', () => {
    expectTypeOf<Kl2tpdConfig['ext']>().toEqualTypeOf<{
      readonly pppdPath: string; readonly controlSocket: string; readonly metricsListen: Endpoint | undefined;
      readonly lns: readonly Kl2tpdLnsConfig[];
    }>();
    expectTypeOf<Kl2tpdTunnelConfig['ext']>().toEqualTypeOf<{
      readonly secret: string | undefined; readonly hideAvps: boolean; readonly redial: boolean;
      readonly redialTimeoutMs: number; readonly maxRedials: number; readonly stayUp: boolean;
    }>();
    expectTypeOf<Kl2tpdSessionConfig['ext']>().toEqualTypeOf<{ readonly pppdArgs: string | undefined }>();
    expectTypeOf<Kl2tpdTunnelConfig['version']>().toEqualTypeOf<2 | 3>();
  });

  test('every key is read into ext', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kl2tpd-conf-'));
    mkdirSync(join(dir, 'ppp'));
    writeFileSync(join(dir, 'ppp', 'opts'), 'noauth\n');
    const text = [
      'pppd_path = "/opt/ppp/sbin/pppd"', 'control_socket = "run/k.sock"', 'metrics_listen = "[::1]:9101"',
      '[tunnel.t1]', 'peer = "192.0.2.1:1701"', 'version = "l2tpv2"', 'secret = "s3cret"', 'hide_avps = true',
      'redial = true', 'redial_timeout = 2000', 'max_redials = 3', 'stay_up = true',
      '[tunnel.t1.session.s1]', 'pseudowire = "ppp"', 'pppd_args = "ppp/opts"',
    ].join('\n');
    const r = parseKl2tpdConfig(text, join(dir, 'kl2tpd.toml'));
    if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
    expect(r.config.ext).toEqual({
      pppdPath: '/opt/ppp/sbin/pppd', controlSocket: join(dir, 'run', 'k.sock'),
      metricsListen: { host: '::1', port: 9101, family: 6 }, lns: [],
    });
    expect(r.config.tunnels[0]!.ext).toEqual({
      secret: 's3cret', hideAvps: true, redial: true, redialTimeoutMs: 2000, maxRedials: 3, stayUp: true,
    });
    expect(r.config.tunnels[0]!.sessions[0]!.ext).toEqual({ pppdArgs: join(dir, 'ppp', 'opts') });
  });

  test('bad kl2tpd values are all reported with path, line and column', () => {
    const text = [
      'pppd_path = "pppd"', //                           1
      'metrics_listen = "127.0.0.1"', //                 2
      '[tunnel.t1]', //                                  3
      'peer = "192.0.2.1:1701"', //                      4
      'version = "l2tpv2"', //                           5
      'hide_avps = true', //                             6
      'redial_timeout = 0', //                           7
      'max_redials = -1', //                             8
      'stay_up = "yes"', //                              9
      '[tunnel.t1.session.s1]', //                       10
      'pseudowire = "ppp"', //                           11
      'pppd_args = "/nonexistent/options"', //           12
      '[tunnel.t1.session.s2]', //                       13
      'pseudowire = "ppp"', //                           14
      'pppd_args = "."', //                              15
    ].join('\n');
    const r = parseKl2tpdConfig(text, '/tmp/k.toml');
    expect(!r.ok && r.issues.map((i) => [i.line, i.column, i.path, i.message])).toEqual([
      [1, 13, 'pppd_path', 'expected an absolute path (got "pppd")'],
      [2, 18, 'metrics_listen', 'expected "host:port" or "[v6]:port" with a port 1..65535 (got "127.0.0.1")'],
      [6, 1, 'tunnel.t1.hide_avps', 'hide_avps = true needs a tunnel secret (RFC 2661 §4.3): add secret = "..."'],
      [7, 18, 'tunnel.t1.redial_timeout', 'expected an integer 1..4294967295 (got 0)'],
      [8, 15, 'tunnel.t1.max_redials', 'expected an integer 0..4294967295 (got -1)'],
      [9, 11, 'tunnel.t1.stay_up', 'expected true or false (got "yes")'],
      [12, 13, 'tunnel.t1.session.s1.pppd_args', 'expected a path to a readable file (got "/nonexistent/options": ENOENT)'],
      [15, 13, 'tunnel.t1.session.s2.pppd_args', 'expected a path to a readable file (got ".", not a regular file)'],
    ]);
  });

  test('a pppd_args file with an unterminated quote is an issue at load time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kl2tpd-conf-'));
    writeFileSync(join(dir, 'opts'), 'noauth\nuser "alice\n');
    const text = '[tunnel.t1]\npeer = "192.0.2.1:1701"\nversion = "l2tpv2"\n[tunnel.t1.session.s1]\npseudowire = "ppp"\npppd_args = "opts"\n';
    const r = parseKl2tpdConfig(text, join(dir, 'k.toml'));
    expect(!r.ok && r.issues.map((i) => [i.line, i.column, i.path, i.message])).toEqual([
      [6, 13, 'tunnel.t1.session.s1.pppd_args', 'expected a pppd options file (got "opts": line 2: unterminated " quote)'],
    ]);
  });

  test('a missing config file is one issue', async () => {
    const r = await loadKl2tpdConfig('/nonexistent/kl2tpd.toml');
    expect(!r.ok && r.issues.map((i) => [i.file, i.line, i.message.slice(0, 31)])).toEqual([
      ['/nonexistent/kl2tpd.toml', 1, 'cannot read config file: ENOENT'],
    ]);
  });

  test('every kl2tpd key is documented in docs/config.md at its level, marked kl2tpd', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '..', '..', '..', 'docs', 'config.md'), 'utf8');
    const section = (h: string) => doc.split(/^## /m).find((s) => s.startsWith(h)) ?? '';
    const keys = extensionKeys(kl2tpdExtension);
    expect(keys.global.length + keys.tunnel.length + keys.session.length).toBe(11);
    const undocumented = ([['Top-level keys', keys.global], ['Tunnel keys', keys.tunnel], ['Session keys', keys.session]] as const)
      .flatMap(([h, ks]) => ks.map((k) => [h, k] as const))
      .filter(([h, k]) => !section(h).split('\n').some((l) => l.startsWith(`| \`${k}\` |`) && /\| (both|kl2tpd)\b/.test(l)));
    expect(undocumented).toEqual([]);
  });
});
