/**
 * The LNS address pool (`ip_range` minus `ip_range_exclude`): hands each call the first free IPv4
 * address in configuration order — the ranges in the order written, each ascending, as xl2tpd's
 * `get_addr` scans them — and takes it back when the call ends.
 *
 * Theory of operation: the pool is a sequence of disjoint spans; an address is named by its
 * ordinal (position in that sequence). Ordinals below the `high` mark have been handed out at
 * least once; a bitmap over them says which are in use, and a min-heap holds the ones given back,
 * so "first free" is the heap's minimum, or `high` when the heap is empty. Memory grows with the
 * highest ordinal ever used (one bit each), not with the pool's size: a /8 pool costs nothing until
 * it is used. Allocation and release are O(log n) in the addresses given back; mapping between
 * ordinals and addresses is a binary search over the spans.
 *
 * Invariants: every free ordinal below `high` is in the heap (possibly more than once: stale
 * entries, whose bit is set, are dropped when they surface); `claim` may mark ordinals at or above
 * `high` in use, and the scan skips them.
 */
import { formatIpv4, type Ipv4Span, parseIpv4, subtractSpan } from './ip.js';

/** Counts of a pool, as `kl2tpd status` and the metrics show them. */
export interface PoolCounts {
  /** Addresses in the pool (ranges minus exclusions). */
  readonly size: number;
  /** Addresses held by calls. */
  readonly used: number;
  /** `size - used`. */
  readonly free: number;
}

/** An IPv4 address pool; see the file comment for the allocation order and costs. */
export class AddressPool {
  /** Spans in configuration order. */
  readonly #spans: readonly Ipv4Span[];
  /** Ordinal of the first address of each span (prefix sums of the sizes). */
  readonly #start: readonly number[];
  /** Span indexes sorted by address, for address → ordinal. */
  readonly #byAddress: readonly number[];
  readonly size: number;
  #bits = new Uint8Array(64);
  #high = 0;
  #used = 0;
  readonly #heap: number[] = [];

  /**
   * Builds a pool from spans in configuration order; `exclude` spans are taken out wherever they
   * fall. Overlapping `ranges` are the config checker's business: an address in two spans would be
   * handed out twice, so the constructor throws `RangeError` for them.
   */
  constructor(ranges: readonly Ipv4Span[], exclude: readonly Ipv4Span[] = []) {
    const spans: Ipv4Span[] = [];
    for (const r of ranges) {
      let parts = [r];
      for (const x of exclude) parts = parts.flatMap((p) => subtractSpan(p, x));
      spans.push(...parts);
    }
    const byAddress = spans.map((_, i) => i).sort((a, b) => spans[a]!.first - spans[b]!.first);
    for (let k = 1; k < byAddress.length; k++) {
      if (spans[byAddress[k]!]!.first <= spans[byAddress[k - 1]!]!.last) throw new RangeError('overlapping pool ranges');
    }
    const start: number[] = [];
    let total = 0;
    for (const s of spans) {
      start.push(total);
      total += s.last - s.first + 1;
    }
    this.#spans = spans;
    this.#start = start;
    this.#byAddress = byAddress;
    this.size = total;
  }

  /** Addresses in use and free. */
  counts(): PoolCounts {
    return { size: this.size, used: this.#used, free: this.size - this.#used };
  }

  /** Takes the first free address; undefined when the pool is exhausted (refuse the call: CDN). */
  allocate(): string | undefined {
    while (this.#heap.length > 0) {
      const o = this.#pop();
      if (!this.#isSet(o)) return this.#take(o);
    }
    while (this.#high < this.size && this.#isSet(this.#high)) this.#high++;
    if (this.#high >= this.size) return undefined;
    return this.#take(this.#high++);
  }

  /** Gives `address` back; false (and nothing changes) when it is not in the pool or not in use. */
  release(address: string): boolean {
    const o = this.#ordinal(address);
    if (o === undefined || !this.#isSet(o)) return false;
    this.#bits[o >>> 3]! &= ~(1 << (o & 7));
    this.#used--;
    if (o < this.#high) this.#push(o);
    return true;
  }

  /**
   * Marks a specific address in use (a call that kept its address across a reload, or an address
   * RADIUS chose); false when it is not in the pool or already in use.
   */
  claim(address: string): boolean {
    const o = this.#ordinal(address);
    if (o === undefined || this.#isSet(o)) return false;
    this.#take(o);
    return true;
  }

  /** True when `address` belongs to the pool (used or not). */
  contains(address: string): boolean {
    return this.#ordinal(address) !== undefined;
  }

  /** True when `address` is in the pool and in use. */
  inUse(address: string): boolean {
    const o = this.#ordinal(address);
    return o !== undefined && this.#isSet(o);
  }

  #take(o: number): string {
    if (o >>> 3 >= this.#bits.length) {
      const grown = new Uint8Array(Math.max(this.#bits.length * 2, (o >>> 3) + 1));
      grown.set(this.#bits);
      this.#bits = grown;
    }
    this.#bits[o >>> 3]! |= 1 << (o & 7);
    this.#used++;
    return formatIpv4(this.#address(o));
  }

  #isSet(o: number): boolean {
    return o >>> 3 < this.#bits.length && (this.#bits[o >>> 3]! & (1 << (o & 7))) !== 0;
  }

  #address(o: number): number {
    let lo = 0;
    let hi = this.#start.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#start[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return this.#spans[lo]!.first + (o - this.#start[lo]!);
  }

  #ordinal(address: string): number | undefined {
    const a = parseIpv4(address);
    if (a === undefined) return undefined;
    let lo = 0;
    let hi = this.#byAddress.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const i = this.#byAddress[mid]!;
      const s = this.#spans[i]!;
      if (a < s.first) hi = mid - 1;
      else if (a > s.last) lo = mid + 1;
      else return this.#start[i]! + (a - s.first);
    }
    return undefined;
  }

  #push(o: number): void {
    const h = this.#heap;
    h.push(o);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= o) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = o;
  }

  #pop(): number {
    const h = this.#heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const c = l + 1 < h.length && h[l + 1]! < h[l]! ? l + 1 : l;
        if (h[c]! >= last) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
