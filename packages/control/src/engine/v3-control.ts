/**
 * The L2TPv3 side of {@link ControlEngine}: reading a first SCCRQ without a connection (to route,
 * match a restarted peer and settle a simultaneous open), telling v3 commands from v2 ones, and the
 * read-only view of one v3 control connection.
 */
import type { SocketAddress } from '../api/dataplane.js';
import { MessageType, decodeDatagram, decodeHeader } from '../codec/index.js';
import type { V3ConnectionState } from '../fsm/v3/connection.js';
import type { V3SessionData } from '../fsm/v3/session.js';
import { tieWinner } from '../fsm/v3/types.js';
import type { Command } from './io.js';
import type { MessageAuthCounters } from './message-auth.js';
import { type V3Command, v3TunnelConfig } from './v3-config.js';
import type { V3TunnelEngine } from './v3-engine.js';
import { v3Inbound } from './v3-wire.js';

/** What routing needs of a first v3 SCCRQ. */
export interface V3SccrqInfo {
  readonly assignedConnectionId: number;
  readonly routerId?: number;
  readonly tieBreaker?: Uint8Array;
}

/** Helpers of the v3 accept path. */
export const v3Accept = {
  config: v3TunnelConfig,
  /** The control header of an L2TPv3-over-IP datagram (Session ID 0 word first), or undefined. */
  ipHeader(bytes: Uint8Array): { readonly tunnelId: number } | undefined {
    const h = decodeHeader(bytes, 0, true);
    return h.ok && h.value.kind === 'control' ? { tunnelId: h.value.header.tunnelId } : undefined;
  },
  /** True for an L2TPv3 header over UDP (version nibble 3, RFC 3931 §3.2.1). */
  isV3: (bytes: Uint8Array): boolean => bytes.length >= 2 && (bytes[1]! & 0x0f) === 3,
  /** The SCCRQ in a datagram, read whether or not it validates (a refused one still names its sender), or undefined. */
  sccrq(bytes: Uint8Array, encap: 'udp' | 'ip'): V3SccrqInfo | undefined {
    const d = decodeDatagram(bytes, { ipEncap: encap === 'ip' })[0]!;
    // Refused by validation (a required AVP missing, an id of 0): still an SCCRQ to answer with
    // StopCCN (RFC 3931 §5.1 as RFC 2661 §4.1), named by the Assigned Control Connection ID the codec salvaged.
    if (!d.ok && d.error.message === undefined && d.error.header !== undefined && d.error.messageType === MessageType.SCCRQ) {
      return { assignedConnectionId: d.error.assignedTunnelId ?? 0 };
    }
    const m = d.ok ? (d.value.kind === 'control' ? d.value.message : undefined) : d.error.message;
    const v = m === undefined ? undefined : v3Inbound(m);
    if (v === undefined || v.type !== 'SCCRQ') return undefined;
    return { assignedConnectionId: v.assignedConnectionId, ...(v.routerId !== undefined && { routerId: v.routerId }), ...(v.tieBreaker !== undefined && { tieBreaker: v.tieBreaker }) };
  },
  tie: tieWinner,
};

const V3_ONLY = new Set(['open-pseudowire', 'circuit']);

/** True when `c` is a command a v3 connection takes (`open`, `close` and `close-session` are shared). */
export function isV3Command(c: Command | V3Command): c is V3Command {
  if (V3_ONLY.has(c.type)) return true;
  return c.type === 'open' || c.type === 'close' || c.type === 'close-session';
}

/** A read-only view of one v3 control connection; every read reflects its current state. */
export interface V3ConnectionView {
  readonly version: 3;
  readonly connectionId: number;
  /** 0 until learnt from the peer's SCCRQ/SCCRP. */
  readonly peerConnectionId: number;
  readonly state: V3ConnectionState;
  readonly peer: SocketAddress;
  readonly peerHostName: string | undefined;
  readonly peerRouterId: number | undefined;
  readonly counters: { readonly sent: number; readonly received: number; readonly retransmitted: number; readonly hellosSent: number };
  /** Message Digest state: off, or the gate's counters (verified, verified with an older secret, drops by reason). */
  readonly digest: Readonly<MessageAuthCounters> | undefined;
  readonly settled: boolean;
  /** Every pseudowire session (any state but closed). */
  sessions(): V3SessionData[];
}

/** Builds the view of `engine`, whose peer address `peer()` reads. */
export function v3ConnectionView(engine: V3TunnelEngine, peer: () => SocketAddress): V3ConnectionView {
  return {
    version: 3,
    get connectionId() { return engine.connectionId; },
    get peerConnectionId() { return engine.peerConnectionId; },
    get state() { return engine.state; },
    get peer() { return peer(); },
    get peerHostName() { return engine.peer.peerHostName; },
    get peerRouterId() { return engine.peer.peerRouterId; },
    get counters() { return engine.counters; },
    get digest() { return engine.auth?.counters; },
    get settled() { return engine.settled; },
    sessions: () => engine.sessionList(),
  };
}
