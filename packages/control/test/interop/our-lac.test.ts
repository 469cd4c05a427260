/**
 * Our LAC against a real xl2tpd 1.3.18 LNS on loopback (stub pppd, no kernel): tunnel and session up,
 * CDN and StopCCN from our side and from xl2tpd's (its control fifo), with and without a shared
 * secret (challenge both ways, hidden AVPs). Pins wire compatibility with the incumbent LNS.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { startXl2tpd, type Xl2tpdHandle } from '../../../../scripts/xl2tpd/harness.mjs';
import type { L2tpContext } from '../../src/node/index.js';
import { AVAILABLE, context, loopback, recordingWire } from './harness.js';

const running: Array<{ stop(): Promise<void> } | L2tpContext> = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await ('list' in r ? r.close(300) : r.stop());
});

async function upAgainst(lns: Xl2tpdHandle, secret?: string) {
  const recording = recordingWire(secret ?? '');
  const ours = context(recording.wire);
  running.push(ours);
  const tunnelUp = ours.once('tunnel-up');
  const tunnelId = await ours.dial({ name: 'xl2tpd', peer: loopback(lns.port), hostName: 'ourlac', ...(secret && { secret, hideAvps: true }) });
  const { tunnel } = await tunnelUp;
  const sessionUp = ours.once('session-up');
  const sessionId = ours.openSession(tunnelId, { name: 's1' });
  const { session } = await sessionUp;
  await lns.waitForLog(/Call established/, 5000);
  return { ours, tunnel, tunnelId, sessionId, session, sent: recording.sent };
}

describe.skipIf(!AVAILABLE.ok)(`our LAC ↔ xl2tpd LNS (${AVAILABLE.reason || 'xl2tpd available'})`, () => {
  for (const auth of [undefined, { secret: 's3cret', challenge: true, hidden: true }] as const) {
    const label = auth ? 'with secret, challenge and hidden AVPs' : 'without secret';
    test(`tunnel and session up, then our CDN and StopCCN (${label})`, async () => {
      const lns = await startXl2tpd({ role: 'lns', hostname: 'xl2tpd-lns', ...auth });
      running.push(lns);
      const { ours, tunnel, tunnelId, sessionId, session, sent } = await upAgainst(lns, auth?.secret);
      expect(tunnel.peerHostName).toBe('xl2tpd-lns');
      expect(lns.tunnels()[0]).toMatchObject({ remote: tunnelId, local: tunnel.peerTunnelId });
      expect(lns.calls()[0]).toMatchObject({ remote: sessionId, local: session.peerSessionId });
      const mark = lns.logs().length;
      ours.closeSession(tunnelId, sessionId);
      await lns.waitForLog(/Call-Disconnect-Notify/, 5000, mark);
      ours.closeTunnel(tunnelId);
      await lns.waitForLog(/Stop-Control-Connection-Notification/, 5000, mark);
      await lns.waitForLog(/Connection closed to/, 5000, mark);
      // What xl2tpd accepted above went out hidden (RFC 2661 §4.3); SCCRQ never does.
      expect(sent).toEqual(expect.arrayContaining(auth
        ? ['SCCRQ:', 'ICRQ:assignedSessionId,callSerialNumber', 'CDN:assignedSessionId', 'StopCCN:assignedTunnelId']
        : ['SCCRQ:', 'ICRQ:', 'CDN:', 'StopCCN:']));
    });

    test(`xl2tpd hangs up and disconnects: session-down and tunnel-down with its result codes (${label})`, async () => {
      const lns = await startXl2tpd({ role: 'lns', ...auth });
      running.push(lns);
      const { ours, tunnelId } = await upAgainst(lns, auth?.secret);
      const sessionDown = ours.once('session-down');
      await lns.hangup(lns.calls()[0]!.local);
      expect((await sessionDown).reason).toMatchObject({ type: 'peer-cdn' });
      const tunnelDown = ours.once('tunnel-down');
      await lns.disconnect(lns.tunnels()[0]!.local);
      const down = await tunnelDown;
      expect(down.reason.type).toBe('peer-stopccn');
      expect(down.tunnel.tunnelId).toBe(tunnelId);
    });
  }

  test('our HELLOs are acknowledged by xl2tpd and the tunnel stays up (go-l2tp drops it 7 s later)', async () => {
    const lns = await startXl2tpd({ role: 'lns' });
    running.push(lns);
    const ours = context();
    running.push(ours);
    let down = false;
    ours.on('tunnel-down', () => { down = true; });
    const up = ours.once('tunnel-up');
    const tunnelId = await ours.dial({ name: 'hello', peer: loopback(lns.port), helloIntervalMs: 100, retryTimeoutMs: 200, maxRetries: 2 });
    await up;
    await new Promise((r) => setTimeout(r, 1200));
    expect(lns.logs().match(/message type 6 \(Hello\)/g)?.length ?? 0).toBeGreaterThanOrEqual(5);
    expect(down).toBe(false);
    expect(ours.info(tunnelId)?.state).toBe('established');
  });

  test('a wrong secret is refused: tunnel-down, never tunnel-up', async () => {
    const lns = await startXl2tpd({ role: 'lns', secret: 'right', challenge: true });
    running.push(lns);
    const ours = context();
    running.push(ours);
    let wasUp = false;
    ours.on('tunnel-up', () => { wasUp = true; });
    const down = ours.once('tunnel-down');
    await ours.dial({ name: 'bad', peer: loopback(lns.port), secret: 'wrong', maxRetries: 2, retryTimeoutMs: 200 });
    const { reason } = await down;
    expect(['auth-failed', 'peer-stopccn', 'retransmit-exhausted']).toContain(reason.type);
    expect(wasUp).toBe(false);
  });
});
