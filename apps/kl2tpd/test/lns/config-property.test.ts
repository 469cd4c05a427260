// The [lns.*] checker and the runtime structures agree: for any pool, exclusion and local_ip
// lists, parsing never throws, and every config it accepts builds an AddressPool (no overlapping
// ranges, not empty) that never hands out local_ip; every config it refuses has an issue at a
// [lns.*] key.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { parseKl2tpdConfig } from '../../src/config.js';
import { formatIpv4 } from '../../src/lns/ip.js';
import { lnsPoolSpans } from '../../src/lns/config.js';
import { AddressPool } from '../../src/lns/pool.js';

const addr = fc.integer({ min: 0, max: 63 }).map((n) => formatIpv4(0x0a000000 + n));
const entry = fc.oneof(
  addr,
  fc.tuple(addr, addr).map(([a, b]) => `${a}-${b}`),
  fc.tuple(fc.integer({ min: 0, max: 7 }), fc.constantFrom(29, 30, 31, 32)).map(([k, p]) => `${formatIpv4(0x0a000000 + k * 8)}/${p}`),
);

test('accepted pools build, refused ones are reported at an [lns] key, nothing throws', () => {
  fc.assert(fc.property(fc.array(entry, { maxLength: 4 }), fc.array(entry, { maxLength: 3 }), fc.option(addr, { nil: undefined }),
    (ranges, exclude, local) => {
      const text = ['[lns.a]', `ip_range = ${JSON.stringify(ranges)}`, `ip_range_exclude = ${JSON.stringify(exclude)}`,
        ...(local ? [`local_ip = "${local}"`] : [])].join('\n');
      const r = parseKl2tpdConfig(text, undefined, { hostName: 't' });
      if (!r.ok) {
        expect(r.issues.every((i) => i.path.startsWith('lns.a.'))).toBe(true);
        return;
      }
      const { ranges: spans, exclude: holes } = lnsPoolSpans(r.config.ext.lns[0]!);
      const pool = new AddressPool(spans, holes);
      if (ranges.length > 0) expect(pool.size).toBeGreaterThan(0);
      const given = new Set<string>();
      for (let a = pool.allocate(); a !== undefined; a = pool.allocate()) given.add(a);
      expect(given.size).toBe(pool.size);
      if (local) expect(given.has(local)).toBe(false);
    }), { numRuns: 400 });
});
