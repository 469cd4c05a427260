/**
 * Dynamic L2TPv3 control connections of an {@link L2tpContext} (RFC 3931 §3.3): sockets, kernel
 * objects and events around the v3 side of the shared {@link ControlEngine}.
 *
 * Sockets. Each local endpoint we listen on has one socket that receives SCCRQs (UDP: the address
 * and port with SO_REUSEADDR; IP: the address with connection id 0, the kernel's L2TP/IP demux).
 * Each connection also gets a socket of its own — UDP: the same address and port (SO_REUSEADDR);
 * IP: bound to the connection's id, without which the kernel delivers the peer's messages to nobody
 * — opened before our SCCRQ (initiator) or with our SCCRP (responder), connected to the peer when the
 * connection comes up and handed to the kernel as the managed tunnel's socket. Where the system
 * refuses a socket of its own, the connection stays on the endpoint's and its kernel tunnel is
 * unmanaged. The kernel strips (and adds) L2TP/IP's zero Session ID word, so every datagram here
 * is framed as over UDP and the engine runs with UDP framing for both encapsulations.
 *
 * Kernel objects follow the negotiation: `connection-up` makes the kernel tunnel (our and the peer's
 * connection ids), `pw-up` a session (session ids and both cookies, {@link v3SessionSpec});
 * `pw-down` and `connection-down` delete them. A new kernel object waits for deletions still under
 * way, so a restarted peer's connection can reuse an interface name its stale one held. A
 * pseudowire's interface is its attachment circuit: once it has been up, `ip link set … down`/`up`
 * goes to the peer as SLI with the Circuit Status (RFC 3931 §5.4.5), when the data plane can watch links.
 */
import type { ContextEvents, V3ConnectionInfo, V3ConnectionOptions, V3PseudowireConfig, V3PseudowireInfo } from '../api/context-types.js';
import type { ControlSocket, DataPlane, SessionDataPlane, SocketAddress, TunnelDataPlane } from '../api/dataplane.js';
import type { ControlEngine, ControlInput, V3AcceptOptions } from '../engine/control-engine.js';
import type { V3DigestOptions, V3EngineEvent } from '../engine/v3-config.js';
import { L2tpUsageError } from '../engine/io.js';
import { v3SessionSpec } from '../engine/v3-session-spec.js';
import type { ResultCode } from '../fsm/types.js';
import type { NegotiatedPseudowire, V3ConnectionDownReason } from '../fsm/v3/types.js';

/** What the connections need of their context. */
export interface V3Host {
  readonly engine: ControlEngine;
  readonly dataPlane: DataPlane;
  input(make: (nowMs: number) => ControlInput): void;
  emit<K extends keyof ContextEvents>(name: K, event: ContextEvents[K]): void;
}

interface Pw {
  readonly negotiated: NegotiatedPseudowire;
  readonly config: V3PseudowireConfig | undefined;
  dataPlane: SessionDataPlane | undefined;
}

interface Rec {
  /** Replaced only by a digest rollover ({@link V3Connections.updateDigest}). */
  options: V3ConnectionOptions;
  readonly role: 'initiator' | 'responder';
  /** The endpoint socket the connection started on (sends until its own socket exists). */
  readonly endpoint: ControlSocket | undefined;
  own: Promise<ControlSocket | undefined>;
  ownSocket: ControlSocket | undefined;
  connected: boolean;
  up: boolean;
  dataPlane: Promise<TunnelDataPlane | undefined> | undefined;
  lastResult: V3ConnectionDownReason | undefined;
  readonly pws: Map<number, Pw>;
}

const key = (a: SocketAddress): string => `${a.address}|${a.port}`;
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const utf8 = (s: string | Uint8Array): Uint8Array => (typeof s === 'string' ? new TextEncoder().encode(s) : s);
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** The engine's settings for a connection. */
export function v3EngineOptions(o: V3ConnectionOptions): V3AcceptOptions {
  return {
    hostName: o.hostName ?? 'l2tp', routerId: o.routerId, ...(o.helloIntervalMs !== undefined && { helloIntervalMs: o.helloIntervalMs }),
    pseudowires: o.pseudowires.map(({ name: _n, interfaceName: _i, mtu: _m, reorderTimeoutMs: _r, ...p }) => p),
    ...(o.digest !== undefined && { digest: o.digest }),
    transport: { retryTimeoutMs: o.retryTimeoutMs ?? 1000, maxRetries: o.maxRetries ?? 5, receiveWindowSize: o.windowSize ?? 4 },
  };
}

