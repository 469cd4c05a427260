/**
 * pppd per session, spawned exactly as go-l2tp's kl2tpd does it (go-l2tp.md §3.3) so that the
 * options NetworkManager-l2tp writes keep working: the PPPoL2TP socket is inherited as fd 3 and
 * named by `pppol2tp 3`. Unlike go-l2tp, pppd's output is logged line by line instead of being
 * buffered without bound, and stopping it is bounded: SIGTERM, then SIGKILL.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from '@l2tp/daemon';

/** pppd(8) exit statuses, for log lines a person can act on. */
export const PPPD_EXIT_STATUS: Readonly<Record<number, string>> = {
  0: 'pppd exited normally after the link was terminated',
  1: 'fatal error (check the pppd options)',
  2: 'error in the options',
  3: 'pppd is not setuid-root and the invoking user is not root',
  4: 'the kernel does not support PPP (ppp_generic / pppox modules?)',
  5: 'terminated by a signal',
  6: 'the serial port could not be locked',
  7: 'the serial port could not be opened',
  8: 'the connect script failed',
  9: 'the pty command could not be run',
  10: 'PPP negotiation failed (no network protocol came up)',
  11: 'the peer failed to authenticate itself',
  12: 'the link was idle too long and was terminated (idle option)',
  13: 'the connect time limit was reached (maxconnect option)',
  14: 'callback was negotiated',
  15: 'the peer did not answer echo requests (lcp-echo-failure)',
  16: 'the link was terminated by the modem hanging up',
  17: 'PPP negotiation failed because serial loopback was detected',
  18: 'the init script failed',
  19: 'we failed to authenticate ourselves to the peer',
};

/** What pppd needs to run over one L2TP session. */
export interface PppdSpec {
  /** Absolute path of pppd (config `pppd_path`). */
  readonly path: string;
  readonly tunnelId: number;
  readonly sessionId: number;
  /** The connected PPPoL2TP socket; the child gets it as fd 3. */
  readonly pppoxFd: number;
  /** Words of the session's `pppd_args` file, appended after ours. */
  readonly args: readonly string[];
  /** The whole argv instead of go-l2tp's (an LNS call: `lnsPppdArgv`); `args` is then ignored. */
  readonly argv?: readonly string[] | undefined;
}

/** go-l2tp's fixed pppd argv, followed by the `pppd_args` words. */
export function pppdArgv(spec: PppdSpec): string[] {
  return [
    'plugin', 'pppol2tp.so', 'pppol2tp', '3',
    'pppol2tp_tunnel_id', String(spec.tunnelId), 'pppol2tp_session_id', String(spec.sessionId),
    'nodetach', ...spec.args,
  ];
}

/** How pppd ended. */
export interface PppdExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** pppd(8)'s meaning of the code, or a spawn error. */
  readonly description: string;
}

/** A running pppd. */
export interface Pppd {
  readonly pid: number | undefined;
  /** Resolves once pppd has exited and been reaped (never rejects). */
  readonly exited: Promise<PppdExit>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when reaped. */
  stop(graceMs?: number): Promise<PppdExit>;
}

/** Spawns pppd for one session, logging each output line on `log` (the session's child logger). */
export function spawnPppd(spec: PppdSpec, log: Logger): Pppd {
  const argv = spec.argv === undefined ? pppdArgv(spec) : [...spec.argv];
  log.debug({ argv: [spec.path, ...argv] }, 'spawning pppd');
  const child = spawn(spec.path, argv, { stdio: ['ignore', 'pipe', 'pipe', spec.pppoxFd] });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue;
    createInterface({ input: stream }).on('line', (line) => log.info({ pppd_pid: child.pid }, `pppd: ${line}`));
  }
  const exited = new Promise<PppdExit>((resolve) => {
    child.once('error', (err) => resolve({ code: null, signal: null, description: `cannot run ${spec.path}: ${err.message}` }));
    child.once('exit', (code, signal) => resolve({
      code, signal,
      description: signal !== null ? `killed by ${signal}` : (PPPD_EXIT_STATUS[code ?? -1] ?? `exit status ${code}`),
    }));
  });
  if (child.pid !== undefined) log.info({ pppd_pid: child.pid }, 'pppd started');
  let stopping: Promise<PppdExit> | undefined;
  return {
    pid: child.pid,
    exited,
    stop(graceMs = 3000) {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return exited;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const r = await exited;
        clearTimeout(timer);
        return r;
      })();
      return stopping;
    },
  };
}
