/**
 * A JSON stand-in for the codec, so engine behaviour is tested on its own: messages travel as
 * JSON of the header and the state machine's message, with the configured AVPs the engine adds.
 */
import type { Inbound, MessageName, Outbound } from '../../src/fsm/types.js';
import { SESSION_MESSAGES } from '../../src/codec/index.js';
import type { EncodeContext, SendHeader, WireCodec, WireDecoded } from '../../src/engine/wire.js';

interface Frame {
  readonly h: { t: number; s: number; ns: number; nr: number };
  readonly m?: Record<string, unknown>;
}

const replacer = (_k: string, v: unknown) => (v instanceof Uint8Array ? { $b: [...v] } : v);
const reviver = (_k: string, v: unknown) => (v !== null && typeof v === 'object' && '$b' in v ? Uint8Array.from((v as { $b: number[] }).$b) : v);
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Encodes messages as JSON; decodes them back into the state machine's view. */
export const jsonWire: WireCodec = {
  tunnelIdOf(bytes) {
    try { return (JSON.parse(dec.decode(bytes)) as Frame).h.t; } catch { return undefined; }
  },
  decode(bytes): WireDecoded[] {
    let f: Frame;
    try { f = JSON.parse(dec.decode(bytes), reviver) as Frame; } catch { return [{ kind: 'drop', reason: 'not json' }]; }
    const header = { tunnelId: f.h.t, sessionId: f.h.s, ns: f.h.ns, nr: f.h.nr };
    if (f.m === undefined) return [{ kind: 'zlb', header }];
    if (f.m['mbit']) {
      const type = f.m['type'] as MessageName;
      return [{
        kind: 'rejected', header, scope: SESSION_MESSAGES.has(type) ? 'session' : 'tunnel', messageType: type, result: { result: 2, error: 8, message: 'unknown mandatory AVP' },
        ...(typeof f.m['assignedTunnelId'] === 'number' && { assignedTunnelId: f.m['assignedTunnelId'] }),
        ...(typeof f.m['assignedSessionId'] === 'number' && { assignedSessionId: f.m['assignedSessionId'] }),
      }];
    }
    return [{ kind: 'message', header, message: { ...f.m, sessionId: f.h.s } as unknown as Inbound }];
  },
  encode(m: Outbound, h: SendHeader, ctx: EncodeContext): Uint8Array {
    let body: Record<string, unknown> = { ...m };
    if (m.type === 'SCCRQ' || m.type === 'SCCRP') {
      body = { ...body, assignedTunnelId: ctx.tunnelId, hostName: ctx.hostName, receiveWindowSize: ctx.receiveWindowSize, protocolVersion: 0x100 };
    } else if (m.type === 'StopCCN') body = { ...body, assignedTunnelId: ctx.tunnelId };
    else if ('sessionId' in m) body = { ...body, assignedSessionId: m.sessionId };
    delete body['sessionId'];
    delete body['peerSessionId'];
    return enc.encode(JSON.stringify({ h: { t: h.peerTunnelId, s: h.peerSessionId, ns: h.ns, nr: h.nr }, m: body }, replacer));
  },
  withNr(bytes, nr) {
    const f = JSON.parse(dec.decode(bytes)) as Frame;
    return enc.encode(JSON.stringify({ ...f, h: { ...f.h, nr } }));
  },
  ack(_v, peerTunnelId, ns, nr) {
    return enc.encode(JSON.stringify({ h: { t: peerTunnelId, s: 0, ns, nr } }));
  },
};

/** Parses a JSON-wire datagram for assertions: message type (or 'ZLB') and header. */
export function peek(bytes: Uint8Array): { type: string; ns: number; nr: number; t: number; s: number; m?: Record<string, unknown> } {
  const f = JSON.parse(dec.decode(bytes), reviver) as Frame;
  return { type: (f.m?.['type'] as string | undefined) ?? 'ZLB', ...f.h, ...(f.m && { m: f.m }) };
}