/** The dynamic v3 connections of one context; see the file header. */
export class V3Connections {
  private readonly recs = new Map<number, Rec>();
  private readonly endpoints = new Map<string, ControlSocket>();
  /** Endpoint sockets being opened (two tunnels on one address wait for the same one). */
  private readonly opening = new Map<string, Promise<ControlSocket>>();
  /** Settings the accept policy chose, by peer, until the connection they made shows up in the outputs. */
  private readonly chosen = new Map<string, { options: V3ConnectionOptions; endpoint: ControlSocket | undefined }>();
  private policy: ((peer: SocketAddress) => V3ConnectionOptions | undefined) | undefined;
  /** Kernel deletions under way; new kernel objects wait for them. */
  private readonly teardowns = new Set<Promise<unknown>>();
  /**
   * Pseudowire interfaces watched as attachment circuits, by name: `up` undefined until first seen
   * up (a new interface starts down; only changes after that are the circuit's, RFC 3931 §5.4.5).
   */
  private readonly circuits = new Map<string, { connectionId: number; remoteEndId: Uint8Array; name: string | undefined; up: boolean | undefined }>();
  private unwatchLinks: (() => void) | undefined;

  /** Creates the set; nothing is opened until `listen` or `dial`. */
  constructor(private readonly host: V3Host) {}

  /**
   * Answers v3 SCCRQs arriving on our endpoints with the settings `policy` returns for the peer
   * (`undefined`: ignored). The engine settles a simultaneous open with the tie breakers (RFC 3931 §5.4.3).
   */
  accept(policy: ((peer: SocketAddress) => V3ConnectionOptions | undefined) | undefined): void {
    this.policy = policy;
    this.host.engine.acceptV3(policy === undefined ? undefined : (peer) => {
      const o = policy(peer);
      if (o === undefined) return undefined;
      this.chosen.set(key(peer), { options: o, endpoint: this.endpoints.get(`${o.encap}|${o.local.address}`) });
      return v3EngineOptions(o);
    });
  }

  /** Opens the endpoint socket that receives SCCRQs on `local` (once per encapsulation and address). */
  async listen(encap: 'udp' | 'ip', local: SocketAddress): Promise<SocketAddress> {
    const k = `${encap}|${local.address}`;
    const have = this.endpoints.get(k);
    if (have !== undefined) return have.local;
    let p = this.opening.get(k);
    if (p === undefined) {
      p = this.host.dataPlane.openControlSocket({ family: local.family, encap, local, reuseAddress: true, ...(encap === 'ip' && { tunnelId: 0 }) });
      this.opening.set(k, p);
      void p.then((socket) => {
        this.endpoints.set(k, socket);
        socket.onDatagram((bytes, from) => this.host.input((nowMs) => ({ kind: 'datagram', nowMs, bytes, from })));
      }, () => undefined).finally(() => this.opening.delete(k));
    }
    return (await p).local;
  }

  /** Dials a connection (SCCRQ); resolves with its id once the SCCRQ is out. */
  async dial(o: V3ConnectionOptions): Promise<number> {
    const engine = this.host.engine;
    const connectionId = engine.allocateTunnelId(32);
    const endpoint = this.endpoints.get(`${o.encap}|${o.local.address}`);
    const own = await this.openOwn(o, connectionId);
    if (own === undefined && endpoint === undefined) throw new L2tpUsageError(`no socket for ${o.local.address}: listen on it first`);
    try {
      engine.addV3Connection({ ...v3EngineOptions(o), connectionId }, o.peer);
    } catch (e) {
      own?.close();
      throw e;
    }
    this.recs.set(connectionId, this.record(o, 'initiator', endpoint, Promise.resolve(own), own));
    this.host.input((nowMs) => ({ kind: 'command', nowMs, tunnelId: connectionId, command: { type: 'open' } }));
    return connectionId;
  }

  private async openOwn(o: V3ConnectionOptions, connectionId: number): Promise<ControlSocket | undefined> {
    try {
      const s = await this.host.dataPlane.openControlSocket({ family: o.local.family, encap: o.encap, local: o.local, reuseAddress: true, ...(o.encap === 'ip' && { tunnelId: connectionId }) });
      s.onDatagram((bytes, from) => this.host.input((nowMs) => ({ kind: 'datagram', nowMs, bytes, from })));
      return s;
    } catch {
      return undefined;
    }
  }

