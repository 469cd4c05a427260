/**
 * Static and quiescent L2TPv3 pseudowire daemon with working HELLO keepalives.
 *
 * @packageDocumentation
 */

export { VERSION } from './version.js';
export { parseQl2tpdArgs, DEFAULT_CONFIG_PATH, QL2TPD_CLI } from './cli.js';
export {
  ql2tpdExtension, loadQl2tpdConfig, parseQl2tpdConfig, DEFAULT_QL2TPD_CONTROL_SOCKET,
  type Ql2tpdConfig, type Ql2tpdTunnelConfig, type Ql2tpdSessionConfig, type Ql2tpdParseOptions,
} from './config.js';
export { encapsulationOverhead, l2tpv3HeaderBytes, sessionMtu } from './mtu.js';
export { planReload, sameConfigValue, type ReloadPlan } from './reload.js';
export { createPseudowires, sessionSpec, type Pseudowires, type PseudowireContext, type TunnelAddresses } from './pseudowire.js';
