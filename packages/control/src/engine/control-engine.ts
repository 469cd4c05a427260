/**
 * Many control connections behind one socket or several: routes datagrams to {@link TunnelEngine}s
 * by the header's tunnel id, answers SCCRQs as an LNS (one new tunnel per peer and Assigned Tunnel
 * ID, so a retransmitted SCCRQ reaches the tunnel it created), merges deadlines, and drops tunnels
 * once their StopCCN hold is over. Same contract as {@link TunnelEngine}: no I/O, no clock.
 *
 * As an LNS: a refused SCCRQ (bad or unknown M-bit AVP, missing AVP, hidden AVP without a secret)
 * still gets a tunnel, which answers with StopCCN and holds for RFC 2661 §5.7 like any other; a
 * new SCCRQ from the address, port and Assigned Tunnel ID of an established tunnel means the peer
 * restarted: the stale tunnel is cleared (without a StopCCN, which would reach the new one) and a
 * new one is made. {@link ControlEngine.settled} says when nothing is held any more.
 */
import type { SocketAddress } from '../api/dataplane.js';
import type { ResultCode, TunnelEvent } from '../fsm/types.js';
import { type TunnelEngineOptions, tunnelEngineConfig } from './config.js';
import { type Command, L2tpUsageError } from './io.js';
import { TunnelEngine } from './tunnel-engine.js';
import { type TunnelView, tunnelView } from './tunnel-view.js';
import type { V3Command, V3DigestOptions, V3EngineEvent, V3EnginePorts, V3TunnelOptions } from './v3-config.js';
import { V3TunnelEngine } from './v3-engine.js';
import { type V3ConnectionView, type V3SccrqInfo, isV3Command, v3Accept, v3ConnectionView } from './v3-control.js';
import { TimeHeap } from './time-heap.js';
import type { WireCodec } from './wire.js';

/** An input of the multi-tunnel engine. `nowMs` must not decrease. */
export type ControlInput =
  | { readonly kind: 'datagram'; readonly nowMs: number; readonly bytes: Uint8Array; readonly from: SocketAddress }
  | { readonly kind: 'timeout'; readonly nowMs: number }
  | { readonly kind: 'command'; readonly nowMs: number; readonly tunnelId: number; readonly command: Command | V3Command };

/** An output of the multi-tunnel engine: datagrams carry their tunnel and destination. */
export type ControlOutput =
  | { readonly kind: 'transmit'; readonly tunnelId: number; readonly to: SocketAddress; readonly bytes: Uint8Array }
  | { readonly kind: 'event'; readonly event: TunnelEvent }
  /**
   * An L2TPv3 control connection's event (fsm/v3 events and digest drops); `tunnelId` is our
   * connection id, or 0 with `peer` for a first SCCRQ dropped before any connection existed.
   */
  | { readonly kind: 'v3-event'; readonly tunnelId: number; readonly event: V3EngineEvent; readonly peer?: SocketAddress }
  /** The tunnel's state is gone (its StopCCN hold ended, or it failed): its socket may be closed. */
  | { readonly kind: 'released'; readonly tunnelId: number };

/** What an LNS's admission policy sees of an SCCRQ. */
export interface SccrqInfo {
  readonly assignedTunnelId: number;
  readonly hostName?: string;
}

/**
 * Settings of tunnels the engine accepts as an LNS. `admit` is the admission policy (access list,
 * tunnel and rate limits): it returns the Result Code to refuse a well-formed SCCRQ with, or
 * undefined to accept it. A refusal is answered like a malformed SCCRQ: StopCCN to the peer's
 * Assigned Tunnel ID, held for RFC 2661 §5.7, and a `tunnel-down` event (reason `refused`).
 */
export type AcceptOptions = Omit<TunnelEngineOptions, 'role' | 'tunnelId' | 'peerTunnelId' | 'quiescent'> & {
  readonly admit?: (peer: SocketAddress, sccrq: SccrqInfo) => ResultCode | undefined;
};

