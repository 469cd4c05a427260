/**
 * The library API (`L2tpContext`): tunnels and sessions over real UDP sockets and timers, kernel
 * objects through a {@link DataPlane}, typed events. One {@link ControlEngine} and one timer serve
 * every tunnel of the context; each tunnel has its own socket, connected on tunnel-up so that a
 * managed kernel tunnel can adopt it (an LNS opens it on its listening address with SO_REUSEADDR).
 */
import { EventEmitter } from 'node:events';
import type {
  ContextEvents, ControlOptions, ListenOptions, SessionOptions, StaticTunnelOptions, TunnelInfo, TunnelOptions,
} from '../api/context-types.js';
import type { ControlSocket, DataPlane, SessionDataPlane, SessionSpec, SocketAddress, TunnelDataPlane } from '../api/dataplane.js';
import type { RandomSource } from '../api/random.js';
import { type AcceptOptions, ControlEngine, type ControlOutput } from '../engine/control-engine.js';
import type { EnginePorts } from '../engine/config.js';
import type { WireCodec } from '../engine/wire.js';
import type { EngineTrace } from '../engine/trace.js';
import { codecWire } from '../engine/codec-wire.js';
import type { ResultCode, SessionDownReason, TunnelDownReason, TunnelEvent } from '../fsm/types.js';
import { EngineDriver } from './driver.js';
import { type Clock, cryptoRandom, md5, monotonicClock } from './platform.js';

/** Options of an {@link L2tpContext}. */
export interface ContextOptions {
  readonly dataPlane: DataPlane;
  /** The wire format; the real one (RFC 2661/3931 codec) unless a test substitutes another. */
  readonly wire?: WireCodec;
  readonly clock?: Clock;
  readonly random?: RandomSource;
  /** Sees every control message and state change (`-verbose`; see `controlTrace`). */
  readonly trace?: EngineTrace;
}

interface SessionRecord {
  readonly name: string | undefined;
  readonly options: SessionOptions;
  peerSessionId: number;
  state: string;
  lastResult: SessionDownReason | undefined;
  dataPlane: SessionDataPlane | undefined;
}

interface TunnelRecord {
  readonly name: string;
  readonly role: 'lac' | 'lns';
  readonly kind: TunnelInfo['kind'];
  readonly version: 2 | 3;
  socket: ControlSocket;
  ownSocket: boolean;
  peer: SocketAddress;
  connected: boolean;
  dataPlane: Promise<TunnelDataPlane | undefined> | undefined;
  lastResult: TunnelDownReason | undefined;
  readonly sessions: Map<number, SessionRecord>;
}

type Listener<K extends keyof ContextEvents> = (event: ContextEvents[K]) => void;

/** Tunnels and sessions of one program, with typed events. See the file header. */
export class L2tpContext {
  private readonly emitter = new EventEmitter();
  private readonly engine: ControlEngine;
  private readonly driver: EngineDriver;
  private readonly tunnels = new Map<number, TunnelRecord>();
  private readonly statics = new Map<number, { readonly options: StaticTunnelOptions; readonly dataPlane: TunnelDataPlane }>();
  private listener: { socket: ControlSocket; options: ListenOptions } | undefined;
  private readonly ports: EnginePorts;

