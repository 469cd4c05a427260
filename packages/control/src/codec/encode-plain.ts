/**
 * The fast path of {@link encodeMessage} for messages without hidden AVPs (every message but a few
 * when `hide_avps` is on): lengths first, then one output buffer written in place — numbers and
 * ASCII strings go straight in, with no per-AVP arrays. Produces exactly the bytes the general
 * path would (the xl2tpd vectors pin that).
 */
import { AVP, type AvpName, type AvpSpec } from './avp-table.js';
import { CONTROL_HEADER_LENGTH, encodeHeader } from './header.js';
import type { ControlHeader, MessageTypeName, RawAvp } from './types.js';
import { MessageType } from './types.js';
import { encodeValue } from './values.js';

const M_BIT = 0x8000;
const H_BIT = 0x4000;
const AVP_HEADER = 6;
const MAX_AVP = 0x3ff;
/**
 * Encoded messages are views into 64 KiB slabs (as Node's Buffer pool does): a fresh backing store
 * per message costs more than the whole encode. A view never changes after it is returned.
 */
const SLAB = 64 * 1024;
let slab = new ArrayBuffer(SLAB);
let slabUsed = 0;
function allocate(length: number): Uint8Array {
  if (slabUsed + length > SLAB) {
    slab = new ArrayBuffer(Math.max(SLAB, length));
    slabUsed = 0;
  }
  const view = new Uint8Array(slab, slabUsed, length);
  // Keep views 8-byte aligned, like Node's pool.
  slabUsed += (length + 7) & ~7;
  return view;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

function checked(v: unknown, max: number, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what}: ${String(v)} is not an integer 0..${max}`);
  return v;
}

function writeAvpHeader(out: Uint8Array, at: number, mandatory: boolean, hidden: boolean, length: number, vendorId: number, type: number): void {
  const flags = (mandatory ? M_BIT : 0) | (hidden ? H_BIT : 0) | length;
  out[at] = flags >> 8; out[at + 1] = flags & 0xff;
  out[at + 2] = vendorId >> 8; out[at + 3] = vendorId & 0xff;
  out[at + 4] = type >> 8; out[at + 5] = type & 0xff;
}

/** Encodes a message none of whose AVPs is hidden. */
export function encodePlain(
  type: MessageTypeName, avps: Readonly<Record<string, unknown>>, unknownAvps: readonly RawAvp[] | undefined, header: ControlHeader,
): Uint8Array {
  const specs: AvpSpec[] = [];
  const values: unknown[] = [];
  const blobs: (Uint8Array | string | undefined)[] = [];
  let length = CONTROL_HEADER_LENGTH + AVP_HEADER + 2;
  const keys = Object.keys(avps);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const value = avps[key];
    if (key === 'messageType' || value === undefined) continue;
    const name = key as AvpName;
    const spec: AvpSpec = AVP[name];
    let n: number;
    let blob: Uint8Array | string | undefined;
    if (spec.kind === 'u16' || spec.kind === 'protocol-version') { checked(value, 0xffff, name); n = 2; }
    else if (spec.kind === 'u32') { checked(value, 0xffffffff, name); n = 4; }
    else if (spec.kind === 'string' && isAscii(value as string)) { blob = value as string; n = blob.length; }
    else if (spec.kind === 'bytes' && value instanceof Uint8Array) { blob = value; n = value.length; }
    else { blob = encodeValue(spec.kind, value as never); n = blob.length; }
    if (AVP_HEADER + n > MAX_AVP) throw new RangeError(`AVP ${spec.vendorId ?? 0}:${spec.type} is ${AVP_HEADER + n} bytes; the limit is 1023`);
    length += AVP_HEADER + n;
    if (name === 'messageDigest') {
      // RFC 3931 §5.4.1: the Message Digest AVP comes right after Message Type.
      specs.unshift(spec); values.unshift(value); blobs.unshift(blob);
    } else {
      specs.push(spec); values.push(value); blobs.push(blob);
    }
  }
  for (const raw of unknownAvps ?? []) {
    if (AVP_HEADER + raw.value.length > MAX_AVP) throw new RangeError(`AVP ${raw.vendorId}:${raw.attrType} is ${AVP_HEADER + raw.value.length} bytes; the limit is 1023`);
    length += AVP_HEADER + raw.value.length;
  }
  if (length > 0xffff) throw new RangeError(`message of ${length} bytes exceeds the 16-bit Length field`);
  const out = allocate(length);
  encodeHeader(out, 0, header, length);
  let at = CONTROL_HEADER_LENGTH;
  // RFC 2661 §4.1: the Message Type AVP comes first.
  writeAvpHeader(out, at, true, false, AVP_HEADER + 2, 0, 0);
  const code = MessageType[type];
  out[at + 6] = code >> 8; out[at + 7] = code & 0xff;
  at += AVP_HEADER + 2;
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const blob = blobs[i];
    const value = values[i] as number;
    if (blob === undefined) {
      const n = spec.kind === 'u32' ? 4 : 2;
      writeAvpHeader(out, at, spec.mandatory, false, AVP_HEADER + n, spec.vendorId ?? 0, spec.type);
      at += AVP_HEADER;
      if (n === 2) { out[at] = value >> 8; out[at + 1] = value & 0xff; }
      else { out[at] = value >>> 24; out[at + 1] = (value >>> 16) & 0xff; out[at + 2] = (value >>> 8) & 0xff; out[at + 3] = value & 0xff; }
      at += n;
    } else if (typeof blob === 'string') {
      writeAvpHeader(out, at, spec.mandatory, false, AVP_HEADER + blob.length, spec.vendorId ?? 0, spec.type);
      at += AVP_HEADER;
      for (let j = 0; j < blob.length; j++) out[at + j] = blob.charCodeAt(j);
      at += blob.length;
    } else {
      writeAvpHeader(out, at, spec.mandatory, false, AVP_HEADER + blob.length, spec.vendorId ?? 0, spec.type);
      out.set(blob, at + AVP_HEADER);
      at += AVP_HEADER + blob.length;
    }
  }
  for (const raw of unknownAvps ?? []) {
    writeAvpHeader(out, at, raw.mandatory, raw.hidden, AVP_HEADER + raw.value.length, raw.vendorId, raw.attrType);
    out.set(raw.value, at + AVP_HEADER);
    at += AVP_HEADER + raw.value.length;
  }
  return out;
}
