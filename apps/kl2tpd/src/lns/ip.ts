/**
 * Address arithmetic for the LNS: IPv4 addresses as unsigned 32-bit numbers, IPv6 as bigints,
 * CIDR blocks of both families (an IPv4-mapped IPv6 block `::ffff:a.b.c.d/n` is the IPv4 block it
 * maps), and the IPv4 ranges an address pool is written in (`a.b.c.d`, `a.b.c.d-e.f.g.h`,
 * `a.b.c.d/n`). Pure functions; parsers return undefined or a reason instead of throwing.
 */
import { isIPv4, isIPv6 } from '@l2tp/config';

/** An inclusive span of IPv4 addresses as unsigned 32-bit numbers (`first <= last`). */
export interface Ipv4Span {
  readonly first: number;
  readonly last: number;
}

/** A CIDR block: family, network address (host bits zero) and prefix length. */
export type Cidr =
  | { readonly family: 4; readonly network: number; readonly prefix: number }
  | { readonly family: 6; readonly network: bigint; readonly prefix: number };

/** `a.b.c.d` → unsigned 32-bit number; undefined unless four decimal octets without leading zeros. */
export function parseIpv4(text: string): number | undefined {
  // inet_aton reads 010 as octal 8: refuse leading zeros rather than guess which was meant.
  if (!isIPv4(text) || /(^|\.)0\d/.test(text)) return undefined;
  return text.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

/** Unsigned 32-bit number → `a.b.c.d`. */
export function formatIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** An IPv6 literal (no brackets, no zone) → 128-bit bigint; undefined when not one. */
export function parseIpv6(text: string): bigint | undefined {
  if (!isIPv6(text) || text.includes('%')) return undefined;
  let t = text;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (v4) {
    const n = parseIpv4(v4[1]!);
    if (n === undefined) return undefined;
    t = `${t.slice(0, -v4[1]!.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = t.includes('::') ? t.split('::') as [string, string] : [t, undefined];
  const h = head === '' ? [] : head.split(':');
  const tl = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - tl.length).fill('0'), ...tl];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

const V4_MAPPED = 0xffffn << 32n;
const V4_MAPPED_MASK = ~0xffff_ffffn & ((1n << 128n) - 1n);

/**
 * A peer's address as the ACL and the rate limiter key it: IPv4 (a number) for IPv4 and for
 * IPv4-mapped IPv6 (`::ffff:192.0.2.1`, how a dual-stack `[::]` socket reports IPv4 peers), IPv6
 * (a bigint) otherwise; undefined for text that is no address.
 */
export function parseAddress(text: string): { readonly family: 4; readonly value: number } | { readonly family: 6; readonly value: bigint } | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIpv6(text);
  if (v6 === undefined) return undefined;
  if ((v6 & V4_MAPPED_MASK) === V4_MAPPED) return { family: 4, value: Number(v6 & 0xffff_ffffn) };
  return { family: 6, value: v6 };
}

/** The canonical text of a peer address (IPv4-mapped IPv6 as plain IPv4); the input when it is none. */
export function canonicalAddress(text: string): string {
  if (!text.includes(':')) return text;
  const a = parseAddress(text);
  if (a === undefined) return text;
  return a.family === 4 ? formatIpv4(a.value) : text.toLowerCase();
}

/** Why a CIDR or range text was refused. */
export type AddressTextError = { readonly ok: false; readonly reason: string };

/**
 * Parses `a.b.c.d/n`, `v6/n`, or a single address (a /32 or /128). IPv4-mapped IPv6 blocks
 * (prefix ≥ 96) become IPv4 blocks. Host bits must be zero: `192.0.2.1/24` is refused with the
 * network it probably meant.
 */
export function parseCidr(text: string): { readonly ok: true; readonly cidr: Cidr } | AddressTextError {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const lenText = slash < 0 ? undefined : text.slice(slash + 1);
  const a = parseAddress(addr);
  if (a === undefined) return { ok: false, reason: 'not an IPv4 or IPv6 address or CIDR block' };
  const mapped = a.family === 4 && parseIpv4(addr) === undefined;
  const max = a.family === 6 || mapped ? 128 : 32;
  if (lenText !== undefined && !/^\d{1,3}$/.test(lenText)) return { ok: false, reason: 'bad prefix length' };
  let prefix = lenText === undefined ? max : Number(lenText);
  if (prefix > max) return { ok: false, reason: `prefix length ${prefix} is longer than ${max}` };
  if (mapped) {
    if (prefix < 96) return { ok: false, reason: 'an IPv4-mapped block needs a prefix of at least 96' };
    prefix -= 96;
  }
  if (a.family === 4) {
    const network = prefix === 0 ? 0 : (a.value & (0xffff_ffff << (32 - prefix))) >>> 0;
    if (network !== a.value) return { ok: false, reason: `host bits are set (the block is ${formatIpv4(network)}/${prefix})` };
    return { ok: true, cidr: { family: 4, network, prefix } };
  }
  const mask = prefix === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - prefix)) - 1n);
  if ((a.value & mask) !== a.value) return { ok: false, reason: 'host bits are set' };
  return { ok: true, cidr: { family: 6, network: a.value, prefix } };
}

/** The CIDR block as text (`192.0.2.0/24`, `2001:db8::/32` in compressed form). */
export function formatCidr(c: Cidr): string {
  return c.family === 4 ? `${formatIpv4(c.network)}/${c.prefix}` : `${formatIpv6(c.network)}/${c.prefix}`;
}

/** A 128-bit value → compressed IPv6 text (the longest run of zero groups as `::`). */
export function formatIpv6(v: bigint): string {
  const g = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = -1;
  let len = 0;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > len && j - i > 1) { best = i; len = j - i; }
    if (j > i) i = j - 1;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + len).join(':')}`;
}

/** The IPv4 addresses a CIDR block covers. */
export function cidrSpan(c: Cidr & { family: 4 }): Ipv4Span {
  return { first: c.network, last: c.network + 2 ** (32 - c.prefix) - 1 };
}

/**
 * Parses one entry of `ip_range` / `ip_range_exclude`: `a.b.c.d`, `a.b.c.d-e.f.g.h` or
 * `a.b.c.d/n`. For a pool (`hostsOnly`), a CIDR block gives its host addresses: the network and
 * broadcast addresses are left out for prefixes up to /30 (a /31 and a /32 have none).
 */
export function parseIpv4Span(text: string, hostsOnly: boolean): { readonly ok: true; readonly span: Ipv4Span } | AddressTextError {
  const dash = text.indexOf('-');
  if (dash >= 0) {
    const first = parseIpv4(text.slice(0, dash));
    const last = parseIpv4(text.slice(dash + 1));
    if (first === undefined || last === undefined) return { ok: false, reason: 'not "a.b.c.d-e.f.g.h"' };
    if (first > last) return { ok: false, reason: 'the range starts after it ends' };
    return { ok: true, span: { first, last } };
  }
  if (text.includes('/')) {
    const r = parseCidr(text);
    if (!r.ok) return r;
    if (r.cidr.family !== 4 || !/^[\d.]+\/\d+$/.test(text)) return { ok: false, reason: 'pools are IPv4 (PPP IPCP assigns IPv4 addresses)' };
    const s = cidrSpan(r.cidr);
    return { ok: true, span: hostsOnly && r.cidr.prefix <= 30 ? { first: s.first + 1, last: s.last - 1 } : s };
  }
  const one = parseIpv4(text);
  if (one === undefined) {
    return { ok: false, reason: parseIpv6(text) !== undefined ? 'pools are IPv4 (PPP IPCP assigns IPv4 addresses)' : 'not an IPv4 address' };
  }
  return { ok: true, span: { first: one, last: one } };
}

/** Text of a span: `a.b.c.d` for one address, `a.b.c.d-e.f.g.h` otherwise. */
export function formatIpv4Span(s: Ipv4Span): string {
  return s.first === s.last ? formatIpv4(s.first) : `${formatIpv4(s.first)}-${formatIpv4(s.last)}`;
}

/** True when the two spans share an address. */
export function spansOverlap(a: Ipv4Span, b: Ipv4Span): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** `a` minus `b`: zero, one or two spans, in address order. */
export function subtractSpan(a: Ipv4Span, b: Ipv4Span): Ipv4Span[] {
  if (!spansOverlap(a, b)) return [a];
  const out: Ipv4Span[] = [];
  if (b.first > a.first) out.push({ first: a.first, last: b.first - 1 });
  if (b.last < a.last) out.push({ first: b.last + 1, last: a.last });
  return out;
}

/** The smallest list of CIDR blocks covering exactly `span`, in address order. */
export function spanToCidrs(span: Ipv4Span): (Cidr & { family: 4 })[] {
  const out: (Cidr & { family: 4 })[] = [];
  let at = span.first;
  while (at <= span.last) {
    let size = at === 0 ? 2 ** 32 : 2 ** Math.min(32, countTrailingZeros(at));
    while (at + size - 1 > span.last) size /= 2;
    out.push({ family: 4, network: at, prefix: 32 - Math.log2(size) });
    at += size;
  }
  return out;
}

function countTrailingZeros(n: number): number {
  let z = 0;
  while (z < 32 && n % 2 ** (z + 1) === 0) z++;
  return z;
}
