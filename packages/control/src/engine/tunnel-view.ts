/**
 * A read-only view of one tunnel held by a {@link ControlEngine}: what status pages, metrics and
 * daemons read (state, ids, peer, counters, sessions), and nothing that drives the tunnel — inputs
 * go through the engine, so its deadline heap always knows when the tunnel next needs time.
 */
import type { SocketAddress } from '../api/dataplane.js';
import type { SessionState } from '../fsm/session.js';
import type { TunnelState } from '../fsm/tunnel.js';
import type { ControlCounters, TunnelEngine } from './tunnel-engine.js';

/** One session as the view shows it. */
export interface SessionView {
  readonly sessionId: number;
  /** 0 until the peer's Assigned Session ID is known. */
  readonly peerSessionId: number;
  readonly state: SessionState;
  readonly callSerialNumber: number;
}

/** A read-only view of one tunnel; every read reflects the tunnel's current state. */
export interface TunnelView {
  readonly tunnelId: number;
  /** 0 until learnt from the peer's SCCRQ/SCCRP. */
  readonly peerTunnelId: number;
  readonly role: 'lac' | 'lns';
  readonly version: 2 | 3;
  readonly state: TunnelState;
  /** The address the peer's control messages come from now (an LNS may answer from another port, RFC 2661 §8.1). */
  readonly peer: SocketAddress;
  readonly peerHostName: string | undefined;
  readonly counters: ControlCounters;
  /** Every message we sent has been acknowledged. */
  readonly acknowledged: boolean;
  /**
   * Nothing owed either way right now: all we sent acknowledged, no acknowledgement owed to the
   * peer. A tunnel holding a peer's StopCCN (RFC 2661 §5.7) may still be asked again until its
   * `released` output; {@link ControlEngine.settled} waits for that.
   */
  readonly settled: boolean;
  readonly sessionCount: number;
  /** The shared secret (RFC 2661 §4.3), for unhiding AVPs in a trace; never for printing. */
  readonly secret: TunnelEngine['config']['secret'];
  /** One session, or `undefined`. */
  session(sessionId: number): SessionView | undefined;
  /** Every session (any state but closed). */
  sessions(): SessionView[];
}

/** Builds the view of `engine`, whose peer address `peer()` reads. */
export function tunnelView(engine: TunnelEngine, peer: () => SocketAddress): TunnelView {
  return {
    get tunnelId() { return engine.tunnelId; },
    get peerTunnelId() { return engine.peerTunnelId; },
    get role() { return engine.config.role; },
    get version() { return engine.config.version; },
    get state() { return engine.state; },
    get peer() { return peer(); },
    get peerHostName() { return engine.peerHostName; },
    get counters() { return engine.counters; },
    get acknowledged() { return engine.acknowledged; },
    get settled() { return engine.settled; },
    get sessionCount() { return engine.sessionCount; },
    get secret() { return engine.config.secret; },
    session: (id) => engine.session(id),
    sessions: () => engine.sessionList(),
  };
}
