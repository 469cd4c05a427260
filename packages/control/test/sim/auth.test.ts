/**
 * Our engines on the real wire with a shared secret: challenge and response in both directions
 * (RFC 2661 §5.1.1), hidden AVPs (§4.3) on everything the table allows, and refusal (StopCCN 4) when
 * the secrets differ. Also pins a lossy lifecycle with the secret on, so hidden retransmissions work.
 */
import { describe, expect, test } from 'vitest';
import { decodeMessage } from '../../src/codec/index.js';
import { codecWire } from '../../src/engine/codec-wire.js';
import { tunnelEngineConfig } from '../../src/engine/config.js';
import { TunnelEngine } from '../../src/engine/tunnel-engine.js';
import { md5 } from '../../src/node/platform.js';
import { enginePair } from '../engine/pair.js';
import { runLifecycle } from './scenario.js';

const secret = new TextEncoder().encode('s3cret');
const typeOf = (b: Uint8Array) => { const p = decodeMessage(b, { secret, md5 }); return p.ok && p.value.kind === 'control' ? p.value.message : undefined; };

describe('shared secret on the real wire', () => {
  test('challenge both ways, hidden AVPs, tunnel and session up', () => {
    const { net, lac, lns, events, open } = enginePair({ wire: codecWire, md5, lac: { secret: 's3cret', hideAvps: true }, lns: { secret: 's3cret', hideAvps: true } });
    open();
    net.runUntil(() => lns.state === 'established');
    net.call('lac', (nowMs) => lac.handle({ kind: 'command', nowMs, command: { type: 'open-session', sessionId: 77 } }));
    net.runUntil(() => events('lns').some((e) => e.type === 'session-up'));
    const sent = net.log.map((r) => typeOf(r.bytes)).filter((m) => m !== undefined);
    const sccrq = sent.find((m) => m.type === 'SCCRQ')!;
    const sccrp = sent.find((m) => m.type === 'SCCRP')!;
    const scccn = sent.find((m) => m.type === 'SCCCN')!;
    expect(sccrq.avps.challenge?.length).toBe(16);
    expect(sccrq.hidden).toEqual([]);                      // never hidden in SCCRQ (interop)
    expect(sccrp.avps.challenge?.length).toBe(16);
    expect(sccrp.hidden).toEqual([]);                      // nor in SCCRP: xl2tpd finds the secret after it
    expect(sccrp.avps.challengeResponse).toEqual(md5(Uint8Array.of(2), secret, sccrq.avps.challenge!));
    expect(scccn.avps.challengeResponse).toEqual(md5(Uint8Array.of(3), secret, sccrp.avps.challenge!));
    expect(sent.find((m) => m.type === 'ICRQ')!.hidden).toEqual(expect.arrayContaining(['assignedSessionId', 'callSerialNumber']));
    expect(events('lac').map((e) => e.type)).toEqual(['tunnel-up', 'session-up']);
  });

  test('different secrets: the LAC refuses the SCCRP with StopCCN 4 and both sides report it', () => {
    const { net, lns, events, open } = enginePair({ wire: codecWire, md5, lac: { secret: 'one' }, lns: { secret: 'two' } });
    open();
    net.runUntil(() => events('lns').some((e) => e.type === 'tunnel-down'));
    expect(events('lac')).toMatchObject([{ type: 'tunnel-down', reason: { type: 'auth-failed', sent: { result: 4 } } }]);
    expect(events('lns')).toMatchObject([{ type: 'tunnel-down', reason: { type: 'peer-stopccn', result: { result: 4 } } }]);
    expect(lns.state).toBe('closing');
  });

  test('hiding starts once the peer sent more than SCCRQ: a StopCCN refusing SCCRQ is clear, a later one hidden', () => {
    // An LNS refusing the SCCRQ (admit policy): the peer may not know the secret yet (xl2tpd does not).
    const opts = { secret: 's3cret', hideAvps: true } as const;
    const ports = { random: { uint32: () => 7, bytes: (n: number) => new Uint8Array(n).fill(7) }, md5 };
    const lac = new TunnelEngine(tunnelEngineConfig({ role: 'lac', tunnelId: 100, hostName: 'lac', ...opts }), ports, codecWire);
    const lns = new TunnelEngine(tunnelEngineConfig({ role: 'lns', tunnelId: 200, hostName: 'lns', ...opts }), ports, codecWire);
    const sccrq = lac.handle({ kind: 'command', nowMs: 0, command: { type: 'open' } }).find((o) => o.kind === 'transmit')!;
    const out = lns.handleDecoded(0, codecWire.decode(sccrq.bytes, secret, md5), { result: 2, error: 0 });
    const refusal = out.map((o) => (o.kind === 'transmit' ? typeOf(o.bytes) : undefined)).find((m) => m?.type === 'StopCCN');
    expect(refusal).toMatchObject({ hidden: [], avps: { assignedTunnelId: 200, resultCode: { result: 2 } } });

    const late = enginePair({ wire: codecWire, md5, lac: opts, lns: opts });
    late.open();
    late.net.runUntil(() => late.lns.state === 'established');
    late.net.call('lac', (nowMs) => late.lac.handle({ kind: 'command', nowMs, command: { type: 'close' } }));
    late.net.runUntil(() => late.events('lns').some((e) => e.type === 'tunnel-down'));
    const lateSent = late.net.log.filter((r) => r.from === 'lac').map((r) => typeOf(r.bytes)).filter((m) => m !== undefined);
    expect(lateSent.find((m) => m.type === 'StopCCN')).toMatchObject({ hidden: ['assignedTunnelId'], avps: { assignedTunnelId: 100 } });
  });

  test('50 lossy seeds with a secret and hiding converge', () => {
    const bad: number[] = [];
    for (let seed = 1; seed <= 50; seed++) {
      const r = runLifecycle({ sessions: 3, net: { seed, loss: 0.2, duplicate: 0.05, reorder: 0.1 }, engine: { secret: 'k', hideAvps: true, transport: { maxRetries: 15 } } });
      if (r.phase !== 'done') bad.push(seed);
    }
    expect(bad).toEqual([]);
  });
});
