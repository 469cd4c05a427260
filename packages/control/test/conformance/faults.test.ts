/**
 * Conformance wave 2 (issue 11): inputs rebuilt from what real peers (Windows, Android and Yamaha
 * clients, H3C and Cisco gear, xl2tpd, BNG test tools) send, each with the answer the named RFC
 * section requires. A raw peer in SimNet against our engine, real codec.
 */
import { describe, expect, test } from 'vitest';
import { ControlEngine } from '../../src/engine/control-engine.js';
import { codecWire } from '../../src/engine/codec-wire.js';
import { md5 } from '../../src/node/platform.js';
import { lns, rawPeerAgainst, SCCRQ_AVPS, tunnelAndCallUp } from './peer.js';

const unknownMandatory = { mandatory: true, hidden: false, vendorId: 9, attrType: 100, value: Uint8Array.of(1, 2) };
/** Call Serial Number (type 15) is 4 octets (RFC 2661 §4.4.4); 2 is a wrong length. */
const shortCallSerial = { mandatory: true, hidden: false, vendorId: 0, attrType: 15, value: Uint8Array.of(0, 7) };

describe('fault 1: a bad incoming call costs that call only (RFC 2661 §4.1, §7.1)', () => {
  const cases = [
    { name: 'ICRQ whose Call Serial Number has 2 bytes (AVP length 8)', avps: { assignedSessionId: 2 }, raw: shortCallSerial, error: 2 },
    { name: 'ICRQ with an unknown M-bit AVP (vendor 9, type 100)', avps: { assignedSessionId: 2, callSerialNumber: 2 }, raw: unknownMandatory, error: 8 },
  ];
  for (const c of cases) {
    test(`${c.name}: CDN 2/${c.error} to Assigned Session ID 2; tunnel and the established call untouched`, () => {
      const p = rawPeerAgainst(lns());
      const { tunnelId, sessionId } = tunnelAndCallUp(p);
      p.send('ICRQ', c.avps, { unknownAvps: [c.raw] });
      expect(p.net.runUntil(() => p.got().some((g) => g.type === 'CDN'), 2000)).toBe(true);
      const cdn = p.got().find((g) => g.type === 'CDN')!;
      // RFC 2661 §4.4.2: result 2 (see error code); error 2 (length is wrong) or 8 (unknown M-bit AVP).
      expect(cdn).toMatchObject({ tunnelId: 1, sessionId: 2 });
      expect(cdn.message!.avps.resultCode).toMatchObject({ result: 2, error: c.error });
      p.ack();
      p.net.runUntilIdle({ limitMs: 10_000 });
      expect(p.got().some((g) => g.type === 'StopCCN')).toBe(false);
      const t = p.engine.tunnel(tunnelId)!;
      expect(t.state).toBe('established');
      expect(t.session(sessionId)?.state).toBe('established');
      expect(t.sessionCount).toBe(1);
      // Logged and counted: a session-down for a call that never came up.
      expect(p.events().filter((e) => e.type === 'session-down')).toEqual([
        expect.objectContaining({ sessionId: 0, peerSessionId: 2, wasUp: false, reason: { type: 'refused', sent: expect.objectContaining({ result: 2, error: c.error }) } }),
      ]);
    });
  }

  test('whole kind: session messages naming a known call (header Session ID) clear only that call', () => {
    for (const [type, avps] of [
      ['ICCN', { txConnectSpeed: 1, framingType: 1 }], ['CDN', { resultCode: { result: 3 }, assignedSessionId: 1 }],
      ['SLI', { accm: { sendAccm: 0, receiveAccm: 0 } }],
      ['WEN', { callErrors: { crcErrors: 0, framingErrors: 0, hardwareOverruns: 0, bufferOverruns: 0, timeoutErrors: 0, alignmentErrors: 0 } }],
    ] as const) {
      const p = rawPeerAgainst(lns());
      const a = tunnelAndCallUp(p, 1);
      const b = tunnelAndCallUp2(p);
      p.send(type, avps, { sessionId: a.sessionId, unknownAvps: [unknownMandatory] });
      expect(p.net.runUntil(() => p.got().some((g) => g.type === 'CDN'), 2000), type).toBe(true);
      expect(p.got().find((g) => g.type === 'CDN')).toMatchObject({ sessionId: 1, message: { avps: { resultCode: { result: 2, error: 8 } } } });
      const t = p.engine.tunnel(a.tunnelId)!;
      expect(t.state, type).toBe('established');
      expect(t.session(a.sessionId), type).toBeUndefined();
      expect(t.session(b)?.state, type).toBe('established');
      expect(p.events().filter((e) => e.type === 'session-down'), type).toEqual([expect.objectContaining({ sessionId: a.sessionId, wasUp: true })]);
    }
  });

  test('a refused ICRQ naming no call at all is still answered (CDN to session 0, silent-drops.test.ts), never tunnel-fatal', () => {
    const p = rawPeerAgainst(lns());
    const { tunnelId } = tunnelAndCallUp(p);
    // An ICRQ with neither a header Session ID nor a readable Assigned Session ID.
    p.send('ICRQ', { callSerialNumber: 9 }, { unknownAvps: [unknownMandatory] });
    p.net.runUntilIdle({ limitMs: 5000 });
    expect(p.engine.tunnel(tunnelId)!.state).toBe('established');
    expect(p.got().some((g) => g.type === 'StopCCN')).toBe(false);
    expect(p.got().filter((g) => g.type === 'CDN')[0]).toMatchObject({ sessionId: 0, nr: 5, message: { avps: { resultCode: { result: 2, error: 8 } } } });
  });
});

