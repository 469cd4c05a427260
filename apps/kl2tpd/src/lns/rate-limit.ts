/**
 * The SCCRQ rate limit (`sccrq_limit`, `sccrq_burst`): a token bucket per source address, like
 * accel-ppp's connlimit (`limit=10/min burst=3`). Each new control connection a peer asks for
 * takes a token; a bucket holds at most `burst` tokens and refills at `count` per `intervalMs`.
 * Retransmitted SCCRQs of a connection already being set up must not reach it (the engine answers
 * those), so a lost SCCRP never costs a peer its tokens.
 *
 * The clock is injected (`nowMs`, monotonic, must not decrease). Memory is bounded: a bucket that
 * has refilled is the same as no bucket and is dropped when the table is swept; past `maxPeers`
 * the least recently seen address is forgotten (it starts again with a full bucket).
 */
import { canonicalAddress } from './ip.js';

/** A rate: `count` tokens per `intervalMs` (`"10/min"` is `{ count: 10, intervalMs: 60000 }`). */
export interface Rate {
  readonly count: number;
  readonly intervalMs: number;
}

/** Settings of {@link SccrqRateLimiter}. */
export interface RateLimitConfig {
  readonly rate: Rate;
  /** Bucket size: SCCRQs accepted back to back from one address. At least 1. */
  readonly burst: number;
  /** Addresses remembered at most (default 65 536). */
  readonly maxPeers?: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/** Per-address token buckets for SCCRQ. */
export class SccrqRateLimiter {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #max: number;
  /** Insertion order is recency order: a touched bucket is re-inserted at the end. */
  readonly #buckets = new Map<string, Bucket>();

  /** Throws `RangeError` for a rate or burst that is not positive. */
  constructor(config: RateLimitConfig) {
    if (!(config.rate.count > 0 && config.rate.intervalMs > 0 && config.burst >= 1)) {
      throw new RangeError('the SCCRQ rate and burst must be positive');
    }
    this.#perMs = config.rate.count / config.rate.intervalMs;
    this.#burst = config.burst;
    this.#max = config.maxPeers ?? 65_536;
  }

  /** Takes a token for `address` at `nowMs`: true to go ahead, false to refuse (rate-limited). */
  take(address: string, nowMs: number): boolean {
    const key = canonicalAddress(address);
    const b = this.#refilled(key, nowMs);
    this.#buckets.delete(key);
    if (b.tokens < 1) {
      this.#buckets.set(key, b);
      return false;
    }
    b.tokens -= 1;
    this.#buckets.set(key, b);
    if (this.#buckets.size > this.#max) this.sweep(nowMs);
    return true;
  }

  /** Milliseconds until `address` has a token again (0 when it has one now). */
  retryAfterMs(address: string, nowMs: number): number {
    const b = this.#refilled(canonicalAddress(address), nowMs);
    return b.tokens >= 1 ? 0 : Math.ceil((1 - b.tokens) / this.#perMs);
  }

  /**
   * Drops buckets that have refilled; then, while over 7/8 of `maxPeers`, the least recently
   * seen (the slack makes a sweep happen once per `maxPeers / 8` new addresses, not per SCCRQ).
   */
  sweep(nowMs: number): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + (nowMs - b.atMs) * this.#perMs >= this.#burst) this.#buckets.delete(key);
    }
    const keep = Math.floor(this.#max * 7 / 8);
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= keep) break;
      this.#buckets.delete(key);
    }
  }

  /** Addresses currently remembered. */
  get size(): number {
    return this.#buckets.size;
  }

  #refilled(key: string, nowMs: number): Bucket {
    const b = this.#buckets.get(key);
    if (b === undefined) return { tokens: this.#burst, atMs: nowMs };
    const tokens = Math.min(this.#burst, b.tokens + Math.max(0, nowMs - b.atMs) * this.#perMs);
    return { tokens, atMs: Math.max(b.atMs, nowMs) };
  }
}

/**
 * Parses `sccrq_limit`: `"N/s"`, `"N/sec"`, `"N/min"`, `"N/hour"` (accel-ppp's spelling) or
 * `"off"`; undefined for anything else.
 */
export function parseRate(text: string): Rate | 'off' | undefined {
  if (text === 'off') return 'off';
  const m = /^([1-9]\d{0,8})\/(s|sec|second|m|min|minute|h|hour)$/.exec(text);
  if (!m) return undefined;
  const unit = m[2]!;
  const intervalMs = unit.startsWith('s') ? 1000 : unit.startsWith('m') ? 60_000 : 3_600_000;
  return { count: Number(m[1]), intervalMs };
}
