/**
 * The daemons' logger: pino, one line per event, on stderr like go-l2tp (stdout stays free for
 * `status`). JSON by default when stderr is not a terminal (systemd's journal, NetworkManager),
 * human-readable on a terminal; `--log-format` overrides. Debug lines only with `-verbose`.
 * JSON lines name their level (`"level":"error"`), which log indexers read without a table. The
 * pretty format leaves out the `-verbose` trace's `control` object: its message says it all.
 *
 * Under systemd, when stderr is the journal's stream (`JOURNAL_STREAM` names its device and
 * inode), every line starts with its syslog priority as sd-daemon(3) defines (`<3>` error,
 * `<4>` warning, `<6>` info, `<7>` debug): journald strips the prefix and files the line at that
 * priority, so `journalctl -p err -u kl2tpd` shows the errors.
 */
import { fstatSync } from 'node:fs';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty, { prettyFactory } from 'pino-pretty';
import { blockingStdio, writeFully } from './write-fully.js';

/** How log lines are written. */
export type LogFormat = 'json' | 'pretty';

/** Logger options from the command line. */
export interface LogOptions {
  readonly verbose: boolean;
  readonly format?: LogFormat | undefined;
  /** Where lines go: a file descriptor (default 2, stderr). */
  readonly fd?: number;
  /**
   * Prefix lines with sd-daemon(3) priorities. Default: when `env.JOURNAL_STREAM` names the
   * device:inode of `fd` (what systemd sets when stderr goes to the journal).
   */
  readonly journal?: boolean;
  /** Environment to read `JOURNAL_STREAM` from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/** syslog priority (sd-daemon(3) `<N>`) of a pino level: fatal 2 (crit), error 3, warn 4, info 6, debug and trace 7. */
export function journalPriority(level: number): number {
  if (level >= 60) return 2;
  if (level >= 50) return 3;
  if (level >= 40) return 4;
  if (level >= 30) return 6;
  return 7;
}

/** True when `fd` is the stream systemd connected to the journal (`JOURNAL_STREAM=dev:inode`, systemd.exec(5)). */
export function isJournalStream(fd: number, env: NodeJS.ProcessEnv = process.env): boolean {
  const m = /^(\d+):(\d+)$/.exec(env['JOURNAL_STREAM'] ?? '');
  if (m === null) return false;
  try {
    const st = fstatSync(fd, { bigint: true });
    return st.dev === BigInt(m[1]!) && st.ino === BigInt(m[2]!);
  } catch {
    return false;
  }
}

/**
 * A pino stream that prefixes every line of each entry with the entry's priority. pino sets
 * `lastLevel` on a stream that asks for metadata before each write (as pino.multistream does).
 */
function journalStream(inner: { write(s: string): unknown; flush?(done?: (err?: Error) => void): void }): DestinationStream & { lastLevel: number; flush(done?: (err?: Error) => void): void } {
  const stream = {
    [Symbol.for('pino.metadata')]: true,
    lastLevel: 30,
    flush(done?: (err?: Error) => void): void {
      if (inner.flush) inner.flush(done);
      else done?.();
    },
    write(s: string): void {
      const p = `<${journalPriority(stream.lastLevel)}>`;
      // pino-pretty may write several lines for one entry: journald reads each line on its own.
      inner.write(p + (s.endsWith('\n') ? `${s.slice(0, -1).replaceAll('\n', `\n${p}`)}\n` : s.replaceAll('\n', `\n${p}`)));
    },
  };
  return stream;
}

/** Bytes held before a write(2) even within one turn of the event loop. */
const COALESCE_BYTES = 64 * 1024;

/** Flushes run at process exit, behind one 'exit' listener however many loggers there are. */
const exitFlushes: (() => void)[] = [];
function atExit(flush: () => void): void {
  if (exitFlushes.length === 0) process.once('exit', () => { for (const f of exitFlushes) f(); });
  exitFlushes.push(flush);
}

/**
 * A synchronous destination whose lines written in one turn of the event loop leave in one write(2)
 * at its end (setImmediate) or at exit: a burst of calls logged a line each, and a write per line
 * (sonic-boom's) was a fifth of an LNS's time per call. A line is never held past the turn that
 * wrote it, so the log stays as current as before, and `exit` (process.exit, an uncaught exception)
 * flushes it. No fsync: the journal's stream is a socket, and a file's page cache survives our exit.
 */
function coalescing(fd: number): DestinationStream & { flush(done?: (err?: Error) => void): void } {
  // Lines are encoded into one buffer as they come (a string appended per line, flattened and
  // encoded at the flush, cost a copy and a scan of the whole text more).
  const buffer = Buffer.allocUnsafe(COALESCE_BYTES);
  let used = 0;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const length = used;
    used = 0;
    if (length > 0) writeFully(fd, buffer, length);
  };
  atExit(flush);
  return {
    // pino's logger.flush() calls this: the lines written so far are out when it returns.
    flush(done?: (err?: Error) => void): void {
      flush();
      done?.();
    },
    write(s: string): void {
      // A UTF-16 unit takes at most 3 bytes in UTF-8: flush first unless the line surely fits.
      if (s.length * 3 > COALESCE_BYTES - used) {
        flush();
        if (s.length * 3 > COALESCE_BYTES) {
          writeFully(fd, Buffer.from(s, 'utf8'));
          return;
        }
      }
      used += buffer.write(s, used, 'utf8');
      if (!scheduled) {
        scheduled = true;
        // Not unref'd: an unref'd immediate does not stop the loop from blocking for I/O, so a line
        // logged just before the daemon went idle waited for the next timer or datagram (seconds).
        setImmediate(flush);
      }
    },
  };
}

/**
 * Creates the daemon's root logger; children add `tunnel_name`/`session_name` and ids. JSON lines
 * leave at the end of the event-loop turn that logged them, at exit, or on `logger.flush()`.
 */
export function createLogger(name: string, options: LogOptions): Logger {
  const fd = options.fd ?? 2;
  const journal = options.journal ?? isJournalStream(fd, options.env);
  // The journal's stream is a socket, never a terminal: no need to ask (process.stderr would load
  // Node's net and stream modules before the daemon could dial).
  const format = options.format ?? (!journal && process.stderr.isTTY && fd === 2 ? 'pretty' : 'json');
  const level = options.verbose ? 'debug' : 'info';
  const base = { daemon: name };
  const dest = coalescing(fd);
  if (format === 'pretty') {
    // pino-pretty's SonicBoom sleeps 100 ms on each EAGAIN: a terminal or pipe must block (write-fully.ts).
    blockingStdio(fd);
    const prettyOptions = { colorize: !journal && process.stderr.isTTY && fd === 2, ignore: 'pid,hostname,daemon,control' };
    if (journal) {
      // Formatted in place (prettyFactory is a plain function), so the prefix has the entry's level.
      const toText = prettyFactory(prettyOptions);
      const prefixed = journalStream(dest);
      const stream = { [Symbol.for('pino.metadata')]: true, set lastLevel(l: number) { prefixed.lastLevel = l; }, write: (s: string) => prefixed.write(toText(s)), flush: (done?: (err?: Error) => void) => prefixed.flush(done) };
      return pino({ level, base }, stream);
    }
    // Synchronous in-process stream: no worker thread, so nothing is lost when we exit right after logging.
    return pino({ level, base }, pretty({ destination: fd, sync: true, ...prettyOptions }));
  }
  const json = { level, base, formatters: { level: (label: string) => ({ level: label }) } };
  return pino(json, journal ? journalStream(dest) : dest);
}