/** A second call (peer Assigned Session ID 2) on the tunnel `tunnelAndCallUp` made; returns its LNS id. */
function tunnelAndCallUp2(p: ReturnType<typeof rawPeerAgainst>): number {
  p.send('ICRQ', { assignedSessionId: 2, callSerialNumber: 2 });
  p.net.runUntil(() => p.got().some((g) => g.type === 'ICRP' && g.sessionId === 2), 5000);
  const id = p.got().find((g) => g.type === 'ICRP' && g.sessionId === 2)!.message!.avps.assignedSessionId!;
  p.send('ICCN', { txConnectSpeed: 1, framingType: 1 }, { sessionId: id });
  p.net.runUntil(() => p.events().some((e) => e.type === 'session-up' && e.sessionId === id), 5000);
  return id;
}

describe('fault 2: a refused SCCRQ is answered (RFC 2661 §4.1, §4.4.2, §5.7)', () => {
  const cases = [
    { name: 'an unknown M-bit AVP (vendor 9, type 100)', avps: SCCRQ_AVPS, raw: [unknownMandatory], result: { result: 2, error: 8 } },
    { name: 'a Framing Capabilities AVP of 2 bytes', avps: { ...SCCRQ_AVPS, framingCapabilities: undefined }, raw: [{ mandatory: true, hidden: false, vendorId: 0, attrType: 3, value: Uint8Array.of(0, 3) }], result: { result: 2, error: 2 } },
    { name: 'no Host Name (a required AVP, RFC 2661 §6.1)', avps: { ...SCCRQ_AVPS, hostName: undefined }, raw: [], result: { result: 2, error: 3 } },
    { name: 'Protocol Version 3.0', avps: { ...SCCRQ_AVPS, protocolVersion: 0x0300 }, raw: [], result: { result: 5, error: 0x0100 } },
    { name: 'a hidden M-bit AVP and no secret configured', avps: SCCRQ_AVPS, raw: [{ mandatory: true, hidden: true, vendorId: 0, attrType: 22, value: new Uint8Array(18) }], result: { result: 2, error: 6 } },
  ];
  for (const c of cases) {
    test(`${c.name}, sent 3 times: one StopCCN ${c.result.result}/${c.result.error} to Assigned Tunnel ID 1, held, then released`, () => {
      const p = rawPeerAgainst(lns());
      const send = () => p.send('SCCRQ', c.avps, { tunnelId: 0, ns: 0, unknownAvps: c.raw });
      // The peer's own retransmission schedule (RFC 2661 §5.8): 0, 1 and 3 s.
      send();
      p.net.advanceTo(1000);
      send();
      p.net.advanceTo(3000);
      send();
      p.net.advanceTo(3500);
      const stops = p.got().filter((g) => g.type === 'StopCCN');
      expect(stops.length).toBeGreaterThanOrEqual(1);
      expect(new Set(stops.map((s) => s.ns))).toEqual(new Set([0]));
      expect(stops[0]).toMatchObject({ tunnelId: 1, nr: 1 });
      expect(stops[0]!.message!.avps.resultCode).toMatchObject(c.result);
      // Every copy of the SCCRQ is acknowledged (the StopCCN's Nr or a ZLB), never silence.
      for (const at of [1000, 3000]) expect(p.got().some((g) => g.atMs > at && g.atMs < at + 1000 && g.nr === 1)).toBe(true);
      expect(p.engine.size).toBe(1);
      const down = p.events().filter((e) => e.type === 'tunnel-down');
      expect(down).toEqual([expect.objectContaining({ wasUp: false, reason: expect.objectContaining({ sent: expect.objectContaining(c.result) }) })]);
      // The event names the peer: its tunnel (held for §5.7) reports the address.
      expect(p.engine.tunnel(down[0]!.tunnelId)?.peer).toEqual({ address: '192.0.2.7', port: 1701, family: 4 });
      p.ack(1);
      p.net.runUntilIdle({ limitMs: 60_000 });
      expect(p.released()).toEqual([down[0]!.tunnelId]);
      expect(p.engine.settled).toBe(true);
    });
  }
});

