/**
 * Netlink and generic-netlink framing in TypeScript: the bytes of requests are built here and the
 * kernel's replies (read with `recv()` into a Buffer) are parsed here, so nothing about message layout
 * crosses the FFI. Layouts: include/uapi/linux/netlink.h and genetlink.h; integers are host order
 * (little-endian on every Linux target this project runs on), attributes are 4-byte aligned.
 */

/** Netlink message types and flags used here (include/uapi/linux/netlink.h). */
export const Nlmsg = {
  NOOP: 1, ERROR: 2, DONE: 3, OVERRUN: 4,
  F_REQUEST: 0x1, F_MULTI: 0x2, F_ACK: 0x4,
  F_ROOT: 0x100, F_MATCH: 0x200, F_DUMP: 0x300,
  /** On an NLMSG_ERROR: the echoed request is only its header (NETLINK_CAP_ACK). */
  F_CAPPED: 0x100,
  /** On an NLMSG_ERROR: extended-ack TLVs follow. */
  F_ACK_TLVS: 0x200,
  HDRLEN: 16,
} as const;

/** Extended-ack TLV types carried after an NLMSG_ERROR (`enum nlmsgerr_attrs`). */
export const NlmsgerrAttr = { MSG: 1, OFFS: 2, COOKIE: 3, POLICY: 4, MISS_TYPE: 5, MISS_NEST: 6 } as const;

/** Generic netlink controller (`nlctrl`): family id, commands and attributes (genetlink.h). */
export const GenlCtrl = {
  FAMILY_ID: 0x10,
  CMD_GETFAMILY: 3,
  ATTR_FAMILY_ID: 1, ATTR_FAMILY_NAME: 2, ATTR_VERSION: 3, ATTR_MCAST_GROUPS: 7,
  ATTR_MCAST_GRP_NAME: 1, ATTR_MCAST_GRP_ID: 2,
  HDRLEN: 4,
} as const;

/** Attribute header flags; the type is the low 14 bits. */
const NLA_F_NESTED = 0x8000;
const NLA_TYPE_MASK = 0x3fff;
const align4 = (n: number): number => (n + 3) & ~3;

/** One attribute as bytes ready to frame: its type and payload (`nested` sets NLA_F_NESTED). */
export interface RawAttr {
  readonly type: number;
  readonly payload: Uint8Array;
  readonly nested?: boolean;
}

/** The header fields and attributes of one generic-netlink request. */
export interface GenlFrame {
  readonly familyId: number;
  readonly command: number;
  readonly version: number;
  readonly flags: number;
  readonly seq: number;
  readonly portId: number;
  readonly attrs: readonly RawAttr[];
}

/** Frames attributes back to back, each padded to 4 bytes (also used for nested payloads). */
export function encodeAttrs(attrs: readonly RawAttr[]): Buffer {
  let size = 0;
  for (const a of attrs) size += align4(4 + a.payload.length);
  const out = Buffer.alloc(size);
  let off = 0;
  for (const a of attrs) {
    const len = 4 + a.payload.length;
    if (len > 0xffff) throw new RangeError(`netlink attribute ${a.type} is too long (${len} bytes)`);
    out.writeUInt16LE(len, off);
    out.writeUInt16LE(a.type | (a.nested === true ? NLA_F_NESTED : 0), off + 2);
    out.set(a.payload, off + 4);
    off += align4(len);
  }
  return out;
}

/** Builds a netlink message: nlmsghdr, then `body` (a family header and attributes). */
export function encodeNetlink(type: number, flags: number, seq: number, portId: number, body: Uint8Array): Buffer {
  const out = Buffer.alloc(Nlmsg.HDRLEN + body.length);
  out.writeUInt32LE(out.length, 0);
  out.writeUInt16LE(type, 4);
  out.writeUInt16LE(flags, 6);
  out.writeUInt32LE(seq >>> 0, 8);
  out.writeUInt32LE(portId >>> 0, 12);
  out.set(body, Nlmsg.HDRLEN);
  return out;
}

/** Builds a complete generic-netlink message: nlmsghdr + genlmsghdr + attributes. */
export function encodeGenl(frame: GenlFrame): Buffer {
  const genlHdr = Buffer.from([frame.command, frame.version, 0, 0]);
  return encodeNetlink(frame.familyId, frame.flags, frame.seq, frame.portId, Buffer.concat([genlHdr, encodeAttrs(frame.attrs)]));
}

/** One netlink message cut out of a receive buffer; `payload` is a copy that outlives the buffer. */
export interface NetlinkMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly portId: number;
  readonly payload: Buffer;
}

/** Splits `len` received bytes into messages. Truncated trailing bytes are an error, not ignored. */
export function parseMessages(buf: Buffer, len: number): NetlinkMessage[] {
  const out: NetlinkMessage[] = [];
  let off = 0;
  while (off + Nlmsg.HDRLEN <= len) {
    const msgLen = buf.readUInt32LE(off);
    if (msgLen < Nlmsg.HDRLEN || off + msgLen > len) throw new RangeError(`truncated netlink message at offset ${off} (length ${msgLen}, have ${len - off})`);
    out.push({
      type: buf.readUInt16LE(off + 4), flags: buf.readUInt16LE(off + 6),
      seq: buf.readUInt32LE(off + 8), portId: buf.readUInt32LE(off + 12),
      payload: Buffer.from(buf.subarray(off + Nlmsg.HDRLEN, off + msgLen)),
    });
    off += align4(msgLen);
  }
  if (off < len) throw new RangeError(`truncated netlink message at offset ${off} (${len - off} bytes left)`);
  return out;
}

