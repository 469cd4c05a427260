/**
 * IP address literals ↔ network-order bytes, for the address attributes and sockaddr structs.
 * node:net validates literals but has no public conversion to bytes.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Four network-order bytes of an IPv4 literal. */
export function ipv4Bytes(address: string): Buffer {
  if (!isIPv4(address)) throw new RangeError(`not an IPv4 address: ${address}`);
  return Buffer.from(address.split('.').map(Number));
}

/** Sixteen network-order bytes of an IPv6 literal (with `::` and a dotted IPv4 tail). */
export function ipv6Bytes(address: string): Buffer {
  const bare = address.replace(/%.*$/, '');
  if (!isIPv6(bare)) throw new RangeError(`not an IPv6 address: ${address}`);
  let text = bare;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1] !== undefined) {
    const b = ipv4Bytes(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${b.readUInt16BE(0).toString(16)}:${b.readUInt16BE(2).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** Bytes of an address literal of either family. */
export function ipBytes(address: string, family: 4 | 6): Buffer {
  return family === 4 ? ipv4Bytes(address) : ipv6Bytes(address);
}

/** Literal of four or sixteen network-order bytes (IPv6 in RFC 5952 form, longest zero run as `::`). */
export function ipString(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16) throw new RangeError(`an IP address has 4 or 16 bytes, not ${bytes.length}`);
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
