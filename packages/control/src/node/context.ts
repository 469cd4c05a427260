/**
 * The library API (`L2tpContext`): tunnels and sessions over real UDP sockets and timers, kernel
 * objects through a {@link DataPlane}, typed events. One {@link ControlEngine} and one timer serve
 * every tunnel of the context; each tunnel has its own socket, connected on tunnel-up so that a
 * managed kernel tunnel can adopt it (an LNS opens it on its listening port with SO_REUSEADDR, bound
 * to the address the peer's SCCRQ arrived on). An LNS listening on a wildcard address learns that
 * address per datagram (packet info) and answers from it until then: a multi-homed host must not
 * answer from whichever address its routing picks (the reply would not match the peer's 5-tuple).
 */
import { EventEmitter } from 'node:events';
import type {
  ContextEvents, ListenOptions, SessionOptions, StaticTunnelOptions, TunnelInfo, TunnelOptions, V3ConnectionInfo, V3ConnectionOptions,
} from '../api/context-types.js';
import type { ControlSocket, DataPlaneStats, Encap, SessionDataPlane, SessionSpec, SocketAddress, TunnelDataPlane } from '../api/dataplane.js';
import { ControlEngine, type ControlOutput } from '../engine/control-engine.js';
import type { EnginePorts } from '../engine/config.js';
import type { V3DigestOptions } from '../engine/v3-config.js';
import { codecWire } from '../engine/codec-wire.js';
import { L2tpUsageError } from '../engine/io.js';
import type { ResultCode, TunnelEvent } from '../fsm/types.js';
import { EngineDriver } from './driver.js';
import { isNotExist, KernelReconciler } from './reconciler.js';
import { type Clock, cryptoRandom, hmac, md5, monotonicClock } from './platform.js';
import { V3Connections } from './v3-connections.js';
import { type DatagramHandler, TurnBudget } from './turn-budget.js';
import { callSpec, type ContextOptions, engineOptions, NO_SESSION_OPTIONS, sameBinding, Session, settledOf, type TunnelRecord, TunnelSnapshot } from './context-records.js';
export type { ContextOptions } from './context-records.js';

type Listener<K extends keyof ContextEvents> = (event: ContextEvents[K]) => void;

/** Tunnels and sessions of one program, with typed events. See the file header. */
export class L2tpContext {
  private readonly emitter = new EventEmitter();
  private readonly engine: ControlEngine;
  private readonly driver: EngineDriver;
  private readonly tunnels = new Map<number, TunnelRecord>();
  private readonly statics = new Map<number, StaticTunnelOptions>();
  /** Static kernel objects, kept made when the kernel loses them. */
  private readonly kernel: KernelReconciler;
  private listener: { socket: ControlSocket; options: ListenOptions } | undefined;
  /** The local address the listener datagram being handled arrived on (packet info), while it is handled. */
  private arrival: SocketAddress | undefined;
  /** Per tunnel answered through the listener: the local address its SCCRQ arrived on, the source of every reply. */
  private readonly arrivals = new Map<number, SocketAddress>();
  private readonly ports: EnginePorts & { readonly hmac: typeof hmac };
  /** Dynamic L2TPv3 control connections (sockets, kernel objects, events). */
  private readonly v3: V3Connections;
  private readonly clock: Clock;
  /** Re-checked after every engine step (close() waits on them instead of polling). */
  private readonly waiters = new Set<() => void>();
  private closing: Promise<void> | undefined;
  /** Bounds the datagrams handled per event-loop turn, over every socket of the context. */
  private readonly budget: TurnBudget;
  /** `receive` bound once: queued datagrams carry it instead of a closure each. */
  private readonly receiveBound = this.receive.bind(this) as DatagramHandler;

