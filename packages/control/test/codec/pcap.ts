/**
 * A minimal pcap reader for the golden-vector tests: classic libpcap files (either byte order,
 * microsecond timestamps) with link type Ethernet carrying IPv4. Returns each frame's IP payload,
 * cut at the IP total length (short frames carry Ethernet padding).
 */
import { readFileSync } from 'node:fs';

/** One IPv4 packet of a capture. */
export interface IpPacket {
  readonly index: number;
  readonly src: string;
  readonly dst: string;
  readonly protocol: number;
  /** The IP payload (for L2TPv3 over IP: Session ID word, then the L2TP header). */
  readonly payload: Uint8Array;
}

const LINKTYPE_ETHERNET = 1;

/** Reads every IPv4 packet of `path`; throws on anything else (a broken vector is a test bug). */
export function readIpv4Pcap(path: string): IpPacket[] {
  const b = new Uint8Array(readFileSync(path));
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magic = v.getUint32(0, true);
  const le = magic === 0xa1b2c3d4;
  if (!le && magic !== 0xd4c3b2a1) throw new Error(`${path}: not a classic pcap file`);
  if (v.getUint32(20, le) !== LINKTYPE_ETHERNET) throw new Error(`${path}: link type is not Ethernet`);
  const out: IpPacket[] = [];
  for (let at = 24; at < b.length;) {
    const caplen = v.getUint32(at + 8, le);
    const frame = b.subarray(at + 16, at + 16 + caplen);
    at += 16 + caplen;
    if (((frame[12]! << 8) | frame[13]!) !== 0x0800) throw new Error(`${path}: frame ${out.length} is not IPv4`);
    const ip = frame.subarray(14);
    const ihl = (ip[0]! & 0x0f) * 4;
    const total = (ip[2]! << 8) | ip[3]!;
    const addr = (o: number) => Array.from(ip.subarray(o, o + 4)).join('.');
    out.push({ index: out.length, src: addr(12), dst: addr(16), protocol: ip[9]!, payload: ip.slice(ihl, total) });
  }
  return out;
}