/** Options of a {@link ControlEngine}. */
export interface ControlEngineOptions {
  /** Answer SCCRQs (LNS role) with these settings; omitted: unsolicited SCCRQs are ignored. */
  readonly accept?: AcceptOptions;
  /**
   * Tunnel ids in use outside this engine (other engines on the same kernel, whose tunnel ids must
   * be unique per network namespace); the allocator skips them. Default: none.
   */
  readonly tunnelIdInUse?: (tunnelId: number) => boolean;
  /** Answer L2TPv3 SCCRQs (responder) with these settings, or per peer; omitted: unsolicited v3 SCCRQs are ignored. */
  readonly acceptV3?: V3AcceptPolicy;
  /**
   * The framing of every datagram this engine sees: 'udp' (default; v2 and v3 share a port) or 'ip'
   * (L2TPv3 over IP protocol 115: a 4-byte zero Session ID precedes each control message).
   */
  readonly encap?: 'udp' | 'ip';
}

/** Settings of L2TPv3 control connections the engine accepts as a responder (the connection id is allocated). */
export type V3AcceptOptions = Omit<V3TunnelOptions, 'connectionId' | 'encap'>;

/**
 * Which SCCRQs a responder answers: the same settings for every peer, or settings chosen per peer
 * (its address and what its SCCRQ says; `undefined` ignores the SCCRQ, as RFC 3931 §5.1 leaves an
 * LCCE free to). A function is how a daemon answers each configured peer with that peer's pseudowires
 * and secret.
 */
export type V3AcceptPolicy = V3AcceptOptions | ((peer: SocketAddress, sccrq: V3SccrqInfo) => V3AcceptOptions | undefined);

interface Entry {
  readonly engine: TunnelEngine | V3TunnelEngine;
  /** Made on the first `tunnel`/`connection` read: most tunnels an LNS accepts are never looked at one by one. */
  view: TunnelView | V3ConnectionView | undefined;
  peer: SocketAddress;
  readonly acceptKey: string | undefined;
  /** When the SCCRQ that made this (accepted) tunnel arrived; 0 for others. */
  readonly acceptedAtMs: number;
  /** The tunnel's own earliest deadline, as its engine last said (exact). */
  deadlineMs: number | undefined;
  /**
   * The time of this tunnel's entry on the heap that stands for it (others of its are stale): at or
   * before `deadlineMs`, since a deadline that moves later leaves the entry where it is (see `settle`).
   */
  queuedAtMs: number | undefined;
}

interface Due { readonly atMs: number; readonly seq: number; readonly tunnelId: number }

/** A set of control connections. See the file header. */
export class ControlEngine {
  private readonly tunnels = new Map<number, Entry>();
  private readonly accepted = new Map<string, number>();
  /** Tunnel deadlines, lazily cleaned: an entry stands for its tunnel only while it equals its `queuedAtMs`. */
  private readonly due = new TimeHeap<Due>();
  private seq = 0;

  private acceptOptions: AcceptOptions | undefined;
  private acceptV3Options: V3AcceptPolicy | undefined;
  private readonly encap: 'udp' | 'ip';
  /** v3 messages dropped before any connection held them (a first SCCRQ whose digest did not verify). */
  private v3Unmatched = 0;
  /** The time of the input being handled. */
  private nowMs = 0;

  /** Creates an engine with no tunnels. */
  constructor(options: ControlEngineOptions, private readonly ports: V3EnginePorts, private readonly wire: WireCodec) {
    this.acceptOptions = options.accept;
    this.tunnelIdInUse = options.tunnelIdInUse ?? (() => false);
    this.acceptV3Options = options.acceptV3;
    this.encap = options.encap ?? 'udp';
  }

  private readonly tunnelIdInUse: (tunnelId: number) => boolean;

  /** Starts (or, with `undefined`, stops) answering L2TPv3 SCCRQs as a responder with these settings (or per peer). */
  acceptV3(options: V3AcceptPolicy | undefined): void { this.acceptV3Options = options; }

