/**
 * SimNet: a sans-I/O network emulator in virtual time (str0m's netem, quinn's `Pair`). Nodes are
 * anything with `handle(input) → outputs` and `nextDeadlineMs()` — our engines, or scripted peers.
 * SimNet owns `nowMs`, a seeded generator, and per-direction latency, jitter, random loss,
 * duplication and reordering, plus drop rules that match on the bytes (pion's semantic chunk filter).
 *
 * Time only moves forward to the next datagram arrival or node deadline, so a 31 s retransmission
 * cycle costs microseconds, and the same seed always replays the same run.
 */
import type { SocketAddress } from '../api/dataplane.js';
import { TimeHeap } from '../engine/time-heap.js';
import { type SeededRandom, seededRandom } from './random.js';

/** An input SimNet feeds to a node: a datagram or a timeout. */
export type SimInput =
  | { readonly kind: 'datagram'; readonly nowMs: number; readonly bytes: Uint8Array; readonly from: SocketAddress }
  | { readonly kind: 'timeout'; readonly nowMs: number };

/** An output SimNet understands: `transmit` is sent (to `to`, or the node's linked peer); others are kept as events. */
export type SimOutput = { readonly kind: string; readonly bytes?: Uint8Array; readonly to?: SocketAddress | undefined };

/** What SimNet drives: an engine or a scripted peer. */
export interface SimEndpoint<O extends SimOutput = SimOutput> {
  handle(input: SimInput): readonly O[];
  nextDeadlineMs(): number | undefined;
}

/** Impairments of one direction of a link. Probabilities are in [0, 1]. */
export interface LinkConditions {
  /** One-way delay. Default 10 ms. */
  readonly latencyMs: number;
  /** Extra delay, uniform in [0, jitterMs). Default 0. */
  readonly jitterMs: number;
  /** Probability that a datagram is lost. */
  readonly loss: number;
  /** Probability that a datagram arrives twice. */
  readonly duplicate: number;
  /** Probability that a datagram is held back by up to 3 × latency, so later ones overtake it. */
  readonly reorder: number;
}

/** A rule that drops datagrams whose bytes match, `count` times (for ever when omitted). */
export interface DropRule {
  readonly from?: string;
  readonly match: (bytes: Uint8Array) => boolean;
  count?: number;
}

/** One datagram as SimNet saw it. */
export interface SimRecord {
  readonly atMs: number;
  readonly from: string;
  readonly to: string;
  readonly bytes: Uint8Array;
  readonly dropped: boolean;
}

/** An output other than `transmit`, stamped with the virtual time it was produced at. */
export interface SimEvent<O> {
  readonly atMs: number;
  readonly output: O;
}

interface Node {
  readonly name: string;
  readonly address: SocketAddress;
  endpoint: SimEndpoint;
  peer: string | undefined;
  readonly events: SimEvent<SimOutput>[];
}

interface Flight { readonly atMs: number; readonly seq: number; readonly to: string; readonly from: SocketAddress; readonly bytes: Uint8Array }

const CLEAN: LinkConditions = { latencyMs: 10, jitterMs: 0, loss: 0, duplicate: 0, reorder: 0 };

/** Options of a {@link SimNet}. */
export interface SimNetOptions extends Partial<LinkConditions> {
  readonly seed?: number;
  /** Keep every datagram in {@link SimNet.log} (default true; turn off for large runs). */
  readonly record?: boolean;
}

/** A simulated network in virtual time. See the file header. */
export class SimNet {
  /** Virtual time in milliseconds; starts at 0. */
  nowMs = 0;
  /** The generator behind loss, duplication and reordering; `rng.fork()` seeds engines. */
  readonly rng: SeededRandom;
  /** Every datagram sent (when recording). */
  readonly log: SimRecord[] = [];
  private readonly nodes = new Map<string, Node>();
  private readonly byAddress = new Map<string, Node>();
  private readonly conditions = new Map<string, LinkConditions>();
  private readonly defaults: LinkConditions;
  private readonly rules: DropRule[] = [];
  private readonly flights = new TimeHeap<Flight>();
  private seq = 0;
  private readonly record: boolean;

  /** Creates a network; link conditions given here apply to every direction unless overridden. */
  constructor(options: SimNetOptions = {}) {
    this.rng = seededRandom(options.seed ?? 1);
    const { seed: _s, record, ...cond } = options;
    this.defaults = { ...CLEAN, ...cond };
    this.record = record ?? true;
  }

  /** Adds a node; its address is 10.0.0.N:1701 unless given. Returns the name for chaining. */
  add(name: string, endpoint: SimEndpoint, address?: SocketAddress): string {
    const addr = address ?? { address: `10.0.0.${this.nodes.size + 1}`, port: 1701, family: 4 as const };
    const node: Node = { name, address: addr, endpoint, peer: undefined, events: [] };
    this.nodes.set(name, node);
    this.byAddress.set(key(addr), node);
    return name;
  }

  /** Puts a new endpoint behind a node's name and address (a restarted peer: all its state gone); its events stay. */
  replace(name: string, endpoint: SimEndpoint): void { this.node(name).endpoint = endpoint; }

  /** The address of a node. */
  addressOf(name: string): SocketAddress { return this.node(name).address; }

