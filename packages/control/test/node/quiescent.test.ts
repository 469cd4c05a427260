/**
 * Quiescent L2TPv3 through the library context over loopback (ql2tpd's mode): both ends come up at
 * once with configured ids, exchange acknowledged HELLOs, create static sessions through the data
 * plane, and when one end shuts down (StopCCN 6) the other reports it. (A silent peer's
 * retransmit-exhausted HELLO is pinned in virtual time by test/engine/quiescent.test.ts.)
 */
import { createSocket } from 'node:dgram';
import { afterEach, expect, test } from 'vitest';
import type { DataPlane, SessionSpec, TunnelSpec } from '../../src/api/dataplane.js';
import { L2tpContext, nullDataPlane } from '../../src/node/index.js';

const freePort = () => new Promise<number>((resolve) => {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
const lo = (port: number) => ({ address: '127.0.0.1', port, family: 4 as const });

/** The null data plane, recording what it was asked to create. */
function recording(log: Array<TunnelSpec | SessionSpec>): DataPlane {
  const dp = nullDataPlane();
  return {
    ...dp,
    async createTunnel(spec) {
      log.push({ ...spec, socket: undefined });
      const t = await dp.createTunnel(spec);
      return { ...t, createSession: async (s) => { log.push(s); return t.createSession(s); } };
    },
  };
}

const open: L2tpContext[] = [];
afterEach(async () => { await Promise.all(open.splice(0).map((c) => c.close(100))); });

test('two quiescent ends: up at once, HELLOs acknowledged, static session, peer shutdown reported', async () => {
  const [pa, pb] = [await freePort(), await freePort()];
  const created: Array<TunnelSpec | SessionSpec> = [];
  const a = new L2tpContext({ dataPlane: recording(created) });
  const b = new L2tpContext({ dataPlane: nullDataPlane() });
  open.push(a, b);
  const common = { version: 3 as const, quiescent: true, helloIntervalMs: 50, retryTimeoutMs: 250, maxRetries: 4 };
  const aUp = a.once('tunnel-up');
  const ta = await a.dial({ ...common, name: 'a', local: lo(pa), peer: lo(pb), tunnelId: 1000, peerTunnelId: 2000 });
  await b.dial({ ...common, name: 'b', local: lo(pb), peer: lo(pa), tunnelId: 2000, peerTunnelId: 1000 });
  expect((await aUp).tunnel).toMatchObject({ tunnelId: 1000, peerTunnelId: 2000, state: 'established' });
  await a.addStaticSession(ta, { sessionId: 11, peerSessionId: 22, pseudowire: 'eth', l2specType: 'default', seqnum: false, reorderTimeoutMs: 0 });
  expect(created).toMatchObject([{ tunnelId: 1000, peerTunnelId: 2000, version: 3, encap: 'udp' }, { tunnelId: 1000, sessionId: 11, peerSessionId: 22 }]);
  // Several HELLO rounds, all acknowledged: one left unacknowledged through its retries would end the tunnel.
  let wentDown = false;
  a.on('tunnel-down', () => { wentDown = true; });
  const deadline = Date.now() + 15_000;
  while ((a.info(ta)?.control?.hellosSent ?? 0) < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(a.info(ta)?.control?.hellosSent).toBeGreaterThanOrEqual(5);
  expect(wentDown).toBe(false);
  expect(a.info(ta)?.state).toBe('established');
  const down = a.once('tunnel-down');
  await b.close(50);
  expect((await down).reason).toMatchObject({ type: 'peer-stopccn', result: { result: 6 } });
});
