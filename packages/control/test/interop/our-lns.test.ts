/**
 * A real xl2tpd 1.3.18 LAC against our LNS on loopback (stub pppd on xl2tpd's side, null data plane on
 * ours): its tunnel and call come up on our side, its CDN (pppd exit) and StopCCN (disconnect) are
 * reported with their result codes, with and without a secret. Pins our responder role on the wire.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { startXl2tpd } from '../../../../scripts/xl2tpd/harness.mjs';
import type { L2tpContext } from '../../src/node/index.js';
import { AVAILABLE, context, recordingWire } from './harness.js';

const running: Array<{ stop(): Promise<void> } | L2tpContext> = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await ('list' in r ? r.close(300) : r.stop());
});

describe.skipIf(!AVAILABLE.ok)(`xl2tpd LAC ↔ our LNS (${AVAILABLE.reason || 'xl2tpd available'})`, () => {
  for (const auth of [undefined, { secret: 'sec', challenge: true, hidden: true }] as const) {
    const label = auth ? 'with secret, challenge and hidden AVPs both ways' : 'without secret';
    test(`tunnel and call up; xl2tpd's CDN and StopCCN reach us (${label})`, async () => {
      const recording = recordingWire(auth?.secret ?? '');
      const ours = context(recording.wire);
      running.push(ours);
      const bound = await ours.listen({ local: { address: '127.0.0.1', port: 0, family: 4 }, hostName: 'ourlns', ...(auth && { secret: auth.secret, hideAvps: auth.hidden }) });
      const tunnelUp = ours.once('tunnel-up');
      const sessionUp = ours.once('session-up');
      const lac = await startXl2tpd({ role: 'lac', peer: { port: bound.port }, hostname: 'xl2tpd-lac', ...auth });
      running.push(lac);
      const { tunnel } = await tunnelUp;
      expect(tunnel).toMatchObject({ role: 'lns', peerHostName: 'xl2tpd-lac', state: 'established' });
      const { session } = await sessionUp;
      await lac.waitForLog(/Call established/, 5000);
      expect(lac.calls()[0]).toMatchObject({ local: session.peerSessionId, remote: session.sessionId });
      // SCCRP goes out in the clear (xl2tpd cannot unhide before it knows the secret, RFC 2661 §4.3
      // leaves hiding optional); the ICRP xl2tpd accepted carried its Assigned Session ID hidden.
      expect(recording.sent).toContain('SCCRP:');
      expect(recording.sent).toContain(auth ? 'ICRP:assignedSessionId' : 'ICRP:');

      await lac.waitForPppd(1);
      const sessionDown = ours.once('session-down');
      expect(lac.killPppd()).toBe(1);
      expect((await sessionDown).reason).toMatchObject({ type: 'peer-cdn' });
      const tunnelDown = ours.once('tunnel-down');
      await lac.disconnect();
      expect((await tunnelDown).reason).toMatchObject({ type: 'peer-stopccn' });
    });
  }

  test('an xl2tpd LAC with the wrong secret is refused and the refusal is reported', async () => {
    const ours = context();
    running.push(ours);
    const bound = await ours.listen({ local: { address: '127.0.0.1', port: 0, family: 4 }, secret: 'right' });
    let up = false;
    ours.on('tunnel-up', () => { up = true; });
    const down = ours.once('tunnel-down');
    const lac = await startXl2tpd({ role: 'lac', peer: { port: bound.port }, secret: 'wrong', challenge: true });
    running.push(lac);
    const { reason, tunnel } = await down;
    expect(['auth-failed', 'peer-stopccn']).toContain(reason.type);
    expect(tunnel.role).toBe('lns');
    expect(up).toBe(false);
  });

  test('our CDN and StopCCN reach the xl2tpd LAC', async () => {
    const ours = context();
    running.push(ours);
    const bound = await ours.listen({ local: { address: '127.0.0.1', port: 0, family: 4 } });
    const sessionUp = ours.once('session-up');
    const lac = await startXl2tpd({ role: 'lac', peer: { port: bound.port } });
    running.push(lac);
    const { session, tunnel } = await sessionUp;
    const mark = lac.logs().length;
    ours.closeSession(tunnel.tunnelId, session.sessionId);
    await lac.waitForLog(/Call-Disconnect-Notify/, 5000, mark);
    ours.closeTunnel(tunnel.tunnelId);
    await lac.waitForLog(/Stop-Control-Connection-Notification/, 5000, mark);
  });
});