  /** Creates a context; nothing is opened until `dial` or `listen`. */
  constructor(private readonly options: ContextOptions) {
    this.ports = { random: options.random ?? cryptoRandom, md5, hmac };
    this.clock = options.clock ?? monotonicClock;
    this.budget = new TurnBudget(options.datagramsPerTurn);
    this.engine = new ControlEngine({ ...(options.tunnelIdInUse && { tunnelIdInUse: options.tunnelIdInUse }) }, this.ports, options.wire ?? codecWire);
    // Timers run after the datagrams already waiting: an acknowledgement read late must not cost a retry.
    this.driver = new EngineDriver(this.engine, (outs) => this.perform(outs), this.clock, options.trace, (fire, lateMs) => this.budget.afterInput(fire, lateMs));
    this.v3 = new V3Connections({
      engine: this.engine, dataPlane: options.dataPlane, input: (make) => void this.driver.input(make),
      emit: (name, event) => void this.emitter.emit(name, event),
    });
    this.kernel = new KernelReconciler(options.dataPlane, {
      repaired: (what) => this.emitter.emit('kernel-repaired', what),
      failed: (what, error) => this.emitter.emit('kernel-lost', { ...what, error }),
      lost: (change) => this.lost(change.tunnelId, change.kind === 'session-deleted' ? change.sessionId : undefined),
    });
  }

  /**
   * The kernel deleted an object of a control connection under us. The kernel tunnel of a live
   * connection cannot be given back its socket, so the connection ends (StopCCN result 2, RFC 2661
   * §4.4.2) and its owner redials or probes; a call's kernel session gone ends the call (CDN result 2).
   * A session of a quiescent tunnel is static: its owner is told (`kernel-lost`) and may make it again.
   */
  private lost(tunnelId: number, sessionId: number | undefined): void {
    const rec = this.tunnels.get(tunnelId);
    const engine = this.engine.tunnel(tunnelId);
    if (rec === undefined || engine === undefined || rec.dataPlane === undefined) return;
    void (async () => {
      const tdp = await rec.dataPlane;
      // Confirm: our own deletions are announced too. A static session in a quiescent tunnel is its owner's to confirm.
      const call = sessionId === undefined ? undefined : rec.sessions.get(sessionId);
      const probe = sessionId === undefined ? tdp?.stats() : call?.dataPlane?.stats();
      if (sessionId === undefined || call !== undefined) {
        if ((await probe?.then(() => false, isNotExist)) !== true) return;
      }
      this.emitter.emit('kernel-lost', { tunnelId, ...(sessionId !== undefined && { sessionId }) });
      if (sessionId === undefined) this.closeTunnel(tunnelId, { result: 2, error: 0, message: 'kernel tunnel deleted' });
      else if (rec.kind === 'dynamic') this.closeSession(tunnelId, sessionId, { result: 2, error: 0, message: 'kernel session deleted' });
    })();
  }

  /** Subscribes to an event. */
  on<K extends keyof ContextEvents>(event: K, listener: Listener<K>): this {
    this.emitter.on(event, listener as (e: unknown) => void);
    return this;
  }

  /** Unsubscribes. */
  off<K extends keyof ContextEvents>(event: K, listener: Listener<K>): this {
    this.emitter.off(event, listener as (e: unknown) => void);
    return this;
  }

  /** Resolves with the next `event` for which `match` holds. */
  once<K extends keyof ContextEvents>(event: K, match: (e: ContextEvents[K]) => boolean = () => true): Promise<ContextEvents[K]> {
    return new Promise((resolve) => {
      const l = (e: ContextEvents[K]) => { if (match(e)) { this.off(event, l); resolve(e); } };
      this.on(event, l);
    });
  }