describe('fault 2, whole kind: an SCCRQ our policy refuses (access list, limits) is answered the same way', () => {
  test('admit refuses 192.0.2.7 with StopCCN 4: answered to Assigned Tunnel ID 1, retransmissions acknowledged, released after the hold', () => {
    const p = rawPeerAgainst(lns({ admit: (peer) => (peer.address === '192.0.2.7' ? { result: 4, error: 0, message: 'peer address not allowed' } : undefined) }));
    p.send('SCCRQ', SCCRQ_AVPS, { tunnelId: 0, ns: 0 });
    p.net.advanceTo(1000);
    p.send('SCCRQ', SCCRQ_AVPS, { tunnelId: 0, ns: 0 });
    p.net.advanceTo(1500);
    const stop = p.got().find((g) => g.type === 'StopCCN')!;
    expect(stop).toMatchObject({ tunnelId: 1, ns: 0, nr: 1 });
    expect(stop.message!.avps.resultCode).toEqual({ result: 4, error: 0, message: 'peer address not allowed' });
    expect(p.got().some((g) => g.atMs > 1000 && g.nr === 1)).toBe(true);
    expect(p.got().some((g) => g.type === 'SCCRP')).toBe(false);
    expect(p.engine.size).toBe(1);
    expect(p.events()).toEqual([expect.objectContaining({ type: 'tunnel-down', wasUp: false, reason: { type: 'refused', sent: { result: 4, error: 0, message: 'peer address not allowed' } } })]);
    p.ack(1);
    p.net.runUntilIdle({ limitMs: 60_000 });
    expect(p.engine.settled).toBe(true);
  });
});

