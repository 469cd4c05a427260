/**
 * Wire layouts: how a peer laid out a message that our table-driven encoder would lay out
 * differently — M bits other than the ones we send (Cisco IOS sends most RFC 3931 AVPs with M=0),
 * an AVP repeated (Cisco sends Pseudowire Type twice in an ICRQ), or unknown AVPs between known
 * ones. The decoder attaches one to such a message so that re-encoding it gives the received bytes
 * (golden vectors, logs, replays); messages we build ourselves never need one.
 */
import { RESERVED_BITS } from './avp-header.js';
import { AVP_BY_KEY, avpKey, type AvpName } from './avp-table.js';
import { joinMessage } from './header.js';
import type { ControlHeader, RawAvp } from './types.js';
import { MalformedValue, decodeValueAt, encodeValue } from './values.js';

/**
 * One AVP in wire order: a known AVP's first occurrence by name (its value is the message's), or
 * any other AVP (repeats, unknown ones) whole.
 */
export type WireAvp =
  | { readonly name: AvpName; readonly mandatory: boolean }
  | { readonly raw: RawAvp };

const M_BIT = 0x8000;
const H_BIT = 0x4000;
const AVP_HEADER = 6;

/**
 * The layout of the AVPs in `b[start, end)` of a `version` message (already validated by the decoder: lengths fit).
 * Returns undefined when any AVP is hidden: hiding draws fresh random bytes, so such a message is
 * never reproduced byte for byte anyway.
 */
export function wireLayout(b: Uint8Array, start: number, end: number, version: 2 | 3): WireAvp[] | undefined {
  const out: WireAvp[] = [];
  const seen = new Set<AvpName>();
  for (let at = start; at < end;) {
    const flags = (b[at]! << 8) | b[at + 1]!;
    const length = flags & 0x03ff;
    if ((flags & H_BIT) !== 0) return undefined;
    const vendorId = (b[at + 2]! << 8) | b[at + 3]!;
    const attrType = (b[at + 4]! << 8) | b[at + 5]!;
    const mandatory = (flags & M_BIT) !== 0;
    const reserved = flags & RESERVED_BITS;
    // RFC 2661 §4.1: a reserved bit makes a v2 AVP unrecognised (skipped); RFC 3931 §5.1 ignores them.
    const row = reserved === 0 || version === 3 ? AVP_BY_KEY.get(avpKey(vendorId, attrType)) : undefined;
    const name = row?.[0];
    // Named only where the decoder used the value: its first well-formed occurrence.
    if (name !== undefined && !seen.has(name) && !(decodeValueAt(row![1].kind, b, at + AVP_HEADER, at + length) instanceof MalformedValue)) {
      seen.add(name);
      out.push({ name, mandatory });
    } else {
      const value = b.slice(at + AVP_HEADER, at + length);
      // Reserved bits set: the decoder skipped it as unrecognised (RFC 2661 §4.1); kept as it came.
      out.push({ raw: reserved === 0 ? { mandatory, hidden: false, vendorId, attrType, value } : { mandatory, hidden: false, vendorId, attrType, value, reserved } });
    }
    at += length;
  }
  return out;
}

/**
 * Encodes a message following `wire`: named entries take their value from `avps` (skipped when the
 * caller removed it), raw entries are copied; AVPs of `avps` the layout does not name follow, with
 * the table's M bit. The layout's raw entries replace the message's unknown AVP list.
 */
export function encodeWithLayout(
  messageType: number, avps: Readonly<Record<string, unknown>>, wire: readonly WireAvp[], header: ControlHeader,
): Uint8Array {
  const parts: Uint8Array[] = [];
  const named = new Set<string>();
  const push = (mandatory: boolean, vendorId: number, attrType: number, value: Uint8Array, reserved = 0) => {
    const length = AVP_HEADER + value.length;
    if (length > 0x3ff) throw new RangeError(`AVP ${vendorId}:${attrType} is ${length} bytes; the limit is 1023`);
    const p = new Uint8Array(length);
    const flags = (mandatory ? M_BIT : 0) | (reserved & RESERVED_BITS) | length;
    p[0] = flags >> 8; p[1] = flags & 0xff; p[2] = vendorId >> 8; p[3] = vendorId & 0xff; p[4] = attrType >> 8; p[5] = attrType & 0xff;
    p.set(value, AVP_HEADER);
    parts.push(p);
  };
  const encodeNamed = (name: AvpName, mandatory: boolean | undefined) => {
    const value = avps[name];
    named.add(name);
    if (value === undefined) return;
    const spec = AVP_BY_NAME.get(name)!;
    push(mandatory ?? spec.mandatory, spec.vendorId ?? 0, spec.type, encodeValue(spec.kind, value as never));
  };
  for (const w of wire) {
    if ('raw' in w) push(w.raw.mandatory, w.raw.vendorId, w.raw.attrType, w.raw.value, w.raw.reserved);
    else if (w.name === 'messageType') push(w.mandatory, 0, 0, encodeValue('u16', messageType));
    else encodeNamed(w.name, w.mandatory);
  }
  for (const name of Object.keys(avps)) if (!named.has(name) && name !== 'messageType') encodeNamed(name as AvpName, undefined);
  return joinMessage(header, parts);
}

const AVP_BY_NAME = new Map([...AVP_BY_KEY.values()].map(([name, spec]) => [name as string, spec]));