  /** Makes `a` and `b` each other's default destination (for transmits without `to`). */
  link(a: string, b: string): void {
    this.node(a).peer = b;
    this.node(b).peer = a;
  }

  /** Sets the impairments from `from` to `to` (one direction). */
  setConditions(from: string, to: string, conditions: Partial<LinkConditions>): void {
    this.conditions.set(`${from}>${to}`, { ...this.defaults, ...conditions });
  }

  /** Adds a drop rule (checked before random loss). */
  drop(rule: DropRule): void { this.rules.push(rule); }

  /** Calls into a node at the current time (a command) and routes what it returns. */
  call<O extends SimOutput>(name: string, fn: (nowMs: number) => readonly O[]): readonly O[] {
    const out = fn(this.nowMs);
    this.route(this.node(name), out);
    return out;
  }

  /** The non-transmit outputs a node produced, in order. */
  events(name: string): SimEvent<SimOutput>[] { return this.node(name).events; }

  /** The recorded datagrams sent by `name`. */
  sent(name: string): SimRecord[] { return this.log.filter((r) => r.from === name); }

  /**
   * Advances to the next arrival or deadline not after `limitMs` and processes everything due then.
   * Returns false when nothing is due by `limitMs` (time is then left unchanged).
   */
  step(limitMs: number): boolean {
    let next = this.flights.peek()?.atMs;
    for (const n of this.nodes.values()) {
      const d = n.endpoint.nextDeadlineMs();
      if (d !== undefined && (next === undefined || d < next)) next = d;
    }
    if (next === undefined || next > limitMs) return false;
    if (next > this.nowMs) this.nowMs = next;
    const now = this.nowMs;
    for (let f = this.flights.peek(); f !== undefined && f.atMs <= now; f = this.flights.peek()) {
      this.flights.pop();
      const node = this.nodes.get(f.to)!;
      this.route(node, node.endpoint.handle({ kind: 'datagram', nowMs: now, bytes: f.bytes, from: f.from }));
    }
    for (const n of this.nodes.values()) {
      const d = n.endpoint.nextDeadlineMs();
      if (d !== undefined && d <= now) this.route(n, n.endpoint.handle({ kind: 'timeout', nowMs: now }));
    }
    return true;
  }

  /** Steps until nothing is due before `nowMs + limitMs` (absolute `untilMs` when given). Returns `nowMs`. */
  runUntilIdle(options: { limitMs?: number; untilMs?: number } = {}): number {
    const until = options.untilMs ?? this.nowMs + (options.limitMs ?? 600_000);
    while (this.step(until)) { /* keep going */ }
    return this.nowMs;
  }

  /** Processes everything due up to `atMs`, then moves the clock to `atMs` (for a peer that acts at a set time). */
  advanceTo(atMs: number): void {
    while (this.step(atMs)) { /* keep going */ }
    if (atMs > this.nowMs) this.nowMs = atMs;
  }

  /** Steps until `done()` holds or `limitMs` of virtual time pass; returns whether `done()` held. */
  runUntil(done: () => boolean, limitMs = 600_000): boolean {
    const until = this.nowMs + limitMs;
    while (!done()) if (!this.step(until)) return false;
    return true;
  }

  /** Datagrams in flight. */
  get inFlight(): number { return this.flights.size; }

  private node(name: string): Node {
    const n = this.nodes.get(name);
    if (n === undefined) throw new Error(`SimNet: no node ${name}`);
    return n;
  }

  private route(from: Node, outputs: readonly SimOutput[]): void {
    for (const o of outputs) {
      if (o.kind !== 'transmit' || o.bytes === undefined) {
        from.events.push({ atMs: this.nowMs, output: o });
        continue;
      }
      const dest = o.to !== undefined ? this.byAddress.get(key(o.to)) : from.peer !== undefined ? this.nodes.get(from.peer) : undefined;
      if (dest === undefined) continue;
      this.transmit(from, dest, o.bytes);
    }
  }

  private transmit(from: Node, to: Node, bytes: Uint8Array): void {
    const c = this.conditions.get(`${from.name}>${to.name}`) ?? this.defaults;
    let dropped = false;
    for (const r of this.rules) {
      if ((r.from === undefined || r.from === from.name) && (r.count === undefined || r.count > 0) && r.match(bytes)) {
        if (r.count !== undefined) r.count--;
        dropped = true;
        break;
      }
    }
    if (!dropped && c.loss > 0 && this.rng.float() < c.loss) dropped = true;
    if (this.record) this.log.push({ atMs: this.nowMs, from: from.name, to: to.name, bytes, dropped });
    if (dropped) return;
    const copies = c.duplicate > 0 && this.rng.float() < c.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      let delay = c.latencyMs + (c.jitterMs > 0 ? this.rng.float() * c.jitterMs : 0);
      if (c.reorder > 0 && this.rng.float() < c.reorder) delay += this.rng.float() * 3 * Math.max(c.latencyMs, 1);
      this.flights.push({ atMs: this.nowMs + delay, seq: this.seq++, to: to.name, from: from.address, bytes });
    }
  }
}

function key(a: SocketAddress): string { return `${a.address}:${a.port}`; }
