/**
 * The `-verbose` control trace: one line per control message sent or received (type, tunnel and
 * session ids, Ns/Nr, every AVP decoded, hidden AVPs marked, retransmissions marked) and one per
 * tunnel or session state transition — what xl2tpd's `debug avp`, `debug state` and `debug
 * tunnel` give people debugging interop. The bytes are decoded here, separately from the engine's
 * own decode, and only when a trace is installed: without `-verbose` none of this runs.
 *
 * Sans-I/O like the rest of the engine: lines go to a sink the caller supplies (the daemons' logger).
 */
import type { SocketAddress } from '../api/dataplane.js';
import { AVP_BY_TYPE, type AvpKind } from '../codec/avp-table.js';
import { decodeHeader } from '../codec/header.js';
import { unhideAvpValue } from '../codec/hidden.js';
import { MESSAGE_TYPE_NAME, type Md5 } from '../codec/types.js';
import { MalformedValue, decodeValue } from '../codec/values.js';
import type { ControlEngine, ControlOutput } from './control-engine.js';

/** One AVP as the trace shows it. */
export interface TracedAvp {
  /** camelCase name from the AVP table, or `vendor:type` for one it does not know. */
  readonly name: string;
  /** The decoded value as text; `(hidden, N bytes, no secret to read it)` when it cannot be unhidden. */
  readonly value: string;
  readonly mandatory: boolean;
  readonly hidden: boolean;
}

/** One control packet (message or ZLB) of a datagram, decoded for the trace. */
export interface TracedPacket {
  /** Message type name (`SCCRQ`), `ZLB` for an acknowledgement without body, or `?N` for an unknown type. */
  readonly type: string;
  readonly version: 2 | 3;
  /** The recipient's tunnel (v3: control connection) id and session id, from the header. */
  readonly tunnelId: number;
  readonly sessionId: number;
  readonly ns: number;
  readonly nr: number;
  readonly avps: readonly TracedAvp[];
  /** Why the rest of the packet could not be read, if it could not. */
  readonly error?: string;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function valueText(kind: AvpKind, name: string, v: unknown): string {
  if (name === 'messageType' && typeof v === 'number') return MESSAGE_TYPE_NAME.get(v) ?? String(v);
  if (kind === 'protocol-version' && typeof v === 'number') return `${v >> 8}.${v & 0xff}`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) return `0x${hex(v)}`;
  if (v === true) return 'present';
  return JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? `0x${hex(x)}` : typeof x === 'bigint' ? String(x) : x));
}

/**
 * Decodes every control packet of a datagram for display; never throws. `secret` (and `md5`)
 * unhide hidden AVPs (RFC 2661 §4.3); without them a hidden AVP shows as `(hidden, N bytes, no secret to read it)`.
 */
export function describeDatagram(bytes: Uint8Array, secret?: Uint8Array, md5?: Md5): TracedPacket[] {
  const out: TracedPacket[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const h = decodeHeader(bytes, offset);
    if (!h.ok || h.value.kind !== 'control') break;
    const { header, bodyOffset, end } = h.value;
    const avps: TracedAvp[] = [];
    let type = 'ZLB';
    let error: string | undefined;
    let randomVector: Uint8Array | undefined;
    for (let at = bodyOffset; at < end;) {
      const flags = (bytes[at]! << 8) | bytes[at + 1]!;
      const length = flags & 0x03ff;
      if (end - at < 6 || length < 6 || at + length > end) { error = `bad AVP length at byte ${at}`; break; }
      const vendorId = (bytes[at + 2]! << 8) | bytes[at + 3]!;
      const attrType = (bytes[at + 4]! << 8) | bytes[at + 5]!;
      const mandatory = (flags & 0x8000) !== 0;
      const hidden = (flags & 0x4000) !== 0;
      let raw: Uint8Array | string = bytes.subarray(at + 6, at + length);
      const row = vendorId === 0 ? AVP_BY_TYPE.get(attrType) : undefined;
      const name = row?.[0] ?? `${vendorId}:${attrType}`;
      if (hidden) {
        raw = secret && md5 && randomVector ? unhideAvpValue(raw, attrType, secret, randomVector, md5) : `(hidden, ${raw.length} bytes, no secret to read it)`;
      }
      let value: string;
      if (typeof raw === 'string') value = raw;
      else if (row === undefined) value = `0x${hex(raw)}`;
      else {
        const v = decodeValue(row[1].kind, raw);
        value = v instanceof MalformedValue ? `(malformed: ${v.reason})` : valueText(row[1].kind, name, v);
        if (name === 'randomVector' && v instanceof Uint8Array) randomVector = v;
        if (name === 'messageType' && typeof v === 'number' && avps.length === 0) type = MESSAGE_TYPE_NAME.get(v) ?? `?${v}`;
      }
      avps.push({ name, value, mandatory, hidden });
      at += length;
    }
    out.push({ type, version: header.version, tunnelId: header.tunnelId, sessionId: header.sessionId, ns: header.ns, nr: header.nr, avps, ...(error !== undefined && { error }) });
    offset = end;
  }
  return out;
}

/** A packet as one log message: `SCCRP tunnel 5 session 0 Ns 0 Nr 1: hostName="lns" assignedTunnelId=9 (hidden) ...`. */
export function formatPacket(p: TracedPacket): string {
  const avps = p.avps.filter((a) => a.name !== 'messageType')
    .map((a) => `${a.name}=${a.value}${a.hidden && !a.value.startsWith('(hidden') ? ' (hidden)' : ''}`).join(' ');
  const ids = p.version === 2 ? `tunnel ${p.tunnelId} session ${p.sessionId}` : `ccid ${p.tunnelId}`;
  return `${p.type} ${ids} Ns ${p.ns} Nr ${p.nr}${avps ? `: ${avps}` : ''}${p.error ? ` [${p.error}]` : ''}`;
}

