/**
 * L2TPv2 LAC and LNS daemon: a drop-in for go-l2tp kl2tpd (LAC) and xl2tpd (LNS), one pppd per session.
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
export type {
  Kl2tpdLnsConfig,
} from './config.js';
export { AddressPool, type PoolCounts } from './lns/pool.js';
export { PeerAcl } from './lns/acl.js';
export { SccrqRateLimiter, parseRate, type Rate, type RateLimitConfig } from './lns/rate-limit.js';
export { lnsPppdArgv, type LnsPppdSpec } from './lns/pppd-argv.js';
export { LNS_REFUSALS, LNS_REFUSAL_REASONS, type LnsRefusal, type LnsRefusalReason } from './lns/refusals.js';
export {
  LNS_KEYS, DEFAULT_LNS_LISTEN, DEFAULT_LNS_HELLO_TIMEOUT_MS, DEFAULT_SCCRQ_LIMIT, DEFAULT_SCCRQ_BURST,
  lnsPoolSpans, lnsIpv6Only, type LnsConfig,
} from './lns/config.js';
export { importXl2tpd, type ImportOptions, type ImportResult } from './lns/import-xl2tpd.js';
