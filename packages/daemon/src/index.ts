/**
 * The daemon edge shared by kl2tpd and ql2tpd: command line, logging, and (as they land) signals,
 * the status socket and metrics. The protocol lives in `@l2tp/control`, the kernel in `@l2tp/netlink`.
 *
 * @packageDocumentation
 */

/** Package version, kept equal to package.json. */
export const VERSION = '0.1.0';

export { parseDaemonArgs, type DaemonCli, type Invocation } from './cli.js';
export { createLogger, isJournalStream, journalPriority, type LogFormat, type LogOptions } from './log.js';
/** The pino logger type the daemons pass around. */
export type { Logger } from 'pino';
export {
  formatDuration, renderStatusTable,
  type ControlCounters, type DaemonStatus, type DataCounters, type DigestStatus, type LastResult, type ListenerStatus, type PoolStatus, type SessionStatus, type StatusDetail, type TunnelStatus,
} from './status.js';
export {
  ControlSocketPathError, controlSocketInUse, controlSocketProblem, listenControlSocket, parseControlRequest, requestControlSocket, MAX_REQUEST_BYTES, REQUEST_TIMEOUT_MS,
  type ControlHandler, type ControlRequest, type ControlResponse,
} from './control-socket.js';
export { DaemonMetrics, listenMetrics, renderMetrics, reserveMetricsListener } from './metrics.js';
export { runDaemonMain, EXIT_CONFIG, type Console, type DaemonMain } from './main.js';
export { claimSighup, onReloadSignal } from './sighup.js';
export { claimSigusr1, onStatusSignal } from './sigusr1.js';
export { startShell, type Shell, type ShellDaemon, type ShellOptions } from './shell.js';