  /**
   * Opens a tunnel we originate (LAC) or a quiescent one; resolves with its tunnel id once SCCRQ is out.
   * Rejects with {@link L2tpUsageError} after `close()` or when `tunnelId` is in use, and with the data
   * plane's error when no socket can be opened.
   */
  async dial(o: TunnelOptions): Promise<number> {
    this.usable();
    if (o.tunnelId && (this.engine.tunnel(o.tunnelId) !== undefined || this.statics.has(o.tunnelId))) throw new L2tpUsageError(`tunnel id ${o.tunnelId} is in use`);
    if (o.awaitPeer && !o.quiescent) throw new L2tpUsageError('awaitPeer is for quiescent tunnels');
    const encap = o.encap ?? 'udp';
    const socket = await this.options.dataPlane.openControlSocket({
      family: o.peer.family, encap, ...(o.local && { local: o.local }), ...(encap === 'ip' && o.tunnelId && { tunnelId: o.tunnelId }),
    });
    const version = o.version ?? 2;
    let tunnelId: number;
    try {
      tunnelId = this.engine.addTunnel({
        ...engineOptions(o), role: 'lac', version, ...(o.tunnelId ? { tunnelId: o.tunnelId } : {}),
        peerTunnelId: o.peerTunnelId ?? 0, quiescent: o.quiescent ?? false,
      }, o.peer);
    } catch (e) {
      socket.close();
      throw e;
    }
    const rec: TunnelRecord = {
      name: o.name, role: 'lac', kind: o.quiescent ? 'quiescent' : 'dynamic', version, encap, socket, ownSocket: true, peer: o.peer, connected: false,
      awaitingPeer: o.awaitPeer ?? false, dataPlane: undefined, tunnelDataPlane: undefined, lastResult: undefined, sessions: new Map(),
    };
    this.tunnels.set(tunnelId, rec);
    const handle = (bytes: Uint8Array, from: SocketAddress): void => {
      this.driver.datagram(bytes, from);
      // A probe comes up when the peer is heard from (a HELLO or an acknowledgement of ours).
      if (rec.awaitingPeer && this.engine.tunnel(tunnelId)?.state === 'established') {
        rec.awaitingPeer = false;
        void this.tunnelUp(tunnelId, rec);
      }
    };
    socket.onDatagram((bytes, from) => this.budget.offer(handle as DatagramHandler, bytes, from, undefined));
    if (o.quiescent) {
      // The kernel tunnel of a quiescent connection must own a connected socket from the start.
      await socket.connect(o.peer);
      rec.connected = true;
    }
    this.driver.input((nowMs) => ({ kind: 'command', nowMs, tunnelId, command: { type: 'open' } }));
    return tunnelId;
  }

  /**
   * Places an incoming call in a dialled tunnel (now, or when it comes up). Returns the session id.
   * Throws {@link L2tpUsageError} when the tunnel is unknown, closing, or the id is in use.
   */
  openSession(tunnelId: number, o: SessionOptions = {}): number {
    this.usable();
    const rec = this.tunnels.get(tunnelId);
    const engine = this.engine.tunnel(tunnelId);
    if (rec === undefined || engine === undefined) throw new L2tpUsageError(`no tunnel ${tunnelId}`);
    const sessionId = o.sessionId || this.engine.allocateSessionId(tunnelId);
    if (engine.session(sessionId) !== undefined || rec.sessions.has(sessionId)) throw new L2tpUsageError(`session id ${sessionId} is in use in tunnel ${tunnelId}`);
    rec.sessions.set(sessionId, new Session(o.name, o, 0));
    this.driver.input((nowMs) => ({ kind: 'command', nowMs, tunnelId, command: { type: 'open-session', sessionId } }));
    return sessionId;
  }

  /**
   * Creates a static tunnel: an unmanaged kernel tunnel with no control connection (ids, addresses
   * and sessions agreed out of band; `ip l2tp add tunnel`). Listed with state `static`. Rejects with
   * {@link L2tpUsageError} when the id is in use here, and with the data plane's error otherwise.
   */
  async addStaticTunnel(o: StaticTunnelOptions): Promise<number> {
    this.usable();
    if (this.tunnels.has(o.tunnelId) || this.statics.has(o.tunnelId)) throw new L2tpUsageError(`tunnel id ${o.tunnelId} is in use`);
    await this.kernel.addTunnel({
      tunnelId: o.tunnelId, peerTunnelId: o.peerTunnelId, version: 3, encap: o.encap, local: o.local, peer: o.peer,
      ...(o.udpChecksum !== undefined && { udpChecksum: o.udpChecksum }),
    });
    this.statics.set(o.tunnelId, o);
    return o.tunnelId;
  }

  /** Deletes a static tunnel (and with it, in the kernel, its sessions). */
  async removeStaticTunnel(tunnelId: number): Promise<void> {
    this.statics.delete(tunnelId);
    await this.kernel.removeTunnel(tunnelId);
  }

