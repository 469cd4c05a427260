/**
 * L2TPv2 LAC daemon: a drop-in for go-l2tp kl2tpd, one pppd per session.
 *
 * @packageDocumentation
 */

export { VERSION } from './version.js';
export { parseKl2tpdArgs, DEFAULT_CONFIG_PATH, KL2TPD_CLI } from './cli.js';
export { spawnPppd, pppdArgv, PPPD_EXIT_STATUS, type Pppd, type PppdExit, type PppdSpec } from './pppd.js';
export {
  kl2tpdExtension, loadKl2tpdConfig, parseKl2tpdConfig, DEFAULT_PPPD_PATH, DEFAULT_KL2TPD_CONTROL_SOCKET,
  DEFAULT_REDIAL_TIMEOUT_MS, type Kl2tpdConfig, type Kl2tpdTunnelConfig, type Kl2tpdSessionConfig, type Kl2tpdParseOptions,
} from './config.js';
export { redialDelayMs, MAX_REDIAL_DELAY_MS, type RedialConfig } from './redial.js';