/** One trace line: a message and the fields a structured log carries with it. */
export interface TraceLine {
  readonly msg: string;
  readonly fields: { readonly control: Readonly<Record<string, unknown>> };
}

/** What the driver calls: each received datagram before the engine sees it, each batch of outputs after. */
export interface EngineTrace {
  received(bytes: Uint8Array, from: SocketAddress, engine: ControlEngine): void;
  produced(outputs: readonly ControlOutput[], engine: ControlEngine): void;
}

/** A ZLB (v2) or ACK (v3) takes no sequence number (RFC 2661 §5.8, RFC 3931 §6.15): its Ns is the next one. */
const sequenced = (p: TracedPacket) => p.type !== 'ZLB' && p.type !== 'ACK';

const addr = (a: SocketAddress) => (a.family === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`);

/**
 * A trace writing to `sink`. It keeps, per engine, the highest Ns sent on each tunnel (a message
 * sent again with an Ns already sent is a retransmission, RFC 2661 §5.8) and the last states seen
 * (a change is a transition line). `md5` lets it unhide hidden AVPs with the tunnel's secret.
 */
export function controlTrace(sink: (line: TraceLine) => void, md5?: Md5): EngineTrace {
  const sentNs = new WeakMap<ControlEngine, Map<string, number>>();
  const states = new WeakMap<ControlEngine, Map<string, string>>();
  const emit = (dir: 'recv' | 'send', peer: SocketAddress, p: TracedPacket, retransmission: boolean) => {
    const arrow = dir === 'recv' ? `recv from ${addr(peer)}` : `send to ${addr(peer)}`;
    // `control` holds everything, so a JSON line has no key twice beside the logger's own fields.
    sink({
      msg: `${arrow} ${formatPacket(p)}${retransmission ? ' (retransmission)' : ''}`,
      fields: { control: { dir, peer: addr(peer), ...p, ...(retransmission && { retransmission }) } },
    });
  };
  const transitions = (engine: ControlEngine) => {
    const seen = states.get(engine) ?? new Map<string, string>();
    states.set(engine, seen);
    const now = new Map<string, string>();
    for (const id of engine.tunnelIds()) {
      // An L2TPv2 tunnel, or an L2TPv3 control connection (dynamic ql2tpd).
      const t = engine.tunnel(id) ?? engine.connection(id);
      if (t === undefined) continue;
      now.set(`${id}`, t.state);
      for (const s of t.sessions()) now.set(`${id}/${'localSessionId' in s ? s.localSessionId : s.sessionId}`, s.state);
    }
    for (const k of new Set([...seen.keys(), ...now.keys()])) {
      const before = seen.get(k) ?? 'idle';
      const after = now.get(k) ?? 'closed';
      if (before === after) continue;
      const [tunnelId, sessionId] = k.split('/').map(Number);
      const what = sessionId === undefined ? `tunnel ${tunnelId}` : `tunnel ${tunnelId} session ${sessionId}`;
      sink({ msg: `${what} state ${before} -> ${after}`, fields: { control: { tunnel_id: tunnelId, ...(sessionId !== undefined && { session_id: sessionId }), from: before, to: after } } });
    }
    states.set(engine, now);
  };
  const recvNs = new WeakMap<ControlEngine, Map<string, number>>();
  /** True when `ns` is not after the highest seen under `key` (16-bit wrap, RFC 2661 §5.8); records it otherwise. */
  const seenBefore = (highest: Map<string, number>, key: string, ns: number): boolean => {
    const last = highest.get(key);
    const again = last !== undefined && (ns === last || ((ns - last) & 0xffff) >= 0x8000);
    if (!again) highest.set(key, ns);
    return again;
  };
  return {
    received(bytes, from, engine) {
      const h = decodeHeader(bytes, 0);
      const secret = h.ok && h.value.kind === 'control' ? engine.tunnel(h.value.header.tunnelId)?.secret : undefined;
      const highest = recvNs.get(engine) ?? new Map<string, number>();
      recvNs.set(engine, highest);
      for (const p of describeDatagram(bytes, secret, md5)) {
        // The peer sent this Ns already: a retransmission (our acknowledgement was lost or late).
        emit('recv', from, p, sequenced(p) && seenBefore(highest, `${p.tunnelId}|${addr(from)}`, p.ns));
      }
    },
    produced(outputs, engine) {
      const highest = sentNs.get(engine) ?? new Map<string, number>();
      sentNs.set(engine, highest);
      for (const o of outputs) {
        if (o.kind === 'released') {
          for (const k of [...highest.keys()]) if (k === `${o.tunnelId}`) highest.delete(k);
          for (const k of [...(recvNs.get(engine)?.keys() ?? [])]) if (k.startsWith(`${o.tunnelId}|`)) recvNs.get(engine)!.delete(k);
        }
        if (o.kind !== 'transmit') continue;
        for (const p of describeDatagram(o.bytes, engine.tunnel(o.tunnelId)?.secret, md5)) {
          emit('send', o.to, p, sequenced(p) && seenBefore(highest, `${o.tunnelId}`, p.ns));
        }
      }
      transitions(engine);
    },
  };
}