  private record(options: V3ConnectionOptions, role: Rec['role'], endpoint: ControlSocket | undefined, own: Promise<ControlSocket | undefined>, ownSocket: ControlSocket | undefined): Rec {
    return { options, role, endpoint, own, ownSocket, connected: false, up: false, dataPlane: undefined, lastResult: undefined, pws: new Map() };
  }

  /** Clears a connection with StopCCN (default result 1). */
  close(connectionId: number, result?: ResultCode): void {
    if (this.host.engine.connection(connectionId) === undefined) return;
    this.host.input((nowMs) => ({ kind: 'command', nowMs, tunnelId: connectionId, command: { type: 'close', ...(result && { result }) } }));
  }

  /**
   * Replaces the Message Digest secrets and signing type of a live connection (a rollover, RFC 3931
   * §5.4.1): nothing is sent, the connection, its kernel objects and pseudowires stay. False when
   * the connection is not held; throws L2tpUsageError when it runs without a digest, RangeError
   * without a non-empty secret.
   */
  updateDigest(connectionId: number, digest: V3DigestOptions): boolean {
    if (!this.host.engine.updateV3Digest(connectionId, digest)) return false;
    const rec = this.recs.get(connectionId);
    if (rec !== undefined) rec.options = { ...rec.options, digest };
    return true;
  }

  /** The attachment circuit of a pseudowire changed: SLI with its Circuit Status (RFC 3931 §5.4.5). */
  circuit(connectionId: number, remoteEndId: string | Uint8Array, active: boolean): void {
    if (this.host.engine.connection(connectionId) === undefined) return;
    this.host.input((nowMs) => ({ kind: 'command', nowMs, tunnelId: connectionId, command: { type: 'circuit', remoteEndId, active } }));
  }

  /** Sends a datagram of connection `tunnelId`; false when it is not one of ours. */
  transmit(tunnelId: number, to: SocketAddress, bytes: Uint8Array): boolean {
    let rec = this.recs.get(tunnelId);
    if (rec === undefined) {
      // A connection the accept policy just made (its SCCRP is going out). Checked without a key
      // string first: every L2TPv2 datagram of the context passes here.
      if (this.chosen.size === 0) return false;
      const c = this.chosen.get(key(to));
      if (c === undefined || this.host.engine.connection(tunnelId) === undefined) return false;
      this.chosen.delete(key(to));
      const own = this.openOwn(c.options, tunnelId).then((s) => { if (rec) rec.ownSocket = s; return s; });
      rec = this.record(c.options, 'responder', c.endpoint, own, undefined);
      this.recs.set(tunnelId, rec);
    }
    if (rec.connected && rec.ownSocket !== undefined) rec.ownSocket.send(bytes);
    else (rec.ownSocket ?? rec.endpoint)?.send(bytes, to);
    return true;
  }

  /** Handles a v3 engine event; `peer` names the sender of a first SCCRQ dropped before any connection. */
  onEvent(tunnelId: number, e: V3EngineEvent, peer: SocketAddress | undefined): void {
    if (e.type === 'message-dropped') {
      const rec = this.recs.get(tunnelId);
      const name = rec?.options.name ?? (peer === undefined ? undefined : this.policy?.(peer)?.name);
      return this.host.emit('message-dropped', { name, connectionId: tunnelId, peer: peer ?? this.host.engine.connection(tunnelId)?.peer, reason: e.reason, messageType: e.messageType });
    }
    const rec = this.recs.get(tunnelId);
    if (rec === undefined) return;
    switch (e.type) {
      case 'connection-up': return void this.connectionUp(tunnelId, rec);
      case 'connection-down': {
        rec.lastResult = e.reason;
        const wasUp = rec.up;
        rec.up = false;
        this.teardown(rec);
        this.host.emit('connection-down', { connection: this.snapshot(tunnelId, rec), reason: e.reason, wasUp });
        return;
      }
      case 'pw-up': return void this.pseudowireUp(tunnelId, rec, e.pseudowire);
      case 'pw-down': {
        const pw = rec.pws.get(e.localSessionId);
        rec.pws.delete(e.localSessionId);
        const ifname = pw?.dataPlane?.interfaceName;
        if (ifname !== undefined && this.circuits.get(ifname)?.connectionId === tunnelId) this.circuits.delete(ifname);
        if (pw?.dataPlane !== undefined) this.track(pw.dataPlane.down());
        // A call that never came up has no record here: name it from the engine's Remote End ID.
        const endId = e.remoteEndId;
        const name = pw?.config?.name ?? (endId === undefined ? undefined : rec.options.pseudowires.find((p) => same(utf8(p.remoteEndId), endId))?.name);
        this.host.emit('pseudowire-down', { connection: this.snapshot(tunnelId, rec), localSessionId: e.localSessionId, name, reason: e.reason, wasUp: pw?.dataPlane !== undefined });
        return;
      }
      case 'pw-circuit': return this.host.emit('pseudowire-circuit', { connection: this.snapshot(tunnelId, rec), localSessionId: e.localSessionId, active: e.active });
      default: return;
    }
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch(() => undefined).finally(() => this.teardowns.delete(q));
    this.teardowns.add(q);
  }

