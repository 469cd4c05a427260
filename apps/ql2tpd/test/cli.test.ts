import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH, parseQl2tpdArgs } from '../src/index.js';

describe('ql2tpd command line (go-l2tp compatible)', () => {
  it('defaults to go-l2tp\'s config path and takes -config/-verbose in Go syntax', () => {
    expect(parseQl2tpdArgs([])).toMatchObject({ kind: 'run', configPath: DEFAULT_CONFIG_PATH, verbose: false });
    expect(parseQl2tpdArgs(['-config=/etc/pw.toml', '-verbose'])).toEqual(
      { kind: 'run', configPath: '/etc/pw.toml', verbose: true, logFormat: undefined, flags: { null: false } });
  });
  it('takes -null (ours: no kernel data plane, to try it without the L2TP modules), off by default', () => {
    expect(parseQl2tpdArgs(['-null'])).toMatchObject({ kind: 'run', flags: { null: true } });
    expect(parseQl2tpdArgs([])).toMatchObject({ kind: 'run', flags: { null: false } });
  });
  it('up/down take a tunnel name, as the help and ql2tpd(8) say', () => {
    expect(parseQl2tpdArgs(['down', 'pw'])).toMatchObject({ kind: 'control', request: { op: 'down', target: 'pw' } });
    expect(parseQl2tpdArgs(['up', 'pw/s'])).toEqual({ kind: 'exit', status: 2, toStderr: true,
      output: 'error: ql2tpd up takes a tunnel name (sessions go up and down with their tunnel)\n' });
    const help = parseQl2tpdArgs(['--help']);
    expect(help.kind === 'exit' && help.output).toMatch(/ql2tpd down TUNNEL +tear one configured tunnel \(with its sessions\) down\n +ql2tpd up TUNNEL +bring it back up/);
    expect(help.kind === 'exit' && help.output).not.toContain('SESSION');
  });
  it('--check-config and --version', () => {
    expect(parseQl2tpdArgs(['--check-config', '--config', 'q.toml'])).toEqual({ kind: 'check-config', configPath: 'q.toml' });
    expect(parseQl2tpdArgs(['--version'])).toMatchObject({ kind: 'exit', status: 0, output: '0.1.0\n' });
  });
});
