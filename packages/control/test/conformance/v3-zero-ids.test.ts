/**
 * L2TPv3 assigned ids of 0 (issue 11, LOW finding "v3 zero ids accepted"): RFC 3931 §5.4.3 makes the
 * Assigned Control Connection ID the (non-zero) id its sender assigns — 0 is the header's "not yet
 * known" (§3.2.1) — and §5.4.4 the Local Session ID likewise, 0 being the Session ID of control
 * messages (§4.1). A message assigning 0 is refused on the wire with Result 2, Error 3 (a field value
 * out of range, RFC 3931 §5.4.2, as RFC 2661 §4.4.2): StopCCN for SCCRQ; a CDN for ICRQ with the
 * control connection and its other pseudowires untouched, and a `pw-down` event (never up, refused)
 * that a daemon logs and counts.
 */
import { describe, expect, test } from 'vitest';
import { type AvpValues, type MessageTypeName, decodeDatagram, encodeMessage } from '../../src/codec/index.js';
import { ControlEngine, type ControlOutput } from '../../src/engine/control-engine.js';
import { codecWire } from '../../src/engine/codec-wire.js';
import type { V3EngineEvent } from '../../src/engine/v3-config.js';
import { PwType } from '../../src/fsm/v3/index.js';
import { md5 } from '../../src/node/platform.js';
import { ScriptedPeer, SimNet } from '../../src/testing/index.js';

const OUT_OF_RANGE = { result: 2, error: 3 };
const VC = new TextEncoder().encode('vc100');
const SCCRQ: AvpValues = { hostName: 'pe1', routerId: 1, assignedConnectionId: 77, pwCapabilityList: [PwType.ETHERNET] };

/** A raw v3 peer (192.0.2.9:1701) against a responder; it sends exactly what a test encodes. */
function rawV3Peer() {
  const net = new SimNet({ seed: 3 });
  const engine = new ControlEngine(
    { acceptV3: { hostName: 'pe2', routerId: 2, pseudowires: [{ remoteEndId: 'vc100', pwType: PwType.ETHERNET, initiate: false }] } },
    { random: net.rng.fork(), md5 }, codecWire,
  );
  net.add('engine', engine);
  net.add('peer', new ScriptedPeer(() => []), { address: '192.0.2.9', port: 1701, family: 4 });
  net.link('peer', 'engine');
  let ns = 0;
  let to = 0;
  const got = () => net.sent('engine').filter((r) => r.to === 'peer' && !r.dropped).flatMap((r) => decodeDatagram(r.bytes).flatMap((p) =>
    (p.ok && p.value.kind === 'control' ? [{ header: p.value.header, type: p.value.message.type, avps: p.value.message.avps }] : [])));
  const nr = () => got().reduce((n, g) => Math.max(n, g.header.ns + 1), 0);
  const send = (type: MessageTypeName, avps: AvpValues, o: { tunnelId?: number; ns?: number } = {}) => {
    const bytes = encodeMessage({ type, avps }, { version: 3, tunnelId: o.tunnelId ?? to, sessionId: 0, ns: o.ns ?? ns++, nr: nr() });
    net.call('peer', () => [{ kind: 'transmit', bytes }]);
  };
  const events = (): V3EngineEvent[] => net.events('engine').map((x) => x.output as ControlOutput).flatMap((o) => (o.kind === 'v3-event' ? [o.event] : []));
  return { net, engine, got, send, events, learn(id: number) { to = id; } };
}

describe('an L2TPv3 assigned id of 0 is refused on the wire (RFC 3931 §5.4.3, §5.4.4)', () => {
  test('SCCRQ with Assigned Control Connection ID 0: StopCCN 2/3, no SCCRP, no connection comes up', () => {
    const p = rawV3Peer();
    p.send('SCCRQ', { ...SCCRQ, assignedConnectionId: 0 }, { tunnelId: 0 });
    p.net.runUntil(() => p.got().length > 0, 2000);
    expect(p.got().map((g) => g.type)).toEqual(['StopCCN']);
    expect(p.got()[0]!.avps.resultCode).toMatchObject(OUT_OF_RANGE);
    p.net.runUntilIdle({ limitMs: 60_000 });
    expect(p.got().some((g) => g.type === 'SCCRP')).toBe(false);
    expect(p.events().some((e) => e.type === 'connection-up')).toBe(false);
  });

  test('ICRQ with Local Session ID 0: CDN 2/3 (Remote Session ID 0), no ICRP; the connection stays up; a refused pw-down', () => {
    const p = rawV3Peer();
    p.send('SCCRQ', SCCRQ, { tunnelId: 0 });
    expect(p.net.runUntil(() => p.got().some((g) => g.type === 'SCCRP'), 2000)).toBe(true);
    const id = p.got().find((g) => g.type === 'SCCRP')!.avps.assignedConnectionId!;
    p.learn(id);
    p.send('SCCCN', {});
    expect(p.net.runUntil(() => p.events().some((e) => e.type === 'connection-up'), 2000)).toBe(true);
    const icrq = { localSessionId: 0, remoteSessionId: 0, callSerialNumber: 1, pwType: PwType.ETHERNET, remoteEndId: VC, circuitStatus: { active: true, new: true } };
    p.send('ICRQ', icrq);
    expect(p.net.runUntil(() => p.got().some((g) => g.type === 'CDN'), 2000)).toBe(true);
    const cdn = p.got().find((g) => g.type === 'CDN')!;
    expect(cdn.avps.resultCode).toMatchObject(OUT_OF_RANGE);
    expect(cdn.avps.remoteSessionId).toBe(0);
    expect(p.got().some((g) => g.type === 'ICRP')).toBe(false);
    expect(p.events().filter((e) => e.type === 'pw-down')).toEqual([
      expect.objectContaining({ connectionId: id, localSessionId: 0, remoteSessionId: 0, upBefore: false, reason: { type: 'refused', sent: expect.objectContaining(OUT_OF_RANGE) } }),
    ]);
    // A good ICRQ afterwards is answered: the connection was not cleared.
    p.send('ICRQ', { ...icrq, localSessionId: 5 });
    expect(p.net.runUntil(() => p.got().some((g) => g.type === 'ICRP'), 2000)).toBe(true);
    expect(p.engine.connection(id)!.state).toBe('established');
  });
});