  private teardown(rec: Rec): void {
    const dp = rec.dataPlane;
    rec.dataPlane = undefined;
    for (const pw of rec.pws.values()) if (pw.dataPlane !== undefined) this.track(pw.dataPlane.down());
    rec.pws.clear();
    if (dp !== undefined) this.track(dp.then((t) => t?.down()));
  }

  private async connectionUp(id: number, rec: Rec): Promise<void> {
    const view = this.host.engine.connection(id)!;
    rec.dataPlane = (async () => {
      await Promise.all([...this.teardowns]);
      const own = await rec.own;
      const peer = view.peer;
      if (own !== undefined && !rec.connected) {
        await own.connect(peer);
        rec.connected = true;
      }
      const local = own?.local ?? rec.endpoint?.local ?? rec.options.local;
      return this.host.dataPlane.createTunnel({
        tunnelId: id, peerTunnelId: view.peerConnectionId, version: 3, encap: rec.options.encap, local, peer,
        ...(own !== undefined ? { socket: own } : { udpChecksum: peer.family === 4 }),
      });
    })().catch((error: Error) => {
      const result: ResultCode = { result: 2, error: 4, message: `data plane: ${error.message}` };
      this.host.emit('dataplane-error', { tunnelId: id, error, result });
      this.close(id, result);
      return undefined;
    });
    const tdp = await rec.dataPlane;
    if (tdp === undefined || this.host.engine.connection(id)?.state !== 'established') return;
    rec.up = true;
    this.host.emit('connection-up', { connection: this.snapshot(id, rec) });
  }

  private async pseudowireUp(id: number, rec: Rec, negotiated: NegotiatedPseudowire): Promise<void> {
    const config = rec.options.pseudowires.find((p) => same(utf8(p.remoteEndId), negotiated.remoteEndId));
    const pw: Pw = { negotiated, config, dataPlane: undefined };
    rec.pws.set(negotiated.localSessionId, pw);
    const view = this.host.engine.connection(id);
    const spec = v3SessionSpec(negotiated, {
      tunnelId: id, peerTunnelId: view?.peerConnectionId ?? 0,
      ...(config?.interfaceName !== undefined && { interfaceName: config.interfaceName }), ...(config?.mtu !== undefined && { mtu: config.mtu }),
      ...(config?.reorderTimeoutMs !== undefined && { reorderTimeoutMs: config.reorderTimeoutMs }),
    });
    const fail = (error: Error) => {
      // RFC 3931 §5.4.4 result 14 for a type we cannot carry; a data-plane failure is a general error.
      const result: ResultCode = 'unsupported' in spec ? { result: 14, message: spec.unsupported } : { result: 2, error: 4, message: `data plane: ${error.message}` };
      this.host.emit('dataplane-error', { tunnelId: id, sessionId: negotiated.localSessionId, error, result });
      this.host.input((nowMs) => ({ kind: 'command', nowMs, tunnelId: id, command: { type: 'close-session', sessionId: negotiated.localSessionId, result } }));
    };
    if ('unsupported' in spec) return fail(new Error(spec.unsupported));
    try {
      const tdp = await rec.dataPlane;
      if (tdp === undefined) return;
      await Promise.all([...this.teardowns]);
      const made = await tdp.createSession(spec);
      if (rec.pws.get(negotiated.localSessionId) !== pw) return void this.track(made.down());
      pw.dataPlane = made;
      if (made.interfaceName !== undefined) this.watchCircuit(made.interfaceName, id, negotiated.remoteEndId, config?.name);
      this.host.emit('pseudowire-up', { connection: this.snapshot(id, rec), pseudowire: this.pwInfo(pw), negotiated, dataPlane: made });
    } catch (e) {
      fail(e as Error);
    }
  }

