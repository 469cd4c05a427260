// kl2tpd import-xl2tpd: setup-ipsec-vpn's xl2tpd.conf converts unchanged and the result passes
// --check-config; xl2tpd's own sample does too; pool order, exclusions, access control, secrets
// and the pppd options follow xl2tpd's code (file.c, aaa.c, control.c); every key without an
// equivalent is named; files xl2tpd would refuse are refused with xl2tpd's reason and line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { importXl2tpd, type ImportOptions } from '../../src/lns/import-xl2tpd.js';
import { parseXl2tpdConf, parseXl2tpdRange } from '../../src/lns/xl2tpd-conf.js';

const MAIN = new URL('../../dist/kl2tpd.cjs', import.meta.url).pathname;
const FIXTURES = new URL('../fixtures/xl2tpd/', import.meta.url).pathname;
const kl2tpd = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 20_000 });
const body = (toml: string) => toml.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
const convert = (text: string, o: Partial<ImportOptions> = {}) => {
  const r = importXl2tpd(text, { file: 'x.conf', hostName: 'lns-host', ...o });
  if (!r.ok) throw new Error(r.error);
  return r;
};

describe('setup-ipsec-vpn\'s xl2tpd.conf', () => {
  test('converts to one [lns.default] and an options file with what xl2tpd put on pppd\'s command line', () => {
    const r = convert(readFileSync(join(FIXTURES, 'setup-ipsec-vpn.conf'), 'utf8'), { file: 'xl2tpd.conf' });
    expect(body(r.toml)).toEqual([
      '[lns.default]', 'listen = "0.0.0.0:1701"', 'local_ip = "192.168.42.1"', 'ip_range = ["192.168.42.10-192.168.42.250"]',
      'ppp_name = "l2tpd"', 'pppd_args = "/etc/kl2tpd/options.lns-default"',
    ]);
    expect(body(r.optionsFile!.text)).toEqual(['refuse-pap', 'auth', 'require-chap', 'file /etc/ppp/options.xl2tpd']);
    expect(r.notes).toEqual(['xl2tpd.conf:12: length bit: ignored: it has no effect with the kernel data plane']);
  });

  test('kl2tpd import-xl2tpd --out-dir writes files that pass kl2tpd --check-config', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kl2tpd-import-')), 'etc');
    const r = kl2tpd('import-xl2tpd', join(FIXTURES, 'setup-ipsec-vpn.conf'), '--out-dir', dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('length bit: ignored');
    expect(readFileSync(join(dir, 'options.lns-default'), 'utf8')).toContain('\nrequire-chap\n');
    const check = kl2tpd('--check-config', '-config', join(dir, 'kl2tpd.toml'));
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    // Never over an existing file.
    expect(kl2tpd('import-xl2tpd', join(FIXTURES, 'setup-ipsec-vpn.conf'), '--out-dir', dir).status).toBe(1);
  });

  test('without --out-dir the TOML goes to stdout and the notes to stderr', () => {
    const r = kl2tpd('import-xl2tpd', join(FIXTURES, 'setup-ipsec-vpn.conf'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\[lns\.default\]$/m);
    expect(r.stdout).toContain('#   require-chap');
    expect(r.stderr).toMatch(/setup-ipsec-vpn\.conf:12: length bit/);
  });
});

test('xl2tpd\'s own sample converts and passes --check-config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kl2tpd-import-'));
  expect(kl2tpd('import-xl2tpd', join(FIXTURES, 'xl2tpd-example.conf'), '--out-dir', dir).status).toBe(0);
  const toml = readFileSync(join(dir, 'kl2tpd.toml'), 'utf8');
  expect(body(toml)).toContain('ip_range = ["192.168.1.128-192.168.1.254"]');
  expect(body(readFileSync(join(dir, 'options.lns-default'), 'utf8'))).toEqual(['refuse-pap', 'auth', 'require-chap', 'debug', 'file /etc/ppp/options.xl2tpd']);
  expect(kl2tpd('--check-config', '-config', join(dir, 'kl2tpd.toml')).status).toBe(0);
});

