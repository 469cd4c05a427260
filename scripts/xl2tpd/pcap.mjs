/**
 * Minimal pcap reader for the xl2tpd captures: classic pcap files (micro- or nanosecond, either byte
 * order), link types Ethernet (1), BSD loopback/null (0), raw IPv4 (101, 228), Linux cooked SLL (113)
 * and SLL2 (276); IPv4 and IPv6 with UDP. Plus a light L2TP summary (message type of the first AVP, or
 * ZLB) used to annotate vectors. Not a general decoder: unsupported frames are reported, not guessed.
 */

/** RFC 2661 §3.2 / RFC 3931 §3.1 message type names by Message Type AVP value. */
export const MESSAGE_TYPES = {
  1: 'SCCRQ', 2: 'SCCRP', 3: 'SCCCN', 4: 'StopCCN', 6: 'HELLO', 7: 'OCRQ', 8: 'OCRP', 9: 'OCCN',
  10: 'ICRQ', 11: 'ICRP', 12: 'ICCN', 14: 'CDN', 15: 'WEN', 16: 'SLI', 20: 'ACK',
};

/**
 * Parses a pcap file into UDP datagrams: { ts (seconds, float), src, dst, srcPort, dstPort, payload,
 * udpOffset (of the UDP header in `buf`) }.
 */
export function readPcapUdp(buf) {
  const magic = buf.readUInt32LE(0);
  let le;
  let nano;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) { le = true; nano = magic === 0xa1b23c4d; }
  else if (buf.readUInt32BE(0) === 0xa1b2c3d4 || buf.readUInt32BE(0) === 0xa1b23c4d) { le = false; nano = buf.readUInt32BE(0) === 0xa1b23c4d; }
  else throw new Error(`not a classic pcap file (magic 0x${magic.toString(16)}; pcapng is not supported)`);
  const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linktype = u32(20) & 0x0fffffff;
  const out = [];
  for (let off = 24; off + 16 <= buf.length;) {
    const ts = u32(off) + u32(off + 4) / (nano ? 1e9 : 1e6);
    const incl = u32(off + 8);
    const orig = u32(off + 12);
    const frame = buf.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    if (incl !== orig) throw new Error(`truncated packet in capture (${incl} of ${orig} bytes): capture with -s 0`);
    const ip = networkLayer(frame, linktype);
    if (!ip) continue;
    const udp = udpOf(ip.proto, ip.payload);
    if (udp) out.push({ ts, src: ip.src, dst: ip.dst, ...udp, udpOffset: ip.payload.byteOffset - buf.byteOffset });
  }
  return out;
}

function networkLayer(f, linktype) {
  let etype;
  let p;
  switch (linktype) {
    case 1: { // Ethernet, with any 802.1Q tags
      p = 14; etype = f.readUInt16BE(12);
      while (etype === 0x8100 || etype === 0x88a8) { etype = f.readUInt16BE(p + 2); p += 4; }
      break;
    }
    case 0: { // BSD loopback: host-order AF_ value
      const af = f.readUInt32LE(0) > 0xffff ? f.readUInt32BE(0) : f.readUInt32LE(0);
      p = 4; etype = af === 2 ? 0x0800 : 0x86dd;
      break;
    }
    case 101: case 228: case 12: p = 0; etype = (f[0] >> 4) === 6 ? 0x86dd : 0x0800; break;
    case 113: p = 16; etype = f.readUInt16BE(14); break;
    case 276: p = 20; etype = f.readUInt16BE(0); break;
    default: throw new Error(`unsupported pcap link type ${linktype}`);
  }
  if (etype === 0x0800) {
    const ihl = (f[p] & 0x0f) * 4;
    const total = f.readUInt16BE(p + 2);
    if ((f.readUInt16BE(p + 6) & 0x3fff) !== 0) throw new Error('IPv4 fragment in capture: not supported');
    return { proto: f[p + 9], src: [...f.subarray(p + 12, p + 16)].join('.'), dst: [...f.subarray(p + 16, p + 20)].join('.'), payload: f.subarray(p + ihl, p + total) };
  }
  if (etype === 0x86dd) {
    const hex = (o) => [...Array(8)].map((_, i) => f.readUInt16BE(o + 2 * i).toString(16)).join(':');
    return { proto: f[p + 6], src: hex(p + 8), dst: hex(p + 24), payload: f.subarray(p + 40, p + 40 + f.readUInt16BE(p + 4)) };
  }
  return null;
}

