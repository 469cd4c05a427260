/**
 * The reliable delivery of one control connection (RFC 2661 §5.8 and Appendix A, RFC 3931 §4.2):
 * sequence numbering, the send window, retransmission with back-off, the receive reorder buffer and
 * delayed acknowledgements. Messages are opaque (`T`): the engine encodes them once it learns the
 * Ns/Nr a transmission carries.
 *
 * Invariants: the transport reads no clock and sets no timer; every method takes `nowMs`, which must
 * not decrease, and `nextDeadlineMs()` says when {@link ReliableTransport.poll} must next be called.
 * Calling `poll` early is harmless. Nothing here throws for anything a peer sends.
 *
 * Theory of operation: `enqueue` gives a message the next Ns and queues it. `poll` releases queued
 * messages while fewer than min(CWND, peer RWS) are unacknowledged, retransmits the oldest
 * unacknowledged message when its timer expires (same Ns, current Nr), and asks for a ZLB/ACK when an acknowledgement is owed and no message
 * carried it. `receive` takes the Ns/Nr of an arriving message: its Nr acknowledges what we sent, its Ns
 * is delivered in order, held when it is ahead within our window, or re-acknowledged when duplicate.
 */
import { type TransportConfig, DEFAULT_PEER_RECEIVE_WINDOW, retransmitDelayMs } from './config.js';
import { type Congestion, initialCongestion, onAcked, onRetransmit, withPeerWindow } from './congestion.js';
import { seqBefore, seqDistance, seqNext } from './seq.js';

/** One message handed to the network by {@link ReliableTransport.poll}. */
export interface TransportSend<T> {
  readonly kind: 'send';
  readonly ns: number;
  /** The Nr to put in the header: always the current one, also on retransmissions. */
  readonly nr: number;
  readonly item: T;
  /** 0 for the first transmission, n for the n-th retransmission. */
  readonly attempt: number;
}

/** The transport owes the peer an acknowledgement that no message carried: send a ZLB (v2) or ACK (v3). */
export interface TransportAck {
  readonly kind: 'ack';
  /** Ns for the ZLB header: the next Ns we will use (RFC 2661 §5.8). */
  readonly ns: number;
  readonly nr: number;
}

/** A message went unacknowledged through every retry: the control connection is dead (RFC 2661 §5.8). */
export interface TransportFailed<T> {
  readonly kind: 'failed';
  readonly ns: number;
  readonly item: T;
  /** Transmissions made, the first one included. */
  readonly transmissions: number;
}

/** What {@link ReliableTransport.poll} asks the engine to do. */
export type TransportOutput<T> = TransportSend<T> | TransportAck | TransportFailed<T>;

/** {@link ReliableTransport.drive}'s receiver: the fields of each {@link TransportOutput}, as calls. */
export interface TransportSink<T> {
  send(ns: number, nr: number, item: T, attempt: number): void;
  ack(ns: number, nr: number): void;
  failed(ns: number, item: T, transmissions: number): void;
}

/** How a received message's Ns was treated. */
export type ReceiveStatus = 'delivered' | 'duplicate' | 'held' | 'out-of-window' | 'zlb' | 'bad-nr';

/** The result of {@link ReliableTransport.receive}: what to hand to the state machine, in order. */
export interface ReceiveResult<T> {
  readonly status: ReceiveStatus;
  /** Messages now deliverable in Ns order: the received one and any held ones it unblocked. */
  readonly delivered: readonly T[];
  /** How many of our messages this Nr acknowledged. */
  readonly acked: number;
}

interface InFlight<T> {
  ns: number;
  readonly item: T;
  attempt: number;
  dueMs: number;
}

const NO_ITEMS: readonly never[] = Object.freeze([]);

/** Reliable, ordered, windowed delivery for one control connection: sends `T`, receives `R`. See the file header. */
export class ReliableTransport<T, R = T> {
  /** Ns the next enqueued message gets. */
  private nextNs = 0;
  /** Ns of the next message to transmit for the first time (one past the highest sent). */
  private nextSendNs = 0;
  /** Next Ns expected from the peer: the Nr we send. */
  private expectedNs = 0;
  private readonly queue: T[] = [];
  private queueHead = 0;
  private readonly inFlight: InFlight<T>[] = [];
  private held: Map<number, R> | undefined;
  private ackDueMs: number | undefined;
  /** The Nr our last transmission carried: what the peer knows we received. */
  private nrSent = 0;
  private cc: Congestion = initialCongestion(DEFAULT_PEER_RECEIVE_WINDOW);
  private dead = false;

  /** Creates the transport of a fresh control connection (Ns and Nr start at 0, RFC 2661 §5.8). */
  /** Messages sent for the first time, retransmissions, and messages delivered (for status and metrics). */
  readonly counters = { sent: 0, retransmitted: 0, received: 0 };

  /** Creates an idle transport. */
  constructor(private readonly config: TransportConfig) {}

  /** Current congestion state (for tests and status). */
  get congestion(): Congestion { return this.cc; }

  /** The Nr we send: the next Ns expected from the peer. */
  get nr(): number { return this.expectedNs; }

