/**
 * kl2tpd's command line: go-l2tp's flags (`-config PATH`, `-verbose`, `-null`, Go single-dash
 * syntax as NetworkManager-l2tp uses it) plus ours (`--check-config`, `--log-format`,
 * `--version`). Parsing is separate from running so tests can check every form without a daemon.
 */
import { Command, CommanderError, Option } from 'commander';
import { normalizeGoFlags } from '@l2tp/config';
import { VERSION } from './version.js';
import type { LogFormat } from './log.js';

/** go-l2tp's default config path. */
export const DEFAULT_CONFIG_PATH = '/etc/kl2tpd/kl2tpd.toml';

/** What the command line asks for. */
export type Invocation =
  | { readonly kind: 'run'; readonly configPath: string; readonly verbose: boolean; readonly null: boolean;
      readonly logFormat: LogFormat | undefined }
  | { readonly kind: 'check-config'; readonly configPath: string }
  | { readonly kind: 'exit'; readonly status: number; readonly output: string; readonly toStderr: boolean };

/**
 * Parses kl2tpd's arguments (without `node` and the script). Usage errors become an `exit` with
 * status 2 as Go's `flag` package does; `--help` and `--version` an `exit` with status 0.
 */
export function parseKl2tpdArgs(argv: readonly string[]): Invocation {
  let out = '';
  let err = '';
  const program = new Command('kl2tpd')
    .description('L2TPv2 LAC daemon: tunnels and sessions from a TOML file, one pppd per session')
    .addOption(new Option('--config <path>', 'configuration file').default(DEFAULT_CONFIG_PATH))
    .option('--verbose', 'log debug messages', false)
    .option('--null', 'bring tunnels and sessions up without a kernel data plane or pppd', false)
    .option('--check-config', 'validate the configuration, print every problem, exit 2 if there is one', false)
    .addOption(new Option('--log-format <format>', 'log line format (default: json, or pretty on a terminal)')
      .choices(['json', 'pretty']))
    .version(VERSION, '--version', 'print the version and exit')
    .helpOption('-h, --help', 'print this help and exit')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: (s) => { out += s; }, writeErr: (s) => { err += s; } });
  try {
    program.parse(normalizeGoFlags(argv, ['verbose', 'null', 'check-config', 'help', 'version'], ['config', 'log-format']),
      { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    const ok = e.exitCode === 0;
    return { kind: 'exit', status: ok ? 0 : 2, output: ok ? out : err, toStderr: !ok };
  }
  const o = program.opts<{ config: string; verbose: boolean; null: boolean; checkConfig: boolean; logFormat?: LogFormat }>();
  if (o.checkConfig) return { kind: 'check-config', configPath: o.config };
  return { kind: 'run', configPath: o.config, verbose: o.verbose, null: o.null, logFormat: o.logFormat };
}
