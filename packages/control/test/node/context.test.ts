/**
 * The library context over real loopback UDP with the null data plane: a LAC context dials an LNS
 * context, a session comes up on both, the LAC hangs up and closes. Pins the driver (one timer,
 * real clock), socket handling (connect on tunnel-up) and the event surface.
 */
import { afterEach, expect, test } from 'vitest';
import { L2tpContext, nullDataPlane } from '../../src/node/index.js';
import { jsonWire } from '../engine/json-wire.js';
import type { TunnelSpec } from '../../src/api/dataplane.js';

const contexts: L2tpContext[] = [];
afterEach(async () => { await Promise.all(contexts.splice(0).map((c) => c.close(200))); });

test('LAC and LNS contexts bring a tunnel and a session up over loopback and tear them down', async () => {
  const specs: TunnelSpec[] = [];
  const plain = nullDataPlane();
  const lns = new L2tpContext({ dataPlane: { ...plain, createTunnel: (spec) => { specs.push(spec); return plain.createTunnel(spec); } }, wire: jsonWire });
  const lac = new L2tpContext({ dataPlane: nullDataPlane(), wire: jsonWire });
  contexts.push(lns, lac);
  const bound = await lns.listen({ local: { address: '127.0.0.1', port: 0, family: 4 }, hostName: 'lns' });
  const lnsSessionUp = lns.once('session-up');
  const lacTunnelUp = lac.once('tunnel-up');
  const tunnelId = await lac.dial({ name: 't1', peer: bound, hostName: 'lac' });
  const up = await lacTunnelUp;
  expect(up.tunnel).toMatchObject({ name: 't1', tunnelId, state: 'established', peerHostName: 'lns', role: 'lac' });
  const lacSessionUp = lac.once('session-up');
  const sessionId = lac.openSession(tunnelId, { name: 's1' });
  const [a, b] = await Promise.all([lacSessionUp, lnsSessionUp]);
  expect(a.session).toMatchObject({ name: 's1', sessionId, state: 'established' });
  expect(b.session.peerSessionId).toBe(sessionId);
  expect(lac.info(tunnelId)?.sessions).toHaveLength(1);
  // The LNS gave the accepted tunnel its own socket on the listening port: a managed kernel tunnel.
  expect(specs).toHaveLength(1);
  expect(specs[0]!.socket?.local.port).toBe(bound.port);

  const lnsSessionDown = lns.once('session-down');
  lac.closeSession(tunnelId, sessionId);
  expect((await lnsSessionDown).reason).toMatchObject({ type: 'peer-cdn', result: { result: 3 } });

  const lnsTunnelDown = lns.once('tunnel-down');
  await lac.close(1000);
  expect((await lnsTunnelDown).reason).toMatchObject({ type: 'peer-stopccn', result: { result: 6 } });
});
