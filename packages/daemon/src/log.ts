/**
 * The daemons' logger: pino, one line per event, on stderr like go-l2tp (stdout stays free for
 * `status`). JSON by default when stderr is not a terminal (systemd's journal, NetworkManager),
 * human-readable on a terminal; `--log-format` overrides. Debug lines only with `-verbose`.
 */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/** How log lines are written. */
export type LogFormat = 'json' | 'pretty';

/** Logger options from the command line. */
export interface LogOptions {
  readonly verbose: boolean;
  readonly format?: LogFormat | undefined;
  /** Where lines go: a file descriptor (default 2, stderr). */
  readonly fd?: number;
}

/** Creates the daemon's root logger; children add `tunnel_name`/`session_name` and ids. */
export function createLogger(name: string, options: LogOptions): Logger {
  const fd = options.fd ?? 2;
  const format = options.format ?? (process.stderr.isTTY && fd === 2 ? 'pretty' : 'json');
  const level = options.verbose ? 'debug' : 'info';
  const base = { daemon: name };
  if (format === 'pretty') {
    // Synchronous in-process stream: no worker thread, so nothing is lost when we exit right after logging.
    const stream = pretty({ destination: fd, sync: true, colorize: process.stderr.isTTY, ignore: 'pid,hostname,daemon' });
    return pino({ level, base }, stream);
  }
  return pino({ level, base }, pino.destination({ fd, sync: true }));
}
