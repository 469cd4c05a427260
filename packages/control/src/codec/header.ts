/**
 * Control message headers.
 *
 * L2TPv2 (RFC 2661 §3.1), control messages have T=1, L=1, S=1:
 * ```
 *  |T|L|x|x|S|x|O|P|x|x|x|x|  Ver  |          Length (opt)         |
 *  |           Tunnel ID           |           Session ID          |
 *  |             Ns (opt)          |             Nr (opt)          |
 *  |      Offset Size (opt)        |    Offset pad... (opt)
 * ```
 * L2TPv3 over UDP (RFC 3931 §3.2.1), Ver = 3:
 * ```
 *  |T|L|x|x|S|x|x|x|x|x|x|x|  Ver  |             Length            |
 *  |                     Control Connection ID                     |
 *  |               Ns              |               Nr              |
 * ```
 * L2TPv3 over IP (RFC 3931 §4.1.1.2) puts a 32-bit zero Session ID in front of that header; a
 * non-zero first word is a data packet.
 */
import type { ControlHeader, DecodeError } from './types.js';

const T_BIT = 0x8000;
const L_BIT = 0x4000;
const S_BIT = 0x0800;
const O_BIT = 0x0200;

/** Bytes of a control header without the offset field (v2 and v3 alike). */
export const CONTROL_HEADER_LENGTH = 12;

/** A data packet that arrived on the control socket (RFC 2661 §3.1 T bit 0): reported, never parsed. */
export interface DataPacketInfo {
  readonly version: 2 | 3;
  /** v2 tunnel id; undefined for v3. */
  readonly tunnelId: number | undefined;
  readonly sessionId: number;
}

/** What sits at one offset of a datagram. */
export type HeaderRead =
  | { readonly kind: 'control'; readonly header: ControlHeader; readonly bodyOffset: number; readonly end: number }
  | { readonly kind: 'data'; readonly data: DataPacketInfo };

const fail = (code: DecodeError['code'], offset: number, detail: string): { ok: false; error: DecodeError } =>
  ({ ok: false, error: { code, offset, detail } });