  /** L2TPv3 SCCRQs dropped because their Message Digest did not verify (no connection existed to count them). */
  get v3DigestDrops(): number { return this.v3Unmatched; }

  /** Starts (or, with `undefined`, stops) answering SCCRQs as an LNS with these settings. */
  accept(options: AcceptOptions | undefined): void { this.acceptOptions = options; }

  /** The peer address of a tunnel. */
  peerOf(tunnelId: number): SocketAddress | undefined { return this.tunnels.get(tunnelId)?.peer; }

  /** Number of tunnels held (including those in their StopCCN hold). */
  get size(): number { return this.tunnels.size; }

  /**
   * True when no tunnel is held: nothing is owed in either direction (every StopCCN we sent or
   * received has had its §5.7 hold, so no acknowledgement can still be due). Each tunnel's end is
   * a `released` output; a program that must exit cleanly waits for this rather than polling.
   */
  get settled(): boolean { return this.tunnels.size === 0; }

  /** A read-only view of one tunnel (state, ids, peer, counters, sessions), or `undefined` once released. */
  tunnel(tunnelId: number): TunnelView | undefined {
    const e = this.tunnels.get(tunnelId);
    if (e === undefined || e.engine instanceof V3TunnelEngine) return undefined;
    const engine = e.engine;
    return (e.view ??= tunnelView(engine, () => e.peer)) as TunnelView;
  }

  /** A read-only view of one L2TPv3 control connection, or `undefined` (released, or not v3). */
  connection(connectionId: number): V3ConnectionView | undefined {
    const e = this.tunnels.get(connectionId);
    if (e === undefined || !(e.engine instanceof V3TunnelEngine)) return undefined;
    const engine = e.engine;
    return (e.view ??= v3ConnectionView(engine, () => e.peer)) as V3ConnectionView;
  }

  /** A random session id, non-zero and unused in the tunnel (RFC 2661 §4.4.4); throws {@link L2tpUsageError} for an unknown tunnel. */
  allocateSessionId(tunnelId: number): number {
    const e = this.tunnels.get(tunnelId);
    if (e === undefined || e.engine instanceof V3TunnelEngine) throw new L2tpUsageError(`no L2TPv2 tunnel ${tunnelId}`);
    return e.engine.allocateSessionId();
  }

  /** Ids of every tunnel held. */
  tunnelIds(): number[] { return [...this.tunnels.keys()]; }

  /** A random tunnel id, non-zero and unused (RFC 2661 §3.1: 0 only before the peer assigns one). */
  allocateTunnelId(bits: 16 | 32 = 16): number {
    for (;;) {
      const id = bits === 16 ? this.ports.random.uint32() & 0xffff : this.ports.random.uint32() >>> 0;
      if (id !== 0 && !this.tunnels.has(id) && !this.tunnelIdInUse(id)) return id;
    }
  }

  /** Adds a tunnel we originate (LAC) or a quiescent one; `open` it with a command input. Returns its id. */
  addTunnel(options: Omit<TunnelEngineOptions, 'tunnelId'> & { readonly tunnelId?: number }, peer: SocketAddress): number {
    const tunnelId = options.tunnelId ?? this.allocateTunnelId(options.version === 3 ? 32 : 16);
    if (this.tunnels.has(tunnelId)) throw new L2tpUsageError(`tunnel id ${tunnelId} is in use`);
    this.tunnels.set(tunnelId, this.entry(new TunnelEngine(tunnelEngineConfig({ ...options, tunnelId }), this.ports, this.wire), peer, undefined));
    return tunnelId;
  }

