/**
 * Synchronous writes to a file descriptor (stdout, stderr) with write(2), for the logger and for the
 * command line's output. `process.stdout`/`process.stderr` would do as much on Linux, where they
 * block for files, pipes and terminals, but the first touch of either loads Node's stream modules,
 * which cost `--version` and `--check-config` more than the rest of their work.
 */
import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `text` to `fd`, waiting out EAGAIN (a non-blocking pipe whose reader lags) 1 ms at a
 * time; a dead reader (EPIPE) or any other error drops the rest rather than the daemon.
 */
export function writeFully(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  for (let off = 0; off < bytes.length;) {
    try {
      off += writeSync(fd, bytes, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}
