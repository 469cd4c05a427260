/**
 * The man pages match the command lines: every option and command the built daemons' `--help`
 * lists is in docs/NAME.8.md (and in its SYNOPSIS), with SIGUSR1 and the journald priorities;
 * docs/nm-l2tp-ipsec.md promises no IPv6 gateway (NetworkManager-l2tp takes IPv4 only).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from './sources.js';

describe.each(['kl2tpd', 'ql2tpd'])('docs/%s.8.md', (name) => {
  const man = readFileSync(join(ROOT, 'docs', `${name}.8.md`), 'utf8');
  const help = spawnSync(process.execPath, [join(ROOT, 'apps', name, 'dist', 'main.js'), '--help'], { encoding: 'utf8' }).stdout;
  const synopsis = man.split('## SYNOPSIS')[1]!.split('## ')[0]!;

  test('documents every option of --help, and the SYNOPSIS names every run option', () => {
    const options = [...new Set([...help.matchAll(/--([a-z][a-z-]+)/g)].map((m) => m[1]!))];
    expect(options).toEqual(expect.arrayContaining(['config', 'verbose', 'null', 'metrics-listen', 'log-format', 'check-config']));
    expect(options.filter((o) => !man.includes(`-${o}`))).toEqual([]);
    expect(options.filter((o) => !['help', 'version', 'socket', 'json'].includes(o) && !synopsis.includes(`-${o}`))).toEqual([]);
  });

  test('the SYNOPSIS has the commands as --help spells them (up|down TARGET)', () => {
    const commands = help.split('Commands for a running')[1]!.trim().split('\n').slice(1).map((l) => l.trim().split(/\s{2,}/)[0]!);
    expect(commands).toHaveLength(3);
    const quote = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const c of commands) {
      const usage = new RegExp(`^${quote(c.replace(' [--json]', ''))}( |$)`, 'm');
      expect(synopsis.replace('up|down', c.includes(' up ') ? 'up' : 'down')).toMatch(usage);
    }
  });

  test('documents SIGUSR1 and the journald priorities', () => {
    expect(man).toMatch(/`SIGUSR1`\n: Write the status table/);
    expect(man).toContain(`journalctl -p err -u ${name}`);
  });
});

test('docs/nm-l2tp-ipsec.md does not promise IPv6 gateways through NetworkManager-l2tp (IPv4 only)', () => {
  const nm = readFileSync(join(ROOT, 'docs', 'nm-l2tp-ipsec.md'), 'utf8');
  expect(nm).not.toMatch(/IPv6 gateways work/);
  expect(nm).toMatch(/NetworkManager-l2tp accepts only an IPv4 address/);
});