  /**
   * Adds an L2TPv3 control connection we initiate (RFC 3931 §7.2); `open` it with a command input.
   * Its id is allocated (32 bits) unless given. Returns the id. Throws {@link L2tpUsageError} for an id
   * in use, or a digest without the hmac port.
   */
  addV3Connection(options: Omit<V3TunnelOptions, 'connectionId' | 'encap'> & { readonly connectionId?: number }, peer: SocketAddress): number {
    const id = options.connectionId ?? this.allocateTunnelId(32);
    if (this.tunnels.has(id)) throw new L2tpUsageError(`tunnel id ${id} is in use`);
    this.tunnels.set(id, this.entry(new V3TunnelEngine(v3Accept.config({ ...options, connectionId: id, encap: this.encap }), this.ports), peer, undefined));
    return id;
  }

  /**
   * Replaces the Message Digest secrets and signing type of a live L2TPv3 control connection in
   * place (a rollover, RFC 3931 §5.4.1; see {@link V3TunnelEngine.updateDigest}); nothing is sent.
   * Returns false when no v3 connection has this id. Throws {@link L2tpUsageError} when the
   * connection runs without a digest, RangeError without a non-empty secret.
   */
  updateV3Digest(connectionId: number, digest: V3DigestOptions): boolean {
    const e = this.tunnels.get(connectionId);
    if (e === undefined || !(e.engine instanceof V3TunnelEngine)) return false;
    e.engine.updateDigest(digest);
    return true;
  }

  /** Processes one input; returns everything it caused. Peer behaviour never throws. */
  handle(input: ControlInput): ControlOutput[] {
    const out: ControlOutput[] = [];
    this.nowMs = input.nowMs;
    if (input.kind === 'timeout') {
      // Take every due tunnel off the heap first, so each runs once per timeout input.
      const dueIds: number[] = [];
      for (let top = this.liveTop(); top !== undefined && top.atMs <= input.nowMs; top = this.liveTop()) {
        this.due.pop();
        const e = this.tunnels.get(top.tunnelId)!;
        e.deadlineMs = undefined;
        e.queuedAtMs = undefined;
        dueIds.push(top.tunnelId);
      }
      for (const id of dueIds) {
        const e = this.tunnels.get(id);
        if (e !== undefined) this.step(out, id, e, input);
      }
    } else if (input.kind === 'command') {
      const e = this.tunnels.get(input.tunnelId);
      if (e === undefined) throw new L2tpUsageError(`no tunnel ${input.tunnelId}`);
      const c = input.command;
      if (e.engine instanceof V3TunnelEngine) {
        if (!isV3Command(c)) throw new L2tpUsageError(`${c.type} is an L2TPv2 command; tunnel ${input.tunnelId} is L2TPv3`);
        this.collect(out, input.tunnelId, e, e.engine.handle({ kind: 'command', nowMs: input.nowMs, command: c }));
      } else {
        if (isV3Command(c) && c.type !== 'open' && c.type !== 'close' && c.type !== 'close-session') throw new L2tpUsageError(`${c.type} is an L2TPv3 command`);
        e.engine.handleInto({ kind: 'command', nowMs: input.nowMs, command: c as Command }, out, e.peer);
        this.settle(out, input.tunnelId, e, false);
      }
    } else {
      this.datagram(out, input);
    }
    return out;
  }

  /** Earliest deadline over every tunnel, or `undefined`. */
  nextDeadlineMs(): number | undefined { return this.liveTop()?.atMs; }

  /**
   * The earliest live heap entry (O(log n) amortised, not a scan of every tunnel): stale entries are
   * dropped, and a tunnel's entry whose deadline moved later since it was pushed goes back in at
   * that deadline. Every tunnel with a deadline has an entry at or before it, so the live top is exact.
   */
  private liveTop(): Due | undefined {
    for (let top = this.due.peek(); top !== undefined; top = this.due.peek()) {
      const e = this.tunnels.get(top.tunnelId);
      if (e !== undefined && e.queuedAtMs === top.atMs) {
        if (e.deadlineMs === top.atMs) return top;
        this.due.pop();
        e.queuedAtMs = undefined;
        if (e.deadlineMs !== undefined) this.queue(top.tunnelId, e, e.deadlineMs);
        continue;
      }
      this.due.pop();
    }
    return undefined;
  }

