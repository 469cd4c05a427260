/**
 * Static tunnels through the context: an unmanaged kernel tunnel with no control connection, its
 * sessions created straight through the data plane, listed as `static`, deleted on request.
 */
import { expect, test } from 'vitest';
import type { DataPlane, SessionSpec, TunnelSpec } from '../../src/api/dataplane.js';
import { L2tpContext, nullDataPlane } from '../../src/node/index.js';

test('a static tunnel and session go to the data plane unmanaged and are listed as static', async () => {
  const log: string[] = [];
  const dp = nullDataPlane();
  const recording: DataPlane = {
    ...dp,
    async createTunnel(spec: TunnelSpec) {
      log.push(`tunnel ${spec.tunnelId}/${spec.peerTunnelId} v${spec.version} ${spec.socket ? 'managed' : 'unmanaged'}`);
      const t = await dp.createTunnel(spec);
      return {
        ...t,
        createSession: async (s: SessionSpec) => { log.push(`session ${s.sessionId}/${s.peerSessionId} in ${s.tunnelId}`); return t.createSession(s); },
        down: async () => { log.push(`down ${spec.tunnelId}`); },
      };
    },
  };
  const ctx = new L2tpContext({ dataPlane: recording });
  const lo = (port: number) => ({ address: '127.0.0.1', port, family: 4 as const });
  const id = await ctx.addStaticTunnel({ name: 's', tunnelId: 10, peerTunnelId: 20, encap: 'udp', local: lo(5000), peer: lo(5001) });
  await ctx.addStaticSession(id, { sessionId: 1, peerSessionId: 2, pseudowire: 'eth', l2specType: 'none', seqnum: false, reorderTimeoutMs: 0 });
  expect(ctx.list()).toMatchObject([{ name: 's', tunnelId: 10, peerTunnelId: 20, kind: 'static', state: 'static' }]);
  await expect(ctx.addStaticTunnel({ name: 'dup', tunnelId: 10, peerTunnelId: 1, encap: 'udp', local: lo(1), peer: lo(2) })).rejects.toThrow(/in use/);
  await ctx.removeStaticTunnel(id);
  expect(ctx.list()).toEqual([]);
  expect(log).toEqual(['tunnel 10/20 v3 unmanaged', 'session 1/2 in 10', 'down 10']);
  await ctx.close(10);
});