  private watchCircuit(interfaceName: string, connectionId: number, remoteEndId: Uint8Array, name: string | undefined): void {
    this.circuits.set(interfaceName, { connectionId, remoteEndId, name, up: undefined });
    this.unwatchLinks ??= this.host.dataPlane.watchLinks?.((c) => {
      const w = this.circuits.get(c.interfaceName);
      if (w === undefined || c.deleted || this.host.engine.connection(w.connectionId) === undefined) return;
      if (w.up === undefined) { if (c.up) w.up = true; return; }
      if (w.up === c.up) return;
      w.up = c.up;
      this.circuit(w.connectionId, w.remoteEndId, c.up);
      const rec = this.recs.get(w.connectionId);
      if (rec !== undefined) this.host.emit('circuit-changed', { connection: this.snapshot(w.connectionId, rec), name: w.name, interfaceName: c.interfaceName, active: c.up });
    });
  }

  /** The connection is released (its hold over): its own socket closes. */
  released(tunnelId: number): boolean {
    const rec = this.recs.get(tunnelId);
    if (rec === undefined) return false;
    this.recs.delete(tunnelId);
    this.teardown(rec);
    void rec.own.then((s) => s?.close());
    return true;
  }

  /** True when no connection is held that a peer may still need (see `L2tpContext.drained`). */
  drained(): boolean {
    return [...this.recs.keys()].every((id) => {
      const c = this.host.engine.connection(id);
      return c === undefined || (c.settled && (this.recs.get(id)!.lastResult?.type === 'local-close' || c.state === 'closed'));
    });
  }

  /** Deletes kernel objects and closes every socket (the context is closing). */
  async closeAll(): Promise<void> {
    this.unwatchLinks?.();
    this.unwatchLinks = undefined;
    for (const rec of this.recs.values()) this.teardown(rec);
    await Promise.all([...this.teardowns]);
    for (const rec of this.recs.values()) (await rec.own)?.close();
    this.recs.clear();
    for (const s of this.endpoints.values()) s.close();
    this.endpoints.clear();
  }

  /** The kernel tunnel of a connection, while it has one. */
  kernelTunnel(connectionId: number): Promise<TunnelDataPlane | undefined> | undefined { return this.recs.get(connectionId)?.dataPlane; }

  /** Snapshots of every connection. */
  list(): V3ConnectionInfo[] { return [...this.recs].map(([id, rec]) => this.snapshot(id, rec)); }

  /** A snapshot of one connection, or undefined once released. */
  info(connectionId: number): V3ConnectionInfo | undefined {
    const rec = this.recs.get(connectionId);
    return rec === undefined ? undefined : this.snapshot(connectionId, rec);
  }

  private pwInfo(pw: Pw): V3PseudowireInfo {
    const n = pw.negotiated;
    return {
      name: pw.config?.name, remoteEndId: text(n.remoteEndId), localSessionId: n.localSessionId, remoteSessionId: n.remoteSessionId, pwType: n.pwType,
      cookieLength: n.cookie.length, peerCookieLength: n.peerCookie.length, l2SpecificSublayer: n.l2SpecificSublayer,
      interfaceName: pw.dataPlane?.interfaceName, state: pw.dataPlane === undefined ? 'kernel-pending' : 'established',
    };
  }

  private snapshot(id: number, rec: Rec): V3ConnectionInfo {
    const c = this.host.engine.connection(id);
    return {
      name: rec.options.name, connectionId: id, peerConnectionId: c?.peerConnectionId ?? 0, role: rec.role, encap: rec.options.encap,
      state: c?.state ?? 'closed', peer: c?.peer ?? rec.options.peer, peerHostName: c?.peerHostName, peerRouterId: c?.peerRouterId,
      control: c?.counters, digest: c?.digest === undefined ? undefined : structuredClone(c.digest), lastResult: rec.lastResult,
      pseudowires: [...rec.pws.values()].map((pw) => this.pwInfo(pw)),
    };
  }
}
