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
import { type EnginePorts, type TunnelEngineOptions, tunnelEngineConfig } from './config.js';
import { type Command, L2tpUsageError } from './io.js';
import { TunnelEngine } from './tunnel-engine.js';
import { type TunnelView, tunnelView } from './tunnel-view.js';
import { TimeHeap } from './time-heap.js';
import type { WireCodec } from './wire.js';

/** An input of the multi-tunnel engine. `nowMs` must not decrease. */
export type ControlInput =
  | { readonly kind: 'datagram'; readonly nowMs: number; readonly bytes: Uint8Array; readonly from: SocketAddress }
  | { readonly kind: 'timeout'; readonly nowMs: number }
  | { readonly kind: 'command'; readonly nowMs: number; readonly tunnelId: number; readonly command: Command };

/** An output of the multi-tunnel engine: datagrams carry their tunnel and destination. */
export type ControlOutput =
  | { readonly kind: 'transmit'; readonly tunnelId: number; readonly to: SocketAddress; readonly bytes: Uint8Array }
  | { readonly kind: 'event'; readonly event: TunnelEvent }
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
}

interface Entry {
  readonly engine: TunnelEngine;
  readonly view: TunnelView;
  peer: SocketAddress;
  readonly acceptKey: string | undefined;
  /** The deadline last pushed on the heap for this tunnel (others on the heap are stale). */
  deadlineMs: number | undefined;
}

interface Due { readonly atMs: number; readonly seq: number; readonly tunnelId: number }

/** A set of control connections. See the file header. */
export class ControlEngine {
  private readonly tunnels = new Map<number, Entry>();
  private readonly accepted = new Map<string, number>();
  /** Tunnel deadlines, lazily cleaned: an entry is live only while it equals its tunnel's `deadlineMs`. */
  private readonly due = new TimeHeap<Due>();
  private seq = 0;

  private acceptOptions: AcceptOptions | undefined;

  /** Creates an engine with no tunnels. */
  constructor(options: ControlEngineOptions, private readonly ports: EnginePorts, private readonly wire: WireCodec) {
    this.acceptOptions = options.accept;
    this.tunnelIdInUse = options.tunnelIdInUse ?? (() => false);
  }

  private readonly tunnelIdInUse: (tunnelId: number) => boolean;

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
  tunnel(tunnelId: number): TunnelView | undefined { return this.tunnels.get(tunnelId)?.view; }

  /** A random session id, non-zero and unused in the tunnel (RFC 2661 §4.4.4); throws {@link L2tpUsageError} for an unknown tunnel. */
  allocateSessionId(tunnelId: number): number {
    const e = this.tunnels.get(tunnelId);
    if (e === undefined) throw new L2tpUsageError(`no tunnel ${tunnelId}`);
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

  /** Processes one input; returns everything it caused. Peer behaviour never throws. */
  handle(input: ControlInput): ControlOutput[] {
    const out: ControlOutput[] = [];
    if (input.kind === 'timeout') {
      // Take every due tunnel off the heap first, so each runs once per timeout input.
      const dueIds: number[] = [];
      for (let top = this.liveTop(); top !== undefined && top.atMs <= input.nowMs; top = this.liveTop()) {
        this.due.pop();
        this.tunnels.get(top.tunnelId)!.deadlineMs = undefined;
        dueIds.push(top.tunnelId);
      }
      for (const id of dueIds) {
        const e = this.tunnels.get(id);
        if (e !== undefined) this.collect(out, id, e, e.engine.handle(input));
      }
    } else if (input.kind === 'command') {
      const e = this.tunnels.get(input.tunnelId);
      if (e === undefined) throw new L2tpUsageError(`no tunnel ${input.tunnelId}`);
      this.collect(out, input.tunnelId, e, e.engine.handle({ kind: 'command', nowMs: input.nowMs, command: input.command }));
    } else {
      this.datagram(out, input);
    }
    return out;
  }

  /** Earliest deadline over every tunnel, or `undefined`. */
  nextDeadlineMs(): number | undefined { return this.liveTop()?.atMs; }

  /** The earliest live heap entry, dropping stale ones (O(log n) amortised, not a scan of every tunnel). */
  private liveTop(): Due | undefined {
    for (let top = this.due.peek(); top !== undefined; top = this.due.peek()) {
      if (this.tunnels.get(top.tunnelId)?.deadlineMs === top.atMs) return top;
      this.due.pop();
    }
    return undefined;
  }

  /** Closes every tunnel with StopCCN `result` (default: 6, shutting down). */
  closeAll(nowMs: number, result: ResultCode = { result: 6 }): ControlOutput[] {
    const out: ControlOutput[] = [];
    for (const id of [...this.tunnels.keys()]) out.push(...this.handle({ kind: 'command', nowMs, tunnelId: id, command: { type: 'close', result } }));
    return out;
  }

  private datagram(out: ControlOutput[], input: Extract<ControlInput, { kind: 'datagram' }>): void {
    const id = this.wire.tunnelIdOf(input.bytes);
    if (id === undefined) return;
    const e = this.tunnels.get(id);
    if (e !== undefined) {
      if (!sameAddress(e.peer, input.from)) {
        // RFC 2661 §8.1: the responder may answer SCCRQ from another port; from then on the
        // 4-tuple is fixed, so anything else from a stranger is dropped, not trusted.
        if (e.engine.state !== 'wait-ctl-reply') return;
        e.peer = input.from;
      }
      this.collect(out, id, e, e.engine.handle(input));
      return;
    }
    if (id !== 0 || this.acceptOptions === undefined) return;
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
      if (x.engine.nr <= 1) return void this.collect(out, existing, x, x.engine.handleDecoded(input.nowMs, decoded));
      // Past it (the peer's SCCCN came), an SCCRQ on the same 5-tuple and peer tunnel id is a
      // restarted peer's new control connection: clear the stale tunnel; one in its StopCCN hold
      // finishes the hold on its own.
      this.accepted.delete(key);
      if (x.engine.state === 'established') this.collect(out, existing, x, x.engine.supersede(input.nowMs));
    }
    const refusal = d.kind === 'message' ? accept.admit?.(input.from, d.message as SccrqInfo) : undefined;
    const tunnelId = this.allocateTunnelId();
    const entry = this.entry(new TunnelEngine(tunnelEngineConfig({ ...accept, role: 'lns', tunnelId }), this.ports, this.wire), input.from, key);
    this.tunnels.set(tunnelId, entry);
    this.accepted.set(key, tunnelId);
    this.collect(out, tunnelId, entry, entry.engine.handleDecoded(input.nowMs, decoded, refusal));
  }

  private entry(engine: TunnelEngine, peer: SocketAddress, acceptKey: string | undefined): Entry {
    const e: Entry = { engine, view: undefined as unknown as TunnelView, peer, acceptKey, deadlineMs: undefined };
    (e as { view: TunnelView }).view = tunnelView(engine, () => e.peer);
    return e;
  }

  private collect(out: ControlOutput[], tunnelId: number, e: Entry, outputs: ReturnType<TunnelEngine['handle']>): void {
    for (const o of outputs) {
      if (o.kind === 'transmit') out.push({ kind: 'transmit', tunnelId, to: e.peer, bytes: o.bytes });
      else out.push(o);
    }
    const d = e.engine.nextDeadlineMs();
    if (d !== e.deadlineMs) {
      e.deadlineMs = d;
      if (d !== undefined) this.due.push({ atMs: d, seq: this.seq++, tunnelId });
    }
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
