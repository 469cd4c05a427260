/** ql2tpd's command line: the shared daemon flags (go-l2tp's `-config` and `-verbose`, and ours) plus `-null`. */
import { parseDaemonArgs, type DaemonCli, type Invocation } from '@l2tp/daemon';
import { VERSION } from './version.js';

/** go-l2tp's default config path. */
export const DEFAULT_CONFIG_PATH = '/etc/ql2tpd/ql2tpd.toml';

/** ql2tpd's command-line surface. */
export const QL2TPD_CLI: DaemonCli = {
  name: 'ql2tpd', version: VERSION, defaultConfigPath: DEFAULT_CONFIG_PATH,
  description: 'Static and quiescent L2TPv3 pseudowires from a TOML file, with HELLO keepalives',
  sessionTargets: false,
  flags: { null: 'run the control protocol without kernel tunnels or sessions (UDP encapsulation only), to try ql2tpd without the L2TP modules' },
};

/** Parses ql2tpd's arguments (without `node` and the script); see `parseDaemonArgs`. */
export function parseQl2tpdArgs(argv: readonly string[]): Invocation {
  return parseDaemonArgs(QL2TPD_CLI, argv);
}