  private queue(tunnelId: number, e: Entry, atMs: number): void {
    e.queuedAtMs = atMs;
    this.due.push({ atMs, seq: this.seq++, tunnelId });
  }

  /** Closes every tunnel with StopCCN `result` (default: 6, shutting down). */
  closeAll(nowMs: number, result: ResultCode = { result: 6 }): ControlOutput[] {
    const out: ControlOutput[] = [];
    for (const id of [...this.tunnels.keys()]) out.push(...this.handle({ kind: 'command', nowMs, tunnelId: id, command: { type: 'close', result } }));
    return out;
  }

  private datagram(out: ControlOutput[], input: Extract<ControlInput, { kind: 'datagram' }>): void {
    const head = this.encap === 'ip' ? v3Accept.ipHeader(input.bytes) : undefined;
    const id = this.encap === 'ip' ? head?.tunnelId : this.wire.tunnelIdOf(input.bytes);
    if (id === undefined) return;
    const e = this.tunnels.get(id);
    if (e !== undefined) {
      if (!sameAddress(e.peer, input.from)) {
        // RFC 2661 §8.1: the responder may answer SCCRQ from another port; from then on the
        // 4-tuple is fixed, so anything else from a stranger is dropped, not trusted.
        if (e.engine.state !== 'wait-ctl-reply') return;
        e.peer = input.from;
      }
      this.step(out, id, e, input);
      return;
    }
    if (id !== 0) return;
    if (this.encap === 'ip' || v3Accept.isV3(input.bytes)) return this.acceptV3Sccrq(out, input);
    if (this.acceptOptions === undefined) return;
    const accept = this.acceptOptions;
    const secret = typeof accept.secret === 'string' ? new TextEncoder().encode(accept.secret) : accept.secret;
    const decoded = this.wire.decode(input.bytes, secret, this.ports.md5);
    const d = decoded[0]!;
    // Refused SCCRQs are answered too (StopCCN from a tunnel made for the purpose, RFC 2661 §4.1).
    const sccrq = d.kind === 'message' ? d.message.type === 'SCCRQ' : d.kind === 'rejected' && d.messageType === 'SCCRQ';
    if (!sccrq) return;
    const peerTunnelId = d.kind === 'message' ? (d.message as { assignedTunnelId: number }).assignedTunnelId : d.kind === 'rejected' ? d.assignedTunnelId : undefined;
    const key = `${input.from.address}|${input.from.port}|${peerTunnelId ?? '?'}`;
    const existing = this.accepted.get(key);
    const x = existing === undefined ? undefined : this.tunnels.get(existing);
    if (existing !== undefined && x !== undefined) {
      // Nothing received past the SCCRQ (Ns 0): this is the same SCCRQ again (our SCCRP, StopCCN or
      // their acknowledgement was lost), for the tunnel it made to acknowledge.
      const v2 = x.engine as TunnelEngine;
      // Nor is one arriving within a retransmission interval of the first: a late duplicate
      // (reordered behind the SCCCN), not a client that restarted in that time.
      const late = input.nowMs - x.acceptedAtMs < v2.config.transport.retryTimeoutMs;
      // Unless the peer acknowledged our StopCCN (refusing it) and this SCCRQ opens a connection
      // afresh (Nr 0: a copy sent after the StopCCN came carries Nr 1): the peer closed that attempt
      // (RFC 2661 §5.7 holds only the StopCCN's receiver) and makes a new one, from its fixed port
      // 1701 with the same id as Windows does. The hold ends and the SCCRQ is answered afresh.
      if (!late && v2.stopAcknowledged && 'header' in d && d.header.nr === 0) this.collect(out, existing, x, v2.endHold(input.nowMs));
      else if (v2.nr <= 1 || late) return void this.collect(out, existing, x, v2.handleDecoded(input.nowMs, decoded));
      // Past it (the peer's SCCCN came), an SCCRQ on the same 5-tuple and peer tunnel id is a
      // restarted peer's new control connection: clear the stale tunnel; one in its StopCCN hold
      // finishes the hold on its own.
      // Only an SCCRQ we would accept may stand for that: a malformed one is refused on its own and
      // costs the live tunnel nothing (RFC 2661 §4.1 asks to keep what the RFC does not end).
      if (d.kind === 'message') {
        this.accepted.delete(key);
        if (v2.state === 'established') this.collect(out, existing, x, v2.supersede(input.nowMs));
      }
    }
    const refusal = d.kind === 'message' ? accept.admit?.(input.from, d.message as SccrqInfo) : undefined;
    const tunnelId = this.allocateTunnelId();
    const engine = new TunnelEngine(tunnelEngineConfig({ ...accept, role: 'lns', tunnelId }), this.ports, this.wire);
    // A refused SCCRQ beside a live tunnel with its key gets a tunnel of its own that holds no key.
    const keyed = !this.accepted.has(key);
    const entry = this.entry(engine, input.from, keyed ? key : undefined);
    this.tunnels.set(tunnelId, entry);
    if (keyed) this.accepted.set(key, tunnelId);
    this.collect(out, tunnelId, entry, engine.handleDecoded(input.nowMs, decoded, refusal));
  }

