/**
 * The engine's ports backed by Node: a monotonic clock (`process.hrtime`, not `Date.now`, so a
 * wall-clock step never fires or delays a retransmission) with one-shot timers, cryptographic
 * randomness and MD5. Tests substitute a virtual clock (`@l2tp/control/testing`'s `simClock`), so
 * everything the edge times — engine deadlines, redial and probe back-off, shutdown bounds — runs in
 * virtual time.
 */
import { createHash, createHmac, randomFillSync } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import type { RandomSource } from '../api/random.js';

/** Cancels a timer armed with {@link Clock.schedule}; calling it twice, or after it fired, is harmless. */
export type CancelTimer = () => void;

/** A monotonic millisecond clock with one-shot timers. */
export interface Clock {
  /** Milliseconds on a monotonic scale (not the wall clock). */
  nowMs(): number;
  /** Calls `fire` once, at or after `atMs` on this clock. */
  schedule(atMs: number, fire: () => void): CancelTimer;
}

/**
 * Milliseconds on the monotonic clock performance.now() reads, from process.hrtime: a daemon then
 * never loads node:perf_hooks to bring its tunnels up (it cost the first SCCRQ a millisecond and more).
 */
function monotonicMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}

/** The monotonic clock of this process; its timers do not keep the process alive by themselves. */
export const monotonicClock: Clock = {
  nowMs: monotonicMs,
  schedule(atMs, fire) {
    // Unref'd: sockets and servers keep a program alive, a pending retransmission alone does not.
    const t = setTimeout(fire, Math.max(0, Math.ceil(atMs - monotonicMs())));
    t.unref();
    return () => clearTimeout(t);
  },
};

/** Draws of {@link cryptoRandom.uint32} taken from the CSPRNG at once: one call per id cost more than the rest of a call setup's ids. */
const ID_POOL = new Uint32Array(256);
let idNext = ID_POOL.length;

/**
 * Fills `buf` from the kernel's CSPRNG, /dev/urandom (what getrandom(2) reads, and what seeds
 * node:crypto's generator); with node:crypto where the device cannot be read (a chroot without /dev).
 * The device first: loading node:crypto was the largest single cost of a daemon's start, and a
 * daemon without secrets needs it for nothing else (the CLI bundles load it on first use).
 */
function fillRandom<T extends Uint8Array | Uint32Array>(buf: T): T {
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  let fd: number | undefined;
  try {
    fd = openSync('/dev/urandom', 'r');
    // A read of more than 256 bytes may come back short (a signal): read until full.
    for (let off = 0; off < bytes.length;) off += readSync(fd, bytes, off, bytes.length - off, null);
    return buf;
  } catch {
    // randomFillSync, not getRandomValues: the Web Crypto path also loads Node's WebIDL layer.
    return randomFillSync(buf);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A {@link RandomSource} backed by the operating system's CSPRNG. */
export const cryptoRandom: RandomSource = {
  uint32: () => {
    if (idNext === ID_POOL.length) {
      fillRandom(ID_POOL);
      idNext = 0;
    }
    return ID_POOL[idNext++]!;
  },
  bytes: (length: number) => fillRandom(new Uint8Array(length)),
};

/** MD5 of the concatenation of `parts` (challenge responses and hidden AVPs, RFC 2661 §4.3, §5.1.1). */
export function md5(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** HMAC-MD5 or HMAC-SHA-1 of the concatenation of `parts` (the L2TPv3 Message Digest, RFC 3931 §5.4.1). */
export function hmac(algorithm: 'md5' | 'sha1', key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = createHmac(algorithm, key);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}
