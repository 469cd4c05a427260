/**
 * The LNS role sends HELLO by default (issue 11, fault 4): a Windows-like LAC that restarted or
 * vanished must be found out (RFC 2661 §5.5), as xl2tpd and accel-ppp do with 60 s. A raw UDP peer
 * against `L2tpContext.listen` with no `helloIntervalMs`; the driver's timer runs on fake time.
 */
import { createSocket } from 'node:dgram';
import { afterEach, expect, test, vi } from 'vitest';
import { type ControlMessage, decodeMessage, encodeMessage } from '../../src/codec/index.js';
import { L2tpContext, nullDataPlane } from '../../src/node/index.js';

afterEach(() => { vi.useRealTimers(); });

test('an accepted tunnel sends HELLO after 60 s without control traffic when nothing is configured', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  const lns = new L2tpContext({ dataPlane: nullDataPlane(), clock: {
    nowMs: () => Date.now(),
    schedule(atMs, fire) { const t = setTimeout(fire, Math.max(0, atMs - Date.now())); return () => clearTimeout(t); },
  } });
  const bound = await lns.listen({ local: { address: '127.0.0.1', port: 0, family: 4 }, hostName: 'lns' });
  const peer = createSocket('udp4');
  await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
  const got: (ControlMessage | 'ZLB')[] = [];
  let wake: (() => void) | undefined;
  peer.on('message', (m) => {
    const p = decodeMessage(new Uint8Array(m));
    if (p.ok && p.value.kind === 'control') got.push(p.value.message);
    else if (p.ok && p.value.kind === 'zlb') got.push('ZLB');
    wake?.();
  });
  const until = async (f: () => boolean) => { while (!f()) await new Promise<void>((r) => { wake = r; }); };
  const find = (type: string) => got.find((g): g is ControlMessage => g !== 'ZLB' && g.type === type);
  const send = (b: Uint8Array) => peer.send(b, bound.port, '127.0.0.1');

  send(encodeMessage({ type: 'SCCRQ', avps: { protocolVersion: 0x100, hostName: 'win', framingCapabilities: 3, assignedTunnelId: 1 } }, { version: 2, tunnelId: 0, sessionId: 0, ns: 0, nr: 0 }));
  await until(() => find('SCCRP') !== undefined);
  const up = lns.once('tunnel-up');
  send(encodeMessage({ type: 'SCCCN', avps: {} }, { version: 2, tunnelId: find('SCCRP')!.avps.assignedTunnelId!, sessionId: 0, ns: 1, nr: 1 }));
  await up;
  const start = Date.now();
  await vi.advanceTimersByTimeAsync(59_000);
  expect(find('HELLO')).toBeUndefined();
  await vi.advanceTimersByTimeAsync(1_100);
  expect(Date.now() - start).toBeGreaterThanOrEqual(60_000);
  // The HELLO is on its way over loopback: wait for it in real time, at most 2 s.
  vi.useRealTimers();
  await Promise.race([until(() => find('HELLO') !== undefined), new Promise((r) => setTimeout(r, 2000))]);
  expect(find('HELLO')).toBeDefined();
  peer.close();
  await lns.close(50);
});