  /**
   * A v3 SCCRQ to connection 0 (RFC 3931 §5.1). A retransmission or late duplicate reaches the
   * connection it made; a new one crossing our own SCCRQ to that address is settled by the Control
   * Connection Tie Breaker (RFC 3931 §5.4.3). A first SCCRQ whose digest does not verify makes nothing (counted).
   */
  private acceptV3Sccrq(out: ControlOutput[], input: Extract<ControlInput, { kind: 'datagram' }>): void {
    const sccrq = v3Accept.sccrq(input.bytes, this.encap);
    if (sccrq === undefined) return;
    const policy = this.acceptV3Options;
    const accept = typeof policy === 'function' ? policy(input.from, sccrq) : policy;
    const key = `v3|${input.from.address}|${input.from.port}|${sccrq.assignedConnectionId}`;
    const existing = this.accepted.get(key);
    const x = existing === undefined ? undefined : this.tunnels.get(existing);
    // The same peer connection id again is a duplicate for the connection it made, however late
    // (a restarted peer draws a new 32-bit id); that connection acknowledges it.
    if (existing !== undefined && x !== undefined) return void this.collect(out, existing, x, (x.engine as V3TunnelEngine).handle(input));
    // Our own SCCRQ to this peer, still unanswered: the tie breakers decide which connection stays.
    const pending = [...this.tunnels].find(([, e]) => e.engine instanceof V3TunnelEngine && e.engine.state === 'wait-ctl-reply' && sameAddress(e.peer, input.from));
    // An initiator without responder settings still answers the SCCRQ that wins the tie, with its own.
    const ownConfig = pending === undefined ? undefined : (pending[1].engine as V3TunnelEngine).config;
    if (accept === undefined && ownConfig === undefined) return;
    const connectionId = this.allocateTunnelId(32);
    const config = accept !== undefined ? v3Accept.config({ ...accept, connectionId, encap: this.encap }) : { ...ownConfig!, connectionId };
    const engine = new V3TunnelEngine(config, this.ports);
    const outputs = engine.handle(input);
    if (engine.state === 'idle') {
      // Dropped (its digest did not verify): nothing is made; the drop is reported and counted here.
      this.v3Unmatched++;
      for (const o of outputs) if (o.kind === 'v3-event') out.push({ kind: 'v3-event', tunnelId: 0, event: { ...o.event, connectionId: 0 }, peer: input.from });
      return;
    }
    if (pending !== undefined) {
      const [pid, p] = pending;
      const w = v3Accept.tie((p.engine as V3TunnelEngine).tieBreaker, sccrq.tieBreaker);
      if (w === 'ours') return;
      if (w === 'both-lose' || w === 'theirs') this.collect(out, pid, p, (p.engine as V3TunnelEngine).loseTie(input.nowMs));
      if (w === 'both-lose') return;
    }
    const entry = this.entry(engine, input.from, key);
    this.tunnels.set(connectionId, entry);
    this.accepted.set(key, connectionId);
    this.collect(out, connectionId, entry, outputs);
  }

