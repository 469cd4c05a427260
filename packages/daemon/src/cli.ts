/**
 * The daemons' command line: go-l2tp's flags (`-config PATH`, `-verbose`, and kl2tpd's `-null`,
 * in Go's single-dash syntax as NetworkManager-l2tp uses it) plus ours (`--check-config`,
 * `--log-format`, `--version`). Parsing is separate from running so tests can check every form
 * without a daemon.
 */
import { Command, CommanderError, Option } from 'commander';
import { normalizeGoFlags, parseListenAddress } from '@l2tp/config';
import type { ControlRequest } from './control-socket.js';
import type { LogFormat } from './log.js';

/** One daemon's command-line surface. */
export interface DaemonCli {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** go-l2tp's default config path for this daemon. */
  readonly defaultConfigPath: string;
  /** False when `up`/`down` take only a tunnel (ql2tpd); default true (`TUNNEL[/SESSION]`). */
  readonly sessionTargets?: boolean;
  /** The daemon's own commands, dispatched before this parser (kl2tpd's `import-xl2tpd`); named in the unknown-command error. */
  readonly commands?: readonly string[];
  /** Extra boolean flags (`null`) with their help text. */
  readonly flags?: Readonly<Record<string, string>>;
}

/** What the command line asks for. */
export type Invocation =
  | { readonly kind: 'run'; readonly configPath: string; readonly verbose: boolean;
      readonly logFormat: LogFormat | undefined; readonly flags: Readonly<Record<string, boolean>>;
      /** `--metrics-listen HOST:PORT` (overrides the config's `metrics_listen`). */
      readonly metricsListen?: { readonly host: string; readonly port: number } }
  | { readonly kind: 'check-config'; readonly configPath: string }
  /** `status`, `up TARGET`, `down TARGET`: ask the running daemon over its control socket. */
  | { readonly kind: 'control'; readonly request: ControlRequest; readonly json: boolean;
      /** `--socket`, else the config's `control_socket` (from `--config` or the default config). */
      readonly socketPath: string | undefined; readonly configPath: string }
  | { readonly kind: 'exit'; readonly status: number; readonly output: string; readonly toStderr: boolean };

/**
 * Parses a daemon's arguments (without `node` and the script). Usage errors become an `exit` with
 * status 2 as Go's `flag` package does; `--help` and `--version` an `exit` with status 0.
 */
export function parseDaemonArgs(cli: DaemonCli, argv: readonly string[]): Invocation {
  if (['status', 'up', 'down'].includes(argv[0] ?? '')) return parseControlArgs(cli, argv);
  let out = '';
  let err = '';
  const extra = Object.keys(cli.flags ?? {});
  const program = new Command(cli.name)
    .description(cli.description)
    .addOption(new Option('--config <path>', 'configuration file').default(cli.defaultConfigPath))
    .option('--verbose', 'log debug messages', false);
  for (const [flag, help] of Object.entries(cli.flags ?? {})) program.option(`--${flag}`, help, false);
  program
    .option('--check-config', 'validate the configuration, print every problem, exit 2 if there is one', false)
    .addOption(new Option('--log-format <format>', 'log line format (default: json, or pretty on a terminal)')
      .choices(['json', 'pretty']))
    .option('--metrics-listen <host:port>', 'serve Prometheus metrics on GET /metrics (overrides metrics_listen)')
    .version(cli.version, '--version', 'print the version and exit')
    .helpOption('-h, --help', 'print this help and exit')
    // A word that is no option is a command we do not have (checked below, after parsing).
    .allowExcessArguments(true)
    .addHelpText('after', `
Commands for a running ${cli.name} (over its control socket; --socket PATH or the config's control_socket):
  ${cli.name} status [--json]          every tunnel and session with counters
  ${cli.name} down ${target(cli).padEnd(19)} tear one configured ${cli.sessionTargets === false ? 'tunnel (with its sessions)' : 'object'} down
  ${cli.name} up ${target(cli).padEnd(21)} bring it back up`)
    .exitOverride()
    .configureOutput({ writeOut: (s) => { out += s; }, writeErr: (s) => { err += s; } });
  try {
    const booleans = ['verbose', 'check-config', 'help', 'version', ...extra];
    program.parse(normalizeGoFlags(argv, booleans, ['config', 'log-format', 'metrics-listen']), { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    const ok = e.exitCode === 0;
    return { kind: 'exit', status: ok ? 0 : 2, output: ok ? out : err, toStderr: !ok };
  }
  if (program.args.length > 0) {
    return { kind: 'exit', status: 2, toStderr: true, output: `error: unknown command '${program.args[0]}' (commands: ${['status', 'up', 'down', ...(cli.commands ?? [])].join(', ')}; see ${cli.name} --help)\n` };
  }
  const o = program.opts<Record<string, unknown>>();
  const configPath = o['config'] as string;
  if (o['checkConfig'] === true) return { kind: 'check-config', configPath };
  const flags = Object.fromEntries(extra.map((f) => [f, o[f] === true]));
  const run = { kind: 'run' as const, configPath, verbose: o['verbose'] === true, logFormat: o['logFormat'] as LogFormat | undefined, flags };
  if (o['metricsListen'] === undefined) return run;
  const addr = parseListenAddress(o['metricsListen']);
  if (!addr.ok) return { kind: 'exit', status: 2, toStderr: true, output: `error: --metrics-listen: expected ${addr.expected}\n` };
  return { ...run, metricsListen: { host: addr.value.host, port: addr.value.port } };
}

const target = (cli: DaemonCli) => (cli.sessionTargets === false ? 'TUNNEL' : 'TUNNEL[/SESSION]');

/** Parses `status [--json]`, `up TARGET`, `down TARGET` with `--socket PATH` and `--config PATH`. */
function parseControlArgs(cli: DaemonCli, argv: readonly string[]): Invocation {
  let out = '';
  let err = '';
  const op = argv[0] as 'status' | 'up' | 'down';
  const program = new Command(`${cli.name} ${op}`)
    .description(op === 'status' ? `print every tunnel and session of the running ${cli.name}`
      : `${op === 'up' ? 'bring up' : 'tear down'} one configured tunnel or session of the running ${cli.name}`)
    .option('--socket <path>', 'control socket of the daemon')
    .addOption(new Option('--config <path>', 'configuration file naming the control socket').default(cli.defaultConfigPath))
    .helpOption('-h, --help', 'print this help and exit')
    .exitOverride()
    .configureOutput({ writeOut: (s) => { out += s; }, writeErr: (s) => { err += s; } });
  if (op === 'status') program.option('--json', 'print the snapshot as JSON', false).allowExcessArguments(false);
  else program.argument('<target>', `${cli.sessionTargets === false ? 'TUNNEL' : 'TUNNEL or TUNNEL/SESSION'}, as named in the config`);
  try {
    program.parse(normalizeGoFlags(argv.slice(1), ['json', 'help'], ['config', 'socket']), { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    const ok = e.exitCode === 0;
    return { kind: 'exit', status: ok ? 0 : 2, output: ok ? out : err, toStderr: !ok };
  }
  const o = program.opts<{ socket?: string; config: string; json?: boolean }>();
  if (op !== 'status' && cli.sessionTargets === false && program.args[0]!.includes('/')) {
    return { kind: 'exit', status: 2, toStderr: true, output: `error: ${cli.name} ${op} takes a tunnel name (sessions go up and down with their tunnel)\n` };
  }
  const request: ControlRequest = op === 'status' ? { op } : { op, target: program.args[0]! };
  return { kind: 'control', request, json: o.json === true, socketPath: o.socket, configPath: o.config };
}
