/**
 * h11's invariant for the whole engine: whatever a peer sends, in any order and with any header
 * fields, `handle` returns outputs and never throws; time only moves forward; deadlines are never in
 * the past after a timeout input. Messages are well-formed (JSON wire) but arbitrary in type and content.
 */
import { expect, test } from 'vitest';
import fc from 'fast-check';
import { TunnelEngine } from '../../src/engine/tunnel-engine.js';
import { tunnelEngineConfig } from '../../src/engine/config.js';
import { seededRandom } from '../../src/testing/index.js';
import { fakeMd5 } from './pair.js';
import { jsonWire } from './json-wire.js';

const TYPES = ['SCCRQ', 'SCCRP', 'SCCCN', 'StopCCN', 'HELLO', 'OCRQ', 'OCRP', 'OCCN', 'ICRQ', 'ICRP', 'ICCN', 'CDN', 'WEN', 'SLI'];
const u16 = fc.integer({ min: 0, max: 65535 });
const small = fc.integer({ min: 0, max: 6 });
const frame = fc.record({
  h: fc.record({ t: fc.oneof(fc.constant(0), fc.constant(7), u16), s: fc.oneof(fc.constant(0), u16), ns: small, nr: small }),
  m: fc.option(fc.record({
    type: fc.constantFrom(...TYPES), assignedTunnelId: u16, assignedSessionId: u16, callSerialNumber: u16,
    result: fc.record({ result: small }), protocolVersion: fc.constantFrom(0x100, 0x300), mbit: fc.boolean(),
    challenge: fc.option(fc.constant({ $b: [1, 2, 3] }), { nil: undefined }),
  }), { nil: undefined }),
});
const step = fc.oneof(
  frame.map((f) => ({ kind: 'datagram' as const, bytes: new TextEncoder().encode(JSON.stringify(f)) })),
  fc.integer({ min: 0, max: 40_000 }).map((advanceMs) => ({ kind: 'timeout' as const, advanceMs })),
  fc.constantFrom({ kind: 'command' as const, command: { type: 'open' as const } }, { kind: 'command' as const, command: { type: 'close' as const } }),
);

test('no sequence of peer messages, timeouts and open/close makes the engine throw', () => {
  fc.assert(fc.property(fc.constantFrom('lac', 'lns'), fc.boolean(), fc.array(step, { maxLength: 40 }), (role, secret, steps) => {
    const e = new TunnelEngine(tunnelEngineConfig({ role: role as 'lac' | 'lns', tunnelId: 7, ...(secret && { secret: 'x' }) }), { random: seededRandom(1), md5: fakeMd5 }, jsonWire);
    let nowMs = 0;
    for (const s of steps) {
      if (s.kind === 'timeout') {
        nowMs += s.advanceMs;
        e.handle({ kind: 'timeout', nowMs });
        const d = e.nextDeadlineMs();
        if (d !== undefined) expect(d).toBeGreaterThan(nowMs);
      } else if (s.kind === 'datagram') e.handle({ kind: 'datagram', nowMs, bytes: s.bytes });
      else e.handle({ kind: 'command', nowMs, command: s.command });
    }
  }), { numRuns: 1500 });
});
