/**
 * The LNS peer ACL (`allow`): CIDR blocks of both families; a peer is accepted when its address
 * falls in any of them. IPv4 peers seen through a dual-stack `[::]` socket arrive as IPv4-mapped
 * IPv6 (`::ffff:192.0.2.1`) and match IPv4 blocks; `::ffff:a.b.c.d/n` entries are IPv4 blocks.
 * No list (the key left out) accepts everyone; the config checker refuses an empty list.
 */
import { type Cidr, formatCidr, parseAddress, parseCidr } from './ip.js';

/** A peer ACL built from `allow` entries; matching is linear in the entries (lists are short). */
export class PeerAcl {
  readonly #v4: { readonly network: number; readonly mask: number }[] = [];
  readonly #v6: { readonly network: bigint; readonly mask: bigint }[] = [];
  /** The entries as canonical CIDR text, in the order given (for logs and status). */
  readonly entries: readonly string[];

  /** Builds the ACL; throws `RangeError` naming the entry when one is not a CIDR block (the config checker reports those first). */
  constructor(allow: readonly string[]) {
    const cidrs: Cidr[] = allow.map((text) => {
      const r = parseCidr(text);
      if (!r.ok) throw new RangeError(`allow entry ${JSON.stringify(text)}: ${r.reason}`);
      return r.cidr;
    });
    for (const c of cidrs) {
      if (c.family === 4) this.#v4.push({ network: c.network, mask: c.prefix === 0 ? 0 : (0xffff_ffff << (32 - c.prefix)) >>> 0 });
      else this.#v6.push({ network: c.network, mask: c.prefix === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - c.prefix)) - 1n) });
    }
    this.entries = cidrs.map(formatCidr);
  }

  /** True when `address` (IPv4, IPv6 or IPv4-mapped IPv6 text) falls in an entry; false for text that is no address. */
  allows(address: string): boolean {
    const a = parseAddress(address);
    if (a === undefined) return false;
    if (a.family === 4) return this.#v4.some((e) => ((a.value & e.mask) >>> 0) === e.network);
    return this.#v6.some((e) => (a.value & e.mask) === e.network);
  }
}
