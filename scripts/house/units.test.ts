/**
 * The shipped systemd units: `systemd-analyze verify` accepts them, their sandbox leaves only what
 * the daemon needs, and `systemd-analyze security` rates them no worse than the figure in docs.
 * verify insists that ExecStart exists, so each unit is checked as a copy whose ExecStart names
 * the built daemon run by this node.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from './sources.js';

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
// .ci/run installs systemd; a machine without it cannot judge the units, and says so here.
const haveSystemd = analyze.status === 0;
if (!haveSystemd) console.warn('!!! systemd-analyze missing: systemd unit checks NOT RUN');

/** `Key=value` lines of a unit's [Service] section. */
function serviceKeys(text: string): Map<string, string> {
  const section = text.split(/^\[Service\]$/m)[1]!.split(/^\[/m)[0]!;
  return new Map(section.split('\n').filter((l) => /^[A-Za-z]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe.each([
  ['kl2tpd', 'AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PPPOX', 3.0],
  ['ql2tpd', 'AF_UNIX AF_INET AF_INET6 AF_NETLINK', 2.5],
])('configs/systemd/%s.service', (daemon, families, maxExposure) => {
  const text = readFileSync(join(ROOT, 'configs', 'systemd', `${daemon}.service`), 'utf8');
  const keys = serviceKeys(text);

  test('is a notify service with reload, restart and watchdog', () => {
    expect(keys.get('Type')).toBe('notify');
    expect(keys.get('NotifyAccess')).toBe('main');
    expect(keys.get('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(keys.get('Restart')).toBe('on-failure');
    expect(keys.get('ExecStart')).toBe(`/usr/local/bin/${daemon} -config /etc/${daemon}/${daemon}.toml`);
    expect(keys.get('RuntimeDirectory')).toBe(daemon);
  });

  test('sandbox: only the address families and capabilities the daemon needs', () => {
    expect(keys.get('RestrictAddressFamilies')).toBe(families);
    expect(keys.get('CapabilityBoundingSet')).toBe('CAP_NET_ADMIN CAP_NET_BIND_SERVICE');
    for (const [k, v] of [['ProtectSystem', 'strict'], ['ProtectHome', 'yes'], ['PrivateTmp', 'yes'], ['NoNewPrivileges', 'yes'],
      ['SystemCallFilter', '@system-service'], ['ProtectKernelModules', 'yes'], ['RestrictNamespaces', 'yes']]) {
      expect(keys.get(k!), k).toBe(v);
    }
  });

  test.runIf(haveSystemd)('systemd-analyze verify passes and security exposure is low', () => {
    const dir = mkdtempSync(join(tmpdir(), 'l2tp-unit-'));
    const main = join(ROOT, 'apps', daemon, 'dist', `${daemon}.cjs`);
    const copy = join(dir, `${daemon}.service`);
    writeFileSync(copy, text.replace(`ExecStart=/usr/local/bin/${daemon}`, `ExecStart=${process.execPath} ${main}`));
    const verify = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
    // verify also loads the machine's installed units and reports their faults (e.g. Debian's
    // freeradius.service, "uses MemoryLimit="): only lines about our unit count.
    const ours = (verify.stderr + verify.stdout).split('\n').filter((l) => l.trim() !== '' && !/^\/(usr\/)?lib\/systemd\//.test(l));
    expect(ours).toEqual([]);
    expect(verify.status).toBe(0);
    const sec = spawnSync('systemd-analyze', ['security', '--offline=yes', copy], { encoding: 'utf8' });
    const m = /Overall exposure level for \S+: (\d+\.\d+)/.exec(sec.stdout);
    expect(m, sec.stdout + sec.stderr).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(maxExposure);
  });
});