  /** Messages sent and not yet acknowledged. */
  get unacknowledged(): number { return this.inFlight.length; }

  /** Messages queued behind the window. */
  get queued(): number { return this.queue.length - this.queueHead; }

  /** True once a message exhausted its retries; the transport then does nothing more. */
  get failed(): boolean { return this.dead; }

  /** True when nothing is queued or awaiting acknowledgement. */
  get idle(): boolean { return this.inFlight.length === 0 && this.queued === 0; }

  /** Applies the peer's Receive Window Size once known (SCCRQ/SCCRP); 0 is invalid and ignored. */
  setPeerWindow(size: number): void {
    if (size >= 1) this.cc = withPeerWindow(this.cc, size);
  }

  /** Queues a reliable message; returns the Ns it will carry. */
  enqueue(item: T): number {
    const ns = this.nextNs;
    this.nextNs = seqNext(ns);
    this.queue.push(item);
    return ns;
  }

  /**
   * Takes the Ns/Nr of an arriving message (`zlb` for a ZLB or v3 ACK, which carries no Ns of its own).
   * Its Nr acknowledges our messages first (a ZLB's Nr does this too, RFC 2661 §5.8); then its Ns decides
   * delivery. A Nr beyond what we sent makes the message invalid (RFC 3931 §4.2): nothing happens.
   */
  receive(nowMs: number, ns: number, nr: number, zlb: boolean, item?: R): ReceiveResult<R> {
    if (this.dead) return { status: 'bad-nr', delivered: NO_ITEMS, acked: 0 };
    if (seqBefore(this.nextSendNs, nr)) return { status: 'bad-nr', delivered: NO_ITEMS, acked: 0 };
    const acked = this.acknowledge(nr);
    if (zlb || item === undefined) return { status: 'zlb', delivered: NO_ITEMS, acked };
    if (ns === this.expectedNs) {
      this.expectedNs = seqNext(ns);
      const delivered = [item];
      if (this.held !== undefined) this.drainHeld(delivered);
      this.counters.received += delivered.length;
      // Delayed for a message to ride on, unless the peer has filled the window we advertised: it
      // can send nothing more until acknowledged, so waiting would only stall it (a burst of ICCNs,
      // which get no reply, went at one window per ack delay).
      const full = seqDistance(this.nrSent, this.expectedNs) >= this.config.receiveWindowSize;
      this.owe(full ? nowMs : nowMs + this.config.ackDelayMs);
      return { status: 'delivered', delivered, acked };
    }
    if (seqBefore(ns, this.expectedNs)) {
      // RFC 2661 §5.8: a duplicate is acknowledged again (the peer lost our ack) but not delivered.
      this.owe(nowMs);
      return { status: 'duplicate', delivered: NO_ITEMS, acked };
    }
    if (seqDistance(this.expectedNs, ns) < this.config.receiveWindowSize) {
      // Ahead of a gap but inside the window we advertised: keep it until the gap fills
      // (go-l2tp instead stalls for ever behind one reordered message).
      (this.held ??= new Map()).set(ns, item);
      this.owe(nowMs);
      return { status: 'held', delivered: NO_ITEMS, acked };
    }
    this.owe(nowMs);
    return { status: 'out-of-window', delivered: NO_ITEMS, acked };
  }

  /**
   * Adopts the peer's sequence numbers, for a connection opened without a setup exchange (a
   * quiescent L2TPv3 connection): nothing made both ends start at 0, and either end may be a new
   * incarnation talking to an old one. `ns` (the Ns of the first message heard; a ZLB/ACK's Ns is the
   * peer's next one) becomes the next Ns we expect. When `nr` does not fall within what we have in
   * flight, the peer never saw our numbering: our unacknowledged messages are renumbered from `nr`.
   * Either way they go out again at once with a fresh retry budget — what went before may have
   * reached nobody. Call it before `receive` of that message. Returns the messages renumbered (whose
   * encoding, if cached, carries a stale Ns), or none.
   */
  resync(nowMs: number, ns: number, nr: number): readonly T[] {
    if (this.dead) return NO_ITEMS;
    this.expectedNs = ns;
    // The window the peer fills counts from here (see receive): what it knew of our Nr before is moot.
    this.nrSent = ns;
    this.held = undefined;
    const oldest = this.inFlight[0]?.ns ?? this.nextSendNs;
    let renumbered: readonly T[] = NO_ITEMS;
    if (seqDistance(oldest, nr) > seqDistance(oldest, this.nextSendNs)) {
      let next = nr;
      for (const rec of this.inFlight) { rec.ns = next; next = seqNext(next); }
      this.nextSendNs = next;
      this.nextNs = (next + this.queued) & 0xffff;
      renumbered = this.inFlight.map((rec) => rec.item);
    }
    for (const rec of this.inFlight) { rec.attempt = 0; rec.dueMs = nowMs; }
    return renumbered;
  }