  /**
   * Creates a static session (no call setup: ids agreed out of band) in a static tunnel, or in a
   * quiescent tunnel's kernel tunnel once it is up. Rejects with {@link L2tpUsageError} when the
   * tunnel has no data plane.
   */
  async addStaticSession(tunnelId: number, spec: Omit<SessionSpec, 'tunnelId' | 'peerTunnelId'>): Promise<SessionDataPlane> {
    const fixed = this.statics.get(tunnelId);
    if (fixed !== undefined) return this.kernel.addSession({ ...spec, tunnelId, peerTunnelId: fixed.peerTunnelId });
    const rec = this.tunnels.get(tunnelId);
    const tdp = await rec?.dataPlane;
    if (rec === undefined || tdp === undefined) throw new L2tpUsageError(`tunnel ${tunnelId} has no data plane`);
    return tdp.createSession({ ...spec, tunnelId, peerTunnelId: this.engine.tunnel(tunnelId)?.peerTunnelId ?? 0 });
  }

  /** The kernel's data counters of a tunnel (static or with a kernel tunnel); `undefined` when it has none. */
  async tunnelStats(tunnelId: number): Promise<DataPlaneStats | undefined> {
    const tdp = this.kernel.tunnel(tunnelId) ?? await (this.tunnels.get(tunnelId)?.dataPlane ?? this.v3.kernelTunnel(tunnelId));
    return tdp?.stats().catch(() => undefined);
  }

  /** Clears one session with CDN (default result 3, administrative). */
  closeSession(tunnelId: number, sessionId: number, result?: ResultCode): void {
    if (!this.engine.tunnel(tunnelId)) return;
    this.driver.input((nowMs) => ({ kind: 'command', nowMs, tunnelId, command: { type: 'close-session', sessionId, ...(result && { result }) } }));
  }

  /**
   * Sends the tunnel's peer a HELLO now (RFC 2661 §6.5) unless something is already unacknowledged:
   * a peer that has gone fails the tunnel within one retransmission cycle (`tunnel-down`, reason
   * `retries-exhausted`). For an LNS that suspects a tunnel is stale. No effect unless established.
   */
  probeTunnel(tunnelId: number): void {
    if (!this.engine.tunnel(tunnelId)) return;
    this.driver.input((nowMs) => ({ kind: 'command', nowMs, tunnelId, command: { type: 'probe' } }));
  }

  /** Clears a tunnel with StopCCN (default result 1); its state is released after the §5.7 hold. */
  closeTunnel(tunnelId: number, result?: ResultCode): void {
    if (!this.engine.tunnel(tunnelId)) return;
    this.driver.input((nowMs) => ({ kind: 'command', nowMs, tunnelId, command: { type: 'close', ...(result && { result }) } }));
  }

  /**
   * Receives dynamic L2TPv3 SCCRQs on `local` (UDP: that address and port; IP: that address, protocol
   * 115); `acceptV3` decides which are answered. Resolves with the bound address. Idempotent per
   * encapsulation and address; rejects with the data plane's error when the socket cannot be opened.
   */
  async listenV3(encap: Encap, local: SocketAddress): Promise<SocketAddress> {
    this.usable();
    return this.v3.listen(encap, local);
  }

  /**
   * Which peers' v3 SCCRQs are answered, and with what (`undefined`: ignored). A configured peer's
   * SCCRQ crossing our own to it is settled by the tie breakers (RFC 3931 §5.4.3): one connection stays.
   */
  acceptV3(policy: ((peer: SocketAddress) => V3ConnectionOptions | undefined) | undefined): void {
    this.v3.accept(policy);
  }

  /**
   * Opens a dynamic L2TPv3 control connection (SCCRQ, RFC 3931 §3.3) and, once it is up, its
   * pseudowires (ICRQ, matched by Remote End ID); resolves with our connection id once the SCCRQ is
   * out. Kernel objects follow the negotiation (`connection-up`, `pseudowire-up`). Rejects with
   * {@link L2tpUsageError} after `close()`, or when there is no socket on `local` (call `listenV3`).
   */
  async dialV3(o: V3ConnectionOptions): Promise<number> {
    this.usable();
    return this.v3.dial(o);
  }

  /** Clears a dynamic L2TPv3 connection with StopCCN (default result 1). */
  closeConnection(connectionId: number, result?: ResultCode): void { this.v3.close(connectionId, result); }