  /** Creates a context; nothing is opened until `dial` or `listen`. */
  constructor(private readonly options: ContextOptions) {
    this.ports = { random: options.random ?? cryptoRandom, md5 };
    this.engine = new ControlEngine({}, this.ports, options.wire ?? codecWire);
    this.driver = new EngineDriver(this.engine, (outs) => this.perform(outs), options.clock ?? monotonicClock, options.trace);
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

  /** Opens a tunnel we originate (LAC) or a quiescent one; resolves with its tunnel id once SCCRQ is out. */
  async dial(o: TunnelOptions): Promise<number> {
    const socket = await this.options.dataPlane.openControlSocket({ family: o.peer.family, encap: 'udp', ...(o.local && { local: o.local }) });
    const version = o.version ?? 2;
    const tunnelId = this.engine.addTunnel({
      ...engineOptions(o), role: 'lac', version, ...(o.tunnelId ? { tunnelId: o.tunnelId } : {}),
      peerTunnelId: o.peerTunnelId ?? 0, quiescent: o.quiescent ?? false,
    }, o.peer);
    const rec: TunnelRecord = { name: o.name, role: 'lac', kind: o.quiescent ? 'quiescent' : 'dynamic', version, socket, ownSocket: true, peer: o.peer, connected: false, dataPlane: undefined, lastResult: undefined, sessions: new Map() };
    this.tunnels.set(tunnelId, rec);
    socket.onDatagram((bytes, from) => this.driver.input((nowMs) => ({ kind: 'datagram', nowMs, bytes, from })));
    if (o.quiescent) {
      // The kernel tunnel of a quiescent connection must own a connected socket from the start.
      await socket.connect(o.peer);
      rec.connected = true;
    }
    this.driver.input((nowMs) => ({ kind: 'command', nowMs, tunnelId, command: { type: 'open' } }));
    return tunnelId;
  }

  /** Places an incoming call in a dialled tunnel (now, or when it comes up). Returns the session id. */
  openSession(tunnelId: number, o: SessionOptions = {}): number {
    const rec = this.tunnels.get(tunnelId);
    const engine = this.engine.tunnel(tunnelId);
    if (rec === undefined || engine === undefined) throw new Error(`no tunnel ${tunnelId}`);
    const sessionId = o.sessionId || this.engine.allocateSessionId(tunnelId);
    rec.sessions.set(sessionId, { name: o.name, options: o, peerSessionId: 0, state: 'opening', lastResult: undefined, dataPlane: undefined });
    this.driver.input((nowMs) => ({ kind: 'command', nowMs, tunnelId, command: { type: 'open-session', sessionId } }));
    return sessionId;
  }

  /**
   * Creates a static tunnel: an unmanaged kernel tunnel with no control connection (ids, addresses
   * and sessions agreed out of band; `ip l2tp add tunnel`). Listed with state `static`.
   */
  async addStaticTunnel(o: StaticTunnelOptions): Promise<number> {
    if (this.tunnels.has(o.tunnelId) || this.statics.has(o.tunnelId)) throw new Error(`tunnel id ${o.tunnelId} is in use`);
    const dataPlane = await this.options.dataPlane.createTunnel({
      tunnelId: o.tunnelId, peerTunnelId: o.peerTunnelId, version: 3, encap: o.encap, local: o.local, peer: o.peer,
      ...(o.udpChecksum !== undefined && { udpChecksum: o.udpChecksum }),
    });
    this.statics.set(o.tunnelId, { options: o, dataPlane });
    return o.tunnelId;
  }

  /** Deletes a static tunnel (and with it, in the kernel, its sessions). */
  async removeStaticTunnel(tunnelId: number): Promise<void> {
    const t = this.statics.get(tunnelId);
    this.statics.delete(tunnelId);
    await t?.dataPlane.down();
  }

  /**
   * Creates a static session (no call setup: ids agreed out of band) in a static tunnel, or in a
   * quiescent tunnel's kernel tunnel once it is up. Rejects when the tunnel has no data plane.
   */
  async addStaticSession(tunnelId: number, spec: Omit<SessionSpec, 'tunnelId' | 'peerTunnelId'>): Promise<SessionDataPlane> {
    const fixed = this.statics.get(tunnelId);
    if (fixed !== undefined) return fixed.dataPlane.createSession({ ...spec, tunnelId, peerTunnelId: fixed.options.peerTunnelId });
    const rec = this.tunnels.get(tunnelId);
    const tdp = await rec?.dataPlane;
    if (rec === undefined || tdp === undefined) throw new Error(`tunnel ${tunnelId} has no data plane`);
    return tdp.createSession({ ...spec, tunnelId, peerTunnelId: this.engine.tunnel(tunnelId)?.peerTunnelId ?? 0 });
  }

  /** Clears one session with CDN (default result 3, administrative). */
  closeSession(tunnelId: number, sessionId: number, result?: ResultCode): void {
    if (!this.engine.tunnel(tunnelId)) return;
    this.driver.input((nowMs) => ({ kind: 'command', nowMs, tunnelId, command: { type: 'close-session', sessionId, ...(result && { result }) } }));
  }

  /** Clears a tunnel with StopCCN (default result 1); its state is released after the §5.7 hold. */
  closeTunnel(tunnelId: number, result?: ResultCode): void {
    if (!this.engine.tunnel(tunnelId)) return;
    this.driver.input((nowMs) => ({ kind: 'command', nowMs, tunnelId, command: { type: 'close', ...(result && { result }) } }));
  }

  /** Answers SCCRQs on `local` as an LNS. Resolves with the bound address. */
  async listen(o: ListenOptions): Promise<SocketAddress> {
    if (this.listener) throw new Error('already listening');
    const socket = await this.options.dataPlane.openControlSocket({ family: o.local.family, encap: 'udp', local: o.local, reuseAddress: true });
    this.listener = { socket, options: o };
    // An LNS sends HELLO by default (60 s, as xl2tpd and accel-ppp do): a peer that restarted or
    // vanished is found out instead of its tunnel living for ever.
    this.engine.accept(engineOptions(o, 60_000));
    socket.onDatagram((bytes, from) => this.driver.input((nowMs) => ({ kind: 'datagram', nowMs, bytes, from })));
    return socket.local;
  }

  /** Snapshots of every tunnel. */
  list(): TunnelInfo[] {
    const statics = [...this.statics.values()].map(({ options: o }): TunnelInfo => ({
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
    const engine = this.engine.tunnel(tunnelId);
    return {
      name: rec.name, tunnelId, peerTunnelId: engine?.peerTunnelId ?? 0, role: rec.role, kind: rec.kind, state: engine?.state ?? 'closed',
      // The peer address in use: an LNS may answer from another port than we dialled (RFC 2661 §8.1).
      peer: engine?.peer ?? rec.peer, peerHostName: engine?.peerHostName, lastResult: rec.lastResult, control: engine?.counters,
      sessions: [...rec.sessions].map(([sessionId, s]) => ({ name: s.name, tunnelId, sessionId, peerSessionId: s.peerSessionId, state: s.state, lastResult: s.lastResult })),
    };
  }

  /**
   * Sends StopCCN on every tunnel and waits (at most `timeoutMs`) until every tunnel is settled (the
   * peers acknowledged, and any acknowledgement we owe has gone out),
   * then deletes kernel objects and closes sockets without waiting out the §5.7 hold. Static tunnels
   * are left in the kernel (they need no daemon); `removeStaticTunnel` deletes them.
   */
  async close(timeoutMs = 2000): Promise<void> {
    this.driver.run((nowMs) => this.engine.closeAll(nowMs));
    const clock = this.options.clock ?? monotonicClock;
    const deadline = clock.nowMs() + timeoutMs;
    const settled = () => [...this.tunnels.keys()].every((id) => this.engine.tunnel(id)?.settled ?? true);
    while (!settled() && clock.nowMs() < deadline) await new Promise((r) => setTimeout(r, 10));
    this.driver.stop();
    for (const rec of this.tunnels.values()) {
      await this.teardownTunnel(rec);
      if (rec.ownSocket) rec.socket.close();
    }
    this.tunnels.clear();
    this.listener?.socket.close();
    this.listener = undefined;
  }

  private perform(outs: readonly ControlOutput[]): void {
    // Datagrams first: an event handler may connect the socket, after which addressed sends fail.
    for (const o of outs) if (o.kind === 'transmit') this.transmit(o.tunnelId, o.to, o.bytes);
    for (const o of outs) {
      if (o.kind === 'released') this.released(o.tunnelId);
      else if (o.kind === 'event') this.onEvent(o.event);
    }
  }

  private transmit(tunnelId: number, to: SocketAddress, bytes: Uint8Array): void {
    const rec = this.tunnels.get(tunnelId);
    if (rec === undefined) this.listener?.socket.send(bytes, to);
    else if (rec.connected) rec.socket.send(bytes);
    else rec.socket.send(bytes, to);
  }

  private onEvent(e: TunnelEvent): void {
    if ((e.type === 'tunnel-up' || e.type === 'tunnel-down') && !this.tunnels.has(e.tunnelId) && this.listener) {
      // An accepted tunnel becomes visible when it comes up, or when it fails before that (bad secret).
      const peer = this.engine.peerOf(e.tunnelId) ?? this.listener.socket.local;
      this.tunnels.set(e.tunnelId, { name: `lns-${e.tunnelId}`, role: 'lns', kind: 'dynamic', version: 2, socket: this.listener.socket, ownSocket: false, peer, connected: false, dataPlane: undefined, lastResult: undefined, sessions: new Map() });
    }
    const rec = this.tunnels.get(e.tunnelId);
    if (rec === undefined) return;
    switch (e.type) {
      case 'tunnel-up': return void this.tunnelUp(e.tunnelId, rec);
      case 'tunnel-down':
        rec.lastResult = e.reason;
        this.emitter.emit('tunnel-down', { tunnel: this.snapshot(e.tunnelId, rec), reason: e.reason, wasUp: e.wasUp });
        return void this.teardownTunnel(rec);
      case 'session-up': return void this.sessionUp(e.tunnelId, rec, e.sessionId, e.peerSessionId);
      case 'session-down': {
        const s = rec.sessions.get(e.sessionId) ?? { name: undefined, options: {}, peerSessionId: e.peerSessionId, state: 'closed', lastResult: undefined, dataPlane: undefined };
        s.state = 'closed';
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
    }
  }

  private async tunnelUp(tunnelId: number, rec: TunnelRecord): Promise<void> {
    const engine = this.engine.tunnel(tunnelId)!;
    rec.dataPlane = (async () => {
      if (!rec.ownSocket) await this.adoptTunnelSocket(rec);
      if (rec.ownSocket && !rec.connected) {
        // The peer may have answered from another port than we dialled (RFC 2661 §8.1).
        rec.peer = this.engine.peerOf(tunnelId) ?? rec.peer;
        await rec.socket.connect(rec.peer);
        rec.connected = true;
      }
      return this.options.dataPlane.createTunnel({
        tunnelId, peerTunnelId: engine.peerTunnelId, version: rec.version, encap: 'udp', local: rec.socket.local, peer: rec.peer,
        ...(rec.ownSocket ? { socket: rec.socket } : { udpChecksum: rec.peer.family === 4 }),
      });
    })().catch((error: Error) => {
      const result: ResultCode = { result: 2, error: 4, message: `data plane: ${error.message}` };
      this.emitter.emit('dataplane-error', { tunnelId, error, result });
      this.closeTunnel(tunnelId, result);
      return undefined;
    });
    const tdp = await rec.dataPlane;
    // The tunnel may have gone down while the kernel tunnel was being made: then it never was up.
    if (tdp !== undefined && this.engine.tunnel(tunnelId)?.state === 'established') this.emitter.emit('tunnel-up', { tunnel: this.snapshot(tunnelId, rec) });
  }

  /**
   * An accepted tunnel gets its own socket on the listening address (SO_REUSEADDR), connected to the
   * peer, so the kernel can adopt it as a managed tunnel and steer that peer's packets to it. When
   * the system refuses, the tunnel stays on the listener socket and its kernel tunnel is unmanaged.
   */
  private async adoptTunnelSocket(rec: TunnelRecord): Promise<void> {
    const listener = this.listener?.socket;
    if (listener === undefined) return;
    let socket: ControlSocket | undefined;
    try {
      socket = await this.options.dataPlane.openControlSocket({ family: listener.local.family, encap: 'udp', local: listener.local, reuseAddress: true });
      socket.onDatagram((bytes, from) => this.driver.input((nowMs) => ({ kind: 'datagram', nowMs, bytes, from })));
      await socket.connect(rec.peer);
    } catch {
      socket?.close();
      return;
    }
    rec.socket = socket;
    rec.ownSocket = true;
    rec.connected = true;
  }

  private async sessionUp(tunnelId: number, rec: TunnelRecord, sessionId: number, peerSessionId: number): Promise<void> {
    let s = rec.sessions.get(sessionId);
    if (s === undefined) {
      s = { name: undefined, options: {}, peerSessionId, state: 'established', lastResult: undefined, dataPlane: undefined };
      rec.sessions.set(sessionId, s);
    }
    s.peerSessionId = peerSessionId;
    s.state = 'established';
    const o = s.options;
    try {
      const tdp = await rec.dataPlane;
      if (tdp === undefined) return;
      s.dataPlane = await tdp.createSession({
        tunnelId, peerTunnelId: this.engine.tunnel(tunnelId)?.peerTunnelId ?? 0, sessionId, peerSessionId,
        pseudowire: o.pseudowire ?? 'ppp', l2specType: 'none', seqnum: o.seqnum ?? false, reorderTimeoutMs: o.reorderTimeoutMs ?? 0,
        lnsMode: rec.role === 'lns', ...(o.interfaceName !== undefined && { interfaceName: o.interfaceName }), ...(o.mtu !== undefined && { mtu: o.mtu }),
      });
      if (!rec.sessions.has(sessionId)) return void s.dataPlane.down().catch(() => undefined);
      this.emitter.emit('session-up', {
        tunnel: this.snapshot(tunnelId, rec), dataPlane: s.dataPlane,
        session: { name: s.name, tunnelId, sessionId, peerSessionId, state: 'established', lastResult: undefined },
      });
    } catch (err) {
      const result: ResultCode = { result: 2, error: 4, message: `data plane: ${(err as Error).message}` };
      this.emitter.emit('dataplane-error', { tunnelId, sessionId, error: err as Error, result });
      this.closeSession(tunnelId, sessionId, result);
    }
  }

  private async teardownTunnel(rec: TunnelRecord): Promise<void> {
    const dp = rec.dataPlane;
    rec.dataPlane = undefined;
    const tdp = await dp;
    await tdp?.down().catch(() => undefined);
  }

  private released(tunnelId: number): void {
    const rec = this.tunnels.get(tunnelId);
    if (rec === undefined) return;
    this.tunnels.delete(tunnelId);
    if (rec.ownSocket) rec.socket.close();
    this.emitter.emit('tunnel-released', { tunnelId, name: rec.name });
  }
}

function engineOptions(o: ControlOptions, defaultHelloIntervalMs = 0): AcceptOptions {
  return {
    hostName: o.hostName ?? 'l2tp', ...(o.secret !== undefined && { secret: o.secret }), hideAvps: o.hideAvps ?? false,
    helloIntervalMs: o.helloIntervalMs ?? defaultHelloIntervalMs,
    transport: { retryTimeoutMs: o.retryTimeoutMs ?? 1000, maxRetries: o.maxRetries ?? 5, receiveWindowSize: o.windowSize ?? 4 },
  };
}
