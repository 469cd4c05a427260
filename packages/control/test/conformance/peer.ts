/**
 * A raw L2TPv2 peer for conformance tests: it sends exactly the bytes a test builds (with the real
 * codec, so malformed AVPs can be written on purpose) to an engine under test in SimNet, and reads
 * back what the engine answered. It never acknowledges on its own; its Nr follows what it received.
 */
import { type AvpValues, type ControlMessage, type MessageTypeName, type RawAvp, decodeDatagram, encodeMessage } from '../../src/codec/index.js';
import { ControlEngine, type ControlOutput, type AcceptOptions } from '../../src/engine/control-engine.js';
import { codecWire } from '../../src/engine/codec-wire.js';
import type { TunnelEvent } from '../../src/fsm/types.js';
import { md5 } from '../../src/node/platform.js';
import { ScriptedPeer, SimNet, type SimRecord } from '../../src/testing/index.js';

/** What the peer received, decoded: control messages with their headers, and ZLBs. */
export interface Got {
  readonly atMs: number;
  readonly kind: 'control' | 'zlb';
  readonly tunnelId: number;
  readonly sessionId: number;
  readonly ns: number;
  readonly nr: number;
  readonly type: MessageTypeName | 'ZLB';
  readonly message: ControlMessage | undefined;
}

/** Options of one message the peer sends. */
export interface SendOptions {
  /** Header tunnel id (default: the engine's tunnel id once learnt, else 0). */
  readonly tunnelId?: number;
  readonly sessionId?: number;
  /** Ns to use (default: the next one); a retransmission passes the old one. */
  readonly ns?: number;
  readonly unknownAvps?: readonly RawAvp[];
}

/** A network with one engine (`engine`) and the raw peer (`peer`, at 192.0.2.7:1701 like a Windows LAC). */
export function rawPeerAgainst(engine: (net: SimNet) => ControlEngine) {
  const net = new SimNet({ seed: 7 });
  const e = engine(net);
  const peer = new ScriptedPeer(() => []);
  net.add('engine', e);
  net.add('peer', peer, { address: '192.0.2.7', port: 1701, family: 4 });
  net.link('peer', 'engine');
  let nextNs = 0;
  let engineTunnelId = 0;
  const got = (): Got[] => {
    const sent = net.sent('engine').filter((r: SimRecord) => r.to === 'peer' && !r.dropped);
    return sent.flatMap((r) => decodeDatagram(r.bytes).flatMap((p): Got[] => {
      if (!p.ok || p.value.kind === 'data') return [];
      const h = p.value.header;
      const base = { atMs: r.atMs, tunnelId: h.tunnelId, sessionId: h.sessionId, ns: h.ns, nr: h.nr };
      return p.value.kind === 'zlb'
        ? [{ ...base, kind: 'zlb', type: 'ZLB', message: undefined }]
        : [{ ...base, kind: 'control', type: p.value.message.type, message: p.value.message }];
    }));
  };
  /** Our Nr: one past the highest Ns of the engine's messages received since the peer (re)started. */
  const nr = () => got().slice(nrFrom).filter((g) => g.kind === 'control').reduce((n, g) => Math.max(n, g.ns + 1), 0);
  let nrFrom = 0;
  const encode = (type: MessageTypeName, avps: AvpValues, o: SendOptions = {}): Uint8Array => {
    const ns = o.ns ?? nextNs++;
    return encodeMessage({ type, avps, ...(o.unknownAvps && { unknownAvps: o.unknownAvps }) }, {
      version: 2, tunnelId: o.tunnelId ?? engineTunnelId, sessionId: o.sessionId ?? 0, ns, nr: nr(),
    });
  };
  const sendBytes = (bytes: Uint8Array): void => void net.call('peer', () => [{ kind: 'transmit', bytes }]);
  const send = (type: MessageTypeName, avps: AvpValues, o: SendOptions = {}): void => sendBytes(encode(type, avps, o));
  const outputs = () => net.events('engine').map((x) => x.output as ControlOutput);
  const events = (): TunnelEvent[] => outputs().flatMap((o) => (o.kind === 'event' ? [o.event] : []));
  const released = () => outputs().filter((o) => o.kind === 'released').map((o) => (o as { tunnelId: number }).tunnelId);
  return {
    net, engine: e, peer, got, send, encode, sendBytes, events, released,
    /** Sets the engine tunnel id the peer addresses (learnt from SCCRP's Assigned Tunnel ID). */
    learn(tunnelId: number) { engineTunnelId = tunnelId; },
    /** Restarts the peer's numbering (a rebooted client starts again at Ns 0). */
    restart() { nextNs = 0; engineTunnelId = 0; nrFrom = got().length; },
    /** A ZLB acknowledging everything received. */
    ack(tunnelId = engineTunnelId) {
      const b = new Uint8Array(12);
      new DataView(b.buffer).setUint32(0, 0xc802000c);
      new DataView(b.buffer).setUint16(4, tunnelId);
      new DataView(b.buffer).setUint16(8, nextNs);
      new DataView(b.buffer).setUint16(10, nr());
      net.call('peer', () => [{ kind: 'transmit', bytes: b }]);
    },
  };
}

/** An LNS engine (real codec, real MD5) accepting with `accept`. */
export function lns(accept: Partial<AcceptOptions> = {}) {
  return (net: SimNet) => new ControlEngine({ accept: { hostName: 'lns', ...accept } }, { random: net.rng.fork(), md5 }, codecWire);
}

/** The SCCRQ a Windows-like LAC sends: Assigned Tunnel ID 1 (RFC 2661 §6.1 required AVPs). */
export const SCCRQ_AVPS: AvpValues = { protocolVersion: 0x0100, hostName: 'win', framingCapabilities: 3, assignedTunnelId: 1, receiveWindowSize: 8 };

/** Brings a tunnel and one incoming call (peer Assigned Session ID 1) up against an LNS; returns the LNS's ids. */
export function tunnelAndCallUp(p: ReturnType<typeof rawPeerAgainst>, peerSessionId = 1): { tunnelId: number; sessionId: number } {
  const { net, send, got, events } = p;
  const seen = got().length;
  send('SCCRQ', SCCRQ_AVPS, { tunnelId: 0 });
  if (!net.runUntil(() => got().slice(seen).some((g) => g.type === 'SCCRP'), 5000)) throw new Error('no SCCRP');
  const tunnelId = got().slice(seen).find((g) => g.type === 'SCCRP')!.message!.avps.assignedTunnelId!;
  p.learn(tunnelId);
  send('SCCCN', {});
  if (!net.runUntil(() => events().some((e) => e.type === 'tunnel-up' && e.tunnelId === tunnelId), 5000)) throw new Error('no tunnel-up');
  send('ICRQ', { assignedSessionId: peerSessionId, callSerialNumber: peerSessionId });
  if (!net.runUntil(() => got().some((g) => g.type === 'ICRP' && g.tunnelId === 1 && g.sessionId === peerSessionId), 5000)) throw new Error('no ICRP');
  const sessionId = got().filter((g) => g.type === 'ICRP' && g.sessionId === peerSessionId).at(-1)!.message!.avps.assignedSessionId!;
  send('ICCN', { txConnectSpeed: 1_000_000, framingType: 1 }, { sessionId });
  if (!net.runUntil(() => events().some((e) => e.type === 'session-up' && e.sessionId === sessionId), 5000)) throw new Error('no session-up');
  return { tunnelId, sessionId };
}