  /**
   * A v3 connection came up: an older established one to the same address and peer Router ID is a
   * restarted peer's stale connection (we send a Control Connection Tie Breaker: one connection per
   * pair of LCCEs, RFC 3931 §5.4.3). It is cleared without a StopCCN, which would reach nobody.
   */
  private supersedeStale(out: ControlOutput[], tunnelId: number, e: Entry): void {
    const routerId = (e.engine as V3TunnelEngine).peer.peerRouterId;
    for (const [id, s] of [...this.tunnels]) {
      if (id !== tunnelId && s.engine instanceof V3TunnelEngine && s.engine.state === 'established' && sameAddress(s.peer, e.peer)
        && s.engine.peer.peerRouterId === routerId) this.collect(out, id, s, s.engine.supersede(this.nowMs));
    }
  }

  private entry(engine: TunnelEngine | V3TunnelEngine, peer: SocketAddress, acceptKey: string | undefined): Entry {
    return { engine, view: undefined, peer, acceptKey, acceptedAtMs: acceptKey === undefined ? 0 : this.nowMs, deadlineMs: undefined, queuedAtMs: undefined };
  }

  /** Feeds `input` to one tunnel; an L2TPv2 tunnel appends its outputs to `out` itself. */
  private step(out: ControlOutput[], tunnelId: number, e: Entry, input: Extract<ControlInput, { kind: 'datagram' | 'timeout' }>): void {
    if (e.engine instanceof V3TunnelEngine) return this.collect(out, tunnelId, e, e.engine.handle(input));
    e.engine.handleInto(input, out, e.peer);
    this.settle(out, tunnelId, e, false);
  }

  private collect(out: ControlOutput[], tunnelId: number, e: Entry, outputs: ReturnType<TunnelEngine['handle']> | ReturnType<V3TunnelEngine['handle']>): void {
    let up = false;
    for (const o of outputs) {
      if (o.kind === 'transmit') out.push({ kind: 'transmit', tunnelId, to: e.peer, bytes: o.bytes });
      else if (o.kind === 'v3-event') {
        out.push({ kind: 'v3-event', tunnelId, event: o.event });
        up ||= o.event.type === 'connection-up';
      } else out.push(o);
    }
    this.settle(out, tunnelId, e, up);
  }

  /** After a tunnel's step: a v3 connection that came up supersedes stale ones; its deadline re-queued; released when finished. */
  private settle(out: ControlOutput[], tunnelId: number, e: Entry, up: boolean): void {
    if (up) this.supersedeStale(out, tunnelId, e);
    // Pushed only when it comes earlier than the tunnel's entry: most datagrams move a busy tunnel's
    // deadline a little later (the retransmission timer of its oldest unacknowledged message), and an
    // entry per datagram, held a retransmission interval on the heap, cost an LNS 5 % of its time in
    // heap work and old-space garbage. The later one goes in when the entry surfaces (liveTop).
    const d = e.engine.nextDeadlineMs();
    e.deadlineMs = d;
    if (d !== undefined && (e.queuedAtMs === undefined || d < e.queuedAtMs)) this.queue(tunnelId, e, d);
    if (e.engine.finished) {
      this.tunnels.delete(tunnelId);
      if (e.acceptKey !== undefined && this.accepted.get(e.acceptKey) === tunnelId) this.accepted.delete(e.acceptKey);
      out.push({ kind: 'released', tunnelId });
    }
  }
}

function sameAddress(a: SocketAddress, b: SocketAddress): boolean {
  return a.port === b.port && a.address === b.address;
}
