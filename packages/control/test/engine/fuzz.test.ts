/**
 * The engine on the real codec never throws on hostile bytes (h11's AFL invariant): every datagram
 * captured from xl2tpd 1.3.18, mutated (bit flips, truncation, splices) and fed to a LAC waiting for
 * SCCRP, an idle LNS and an established tunnel, produces outputs or nothing — never an exception.
 */
import { expect, test } from 'vitest';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TunnelEngine } from '../../src/engine/tunnel-engine.js';
import { tunnelEngineConfig } from '../../src/engine/config.js';
import { codecWire } from '../../src/engine/codec-wire.js';
import { md5 } from '../../src/node/platform.js';
import { seededRandom } from '../../src/testing/index.js';

const dir = join(import.meta.dirname, '..', 'vectors', 'xl2tpd');
const captured: Uint8Array[] = readdirSync(dir).filter((f) => f.endsWith('.json')).flatMap((f) =>
  (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { datagrams: { hex: string }[] }).datagrams.map((d) => Uint8Array.from(Buffer.from(d.hex, 'hex'))));

function engines() {
  const ports = () => ({ random: seededRandom(5), md5 });
  const lac = new TunnelEngine(tunnelEngineConfig({ role: 'lac', tunnelId: 0xa6ad, secret: 'x' }), ports(), codecWire);
  lac.handle({ kind: 'command', nowMs: 0, command: { type: 'open' } });
  const lns = new TunnelEngine(tunnelEngineConfig({ role: 'lns', tunnelId: 0x42a2 }), ports(), codecWire);
  return [lac, lns];
}

const mutated = fc.tuple(fc.constantFrom(...captured), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.option(fc.nat()))
  .map(([base, flips, cut]) => {
    const b = base.slice();
    for (const [at, v] of flips) if (b.length > 0) b[at % b.length] = v;
    return cut === null ? b : b.subarray(0, cut % (b.length + 1));
  });

test(`${captured.length} captured xl2tpd datagrams, mutated, never make the engine throw`, () => {
  expect(captured.length).toBeGreaterThan(20);
  fc.assert(fc.property(fc.array(mutated, { minLength: 1, maxLength: 8 }), (datagrams) => {
    let nowMs = 0;
    for (const e of engines()) {
      for (const bytes of datagrams) {
        e.handle({ kind: 'datagram', nowMs: ++nowMs, bytes });
        e.handle({ kind: 'timeout', nowMs: (nowMs += 5000) });
      }
    }
  }), { numRuns: 800 });
});
