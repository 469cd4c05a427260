/**
 * The part of `main` both daemons share: dispatch on the parsed command line, `--check-config`
 * (every problem printed, exit 2), the control commands, and the exit status of a run. The
 * daemon-specific part is the `run` callback, which gets a valid config and a logger.
 */
import { lstatSync } from 'node:fs';
import { formatIssue, type ParseResult } from '@l2tp/config';
import { parseDaemonArgs, type DaemonCli, type Invocation } from './cli.js';
import { claimSighup } from './sighup.js';
import { claimSigusr1 } from './sigusr1.js';
import { writeFully } from './write-fully.js';
import type { Logger } from 'pino';
// The control client, the status table and the logger (pino, pino-pretty) are imported where they
// are used, so `--version` and `--check-config` load only the command line and the config parser.

/** Exit status for a configuration problem (go-l2tp exits 1; NetworkManager-l2tp maps 2 to a config failure). */
export const EXIT_CONFIG = 2;

/** What `runDaemonMain` needs from a daemon. */
export interface DaemonMain<C> {
  readonly cli: DaemonCli;
  /** Reads and validates the config file. */
  load(path: string): Promise<ParseResult<C>>;
  /** The config's control socket path. */
  controlSocket(config: C): string;
  /** The config's `metrics_listen`, bound before `run` so a busy port is a start-up error. */
  metricsListen?(config: C): { readonly host: string; readonly port: number } | undefined;
  /** Default control socket when the config cannot be read. */
  readonly defaultControlSocket: string;
  /** Runs the daemon until it stops; resolves with the exit status. */
  run(config: C, invocation: Extract<Invocation, { kind: 'run' }>, log: Logger): Promise<number>;
}

/** Where a command's output goes (tests pass their own). */
export interface Console {
  out(text: string): void;
  err(text: string): void;
  /** Why some of the command's standard output was lost (e.g. "ENOSPC: no space left on device"), if it was. */
  lost?(): string | undefined;
}

/**
 * Console on fds 1 and 2 by write(2) (process.stdout would first load Node's stream modules,
 * write-fully.ts), remembering the first error a write of the output met: `kl2tpd status --json > f`
 * on a full disk must not exit 0 with an empty file, as coreutils' commands would not.
 */
function processConsole(): Console {
  let lost: NodeJS.ErrnoException | undefined;
  return {
    out: (t) => { lost ??= writeFully(1, t); },
    err: (t) => { writeFully(2, t); },
    lost: () => (lost === undefined ? undefined : lost.message),
  };
}

/**
 * Runs a daemon's command line; resolves with the process exit status: the command's own, or 1 when
 * it would have been 0 but its standard output could not be written (said on stderr).
 */
export async function runDaemonMain<C>(d: DaemonMain<C>, argv: readonly string[], io: Console = processConsole()): Promise<number> {
  const status = await runCommand(d, argv, io);
  const lost = io.lost?.();
  if (status !== 0 || lost === undefined) return status;
  io.err(`${d.cli.name}: writing the output failed: ${lost}\n`);
  return 1;
}

async function runCommand<C>(d: DaemonMain<C>, argv: readonly string[], io: Console): Promise<number> {
  // First thing: until a SIGUSR1 listener exists, SIGUSR1 opens Node's inspector (see sigusr1.ts).
  claimSigusr1();
  const inv = parseDaemonArgs(d.cli, argv);
  switch (inv.kind) {
    case 'exit':
      (inv.toStderr ? io.err : io.out)(inv.output);
      return inv.status;
    case 'check-config': {
      const r = await d.load(inv.configPath);
      if (r.ok) {
        io.out(`${inv.configPath}: ok\n`);
        return 0;
      }
      io.err(`${inv.configPath}: ${r.issues.length} problem${r.issues.length === 1 ? '' : 's'}\n`);
      for (const i of r.issues) io.err(`${formatIssue(i)}\n`);
      return EXIT_CONFIG;
    }
    case 'control': {
      let path = inv.socketPath;
      if (path === undefined) {
        const r = await d.load(inv.configPath);
        path = r.ok ? d.controlSocket(r.config) : d.defaultControlSocket;
      }
      const { requestControlSocket } = await import('./control-socket.js');
      const { renderStatusTable } = await import('./status.js');
      try {
        const answer = await requestControlSocket(path, inv.request);
        if (!answer.ok) {
          io.err(`${d.cli.name}: ${answer.error}\n`);
          return 1;
        }
        if (answer.status !== undefined) io.out(inv.json ? `${JSON.stringify(answer.status, null, 2)}\n` : renderStatusTable(answer.status));
        else if (answer.message !== undefined) io.out(`${answer.message}\n`);
        return 0;
      } catch (e) {
        io.err(`${d.cli.name}: ${(e as Error).message}\n`);
        return 1;
      }
    }
    case 'run': {
      // Before anything slow: SIGHUP's default action would end a daemon still starting (sighup.ts).
      claimSighup();
      const { createLogger } = await import('./log.js');
      const log = createLogger(d.cli.name, { verbose: inv.verbose, format: inv.logFormat });
      const r = await d.load(inv.configPath);
      if (!r.ok) {
        // Every problem at once, nothing created (the run callback is never reached).
        for (const i of r.issues) log.error({ file: i.file, line: i.line, column: i.column, key: i.path }, formatIssue(i));
        log.error(`${inv.configPath}: ${r.issues.length} configuration problem${r.issues.length === 1 ? '' : 's'}, not starting`);
        return EXIT_CONFIG;
      }
      // Before anything is dialled or bound: a second daemon on the same control socket would fight
      // the first for its tunnels, and on exit remove the socket the first still serves.
      // A path that is not a socket (a file, the config itself) is never replaced: a config problem.
      const controlPath = d.controlSocket(r.config);
      if (lstatSync(controlPath, { throwIfNoEntry: false }) !== undefined) {
        const { controlSocketProblem } = await import('./control-socket.js');
        const problem = await controlSocketProblem(controlPath);
        if (problem?.kind === 'in-use') {
          log.error({ control_socket: controlPath }, `another ${d.cli.name} answers on ${controlPath}; not starting`);
          return 1;
        }
        if (problem !== undefined) {
          log.error({ key: 'control_socket', control_socket: controlPath }, `control_socket: ${problem.message}; not starting`);
          return EXIT_CONFIG;
        }
      }
      const metrics = inv.metricsListen ?? d.metricsListen?.(r.config);
      let release: () => void = () => undefined;
      if (metrics !== undefined) {
        try {
          const { reserveMetricsListener } = await import('./metrics.js');
          release = await reserveMetricsListener(metrics.host, metrics.port);
        } catch (e) {
          // As a config problem: one line naming the setting, exit 2, nothing created.
          const setting = inv.metricsListen ? '--metrics-listen' : `${inv.configPath}: metrics_listen`;
          log.error({ key: 'metrics_listen' }, `${setting}: ${(e as Error).message}; not starting`);
          return EXIT_CONFIG;
        }
      }
      try {
        return await d.run(r.config, inv, log);
      } catch (e) {
        // A failure the daemon did not handle: one line in the log, exit 1, never a raw stack trace.
        log.error({ err: (e as Error).message }, `${d.cli.name} failed: ${(e as Error).message}`);
        return 1;
      } finally {
        release();
      }
    }
  }
}
