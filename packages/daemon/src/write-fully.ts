/**
 * Synchronous writes to a file descriptor (stdout, stderr) with write(2), for the logger and for the
 * command line's output. `process.stdout`/`process.stderr` would do as much on Linux, where they
 * block for files, pipes and terminals, but the first touch of either loads Node's stream modules,
 * which cost `--version` and `--check-config` more than the rest of their work.
 */
import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Makes writes to stdout/stderr block again. Node turns a pipe or socket on fd 1/2 non-blocking when
 * anything first touches `process.stdout`/`process.stderr` (loading node:assert does, for its colour
 * check); synchronous writes then meet EAGAIN whenever the reader (journald, a supervising process)
 * lags, and sonic-boom (pino-pretty's destination) sleeps 100 ms on each one with the event loop
 * stopped: under a burst of calls most of the LNS's time went there. A blocking write waits only as
 * long as the reader needs. (Touching the stream costs nothing more once it exists.)
 */
export function blockingStdio(fd: number): void {
  if (fd !== 1 && fd !== 2) return;
  const stream = (fd === 2 ? process.stderr : process.stdout) as unknown as { _handle?: { setBlocking?: (blocking: boolean) => number } };
  stream._handle?.setBlocking?.(true);
}

/** fds {@link blockingStdio} was asked for by {@link writeFully}. */
const unblocked = new Set<number>();

/**
 * Writes all of `data` (text as UTF-8, or the first `length` bytes) to `fd`; a dead reader (EPIPE)
 * or any other error drops the rest rather than the daemon, and is returned (the command line turns
 * lost output into exit status 1; the log has nowhere to report it). EAGAIN means fd 1 or 2 was made
 * non-blocking (see {@link blockingStdio}): the first one makes it block again, later ones (another
 * fd) are waited out 1 ms at a time. Until then stdio is left as inherited (blocking), so the daemon
 * never creates `process.stderr` for its log.
 */
export function writeFully(fd: number, data: string | Uint8Array, length?: number): NodeJS.ErrnoException | undefined {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const end = length ?? bytes.length;
  for (let off = 0; off < end;) {
    try {
      off += writeSync(fd, bytes, off, end - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return e as NodeJS.ErrnoException;
      if ((fd === 1 || fd === 2) && !unblocked.has(fd)) {
        unblocked.add(fd);
        blockingStdio(fd);
      } else Atomics.wait(pause, 0, 0, 1);
    }
  }
  return undefined;
}