// Byte arithmetic instead of a DataView (or closures over `b`): this runs once per received datagram.
const u16 = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;
const u32 = (b: Uint8Array, i: number): number => b[i]! * 0x1000000 + ((b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!);

/**
 * Reads the header at `offset`. `ipEncap`: L2TPv3 over IP, where the datagram starts with the
 * Session ID word (0 for control). Never throws.
 */
export function decodeHeader(b: Uint8Array, offset: number, ipEncap = false):
  { ok: true; value: HeaderRead } | { ok: false; error: DecodeError } {
  let at = offset;
  if (ipEncap && offset === 0) {
    if (b.length < 4) return fail('truncated', 0, 'shorter than the L2TPv3/IP session id word');
    const sessionId = u32(b, 0);
    if (sessionId !== 0) return { ok: true, value: { kind: 'data', data: { version: 3, tunnelId: undefined, sessionId } } };
    at = 4;
  }
  if (b.length - at < 2) return fail('truncated', at, 'shorter than the flags word');
  const flags = u16(b, at);
  const version = flags & 0x000f;
  if (version !== 2 && version !== 3) return fail('bad-version', at, `version ${version}`);
  if ((flags & T_BIT) === 0) {
    // Data message on the control socket: the kernel normally consumes these; report, don't parse.
    if (version === 3) {
      if (b.length - at < 8) return fail('truncated', at, 'short L2TPv3 data header');
      return { ok: true, value: { kind: 'data', data: { version: 3, tunnelId: undefined, sessionId: u32(b, at + 4) } } };
    }
    const idAt = at + ((flags & L_BIT) !== 0 ? 4 : 2);
    if (b.length < idAt + 4) return fail('truncated', at, 'short L2TPv2 data header');
    return { ok: true, value: { kind: 'data', data: { version: 2, tunnelId: u16(b, idAt), sessionId: u16(b, idAt + 2) } } };
  }
  // RFC 2661 §3.1: L and S MUST be set on control messages.
  if ((flags & L_BIT) === 0 || (flags & S_BIT) === 0) return fail('bad-header', at, 'control message without the L or S bit');
  if (b.length - at < CONTROL_HEADER_LENGTH) return fail('truncated', at, `control header needs ${CONTROL_HEADER_LENGTH} bytes`);
  const length = u16(b, at + 2);
  if (length < CONTROL_HEADER_LENGTH || at + length > b.length) {
    return fail('bad-length', at + 2, `Length ${length} with ${b.length - at} bytes present`);
  }
  const header: ControlHeader = version === 2
    ? { version: 2, tunnelId: u16(b, at + 4), sessionId: u16(b, at + 6), ns: u16(b, at + 8), nr: u16(b, at + 10) }
    : { version: 3, tunnelId: u32(b, at + 4), sessionId: 0, ns: u16(b, at + 8), nr: u16(b, at + 10) };
  let bodyOffset = at + CONTROL_HEADER_LENGTH;
  if (version === 2 && (flags & O_BIT) !== 0) {
    // Tolerated: the offset field is meant for data messages, but skipping it costs nothing.
    if (length < CONTROL_HEADER_LENGTH + 2) return fail('bad-length', at + 2, 'offset bit set without an offset field');
    bodyOffset += 2 + u16(b, bodyOffset);
    if (bodyOffset > at + length) return fail('bad-length', at + 12, 'offset beyond the message');
  }
  return { ok: true, value: { kind: 'control', header, bodyOffset, end: at + length } };
}

/** Writes a control header for a message of `length` bytes (header included) at `out[offset]`. */
export function encodeHeader(out: Uint8Array, offset: number, h: ControlHeader, length: number): void {
  const flags = T_BIT | L_BIT | S_BIT | h.version;
  const hi = h.version === 2 ? h.tunnelId : h.tunnelId >>> 16;
  const lo = h.version === 2 ? h.sessionId : h.tunnelId & 0xffff;
  out[offset] = flags >> 8; out[offset + 1] = flags & 0xff;
  out[offset + 2] = length >> 8; out[offset + 3] = length & 0xff;
  out[offset + 4] = hi >> 8; out[offset + 5] = hi & 0xff;
  out[offset + 6] = lo >> 8; out[offset + 7] = lo & 0xff;
  out[offset + 8] = h.ns >> 8; out[offset + 9] = h.ns & 0xff;
  out[offset + 10] = h.nr >> 8; out[offset + 11] = h.nr & 0xff;
}

/** A control message of `header` and encoded AVPs (throws RangeError past the 16-bit Length). */
export function joinMessage(header: ControlHeader, parts: readonly Uint8Array[]): Uint8Array {
  const length = CONTROL_HEADER_LENGTH + parts.reduce((n, p) => n + p.length, 0);
  if (length > 0xffff) throw new RangeError(`message of ${length} bytes exceeds the 16-bit Length field`);
  const out = new Uint8Array(length);
  encodeHeader(out, 0, header, length);
  let at = CONTROL_HEADER_LENGTH;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function checkField(k: string, val: number, m: number): void {
  if (!Number.isInteger(val) || val < 0 || val > m) throw new RangeError(`header ${k}: ${val} is not an integer 0..${m}`);
}

/** Checks header fields are in range before encoding (our misuse throws). */
export function checkHeader(h: ControlHeader): void {
  checkField('tunnelId', h.tunnelId, h.version === 2 ? 0xffff : 0xffffffff);
  checkField('sessionId', h.sessionId, 0xffff);
  checkField('ns', h.ns, 0xffff);
  checkField('nr', h.nr, 0xffff);
  if (h.version === 3 && h.sessionId !== 0) throw new RangeError('L2TPv3 control headers carry no session id');
}

/** A ZLB acknowledgement (v2, RFC 2661 §5.8): a header with no AVPs. */
export function encodeZlb(h: ControlHeader): Uint8Array {
  checkHeader(h);
  const out = new Uint8Array(CONTROL_HEADER_LENGTH);
  encodeHeader(out, 0, h, CONTROL_HEADER_LENGTH);
  return out;
}

/**
 * A copy of an encoded control message with a new Nr (RFC 2661 §5.8: a retransmission keeps Ns
 * and carries the current Nr). `ipEncap` skips the L2TPv3/IP session id word.
 */
export function withNr(bytes: Uint8Array, nr: number, ipEncap = false): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint16((ipEncap ? 4 : 0) + 10, nr & 0xffff);
  return out;
}
