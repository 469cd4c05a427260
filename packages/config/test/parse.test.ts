// parseConfig on valid input: defaults, file order, frozen output, go-l2tp's own test inputs.
import { hostname } from 'node:os';
import { describe, expect, test } from 'vitest';
import { configToJson, formatIssue, parseConfig, type Config } from '../src/index.js';

const ok = (text: string, hostName = 'lac.example'): Config => {
  const r = parseConfig(text, { hostName });
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return r.config;
};

describe('parseConfig', () => {
  test('an empty file is valid and has no tunnels', () => {
    expect(ok('')).toEqual({ tunnels: [], ext: {} });
    expect(ok('# nothing\n')).toEqual({ tunnels: [], ext: {} });
  });

  test('a minimal l2tpv2 tunnel gets every default', () => {
    const c = ok('[tunnel.t1]\npeer = "42.102.77.204:1701"\nversion = "l2tpv2"\n[tunnel.t1.session.s1]\npseudowire = "ppp"\n');
    expect(c.tunnels).toEqual([{
      name: 't1', version: 2, mode: 'dynamic', encap: 'udp', local: undefined,
      peer: { host: '42.102.77.204', port: 1701, family: 4 },
      tunnelId: 0, peerTunnelId: 0, windowSize: 4, helloTimeoutMs: 0, retryTimeoutMs: 1000, maxRetries: 5,
      hostName: 'lac.example', framingCaps: { sync: true, async: true }, ext: {},
      sessions: [{
        name: 's1', sessionId: 0, peerSessionId: 0, pseudowire: 'ppp', seqnum: false, reorderTimeoutMs: 0,
        cookie: undefined, peerCookie: undefined, interfaceName: undefined, l2specType: 'none',
        pppoeSessionId: 0, pppoePeerMac: undefined, ext: {},
      }],
    }]);
  });

  test('host_name defaults to the OS host name', () => {
    const r = parseConfig('[tunnel.t]\npeer = "a.example:1701"\nversion = "l2tpv2"\n');
    expect(r.ok && r.config.tunnels[0]!.hostName).toBe(hostname());
  });

  test('zero window_size, retry_timeout and max_retries mean "default", as in go-l2tp', () => {
    const t = ok('[tunnel.t]\npeer = "a:1"\nversion = "l2tpv2"\nwindow_size = 0\nretry_timeout = 0\nmax_retries = 0\n').tunnels[0]!;
    expect([t.windowSize, t.retryTimeoutMs, t.maxRetries]).toEqual([4, 1000, 5]);
  });

  test('every core key is read with its type and unit (go-l2tp config_test inputs, made valid for us)', () => {
    const c = ok(`
[tunnel.t1]
encap = "ip"
version = "l2tpv3"
local = "127.0.0.1"
peer = "127.0.0.1:5001"
tid = 412
ptid = 8192
hello_timeout = 250
window_size = 10
retry_timeout = 250
max_retries = 2
host_name = "basilbrush.local"
framing_caps = ["async"]

[tunnel.t1.session.s1]
pseudowire = "eth"
sid = 90210
psid = 1237812
cookie = [ 0x34, 0x04, 0xa9, 0xbe ]
peer_cookie = [ 0x80, 0x12, 0xff, 0x5b, 1, 2, 3, 4 ]
seqnum = true
reorder_timeout = 1500
l2spec_type = "default"
interface_name = "becky"
`);
    const t = c.tunnels[0]!;
    expect({ ...t, sessions: undefined }).toEqual({
      name: 't1', version: 3, mode: 'quiescent', encap: 'ip', local: { host: '127.0.0.1', port: 0, family: 4 },
      peer: { host: '127.0.0.1', port: 5001, family: 4 }, tunnelId: 412, peerTunnelId: 8192, windowSize: 10,
      helloTimeoutMs: 250, retryTimeoutMs: 250, maxRetries: 2, hostName: 'basilbrush.local',
      framingCaps: { sync: false, async: true }, ext: {}, sessions: undefined,
    });
    expect(t.sessions[0]).toEqual({
      name: 's1', sessionId: 90210, peerSessionId: 1237812, pseudowire: 'eth', seqnum: true, reorderTimeoutMs: 1500,
      cookie: Uint8Array.of(0x34, 0x04, 0xa9, 0xbe), peerCookie: Uint8Array.of(0x80, 0x12, 0xff, 0x5b, 1, 2, 3, 4),
      interfaceName: 'becky', l2specType: 'default', pppoeSessionId: 0, pppoePeerMac: undefined, ext: {},
    });
  });

  test('IPv6 and hostname endpoints', () => {
    const t = ok('[tunnel.t2]\nencap = "udp"\nversion = "l2tpv2"\nlocal = "[::]:0"\npeer = "[2001:0000:1234:0000:0000:C1C0:ABCD:0876]:6543"\n').tunnels[0]!;
    expect(t.local).toEqual({ host: '::', port: 0, family: 6 });
    expect(t.peer).toEqual({ host: '2001:0000:1234:0000:0000:C1C0:ABCD:0876', port: 6543, family: 6 });
    expect(ok('[tunnel.t]\nversion = "l2tpv2"\npeer = "lns.example.net:1701"\n').tunnels[0]!.peer)
      .toEqual({ host: 'lns.example.net', port: 1701, family: undefined });
  });

  test('tunnels and sessions keep file order, integer-like names included', () => {
    const text = ['zeta', '10', 'alpha', '2'].map((n, i) =>
      `[tunnel."${n}"]\npeer = "192.0.2.${i + 1}:1701"\nversion = "l2tpv2"\n` +
      ['s9', '3', 'a', '1'].map((s) => `[tunnel."${n}".session."${s}"]\npseudowire = "ppp"\n`).join('')).join('\n');
    const c = ok(text);
    expect(c.tunnels.map((t) => t.name)).toEqual(['zeta', '10', 'alpha', '2']);
    for (const t of c.tunnels) expect(t.sessions.map((s) => s.name)).toEqual(['s9', '3', 'a', '1']);
  });

  test('order follows the first mention when sessions come before their tunnel table', () => {
    const c = ok('[tunnel.b.session.x]\npseudowire = "ppp"\n[tunnel.a]\npeer = "a:1"\nversion = "l2tpv2"\n[tunnel.b]\npeer = "b:1"\nversion = "l2tpv2"\n');
    expect(c.tunnels.map((t) => t.name)).toEqual(['b', 'a']);
  });

  test('dotted keys and inline tables are accepted like tables', () => {
    const c = ok('tunnel.t1 = { peer = "a:1", version = "l2tpv2", session = { s1 = { pseudowire = "ppp", sid = 3 } } }\n');
    expect(c.tunnels[0]!.sessions[0]!.sessionId).toBe(3);
  });

  test('the output is deeply frozen', () => {
    const c = ok('[tunnel.t1]\npeer = "a:1"\nversion = "l2tpv2"\n[tunnel.t1.session.s1]\npseudowire = "ppp"\n');
    const t = c.tunnels[0]!;
    for (const o of [c, c.tunnels, c.ext, t, t.peer, t.framingCaps, t.sessions, t.sessions[0], t.sessions[0]!.ext]) {
      expect(Object.isFrozen(o)).toBe(true);
    }
    expect(() => { (t as { maxRetries: number }).maxRetries = 1; }).toThrow(TypeError);
  });

  test('a TOML syntax error is one issue with smol-toml\'s position and no path', () => {
    const r = parseConfig('[tunnel.t1]\npeer = "a:1\n', { file: 'x.toml' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ path: '', line: 2, file: 'x.toml' });
    expect(formatIssue(r.issues[0]!)).toMatch(/^x\.toml:2:\d+: invalid TOML: /);
  });

  test('formatIssue renders FILE:LINE:COL: path: message, leaving out what is unknown', () => {
    expect(formatIssue({ file: 'a.toml', line: 3, column: 7, path: 'tunnel.t1.tid', message: 'expected x (got y)' }))
      .toBe('a.toml:3:7: tunnel.t1.tid: expected x (got y)');
    expect(formatIssue({ line: 1, column: 1, path: '', message: 'm' })).toBe('1:1: m');
  });

  test('issues are sorted by position even across tunnels', () => {
    const r = parseConfig('[tunnel.b]\nx = 1\n[tunnel.a]\ny = 2\n[tunnel.b.session.s]\nz = 3\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.issues.map((i) => i.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(r.issues.map((i) => i.path)).toContain('tunnel.b.session.s.z');
  });

  test('a UTF-8 byte-order mark is ignored', () => {
    expect(ok('\uFEFF[tunnel.t1]\npeer = "a:1"\nversion = "l2tpv2"\n').tunnels).toHaveLength(1);
  });

  test('configToJson prints the effective config, byte arrays as numbers', () => {
    const c = ok('[tunnel.t]\nversion = "l2tpv3"\nlocal = "192.0.2.1:1"\npeer = "192.0.2.2:1"\ntid = 1\nptid = 2\n' +
      '[tunnel.t.session.s]\npseudowire = "eth"\nsid = 1\npsid = 2\ncookie = [1, 2, 3, 255]\n');
    const back = JSON.parse(configToJson(c)) as { tunnels: { maxRetries: number; local: unknown; sessions: { cookie: number[]; peerCookie?: unknown }[] }[] };
    expect(back.tunnels[0]!.maxRetries).toBe(5);
    expect(back.tunnels[0]!.local).toEqual({ host: '192.0.2.1', port: 1, family: 4 });
    expect(back.tunnels[0]!.sessions[0]!.cookie).toEqual([1, 2, 3, 255]);
    expect('peerCookie' in back.tunnels[0]!.sessions[0]!).toBe(false);
  });
});
