/**
 * What `L2tpContext` keeps per tunnel and session beside the engine's state (names, sockets, kernel
 * objects, last results), its options, and small helpers — split from context.ts to keep it small.
 */
import type { ControlOptions, SessionInfo, SessionOptions, TunnelInfo } from '../api/context-types.js';
import type { ControlSocket, DataPlane, Encap, SessionDataPlane, SessionSpec, SocketAddress, TunnelDataPlane } from '../api/dataplane.js';
import type { RandomSource } from '../api/random.js';
import type { AcceptOptions } from '../engine/control-engine.js';
import type { EngineTrace } from '../engine/trace.js';
import type { TunnelView } from '../engine/tunnel-view.js';
import type { WireCodec } from '../engine/wire.js';
import type { SessionDownReason, TunnelDownReason } from '../fsm/types.js';
import type { Clock } from './platform.js';

/** Options of an {@link L2tpContext}. */
export interface ContextOptions {
  readonly dataPlane: DataPlane;
  /** The wire format; the real one (RFC 2661/3931 codec) unless a test substitutes another. */
  readonly wire?: WireCodec;
  /** Time and timers (default: the process's monotonic clock); tests pass a virtual one. */
  readonly clock?: Clock;
  readonly random?: RandomSource;
  /** Sees every control message and state change (`-verbose`; see `controlTrace`). */
  readonly trace?: EngineTrace;
  /** Tunnel ids taken outside this context (other contexts on the same kernel); never allocated here. */
  readonly tunnelIdInUse?: (tunnelId: number) => boolean;
  /**
   * Received datagrams handled per turn of the event loop (default 32, `Infinity` for no bound);
   * the rest wait, in order, for the next turns, so that a burst from many tunnels does not hold
   * timers and other I/O for tens of milliseconds (see node/turn-budget.ts).
   */
  readonly datagramsPerTurn?: number;
}

/** What the context adds to a session of the engine; its state is the engine's (one copy). */
export interface SessionRecord {
  readonly name: string | undefined;
  readonly options: SessionOptions;
  peerSessionId: number;
  lastResult: SessionDownReason | undefined;
  dataPlane: SessionDataPlane | undefined;
}

/** What the context adds to a tunnel of the engine: its socket, kernel tunnel, calls and last result. */
export interface TunnelRecord {
  readonly name: string;
  readonly role: 'lac' | 'lns';
  readonly kind: TunnelInfo['kind'];
  readonly version: 2 | 3;
  readonly encap: Encap;
  socket: ControlSocket;
  ownSocket: boolean;
  peer: SocketAddress;
  connected: boolean;
  /** A probe (quiescent, `awaitPeer`): no kernel objects and no `tunnel-up` until the peer is heard from. */
  awaitingPeer: boolean;
  dataPlane: Promise<TunnelDataPlane | undefined> | undefined;
  /** `dataPlane` once it resolved (until torn down): what each call's kernel session is made in. */
  tunnelDataPlane: TunnelDataPlane | undefined;
  lastResult: TunnelDownReason | undefined;
  readonly sessions: Map<number, SessionRecord>;
}

/** The options of a call the peer placed (an LNS holds one record per call: shared, not one object each). */
export const NO_SESSION_OPTIONS: SessionOptions = Object.freeze({});

/** A call's record: one class, so that every record has one shape (an LNS holds 100 000). */
export class Session implements SessionRecord {
  /** Creates the record of a call we place (`options`) or the peer placed ({@link NO_SESSION_OPTIONS}). */
  constructor(
    readonly name: string | undefined,
    readonly options: SessionOptions,
    public peerSessionId: number,
    public lastResult: SessionDownReason | undefined = undefined,
    public dataPlane: SessionDataPlane | undefined = undefined,
  ) {}
}

/**
 * The shared accessor of {@link TunnelSnapshot.sessions}: the list is made when first read. It is an
 * own enumerable property (spreads and JSON see it), defined with one descriptor for every snapshot:
 * an object literal with a getter cost ~2 µs per snapshot, and every session event carries one.
 */
const LAZY_SESSIONS: PropertyDescriptor = {
  enumerable: true,
  configurable: false,
  get(this: TunnelSnapshot): readonly SessionInfo[] { return this.listSessions(); },
};

