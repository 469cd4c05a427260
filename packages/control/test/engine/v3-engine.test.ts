/**
 * Dynamic L2TPv3 through ControlEngine on SimNet in virtual time: an initiator and a responder over
 * UDP and over IP framing, with the Message Digest; sessions matched by Remote End ID; the pw-up event
 * carries the negotiated ids and cookies and v3SessionSpec turns it into the kernel session.
 */
import { describe, expect, it } from 'vitest';
import { v3SessionSpec } from '../../src/engine/index.js';
import { PwType } from '../../src/fsm/v3/index.js';
import { type LcceSettings, pwUps, v3Pair } from './v3-pair.js';

const pe = (name: string, routerId: number, extra: Partial<LcceSettings> = {}): LcceSettings => ({
  hostName: name, routerId, digest: { secrets: ['s3cret'] },
  pseudowires: [{ remoteEndId: 'vc100', pwType: PwType.ETHERNET, cookieLength: 8, initiate: name === 'pe1' }], ...extra,
});

describe('a v3 control connection through ControlEngine', () => {
  for (const encap of ['udp', 'ip'] as const) {
    it(`over ${encap}: initiator opens, responder accepts, the pseudowire comes up with crossed ids and cookies`, () => {
      const p = v3Pair({ encap, pe1: pe('pe1', 1), pe2: pe('pe2', 2), responders: ['pe2'] });
      const id = p.open('pe1');
      p.net.runUntilIdle({ limitMs: 5_000 });
      const [a, b] = [p.engines.pe1.connection(id)!, p.live('pe2')[0]!];
      expect(a).toMatchObject({ state: 'established', peerHostName: 'pe2', peerRouterId: 2 });
      expect(b).toMatchObject({ state: 'established', peerConnectionId: id, peerHostName: 'pe1', peerRouterId: 1 });
      expect(a.peerConnectionId).toBe(b.connectionId);
      expect(a.digest!.verified).toBeGreaterThan(2);
      expect(b.digest!.dropped.mismatch).toBe(0);
      const [x, y] = [pwUps(p.events('pe1')), pwUps(p.events('pe2'))];
      expect(x).toHaveLength(1);
      expect(y).toHaveLength(1);
      const [u, v] = [x[0]!.pseudowire, y[0]!.pseudowire];
      expect(u.remoteSessionId).toBe(v.localSessionId);
      expect(v.remoteSessionId).toBe(u.localSessionId);
      expect(u.cookie).toHaveLength(8);
      expect(u.peerCookie).toEqual(v.cookie);
      expect(v.peerCookie).toEqual(u.cookie);
      expect(a.sessions()).toHaveLength(1);
      const spec = v3SessionSpec(u, { tunnelId: a.connectionId, peerTunnelId: a.peerConnectionId, interfaceName: 'l2tpeth100' });
      expect(spec).toMatchObject({ tunnelId: id, peerTunnelId: b.connectionId, sessionId: u.localSessionId, peerSessionId: u.remoteSessionId, pseudowire: 'eth', cookie: u.peerCookie, peerCookie: u.cookie });
    });
  }

  it('HELLO keeps an idle connection; close sends StopCCN, both hold, then released and settled', () => {
    const p = v3Pair({ pe1: pe('pe1', 1, { helloIntervalMs: 10_000 }), pe2: pe('pe2', 2, { helloIntervalMs: 10_000 }), responders: ['pe2'] });
    const id = p.open('pe1');
    p.net.advanceTo(100_000);
    expect(p.engines.pe1.connection(id)!.counters.hellosSent).toBeGreaterThan(3);
    expect(p.live('pe2')).toHaveLength(1);
    p.net.call('pe1', (nowMs) => p.engines.pe1.handle({ kind: 'command', nowMs, tunnelId: id, command: { type: 'close' } }));
    p.net.runUntilIdle();
    expect(p.engines.pe1.settled && p.engines.pe2.settled).toBe(true);
    expect(p.events('pe2').map((e) => e.type)).toEqual(['connection-up', 'pw-up', 'pw-down', 'connection-down']);
    expect(p.events('pe2').at(-1)).toMatchObject({ reason: { type: 'peer-stopccn', result: { result: 1 } } });
    expect(p.net.events('pe1').filter((e) => e.output.kind === 'released')).toHaveLength(1);
  });

  it('a carrier change goes out as SLI and reaches the peer as pw-circuit; a pseudowire can be closed with CDN', () => {
    const p = v3Pair({ pe1: pe('pe1', 1), pe2: pe('pe2', 2), responders: ['pe2'] });
    const id = p.open('pe1');
    p.net.runUntilIdle({ limitMs: 5_000 });
    p.net.call('pe1', (nowMs) => p.engines.pe1.handle({ kind: 'command', nowMs, tunnelId: id, command: { type: 'circuit', remoteEndId: 'vc100', active: false } }));
    p.net.runUntilIdle({ limitMs: 5_000 });
    expect(p.events('pe2').at(-1)).toMatchObject({ type: 'pw-circuit', active: false });
    const sessionId = p.engines.pe1.connection(id)!.sessions()[0]!.localSessionId;
    p.net.call('pe1', (nowMs) => p.engines.pe1.handle({ kind: 'command', nowMs, tunnelId: id, command: { type: 'close-session', sessionId } }));
    p.net.runUntilIdle({ limitMs: 5_000 });
    expect(p.events('pe2').at(-1)).toMatchObject({ type: 'pw-down', upBefore: true, reason: { type: 'peer-cdn' } });
    expect(p.live('pe2')[0]!.sessions()).toEqual([]);
  });

  it('commands of the other version are usage errors; a v3 connection has no v2 view and a v2 session id is not allocated', () => {
    const p = v3Pair({ pe1: pe('pe1', 1), pe2: pe('pe2', 2), responders: ['pe2'] });
    const id = p.engines.pe1.addV3Connection(pe('pe1', 1), p.net.addressOf('pe2'));
    expect(() => p.engines.pe1.handle({ kind: 'command', nowMs: 0, tunnelId: id, command: { type: 'open-session', sessionId: 5 } })).toThrow(/L2TPv2 command/);
    expect(() => p.engines.pe1.allocateSessionId(id)).toThrow(/no L2TPv2 tunnel/);
    expect(p.engines.pe1.tunnel(id)).toBeUndefined();
    expect(p.engines.pe1.connection(id)).toMatchObject({ version: 3, state: 'idle' });
    expect(() => p.engines.pe1.handle({ kind: 'command', nowMs: 0, tunnelId: id, command: { type: 'open-pseudowire', remoteEndId: 'vc100' } })).toThrow(/not established/);
  });
});