/**
 * Attributes of one level, by type. A type that repeats keeps every occurrence in `all` (the
 * kernel never repeats L2TP attributes; nlctrl's multicast-group list is an indexed nest).
 * Unknown types are kept, not rejected, so newer kernels still parse.
 */
export class AttrMap {
  readonly #byType = new Map<number, Buffer[]>();

  /** Parses the attributes in `buf` (a whole nest or message body). */
  constructor(buf: Uint8Array) {
    const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    let off = 0;
    while (off + 4 <= b.length) {
      const len = b.readUInt16LE(off);
      if (len < 4 || off + len > b.length) throw new RangeError(`truncated netlink attribute at offset ${off} (length ${len})`);
      const type = b.readUInt16LE(off + 2) & NLA_TYPE_MASK;
      const list = this.#byType.get(type);
      const payload = b.subarray(off + 4, off + len);
      if (list === undefined) this.#byType.set(type, [payload]);
      else list.push(payload);
      off += align4(len);
    }
  }

  /** Attribute types present, in first-seen order. */
  types(): number[] { return [...this.#byType.keys()]; }
  /** Whether the attribute is present (for flags). */
  has(type: number): boolean { return this.#byType.has(type); }
  /** Payload of the last occurrence (the kernel's `nla_parse` semantics). */
  bytes(type: number): Buffer | undefined { return this.#byType.get(type)?.at(-1); }
  /** Payloads of every occurrence. */
  all(type: number): Buffer[] { return this.#byType.get(type) ?? []; }
  /** Unsigned integer of 1, 2, 4 bytes (number) when present. */
  uint(type: number): number | undefined {
    const b = this.bytes(type);
    if (b === undefined) return undefined;
    switch (b.length) {
      case 1: return b.readUInt8(0);
      case 2: return b.readUInt16LE(0);
      case 4: return b.readUInt32LE(0);
      default: throw new RangeError(`netlink attribute ${type}: ${b.length} bytes is not an integer of 1, 2 or 4 bytes`);
    }
  }
  /** Unsigned 64-bit integer when present. */
  u64(type: number): bigint | undefined {
    const b = this.bytes(type);
    if (b === undefined) return undefined;
    if (b.length !== 8) throw new RangeError(`netlink attribute ${type}: ${b.length} bytes is not a u64`);
    return b.readBigUInt64LE(0);
  }
  /** NUL-terminated string when present. */
  string(type: number): string | undefined {
    const b = this.bytes(type);
    if (b === undefined) return undefined;
    const nul = b.indexOf(0);
    return b.toString('utf8', 0, nul < 0 ? b.length : nul);
  }
  /** Nested attributes when present. */
  nested(type: number): AttrMap | undefined {
    const b = this.bytes(type);
    return b === undefined ? undefined : new AttrMap(b);
  }
}

/** A parsed generic-netlink message: its command, version and attributes. */
export interface GenlMessage {
  readonly command: number;
  readonly version: number;
  readonly attrs: AttrMap;
}

/** Parses the payload of a generic-netlink message (after nlmsghdr). */
export function parseGenl(payload: Buffer): GenlMessage {
  if (payload.length < GenlCtrl.HDRLEN) throw new RangeError(`generic netlink payload too short (${payload.length} bytes)`);
  return { command: payload.readUInt8(0), version: payload.readUInt8(1), attrs: new AttrMap(payload.subarray(GenlCtrl.HDRLEN)) };
}

/** What an NLMSG_ERROR says: 0 is an ACK; otherwise a positive errno and the extended ack, if any. */
export interface NetlinkAck {
  readonly errno: number;
  /** NLMSGERR_ATTR_MSG: the kernel's reason in words. */
  readonly extAck?: string;
  /** NLMSGERR_ATTR_OFFS: byte offset of the offending attribute in the request. */
  readonly extAckOffset?: number;
}

/** Parses the payload of an NLMSG_ERROR (`struct nlmsgerr` + optional TLVs). */
export function parseAck(msg: NetlinkMessage): NetlinkAck {
  const p = msg.payload;
  if (p.length < 4) throw new RangeError('NLMSG_ERROR payload too short');
  const raw = p.readInt32LE(0);
  const errno = raw === 0 ? 0 : -raw;
  if ((msg.flags & Nlmsg.F_ACK_TLVS) === 0 || p.length < 4 + Nlmsg.HDRLEN) return { errno };
  // The echoed request is its header alone when capped, else the whole request.
  const echoed = (msg.flags & Nlmsg.F_CAPPED) !== 0 ? Nlmsg.HDRLEN : p.readUInt32LE(4);
  const tlvs = new AttrMap(p.subarray(Math.min(p.length, 4 + align4(echoed))));
  const extAck = tlvs.string(NlmsgerrAttr.MSG);
  const extAckOffset = tlvs.uint(NlmsgerrAttr.OFFS);
  return { errno, ...(extAck !== undefined ? { extAck } : {}), ...(extAckOffset !== undefined ? { extAckOffset } : {}) };
}