/** A {@link TunnelInfo}: fields read when taken, `sessions` listed when first read. */
export class TunnelSnapshot implements TunnelInfo {
  readonly name: string;
  readonly tunnelId: number;
  readonly peerTunnelId: number;
  readonly role: 'lac' | 'lns';
  readonly kind: TunnelInfo['kind'];
  readonly state: string;
  readonly peer: SocketAddress;
  readonly peerHostName: string | undefined;
  readonly lastResult: TunnelDownReason | undefined;
  readonly control: TunnelInfo['control'];
  declare readonly sessions: readonly SessionInfo[];
  #listed: readonly SessionInfo[] | undefined;
  readonly #rec: TunnelRecord;
  readonly #engine: TunnelView | undefined;

  /** Takes the snapshot of tunnel `tunnelId` from its record and (while the engine holds it) its view. */
  constructor(tunnelId: number, rec: TunnelRecord, engine: TunnelView | undefined) {
    this.name = rec.name;
    this.tunnelId = tunnelId;
    this.peerTunnelId = engine?.peerTunnelId ?? 0;
    this.role = rec.role;
    this.kind = rec.kind;
    this.state = engine?.state ?? 'closed';
    // The peer address in use: an LNS may answer from another port than we dialled (RFC 2661 §8.1).
    this.peer = engine?.peer ?? rec.peer;
    this.peerHostName = engine?.peerHostName;
    this.lastResult = rec.lastResult;
    this.control = engine?.counters;
    this.#rec = rec;
    this.#engine = engine;
    // Listed when first read: every session event carries its tunnel's snapshot, and listing a
    // tunnel's calls on each made a burst of calls quadratic.
    Object.defineProperty(this, 'sessions', LAZY_SESSIONS);
  }

  /** The tunnel's calls, listed once. */
  listSessions(): readonly SessionInfo[] {
    this.#listed ??= [...this.#rec.sessions].map(([sessionId, s]) => ({
      name: s.name, tunnelId: this.tunnelId, sessionId, peerSessionId: s.peerSessionId,
      state: this.#engine?.session(sessionId)?.state ?? 'closed', lastResult: s.lastResult,
    }));
    return this.#listed;
  }
}

/** The kernel session of a call: a PPP pseudowire (RFC 2661) unless its options say otherwise. */
export function callSpec(tunnelId: number, peerTunnelId: number, sessionId: number, peerSessionId: number, o: SessionOptions, lnsMode: boolean): SessionSpec {
  return {
    tunnelId, peerTunnelId, sessionId, peerSessionId,
    pseudowire: o.pseudowire ?? 'ppp', l2specType: 'none', seqnum: o.seqnum ?? false, reorderTimeoutMs: o.reorderTimeoutMs ?? 0,
    lnsMode, ...(o.interfaceName !== undefined && { interfaceName: o.interfaceName }), ...(o.mtu !== undefined && { mtu: o.mtu }),
  };
}

/** True when a socket bound to `a` holds the binding `b` wants (wildcards over-inclusive). */
export function sameBinding(a: SocketAddress, b: SocketAddress): boolean {
  const wildcard = (x: SocketAddress) => x.address === '0.0.0.0' || x.address === '::';
  // Over-inclusive on purpose (a v6 wildcard may cover v4 too): a caller then waits for a release it did not need.
  return a.port === b.port && (a.address === b.address || wildcard(a) || wildcard(b));
}

/** A tunnel view's `settled`, as a function for `every`. */
export function settledOf(t: TunnelView): boolean {
  return t.settled;
}

/** Engine options from the library's options (RFC 2661 §5.8 transport defaults: 1 s, 5 retries, window 4). */
export function engineOptions(o: ControlOptions, defaultHelloIntervalMs = 0): AcceptOptions {
  return {
    hostName: o.hostName ?? 'l2tp', ...(o.secret !== undefined && { secret: o.secret }), hideAvps: o.hideAvps ?? false,
    helloIntervalMs: o.helloIntervalMs ?? defaultHelloIntervalMs,
    transport: { retryTimeoutMs: o.retryTimeoutMs ?? 1000, maxRetries: o.maxRetries ?? 5, receiveWindowSize: o.windowSize ?? 4 },
  };
}
