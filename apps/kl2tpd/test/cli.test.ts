import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH, parseKl2tpdArgs } from '../src/index.js';

describe('kl2tpd command line (go-l2tp compatible)', () => {
  it('defaults to go-l2tp\'s config path', () => {
    expect(parseKl2tpdArgs([])).toEqual({ kind: 'run', configPath: DEFAULT_CONFIG_PATH, verbose: false, flags: { null: false }, logFormat: undefined });
  });
  it.each([
    [['-config', '/run/nm-l2tp/kl2tpd.conf']],
    [['-config=/run/nm-l2tp/kl2tpd.conf']],
    [['--config', '/run/nm-l2tp/kl2tpd.conf']],
    [['--config=/run/nm-l2tp/kl2tpd.conf']],
  ])('accepts %j as NetworkManager-l2tp and Go flag users write it', (argv) => {
    expect(parseKl2tpdArgs(argv)).toMatchObject({ kind: 'run', configPath: '/run/nm-l2tp/kl2tpd.conf' });
  });
  it('takes -verbose, -null and --log-format', () => {
    expect(parseKl2tpdArgs(['-verbose', '-null', '--log-format', 'pretty', '-config', 'x.toml']))
      .toEqual({ kind: 'run', configPath: 'x.toml', verbose: true, flags: { null: true }, logFormat: 'pretty' });
  });
  it('--check-config selects validation only', () => {
    expect(parseKl2tpdArgs(['--check-config', '-config', 'a.toml'])).toEqual({ kind: 'check-config', configPath: 'a.toml' });
  });
  it('an unknown flag or stray argument is a usage error with status 2, like Go flag', () => {
    for (const argv of [['-bogus'], ['--bogus'], ['extra'], ['--log-format', 'xml']]) {
      const r = parseKl2tpdArgs(argv);
      expect(r).toMatchObject({ kind: 'exit', status: 2, toStderr: true });
      expect(r.kind === 'exit' && r.output).toMatch(/error/);
    }
  });
  it('--help and -h print usage naming every flag, status 0', () => {
    for (const argv of [['--help'], ['-h'], ['-help']]) {
      const r = parseKl2tpdArgs(argv);
      expect(r).toMatchObject({ kind: 'exit', status: 0, toStderr: false });
      if (r.kind === 'exit') for (const f of ['--config', '--verbose', '--null', '--check-config', '--log-format']) expect(r.output).toContain(f);
    }
  });
  it('--version prints the version', () => {
    expect(parseKl2tpdArgs(['--version'])).toMatchObject({ kind: 'exit', status: 0, output: '0.1.0\n' });
  });
});