describe('conversion rules', () => {
  test('pool: scan order kept, overlaps merged, no ip range as exclusions, local ip taken out of the pool', () => {
    const r = convert('[lns default]\nip range = 10.0.2.0 - 10.0.2.9\nip range = 10.0.1.1-5\nip range = 10.0.2.5-10.0.2.20\n' +
      'no ip range = 10.0.1.3\nno ip range = 10.9.9.9\nlocal ip = 10.0.2.1\n');
    expect(body(r.toml)).toEqual([
      '[lns.default]', 'listen = "0.0.0.0:1701"', 'local_ip = "10.0.2.1"',
      'ip_range = ["10.0.2.0-10.0.2.9", "10.0.1.1-10.0.1.5", "10.0.2.10-10.0.2.20"]', 'ip_range_exclude = ["10.0.1.3", "10.0.2.1"]',
    ]);
    expect(r.notes).toEqual(['x.conf:7: local ip: 10.0.2.1 is inside ip range: added to ip_range_exclude so no client is given the server\'s address']);
  });

  test('pool: an ip range after a no ip range re-allows, as xl2tpd\'s get_addr reads it', () => {
    const r = convert('[lns default]\nip range = 192.168.0.1-192.168.0.20\nno ip range = 192.168.0.3-192.168.0.9\nip range = 192.168.0.5\n');
    expect(body(r.toml)).toContain('ip_range = ["192.168.0.1-192.168.0.2", "192.168.0.10-192.168.0.20", "192.168.0.5"]');
    expect(r.notes[0]).toMatch(/rewritten as the addresses xl2tpd would hand out/);
  });

  test('assign ip = no: no pool', () => {
    const r = convert('[lns default]\nip range = 10.0.0.1-10.0.0.9\nassign ip = no\n');
    expect(body(r.toml).some((l) => l.startsWith('ip_range'))).toBe(false);
    expect(r.notes.join('\n')).toMatch(/assign ip = no/);
  });

  test('allow: lac / no lac with access control = yes, last match wins; ignored (and named) without it', () => {
    const conf = '[lns default]\nlac = 192.0.2.0-192.0.2.255\nno lac = 192.0.2.128 - 192.0.2.255\nlac = 192.0.2.200\n';
    expect(body(convert(`[global]\naccess control = yes\n${conf}`).toml)).toContain('allow = ["192.0.2.0/25", "192.0.2.200/32"]');
    const open = convert(conf);
    expect(body(open.toml).some((l) => l.startsWith('allow'))).toBe(false);
    expect(open.notes).toHaveLength(3);
  });

  test('pppd options as control.c adds them: refuse authentication, unix authentication, require without auth', () => {
    expect(body(convert('[lns default]\nrefuse authentication = yes\nrequire authentication = yes\nrequire pap = yes\nunix authentication = yes\n')
      .optionsFile!.text)).toEqual(['refuse-pap', 'refuse-chap', 'auth', 'require-pap', 'login']);
    const r = convert('[lns default]\nrequire chap = yes\npppoptfile = /etc/ppp/x\n');
    expect(r.optionsFile).toBeUndefined();
    expect(body(r.toml)).toContain('pppd_args = "/etc/ppp/x"');
    expect(r.notes).toEqual(['x.conf:2: require chap: had no effect in xl2tpd either (only with require authentication = yes)']);
  });

  test('secret: the first l2tp-secrets line for us and any peer; per-peer lines named; hidden bit needs it', () => {
    const secrets = { path: '/etc/xl2tpd/l2tp-secrets', text: '# us them secret\nother * nope\nlns-host marko blah ; x\n*  *   inter op  \n' };
    const r = convert('[lns default]\nchallenge = yes\nhidden bit = yes\n', { secrets });
    expect(body(r.toml)).toEqual(['[lns.default]', 'listen = "0.0.0.0:1701"', 'secret = "inter op"', 'hide_avps = true']);
    expect(r.notes).toEqual(['/etc/xl2tpd/l2tp-secrets:3: a secret for peer "marko" only: not carried over (kl2tpd has one secret per [lns])']);
    const none = convert('[lns default]\nchallenge = yes\nhidden bit = yes\n');
    expect(none.toml).toContain('# secret = "..."');
    expect(none.notes.join('\n')).toMatch(/could not be read.*\n.*hidden bit: not carried over/);
  });

  test('global keys, other sections and unsupported keys are named', () => {
    const r = convert('[global]\nlisten-addr = 192.0.2.1\nport = 1702\nmax retries = 9\ndebug tunnel = yes\n[lac up]\nlns = 192.0.2.9\n' +
      '[lns default]\nexclusive = yes\ntunnel rws = 8\nhostname = lns.example.net\n[lns other]\nip range = 10.0.0.1\n');
    expect(body(r.toml)).toEqual(['[lns.default]', 'listen = "192.0.2.1:1702"', 'max_retries = 9', 'host_name = "lns.example.net"']);
    expect(r.notes.map((n) => n.replace(/: .*/, ''))).toEqual(['x.conf:6', 'x.conf:12', 'x.conf:5', 'x.conf:9', 'x.conf:10']);
  });
});