  /**
   * Runs the timers due at `nowMs` and the send window: returns retransmissions, first transmissions
   * and a ZLB/ACK request, in that order. After a `failed` output the transport is dead.
   */
  poll(nowMs: number): TransportOutput<T>[] {
    const out: TransportOutput<T>[] = [];
    this.drive(nowMs, {
      send: (ns, nr, item, attempt) => { out.push({ kind: 'send', ns, nr, item, attempt }); },
      ack: (ns, nr) => { out.push({ kind: 'ack', ns, nr }); },
      failed: (ns, item, transmissions) => { out.push({ kind: 'failed', ns, item, transmissions }); },
    });
    return out;
  }

  /**
   * `poll` without a list: each output goes to `sink` as it is decided, in the same order (an
   * engine handles every datagram this way, so it allocates no output objects). `failed` is the
   * last call when it comes: the transport is dead by then.
   */
  drive(nowMs: number, sink: TransportSink<T>): void {
    if (this.dead) return;
    let sent = 0;
    // Only the oldest unacknowledged message runs a timer (as TCP does): the ones behind it are most
    // likely held in the peer's reorder buffer and get acknowledged together once the gap fills. One
    // that was really lost becomes the oldest and, its time long past, goes out on the next poll.
    const rec = this.inFlight[0];
    if (rec !== undefined && rec.dueMs <= nowMs) {
      if (rec.attempt >= this.config.maxRetries) {
        this.dead = true;
        this.ackDueMs = undefined;
        return sink.failed(rec.ns, rec.item, rec.attempt + 1);
      }
      rec.attempt += 1;
      rec.dueMs = nowMs + retransmitDelayMs(rec.attempt, this.config);
      this.cc = onRetransmit(this.cc);
      this.counters.retransmitted++;
      sent++;
      sink.send(rec.ns, this.expectedNs, rec.item, rec.attempt);
    }
    const window = Math.min(this.cc.cwnd, this.cc.peerWindow);
    while (this.queueHead < this.queue.length && this.inFlight.length < window) {
      const item = this.queue[this.queueHead]!;
      this.queue[this.queueHead++] = undefined as T;
      const ns = this.nextSendNs;
      this.nextSendNs = seqNext(ns);
      this.inFlight.push({ ns, item, attempt: 0, dueMs: nowMs + retransmitDelayMs(0, this.config) });
      this.counters.sent++;
      sent++;
      sink.send(ns, this.expectedNs, item, 0);
    }
    if (this.queueHead === this.queue.length && this.queueHead > 0) {
      this.queue.length = 0;
      this.queueHead = 0;
    }
    if (sent > 0) this.ackDueMs = undefined;
    else if (this.ackDueMs !== undefined && this.ackDueMs <= nowMs) {
      this.ackDueMs = undefined;
      sent++;
      sink.ack(this.nextSendNs, this.expectedNs);
    }
    if (sent > 0) this.nrSent = this.expectedNs;
  }

  /** Earliest time `poll` has work to do, or `undefined` when no timer is armed. */
  nextDeadlineMs(): number | undefined {
    if (this.dead) return undefined;
    const head = this.inFlight[0]?.dueMs;
    if (head === undefined) return this.ackDueMs;
    return this.ackDueMs === undefined || head < this.ackDueMs ? head : this.ackDueMs;
  }

  /**
   * Drops queued and unacknowledged messages but keeps receiving and acknowledging: the peer closed
   * the connection (StopCCN), so nothing of ours needs delivering, yet its retransmissions must
   * still be acknowledged (RFC 2661 §5.7). Ns keeps counting, so a later message cannot reuse one.
   */
  abandon(): void {
    this.inFlight.length = 0;
    this.queue.length = 0;
    this.queueHead = 0;
  }

  /** True while an acknowledgement is owed to the peer (waiting for its delayed-ack timer). */
  get ackOwed(): boolean { return this.ackDueMs !== undefined; }

  /** Stops all timers and drops queued and unacknowledged messages (the connection is gone). */
  stop(): void {
    this.dead = true;
    this.inFlight.length = 0;
    this.queue.length = 0;
    this.queueHead = 0;
    this.ackDueMs = undefined;
    this.held = undefined;
  }

  private acknowledge(nr: number): number {
    let acked = 0;
    while (this.inFlight.length > 0 && seqBefore(this.inFlight[0]!.ns, nr)) {
      this.inFlight.shift();
      this.cc = onAcked(this.cc);
      acked++;
    }
    return acked;
  }

  private drainHeld(delivered: R[]): void {
    const held = this.held!;
    for (let next = held.get(this.expectedNs); next !== undefined; next = held.get(this.expectedNs)) {
      held.delete(this.expectedNs);
      delivered.push(next);
      this.expectedNs = seqNext(this.expectedNs);
    }
    // Anything left behind the new Nr is stale (it was delivered some other way): drop it.
    for (const ns of held.keys()) if (seqBefore(ns, this.expectedNs)) held.delete(ns);
    if (held.size === 0) this.held = undefined;
  }

  private owe(atMs: number): void {
    if (this.ackDueMs === undefined || atMs < this.ackDueMs) this.ackDueMs = atMs;
  }
}