describe('fault 3: a peer StopCCN is acknowledged and held a full retransmission cycle (RFC 2661 §5.7)', () => {
  function lac() {
    return rawPeerAgainst((net) => new ControlEngine({}, { random: net.rng.fork(), md5 }, codecWire));
  }
  test('LNS answers SCCRQ with StopCCN 2/3 "no more tunnels" and retransmits it: each copy gets a ZLB, released after 31 s', () => {
    const p = lac();
    const id = p.engine.addTunnel({ role: 'lac', hostName: 'kl2tpd' }, p.net.addressOf('peer'));
    p.net.call('engine', (nowMs) => p.engine.handle({ kind: 'command', nowMs, tunnelId: id, command: { type: 'open' } }));
    p.net.runUntil(() => p.got().some((g) => g.type === 'SCCRQ'), 100);
    p.learn(id);
    const stop = () => p.send('StopCCN', { assignedTunnelId: 77, resultCode: { result: 2, error: 3, message: 'no more tunnels' } }, { ns: 0 });
    stop();
    p.net.advanceTo(1010);
    stop(); // retransmitted after 1 s: our ZLB was "lost"
    p.net.advanceTo(2000);
    const zlbs = p.got().filter((g) => g.type === 'ZLB');
    expect(zlbs.map((z) => ({ tunnelId: z.tunnelId, nr: z.nr }))).toEqual([{ tunnelId: 77, nr: 1 }, { tunnelId: 77, nr: 1 }]);
    // Our SCCRQ is abandoned, not retransmitted into a closed peer.
    expect(p.got().filter((g) => g.type === 'SCCRQ')).toHaveLength(1);
    expect(p.engine.settled).toBe(false);
    expect(p.events()).toEqual([expect.objectContaining({ type: 'tunnel-down', wasUp: false, reason: { type: 'peer-stopccn', result: { result: 2, error: 3, message: 'no more tunnels' } } })]);
    p.net.runUntilIdle({ limitMs: 60_000 });
    expect(p.released()).toEqual([id]);
    expect(p.net.events('engine').find((e) => (e.output as { kind: string }).kind === 'released')!.atMs).toBe(10 + 31_000);
    expect(p.engine.settled).toBe(true);
  });

  test('StopCCN on an established tunnel: acknowledged, retransmissions acknowledged, sessions down first', () => {
    const p = rawPeerAgainst(lns());
    const { tunnelId } = tunnelAndCallUp(p);
    p.send('StopCCN', { assignedTunnelId: 1, resultCode: { result: 1 } });
    p.net.runUntilIdle({ limitMs: 1000 });
    p.send('StopCCN', { assignedTunnelId: 1, resultCode: { result: 1 } }, { ns: 4 });
    p.net.runUntilIdle({ limitMs: 1000 });
    expect(p.got().filter((g) => g.type === 'ZLB' && g.nr === 5)).toHaveLength(2);
    expect(p.events().slice(-2).map((e) => [e.type, (e as { wasUp?: boolean }).wasUp])).toEqual([['session-down', true], ['tunnel-down', true]]);
    expect(p.engine.tunnel(tunnelId)?.state).toBe('closing');
    p.net.runUntilIdle({ limitMs: 60_000 });
    expect(p.engine.settled).toBe(true);
  });
});