describe('xl2tpd.conf syntax (file.c)', () => {
  test('comments, case-insensitive keys, merged sections, short-form ranges', () => {
    const r = parseXl2tpdConf('; c\n[LNS default] ; x\nIP Range = 10.0.0.1-9\n[lns default]\nname = a;b\n');
    expect(r).toEqual({ ok: true, sections: [{ kind: 'lns', name: 'default', line: 2, entries: [
      { key: 'ip range', value: '10.0.0.1-9', line: 3 }, { key: 'name', value: 'a', line: 5 },
    ] }] });
    expect(parseXl2tpdRange('10.0.0.1-9')).toEqual({ first: '10.0.0.1', last: '10.0.0.9' });
    expect(parseXl2tpdRange('10.0.0.1 - 10.0.1.2')).toEqual({ first: '10.0.0.1', last: '10.0.1.2' });
    expect(parseXl2tpdRange('10.0.0.1-1.2')).toEqual({ first: '10.0.0.1', last: '10.0.1.2' });
    expect(parseXl2tpdRange('lac1-lac2')).toEqual({ host: 'lac1-lac2' });
  });

  test.each([
    ['[lns default\n', 1, 'No closing bracket'],
    ['[tunnel x]\n', 1, "unknown context 'tunnel'"],
    ['port = 1701\n', 1, 'occurs with no context'],
    ['[global]\n# comment\n', 2, "no '=' in data"],
    ['[global]\nbogus = 1\n', 2, "Unknown field 'bogus'"],
    ['[lns default]\nport = 1701\n', 2, "'port' not valid in this context"],
    ['[lns default]\nchallenge = maybe\n', 2, "challenge must be 'yes' or 'no'"],
  ])('%j is refused at line %i like xl2tpd does', (text, line, message) => {
    expect(parseXl2tpdConf(text)).toEqual({ ok: false, line, message: expect.stringContaining(message) });
    expect(importXl2tpd(text, { file: 'f', hostName: 'h' })).toEqual({ ok: false, error: expect.stringContaining(`f:${line}: `) });
  });

  test('the command refuses bad usage and unreadable files with status 2', () => {
    expect(kl2tpd('import-xl2tpd').status).toBe(2);
    expect(kl2tpd('import-xl2tpd', '/nonexistent/xl2tpd.conf').status).toBe(2);
    expect(kl2tpd('import-xl2tpd', join(FIXTURES, 'setup-ipsec-vpn.conf'), '--secrets', '/nonexistent').status).toBe(2);
    const f = join(mkdtempSync(join(tmpdir(), 'kl2tpd-import-')), 'x.conf');
    writeFileSync(f, '[global]\n');
    const r = kl2tpd('import-xl2tpd', f);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no \[lns\] section/);
    expect(existsSync(f)).toBe(true);
  });
});

test('a pppoptfile path with a space is quoted for pppd\'s options reader', async () => {
  const { parsePppdOptions } = await import('@l2tp/config');
  const r = convert('[lns default]\nrequire authentication = yes\npppoptfile = /etc/ppp/my options\n');
  const words = parsePppdOptions(r.optionsFile!.text);
  expect(words.ok && words.words.slice(-2)).toEqual(['file', '/etc/ppp/my options']);
});