  /**
   * Replaces the Message Digest secrets and signing type of a live dynamic L2TPv3 connection in place
   * (a rollover, RFC 3931 §5.4.1): no StopCCN, pseudowires keep passing, the SCCRQ/SCCRP nonces stay.
   * False when the connection is not held. Throws {@link L2tpUsageError} when it runs without a
   * digest (turning it on or off needs a new connection), RangeError without a non-empty secret.
   */
  updateConnectionDigest(connectionId: number, digest: V3DigestOptions): boolean { return this.v3.updateDigest(connectionId, digest); }

  /** Reports an attachment circuit change of a v3 pseudowire to the peer (SLI, RFC 3931 §5.4.5). */
  circuit(connectionId: number, remoteEndId: string | Uint8Array, active: boolean): void { this.v3.circuit(connectionId, remoteEndId, active); }

  /** Snapshots of every dynamic L2TPv3 connection. */
  connections(): V3ConnectionInfo[] { return this.v3.list(); }

  /** A snapshot of one dynamic L2TPv3 connection; `undefined` once released. */
  connection(connectionId: number): V3ConnectionInfo | undefined { return this.v3.info(connectionId); }

  /** Answers SCCRQs on `local` as an LNS. Resolves with the bound address; {@link L2tpUsageError} when already listening. */
  async listen(o: ListenOptions): Promise<SocketAddress> {
    this.usable();
    if (this.listener) throw new L2tpUsageError('already listening');
    const wildcard = o.local.address === '0.0.0.0' || o.local.address === '::';
    const socket = await this.options.dataPlane.openControlSocket({
      family: o.local.family, encap: 'udp', local: o.local, reuseAddress: true, ...(wildcard && { packetInfo: true }),
    });
    this.listener = { socket, options: o };
    // An LNS sends HELLO by default (60 s, as xl2tpd and accel-ppp do): a peer that restarted or
    // vanished is found out instead of its tunnel living for ever.
    this.engine.accept({ ...engineOptions(o, 60_000), ...(o.admit && { admit: o.admit }) });
    socket.onDatagram((bytes, from, local) => this.budget.offer(this.receiveBound, bytes, from, local));
    return socket.local;
  }

  /** A datagram at an LNS socket; replies made while handling it (synchronously) learn where it arrived (arrivalOf). */
  private receive(bytes: Uint8Array, from: SocketAddress, local: SocketAddress | undefined): void {
    this.arrival = local;
    try {
      this.driver.datagram(bytes, from);
    } finally {
      this.arrival = undefined;
    }
  }

  /** True while `tunnelId` is held here: any tunnel the engine knows (in setup, up or in its hold) or a static one. */
  holds(tunnelId: number): boolean {
    return this.engine.tunnel(tunnelId) !== undefined || this.statics.has(tunnelId);
  }

  /**
   * The id of a tunnel of this context whose control connection is over (closed by either side, in
   * its StopCCN hold, RFC 2661 §5.7) but whose own socket is still bound to `local` — so that a dial
   * from that address would fail with EADDRINUSE until its `tunnel-released` event. `undefined` when
   * there is none (or `local` has port 0). A wildcard address on either side overlaps any address.
   */
  closedHolderOf(local: SocketAddress): number | undefined {
    if (local.port === 0) return undefined;
    for (const [id, rec] of this.tunnels) {
      const state = this.engine.tunnel(id)?.state ?? 'closed';
      if (rec.ownSocket && (state === 'closing' || state === 'closed') && sameBinding(rec.socket.local, local)) return id;
    }
    return undefined;
  }

  /** Snapshots of every tunnel. */
  list(): TunnelInfo[] {
    const statics = [...this.statics.values()].map((o): TunnelInfo => ({
      name: o.name, tunnelId: o.tunnelId, peerTunnelId: o.peerTunnelId, role: 'lac', kind: 'static', state: 'static',
      peer: o.peer, peerHostName: undefined, lastResult: undefined, control: undefined, sessions: [],
    }));
    return [...[...this.tunnels].map(([id, rec]) => this.snapshot(id, rec)), ...statics];
  }

  /** A snapshot of one tunnel; `undefined` once it was released (or never existed). */
  info(tunnelId: number): TunnelInfo | undefined {
    const rec = this.tunnels.get(tunnelId);
    return rec === undefined ? undefined : this.snapshot(tunnelId, rec);
  }