describe('fault 4: a restarted client reconnects (RFC 2661 §5.5 HELLO; new SCCRQ on the same 5-tuple)', () => {
  test('a fresh SCCRQ (Ns 0, same Assigned Tunnel ID, address and port) starts a new tunnel; the stale one is cleared', () => {
    const p = rawPeerAgainst(lns());
    const old = tunnelAndCallUp(p);
    p.ack();
    // A restart takes longer than a retransmission interval (one sooner is a late duplicate, below).
    p.net.advanceTo(p.net.nowMs + 1500);
    p.restart();
    const before = p.got().length;
    const fresh = tunnelAndCallUp(p);
    expect(fresh.tunnelId).not.toBe(old.tunnelId);
    // The stale tunnel is cleared without a StopCCN (it would reach the new tunnel, id 1 again).
    expect(p.got().slice(before).some((g) => g.type === 'StopCCN')).toBe(false);
    const downs = p.events().filter((e) => e.type === 'tunnel-down' || e.type === 'session-down');
    expect(downs).toEqual([
      expect.objectContaining({ type: 'session-down', tunnelId: old.tunnelId, wasUp: true, reason: { type: 'tunnel-down' } }),
      expect.objectContaining({ type: 'tunnel-down', tunnelId: old.tunnelId, wasUp: true, reason: { type: 'superseded' } }),
    ]);
    expect(p.released()).toEqual([old.tunnelId]);
    expect(p.engine.tunnelIds()).toEqual([fresh.tunnelId]);
  });

  test('a malformed SCCRQ on a live tunnel\'s 5-tuple and Assigned Tunnel ID is refused on its own; the tunnel and call stay (RFC 2661 §4.1)', () => {
    const p = rawPeerAgainst(lns());
    const live = tunnelAndCallUp(p);
    p.ack();
    p.net.advanceTo(p.net.nowMs + 1500);
    const before = p.got().length;
    p.restart(); // Ns 0, Nr 0: what a restarted client's first SCCRQ carries
    p.send('SCCRQ', SCCRQ_AVPS, { tunnelId: 0, unknownAvps: [unknownMandatory] });
    expect(p.net.runUntil(() => p.got().slice(before).some((g) => g.type === 'StopCCN'), 2000)).toBe(true);
    expect(p.got().slice(before).find((g) => g.type === 'StopCCN')!.message!.avps.resultCode).toMatchObject({ result: 2, error: 8 });
    p.net.runUntilIdle({ limitMs: 60_000 });
    expect(p.events().filter((e) => e.tunnelId === live.tunnelId && (e.type === 'tunnel-down' || e.type === 'session-down'))).toEqual([]);
    expect(p.engine.tunnel(live.tunnelId)?.state).toBe('established');
  });

  test('the first SCCRQ again right after the SCCCN (reordered behind it) is a late duplicate: acknowledged, the new tunnel kept', () => {
    const p = rawPeerAgainst(lns());
    p.send('SCCRQ', SCCRQ_AVPS, { tunnelId: 0 });
    p.net.runUntil(() => p.got().some((g) => g.type === 'SCCRP'), 1000);
    const tunnelId = p.got().find((g) => g.type === 'SCCRP')!.message!.avps.assignedTunnelId!;
    p.learn(tunnelId);
    const sccrq = p.encode('SCCRQ', SCCRQ_AVPS, { tunnelId: 0, ns: 0 });
    p.send('SCCCN', {});
    p.net.runUntil(() => p.events().some((e) => e.type === 'tunnel-up'), 1000);
    const before = p.got().length;
    p.sendBytes(sccrq);
    p.net.runUntilIdle({ limitMs: 5000 });
    expect(p.got().slice(before).map((g) => g.type)).not.toContain('SCCRP');
    expect(p.events().filter((e) => e.type === 'tunnel-down')).toEqual([]);
    expect(p.engine.tunnelIds()).toEqual([tunnelId]);
  });

  test('the LNS role sends HELLO by default after 60 s of silence, so a vanished peer is found out', () => {
    const p = rawPeerAgainst(lns());
    const { tunnelId } = tunnelAndCallUp(p);
    p.ack();
    const quietFrom = p.net.nowMs;
    p.net.runUntil(() => p.got().some((g) => g.type === 'HELLO'), 120_000);
    expect(p.got().find((g) => g.type === 'HELLO')!.atMs).toBeGreaterThanOrEqual(quietFrom + 60_000 - 200);
    expect(p.got().find((g) => g.type === 'HELLO')!.atMs).toBeLessThanOrEqual(quietFrom + 60_000 + 10);
    // Unanswered, the HELLO's retransmissions run out and the stale tunnel is removed.
    p.net.runUntil(() => p.released().includes(tunnelId), 120_000);
    expect(p.events().filter((e) => e.type === 'tunnel-down')).toEqual([expect.objectContaining({ reason: { type: 'retransmit-exhausted', messageType: 'HELLO' } })]);
  });
});

describe('several control messages in one datagram are all processed, in order (RFC 2661 §3.1 Length)', () => {
  test('SCCCN and ICRQ in one datagram: the tunnel comes up, then the call is answered with ICRP', () => {
    const p = rawPeerAgainst(lns());
    p.send('SCCRQ', SCCRQ_AVPS, { tunnelId: 0 });
    p.net.runUntil(() => p.got().some((g) => g.type === 'SCCRP'), 1000);
    p.learn(p.got().find((g) => g.type === 'SCCRP')!.message!.avps.assignedTunnelId!);
    const scccn = p.encode('SCCCN', {});
    const icrq = p.encode('ICRQ', { assignedSessionId: 5, callSerialNumber: 5 });
    p.sendBytes(new Uint8Array([...scccn, ...icrq]));
    p.net.runUntil(() => p.got().some((g) => g.type === 'ICRP'), 1000);
    expect(p.events().map((e) => e.type)).toEqual(['tunnel-up']);
    expect(p.got().find((g) => g.type === 'ICRP')).toMatchObject({ sessionId: 5, nr: 3 });
  });
});
