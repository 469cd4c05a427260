import { describe, expect, it } from 'vitest';
import { parseDaemonArgs, type DaemonCli } from '../src/index.js';

const cli: DaemonCli = { name: 'xd', version: '9.9.9', description: 'test daemon', defaultConfigPath: '/etc/xd.toml', flags: { null: 'no kernel' } };

describe('daemon control commands', () => {
  it('status [--json] with the socket from --socket or the config', () => {
    expect(parseDaemonArgs(cli, ['status'])).toEqual(
      { kind: 'control', request: { op: 'status' }, json: false, socketPath: undefined, configPath: '/etc/xd.toml' });
    expect(parseDaemonArgs(cli, ['status', '--json', '-socket', '/run/x.sock'])).toMatchObject(
      { kind: 'control', json: true, socketPath: '/run/x.sock' });
    expect(parseDaemonArgs(cli, ['status', '-config=/tmp/c.toml'])).toMatchObject({ configPath: '/tmp/c.toml' });
  });
  it('up/down take exactly one target', () => {
    expect(parseDaemonArgs(cli, ['down', 't1/s1'])).toMatchObject({ kind: 'control', request: { op: 'down', target: 't1/s1' } });
    expect(parseDaemonArgs(cli, ['up', 't1'])).toMatchObject({ kind: 'control', request: { op: 'up', target: 't1' } });
    expect(parseDaemonArgs(cli, ['down'])).toMatchObject({ kind: 'exit', status: 2 });
    expect(parseDaemonArgs(cli, ['status', 'extra'])).toMatchObject({ kind: 'exit', status: 2 });
  });
  it('the main help names the commands; extra flags are booleans', () => {
    const help = parseDaemonArgs(cli, ['--help']);
    expect(help.kind === 'exit' && help.output).toMatch(/xd status \[--json\][\s\S]*xd down TUNNEL\[\/SESSION\]/);
    expect(parseDaemonArgs(cli, ['-null'])).toMatchObject({ kind: 'run', flags: { null: true } });
  });
});

describe('commands and Go flag syntax', () => {
  it('an unknown command says "unknown command" (not "too many arguments"), status 2', () => {
    for (const argv of [['connect', 't1'], ['connect'], ['-config', '/tmp/x.toml', 'restart']]) {
      const r = parseDaemonArgs(cli, argv);
      expect(r).toMatchObject({ kind: 'exit', status: 2, toStderr: true });
      expect(r.kind === 'exit' && r.output).toBe(`error: unknown command '${argv.at(-1) === 't1' ? 'connect' : argv.at(-1)}' (commands: status, up, down; see xd --help)\n`);
    }
  });
  it('accepts Go\'s -verbose=true / -verbose=false and -null=true', () => {
    expect(parseDaemonArgs(cli, ['-verbose=true'])).toMatchObject({ kind: 'run', verbose: true });
    expect(parseDaemonArgs(cli, ['-verbose=false'])).toMatchObject({ kind: 'run', verbose: false });
    expect(parseDaemonArgs(cli, ['-verbose', '-verbose=false', '-null=1'])).toMatchObject({ kind: 'run', verbose: false, flags: { null: true } });
    expect(parseDaemonArgs(cli, ['-verbose=maybe'])).toMatchObject({ kind: 'exit', status: 2 });
  });
});

describe('--metrics-listen', () => {
  it('takes host:port or [v6]:port and refuses anything else with status 2', () => {
    expect(parseDaemonArgs(cli, ['--metrics-listen', '127.0.0.1:9701'])).toMatchObject({ kind: 'run', metricsListen: { host: '127.0.0.1', port: 9701 } });
    expect(parseDaemonArgs(cli, ['-metrics-listen=[::1]:9701'])).toMatchObject({ kind: 'run', metricsListen: { host: '::1', port: 9701 } });
    expect(parseDaemonArgs(cli, ['--metrics-listen', 'nope'])).toMatchObject({ kind: 'exit', status: 2, output: expect.stringMatching(/--metrics-listen/) });
  });
});