function udpOf(proto, seg) {
  if (proto !== 17) return null;
  const len = seg.readUInt16BE(4);
  return { srcPort: seg.readUInt16BE(0), dstPort: seg.readUInt16BE(2), payload: Buffer.from(seg.subarray(8, len)) };
}

/**
 * Copy of a pcap with UDP ports renamed by `map` (e.g. {17101: 1701}) and UDP checksums zeroed, so that
 * tcpdump, which decodes L2TP on port 1701 only, can decode a capture taken on other ports.
 */
export function renamePorts(buf, map) {
  const copy = Buffer.from(buf);
  for (const d of readPcapUdp(copy)) {
    for (const o of [0, 2]) {
      const to = map[copy.readUInt16BE(d.udpOffset + o)];
      if (to !== undefined) copy.writeUInt16BE(to, d.udpOffset + o);
    }
    copy.writeUInt16BE(0, d.udpOffset + 6);
  }
  return copy;
}

/** One-word summary of an L2TPv2-over-UDP datagram: message name, "ZLB", "data", or "malformed: ...". */
export function l2tpSummary(p) {
  if (p.length < 6) return 'malformed: short';
  const flags = p.readUInt16BE(0);
  const ver = flags & 0x0f;
  if (ver === 3) return 'L2TPv3';
  if (ver !== 2) return `malformed: version ${ver}`;
  if (!(flags & 0x8000)) return 'data';
  let off = 2;
  let length = p.length;
  if (flags & 0x4000) { length = p.readUInt16BE(off); off += 2; }
  off += 4; // Tunnel ID, Session ID
  if (flags & 0x0800) off += 4; // Ns, Nr
  if (flags & 0x0200) off += 2 + p.readUInt16BE(off);
  if (off === length) return 'ZLB';
  if (off + 8 > length) return 'malformed: truncated AVP';
  const avpFlags = p.readUInt16BE(off);
  const vendor = p.readUInt16BE(off + 2);
  const type = p.readUInt16BE(off + 4);
  if (vendor !== 0 || type !== 0) return 'malformed: first AVP is not Message Type';
  if (avpFlags & 0x4000) return 'malformed: hidden Message Type';
  const mt = p.readUInt16BE(off + 6);
  return MESSAGE_TYPES[mt] ?? `message type ${mt}`;
}

/** The AVPs of a control message, after the Message Type: { vendor, type, hidden, value } (value raw). */
export function l2tpAvps(p) {
  const flags = p.readUInt16BE(0);
  let off = 2 + (flags & 0x4000 ? 2 : 0) + 4 + (flags & 0x0800 ? 4 : 0);
  if (flags & 0x0200) off += 2 + p.readUInt16BE(off);
  const avps = [];
  while (off + 6 <= p.length) {
    const w = p.readUInt16BE(off);
    const len = w & 0x03ff;
    if (len < 6 || off + len > p.length) break;
    avps.push({ vendor: p.readUInt16BE(off + 2), type: p.readUInt16BE(off + 4), hidden: (w & 0x4000) !== 0, value: p.subarray(off + 6, off + len) });
    off += len;
  }
  return avps.slice(1);
}

/** The AVPs after the Message Type as "type", "vendor:type", with "(H)" when the hidden bit is set. */
export function l2tpAvpTypes(p) {
  if (l2tpSummary(p) === 'ZLB' || !(p.readUInt16BE(0) & 0x8000)) return [];
  return l2tpAvps(p).map((a) => `${a.vendor ? `${a.vendor}:` : ''}${a.type}${a.hidden ? '(H)' : ''}`);
}
