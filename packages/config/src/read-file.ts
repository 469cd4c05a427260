/**
 * Bounded reads of config-sized text files. A config file is a few kilobytes; reading whatever a
 * path names (`-config /dev/zero`, a multi-gigabyte log given by mistake) would fill memory before
 * any check ran. These read at most `maxBytes` + 1 bytes and refuse a file that has more.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** Largest config file (and pppd options file) the daemons read: 1 MiB. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

const CHUNK = 64 * 1024;

/** The refusal message for a file over `maxBytes`. */
export const tooLarge = (maxBytes: number): string =>
  `larger than ${maxBytes === MAX_CONFIG_BYTES ? '1 MiB' : `${maxBytes} bytes`}; not a config file`;

/**
 * Reads a UTF-8 text file of at most `maxBytes`. A regular file over the limit is refused from its
 * size before reading; anything else (a device, a FIFO) is read in chunks and refused at the first
 * byte past the limit. Throws the file system's error, or an Error saying the file is too large.
 */
export async function readTextFile(path: string, maxBytes = MAX_CONFIG_BYTES): Promise<string> {
  // A regular file (every config in practice) is read synchronously: a few kilobytes, where the
  // promise API's five thread-pool round trips and its module cost a daemon's start more than the
  // read itself. O_NONBLOCK so that opening a FIFO does not wait here for a writer; anything but a
  // regular file is read below, without blocking the event loop.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (st.isFile()) return readFdSync(fd, path, st.size, maxBytes);
  } finally {
    closeSync(fd);
  }
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    if (st.isFile() && st.size > maxBytes) throw new Error(`${path}: ${tooLarge(maxBytes)}`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw new Error(`${path}: ${tooLarge(maxBytes)}`);
      chunks.push(buf.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** {@link readTextFile}, synchronously (for value readers, which are synchronous). */
export function readTextFileSync(path: string, maxBytes = MAX_CONFIG_BYTES): string {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    return readFdSync(fd, path, st.isFile() ? st.size : 0, maxBytes);
  } finally {
    closeSync(fd);
  }
}

/** Reads `fd` to its end; `size` is a regular file's size (0 when unknown), refused at once when over `maxBytes`. */
function readFdSync(fd: number, path: string, size: number, maxBytes: number): string {
  if (size > maxBytes) throw new Error(`${path}: ${tooLarge(maxBytes)}`);
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(CHUNK);
    const n = readSync(fd, buf, 0, CHUNK, null);
    if (n === 0) break;
    total += n;
    if (total > maxBytes) throw new Error(`${path}: ${tooLarge(maxBytes)}`);
    chunks.push(buf.subarray(0, n));
  }
  return Buffer.concat(chunks, total).toString('utf8');
}
