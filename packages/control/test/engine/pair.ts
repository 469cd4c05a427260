/** Builds a LAC engine and an LNS engine linked in a SimNet, with a chosen wire codec. */
import { TunnelEngine } from '../../src/engine/tunnel-engine.js';
import { type TunnelEngineOptions, tunnelEngineConfig } from '../../src/engine/config.js';
import type { WireCodec } from '../../src/engine/wire.js';
import type { TunnelEvent } from '../../src/fsm/types.js';
import { SimNet, type SimNetOptions } from '../../src/testing/index.js';
import { jsonWire } from './json-wire.js';

/** Test MD5 stand-in: any deterministic digest works for the engine's own pairs. */
export const fakeMd5 = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(16);
  let i = 0;
  for (const p of parts) for (const b of p) { out[i % 16] = (out[i % 16]! * 31 + b + i) & 0xff; i++; }
  return out;
};

/** A LAC↔LNS pair in SimNet. */
export function enginePair(opts: {
  net?: SimNetOptions; lac?: Partial<TunnelEngineOptions>; lns?: Partial<TunnelEngineOptions>; wire?: WireCodec; lnsWire?: WireCodec; md5?: typeof fakeMd5;
} = {}) {
  const net = new SimNet(opts.net);
  const wire = opts.wire ?? jsonWire;
  const md5 = opts.md5 ?? fakeMd5;
  const lac = new TunnelEngine(tunnelEngineConfig({ role: 'lac', tunnelId: 100, hostName: 'lac', ...opts.lac }), { random: net.rng.fork(), md5 }, wire);
  const lns = new TunnelEngine(tunnelEngineConfig({ role: 'lns', tunnelId: 200, hostName: 'lns', ...opts.lns }), { random: net.rng.fork(), md5 }, opts.lnsWire ?? wire);
  net.add('lac', lac);
  net.add('lns', lns);
  net.link('lac', 'lns');
  const events = (name: 'lac' | 'lns'): TunnelEvent[] =>
    net.events(name).map((e) => (e.output as unknown as { event: TunnelEvent }).event);
  const open = () => net.call('lac', (nowMs) => lac.handle({ kind: 'command', nowMs, command: { type: 'open' } }));
  return { net, lac, lns, events, open };
}
