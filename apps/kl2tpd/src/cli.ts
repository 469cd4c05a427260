/** kl2tpd's command line: the shared daemon flags plus go-l2tp's `-null`. */
import { parseDaemonArgs, type DaemonCli, type Invocation } from '@l2tp/daemon';
import { VERSION } from './version.js';

/** go-l2tp's default config path. */
export const DEFAULT_CONFIG_PATH = '/etc/kl2tpd/kl2tpd.toml';

/**
 * kl2tpd's own subcommands, dispatched in main.ts before the shared daemon command line:
 * `import-xl2tpd XL2TPD_CONF [--secrets FILE] [--out-dir DIR]` (import-xl2tpd-cli.ts).
 */
export const KL2TPD_SUBCOMMANDS = ['import-xl2tpd'] as const;

/** kl2tpd's command-line surface. */
export const KL2TPD_CLI: DaemonCli = {
  name: 'kl2tpd', version: VERSION, defaultConfigPath: DEFAULT_CONFIG_PATH,
  description: 'L2TPv2 LAC and LNS daemon: tunnels and sessions from a TOML file, one pppd per session',
  flags: { null: 'bring tunnels and sessions up without a kernel data plane or pppd' },
  commands: KL2TPD_SUBCOMMANDS,
};

/** Parses kl2tpd's arguments (without `node` and the script); see `parseDaemonArgs`. */
export function parseKl2tpdArgs(argv: readonly string[]): Invocation {
  return parseDaemonArgs(KL2TPD_CLI, argv);
}