  private snapshot(tunnelId: number, rec: TunnelRecord): TunnelInfo {
    return new TunnelSnapshot(tunnelId, rec, this.engine.tunnel(tunnelId));
  }

  /**
   * Sends StopCCN on every tunnel and waits (at most `timeoutMs` on the context's clock) until every
   * tunnel is settled — our StopCCN acknowledged and no acknowledgement owed to the peer — then
   * deletes kernel objects and closes sockets without waiting out the §5.7 hold. Static tunnels are
   * left in the kernel (they need no daemon); `removeStaticTunnel` deletes them. Idempotent.
   */
  close(timeoutMs = 2000): Promise<void> {
    this.closing ??= (async () => {
      this.driver.run((nowMs) => this.engine.closeAll(nowMs));
      // Our StopCCNs acknowledged, and every tunnel the peer closed held to its release (drained()).
      await this.until(() => this.drained(), timeoutMs);
      this.driver.stop();
      await this.v3.closeAll();
      for (const rec of this.tunnels.values()) {
        await this.teardownTunnel(rec);
        if (rec.ownSocket) rec.socket.close();
      }
      this.tunnels.clear();
      this.arrivals.clear();
      this.listener?.socket.close();
      this.listener = undefined;
      this.kernel.close();
    })();
    return this.closing;
  }

