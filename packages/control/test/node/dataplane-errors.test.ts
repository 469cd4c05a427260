/**
 * Data-plane failures become protocol actions, not crashes: a kernel tunnel that cannot be created
 * closes the tunnel with StopCCN 2/4 and the daemon never sees tunnel-up; a kernel session that
 * cannot be created clears the call with CDN 2/4. Both are reported as `dataplane-error`.
 */
import { afterEach, expect, test } from 'vitest';
import type { DataPlane } from '../../src/api/dataplane.js';
import { L2tpContext, nullDataPlane } from '../../src/node/index.js';

const failing = (what: 'tunnel' | 'session'): DataPlane => {
  const dp = nullDataPlane();
  return {
    ...dp,
    async createTunnel(spec) {
      if (what === 'tunnel') throw Object.assign(new Error('EPROTONOSUPPORT'), { name: 'NetlinkError' });
      const t = await dp.createTunnel(spec);
      return { ...t, createSession: async () => { throw Object.assign(new Error('EEXIST'), { name: 'NetlinkError' }); } };
    },
  };
};

const open: L2tpContext[] = [];
afterEach(async () => { await Promise.all(open.splice(0).map((c) => c.close(100))); });

async function pair(dp: DataPlane) {
  const lns = new L2tpContext({ dataPlane: nullDataPlane() });
  const lac = new L2tpContext({ dataPlane: dp });
  open.push(lac, lns);
  const bound = await lns.listen({ local: { address: '127.0.0.1', port: 0, family: 4 } });
  return { lac, lns, bound };
}

test('a kernel tunnel that cannot be created: StopCCN 2/4, dataplane-error, no tunnel-up', async () => {
  const { lac, lns, bound } = await pair(failing('tunnel'));
  let up = false;
  lac.on('tunnel-up', () => { up = true; });
  const error = lac.once('dataplane-error');
  const peerDown = lns.once('tunnel-down');
  await lac.dial({ name: 't', peer: bound });
  expect((await error).error.message).toBe('EPROTONOSUPPORT');
  expect((await peerDown).reason).toMatchObject({ type: 'peer-stopccn', result: { result: 2, error: 4 } });
  expect(up).toBe(false);
});

test('a kernel session that cannot be created: CDN 2/4 and dataplane-error', async () => {
  const { lac, lns, bound } = await pair(failing('session'));
  const tunnelUp = lac.once('tunnel-up');
  const tunnelId = await lac.dial({ name: 't', peer: bound });
  await tunnelUp;
  const error = lac.once('dataplane-error');
  const peerDown = lns.once('session-down');
  const sessionId = lac.openSession(tunnelId);
  expect(await error).toMatchObject({ tunnelId, sessionId, result: { result: 2, error: 4 } });
  expect((await peerDown).reason).toMatchObject({ type: 'peer-cdn', result: { result: 2, error: 4 } });
});
