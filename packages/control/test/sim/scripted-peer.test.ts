/**
 * The engine against scripted peers (no second engine): a silent peer exhausts `max_retries`, and a
 * peer that answers every datagram with garbage never makes the engine throw or acknowledge it.
 */
import { expect, test } from 'vitest';
import { TunnelEngine } from '../../src/engine/tunnel-engine.js';
import { tunnelEngineConfig } from '../../src/engine/config.js';
import { ScriptedPeer, SimNet, silentPeer } from '../../src/testing/index.js';
import type { TunnelEvent } from '../../src/fsm/types.js';
import { jsonWire } from '../engine/json-wire.js';
import { fakeMd5 } from '../engine/pair.js';

function lacAgainst(peer: ScriptedPeer, maxRetries: number) {
  const net = new SimNet({ seed: 3, latencyMs: 5 });
  const lac = new TunnelEngine(tunnelEngineConfig({ role: 'lac', tunnelId: 1, transport: { maxRetries } }), { random: net.rng.fork(), md5: fakeMd5 }, jsonWire);
  net.add('lac', lac);
  net.add('peer', peer);
  net.link('lac', 'peer');
  net.call('lac', (nowMs) => lac.handle({ kind: 'command', nowMs, command: { type: 'open' } }));
  net.runUntilIdle({ limitMs: 600_000 });
  return { net, lac, events: net.events('lac').map((e) => (e.output as unknown as { event: TunnelEvent }).event) };
}

test('max_retries 3 against a silent peer: SCCRQ at 0, 1, 3, 7 s and tunnel-down at 15 s', () => {
  const { net, lac, events } = lacAgainst(silentPeer(), 3);
  expect(net.sent('lac').map((r) => r.atMs)).toEqual([0, 1000, 3000, 7000]);
  expect(events).toEqual([{ type: 'tunnel-down', tunnelId: 1, peerTunnelId: 0, reason: { type: 'retransmit-exhausted', messageType: 'SCCRQ' }, wasUp: false }]);
  expect(net.nowMs).toBe(15_000);
  expect(lac.finished).toBe(true);
});

test('garbage answers are discarded unacknowledged (RFC 2661 §7.1) and never throw', () => {
  const peer = new ScriptedPeer((bytes) => [bytes.subarray(3), Uint8Array.of(0xc8, 0x02, 0, 12), new Uint8Array(0)]);
  const { net, events } = lacAgainst(peer, 2);
  expect(peer.received.length).toBe(3);
  expect(net.sent('lac').length).toBe(3);
  expect(events.map((e) => e.type)).toEqual(['tunnel-down']);
});