  /**
   * Resolves once `done()` holds after an engine step, or after `timeoutMs` on the context's clock
   * (with whether it held). No polling: checked when the engine produced outputs.
   */
  until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        finish(true);
      };
      const finish = (ok: boolean) => {
        this.waiters.delete(check);
        cancel();
        resolve(ok);
      };
      const cancel = this.clock.schedule(this.clock.nowMs() + timeoutMs, () => finish(done()));
      this.waiters.add(check);
      check();
    });
  }

  /**
   * True when no tunnel is held that a peer may still need: each is released, or it was closed by
   * us and is settled (our StopCCN acknowledged, nothing owed). A tunnel the peer closed is held
   * until released — the full retransmission cycle of RFC 2661 §5.7, acknowledging the peer's
   * retransmitted StopCCN should our acknowledgement be lost. A daemon exits only once this holds.
   */
  drained(): boolean {
    return this.v3.drained() && [...this.tunnels].every(([id, rec]) => {
      const t = this.engine.tunnel(id);
      return t === undefined || (rec.lastResult?.type === 'local-close' && settledOf(t));
    });
  }

  private usable(): void {
    if (this.closing !== undefined) throw new L2tpUsageError('the context is closed');
  }

  private perform(outs: readonly ControlOutput[]): void {
    // Datagrams first: an event handler may connect the socket, after which addressed sends fail.
    for (const o of outs) if (o.kind === 'transmit' && !this.v3.transmit(o.tunnelId, o.to, o.bytes)) this.transmit(o.tunnelId, o.to, o.bytes);
    for (const o of outs) {
      if (o.kind === 'released') { if (!this.v3.released(o.tunnelId)) this.released(o.tunnelId); }
      else if (o.kind === 'event') this.onEvent(o.event);
      else if (o.kind === 'v3-event') this.v3.onEvent(o.tunnelId, o.event, o.peer);
    }
    if (this.waiters.size > 0) for (const w of [...this.waiters]) w();
  }

  private transmit(tunnelId: number, to: SocketAddress, bytes: Uint8Array): void {
    const rec = this.tunnels.get(tunnelId);
    if (rec?.ownSocket) {
      if (rec.connected) rec.socket.send(bytes);
      else rec.socket.send(bytes, to);
    } else {
      this.listener?.socket.send(bytes, to, this.arrivalOf(tunnelId));
    }
  }

  /**
   * The source address of a reply sent through the listener: where the tunnel's first datagram
   * (its SCCRQ) arrived, remembered at its first reply so that retransmissions and HELLOs leave
   * from it too. `undefined` when the listener reports no arrival address (bound to one address).
   */
  private arrivalOf(tunnelId: number): SocketAddress | undefined {
    const known = this.arrivals.get(tunnelId);
    if (known !== undefined || this.arrival === undefined) return known;
    this.arrivals.set(tunnelId, this.arrival);
    return this.arrival;
  }

  private onEvent(e: TunnelEvent): void {
    if ((e.type === 'tunnel-up' || e.type === 'tunnel-down') && !this.tunnels.has(e.tunnelId) && this.listener) {
      // An accepted tunnel becomes visible when it comes up, or when it fails before that (bad secret).
      const peer = this.engine.peerOf(e.tunnelId) ?? this.listener.socket.local;
      this.tunnels.set(e.tunnelId, {
        name: `lns-${e.tunnelId}`, role: 'lns', kind: 'dynamic', version: 2, encap: 'udp', socket: this.listener.socket, ownSocket: false, peer, connected: false,
        awaitingPeer: false, dataPlane: undefined, tunnelDataPlane: undefined, lastResult: undefined, sessions: new Map(),
      });
    }
    const rec = this.tunnels.get(e.tunnelId);
    if (rec === undefined) return;
    switch (e.type) {
      case 'tunnel-up': return rec.awaitingPeer ? undefined : void this.tunnelUp(e.tunnelId, rec);
      case 'tunnel-down':
        rec.lastResult = e.reason;
        this.emitter.emit('tunnel-down', { tunnel: this.snapshot(e.tunnelId, rec), reason: e.reason, wasUp: e.wasUp });
        return void this.teardownTunnel(rec);
      case 'session-up': return void this.sessionUp(e.tunnelId, rec, e.sessionId, e.peerSessionId);
      case 'session-down': {
        const s = rec.sessions.get(e.sessionId) ?? new Session(undefined, NO_SESSION_OPTIONS, e.peerSessionId);
        s.lastResult = e.reason;
        rec.sessions.delete(e.sessionId);
        void s.dataPlane?.down().catch(() => undefined);
        this.emitter.emit('session-down', {
          tunnel: this.snapshot(e.tunnelId, rec), reason: e.reason, wasUp: e.wasUp,
          session: { name: s.name, tunnelId: e.tunnelId, sessionId: e.sessionId, peerSessionId: e.peerSessionId, state: 'closed', lastResult: e.reason },
        });
        return;
      }
      case 'wan-error-notify': return void this.emitter.emit('wan-error-notify', { tunnelId: e.tunnelId, sessionId: e.sessionId, callErrors: { ...e.callErrors } });
      case 'set-link-info': return void this.emitter.emit('set-link-info', { tunnelId: e.tunnelId, sessionId: e.sessionId, accm: e.accm });
      case 'message-ignored':
        return void this.emitter.emit('message-ignored', { tunnel: this.snapshot(e.tunnelId, rec), sessionId: e.sessionId, messageType: e.messageType, reason: e.reason, count: e.count });
    }
  }

  private async tunnelUp(tunnelId: number, rec: TunnelRecord): Promise<void> {
    const engine = this.engine.tunnel(tunnelId)!;
    const made = (async () => {
      if (!rec.ownSocket) await this.adoptTunnelSocket(tunnelId, rec);
      if (rec.ownSocket && !rec.connected) {
        // The peer may have answered from another port than we dialled (RFC 2661 §8.1).
        rec.peer = this.engine.peerOf(tunnelId) ?? rec.peer;
        await rec.socket.connect(rec.peer);
        rec.connected = true;
      }
      return this.options.dataPlane.createTunnel({
        tunnelId, peerTunnelId: engine.peerTunnelId, version: rec.version, encap: rec.encap, local: rec.socket.local, peer: rec.peer,
        ...(rec.ownSocket ? { socket: rec.socket } : { udpChecksum: rec.peer.family === 4 }),
      });
    })().catch((error: Error) => {
      const result: ResultCode = { result: 2, error: 4, message: `data plane: ${error.message}` };
      this.emitter.emit('dataplane-error', { tunnelId, error, result });
      this.closeTunnel(tunnelId, result);
      return undefined;
    });
    rec.dataPlane = made;
    const tdp = await made;
    if (rec.dataPlane === made) rec.tunnelDataPlane = tdp; // unless torn down meanwhile: calls use it without awaiting
    // The tunnel may have gone down while the kernel tunnel was being made: then it never was up.
    if (tdp !== undefined && this.engine.tunnel(tunnelId)?.state === 'established') this.emitter.emit('tunnel-up', { tunnel: this.snapshot(tunnelId, rec) });
  }

  /**
   * An accepted tunnel gets its own socket on the listening port (SO_REUSEADDR), bound to the address
   * its SCCRQ arrived on and connected to the peer, so the kernel can adopt it as a managed tunnel
   * and steer that peer's packets to it, and every datagram leaves from the address the peer dialled.
   * When the system refuses, the tunnel stays on the listener socket and its kernel tunnel is unmanaged.
   */
  private async adoptTunnelSocket(tunnelId: number, rec: TunnelRecord): Promise<void> {
    const listener = this.listener?.socket;
    if (listener === undefined) return;
    const arrival = this.arrivals.get(tunnelId);
    const local = arrival === undefined ? listener.local : { ...arrival, port: listener.local.port };
    let socket: ControlSocket | undefined;
    try {
      socket = await this.options.dataPlane.openControlSocket({ family: listener.local.family, encap: 'udp', local, reuseAddress: true });
      // Until it is connected, another peer's SCCRQ to this address may land here: it is answered from it too.
      const bound = arrival === undefined ? undefined : local;
      socket.onDatagram((bytes, from) => this.budget.offer(this.receiveBound, bytes, from, bound));
      await socket.connect(rec.peer);
    } catch {
      socket?.close();
      return;
    }
    rec.socket = socket;
    rec.ownSocket = true;
    rec.connected = true;
    this.arrivals.delete(tunnelId);
  }

  /** A call is up in the engine: its kernel session is made, then `session-up` emitted (no async function: its awaits cost ~2 µs a call). */
  private sessionUp(tunnelId: number, rec: TunnelRecord, sessionId: number, peerSessionId: number): void {
    const s = rec.sessions.get(sessionId) ?? new Session(undefined, NO_SESSION_OPTIONS, peerSessionId);
    rec.sessions.set(sessionId, s);
    s.peerSessionId = peerSessionId;
    if (rec.tunnelDataPlane !== undefined) return this.createSession(tunnelId, rec, s, sessionId, rec.tunnelDataPlane);
    void rec.dataPlane?.then((t) => t && this.createSession(tunnelId, rec, s, sessionId, t));
  }

  private createSession(tunnelId: number, rec: TunnelRecord, s: Session, sessionId: number, tdp: TunnelDataPlane): void {
    const peerSessionId = s.peerSessionId;
    let made: Promise<SessionDataPlane>;
    try {
      made = tdp.createSession(callSpec(tunnelId, this.engine.tunnel(tunnelId)?.peerTunnelId ?? 0, sessionId, peerSessionId, s.options, rec.role === 'lns'));
    } catch (err) {
      return this.sessionFailed(tunnelId, sessionId, err);
    }
    made.then((dp) => {
      s.dataPlane = dp;
      if (!rec.sessions.has(sessionId)) return void dp.down().catch(() => undefined);
      const session = { name: s.name, tunnelId, sessionId, peerSessionId, state: 'established', lastResult: undefined } as const;
      this.emitter.emit('session-up', { tunnel: this.snapshot(tunnelId, rec), dataPlane: dp, session });
    }).catch((err: unknown) => this.sessionFailed(tunnelId, sessionId, err));
  }

  /** The data plane refused a call's kernel session (or a `session-up` listener threw): the call ends, CDN result 2. */
  private sessionFailed(tunnelId: number, sessionId: number, err: unknown): void {
    const result: ResultCode = { result: 2, error: 4, message: `data plane: ${(err as Error).message}` };
    this.emitter.emit('dataplane-error', { tunnelId, sessionId, error: err as Error, result });
    this.closeSession(tunnelId, sessionId, result);
  }

  private async teardownTunnel(rec: TunnelRecord): Promise<void> {
    const dp = rec.dataPlane;
    rec.dataPlane = undefined;
    rec.tunnelDataPlane = undefined;
    const tdp = await dp;
    await tdp?.down().catch(() => undefined);
  }

  private released(tunnelId: number): void {
    this.arrivals.delete(tunnelId);
    const rec = this.tunnels.get(tunnelId);
    if (rec === undefined) return;
    this.tunnels.delete(tunnelId);
    if (rec.ownSocket) rec.socket.close();
    this.emitter.emit('tunnel-released', { tunnelId, name: rec.name });
  }
}
