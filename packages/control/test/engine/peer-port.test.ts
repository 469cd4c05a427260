/**
 * RFC 2661 §8.1: the responder may answer SCCRQ from another UDP port; the LAC must follow it, and
 * from then on the tunnel's 4-tuple is fixed — datagrams from anywhere else are dropped unread.
 */
import { expect, test } from 'vitest';
import { ControlEngine, type ControlOutput } from '../../src/engine/control-engine.js';
import { TunnelEngine } from '../../src/engine/tunnel-engine.js';
import { tunnelEngineConfig } from '../../src/engine/config.js';
import { codecWire } from '../../src/engine/codec-wire.js';
import { md5 } from '../../src/node/platform.js';
import { seededRandom } from '../../src/testing/index.js';

const at = (port: number) => ({ address: '192.0.2.1', port, family: 4 as const });
const bytesOf = (outs: readonly { kind: string; bytes?: Uint8Array }[]) => outs.flatMap((o) => (o.kind === 'transmit' && o.bytes ? [o.bytes] : []));

test('the LAC follows an SCCRP from a new port, then ignores other sources', () => {
  const lac = new ControlEngine({}, { random: seededRandom(1), md5 }, codecWire);
  const lns = new TunnelEngine(tunnelEngineConfig({ role: 'lns', tunnelId: 500 }), { random: seededRandom(2), md5 }, codecWire);
  const id = lac.addTunnel({ role: 'lac' }, at(1701));
  const [sccrq] = bytesOf(lac.handle({ kind: 'command', nowMs: 0, tunnelId: id, command: { type: 'open' } }));
  const [sccrp] = bytesOf(lns.handle({ kind: 'datagram', nowMs: 1, bytes: sccrq! }));
  const out = lac.handle({ kind: 'datagram', nowMs: 2, bytes: sccrp!, from: at(40000) });
  const transmits = out.filter((o): o is Extract<ControlOutput, { kind: 'transmit' }> => o.kind === 'transmit');
  expect(transmits.map((t) => t.to.port)).toEqual([40000]);
  expect(lac.peerOf(id)).toEqual(at(40000));
  expect(lac.tunnel(id)!.state).toBe('established');
  // What status reports: the port in use, not the one dialled.
  expect(lac.tunnel(id)!.peer).toEqual(at(40000));
  // A copy of the SCCRP from yet another port is not even acknowledged.
  expect(lac.handle({ kind: 'datagram', nowMs: 3, bytes: sccrp!, from: at(40001) })).toEqual([]);
});
