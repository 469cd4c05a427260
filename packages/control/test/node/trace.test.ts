/**
 * The -verbose control trace over real loopback UDP: every control message sent and received is
 * one line with its type, ids, Ns/Nr and every AVP; hidden AVPs are marked (and unhidden with the
 * tunnel's secret); retransmissions are marked; state transitions are lines of their own.
 */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, test } from 'vitest';
import { codecWire } from '../../src/engine/codec-wire.js';
import { controlTrace, describeDatagram, formatPacket, type TraceLine } from '../../src/engine/trace.js';
import { encodeMessage } from '../../src/codec/index.js';
import { L2tpContext, md5, nullDataPlane } from '../../src/node/index.js';

const contexts: L2tpContext[] = [];
afterEach(async () => { await Promise.all(contexts.splice(0).map((c) => c.close(200))); });

describe('control trace', () => {
  test('LAC to LNS with a secret and hidden AVPs: one line per message, AVPs decoded, hidden ones marked, transitions', async () => {
    const lines: TraceLine[] = [];
    const secret = new TextEncoder().encode('s3cret');
    const lns = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
    const lac = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire, trace: controlTrace((l) => lines.push(l), md5) });
    contexts.push(lns, lac);
    const bound = await lns.listen({ local: { address: '127.0.0.1', port: 0, family: 4 }, hostName: 'lns', secret, hideAvps: true });
    const up = lac.once('session-up');
    const tunnelId = await lac.dial({ name: 't1', peer: bound, hostName: 'lac', secret, hideAvps: true });
    const sessionId = lac.openSession(tunnelId, { name: 's1' });
    await up;
    const msgs = lines.map((l) => l.msg);
    const peer = `127.0.0.1:${bound.port}`;
    expect(msgs[0]).toMatch(new RegExp(`^send to ${peer.replace(/\./g, '\\.')} SCCRQ tunnel 0 session 0 Ns 0 Nr 0: protocolVersion=1\\.0 hostName="lac" framingCapabilities=\\d+ assignedTunnelId=${tunnelId} receiveWindowSize=4 vendorName="l2tp \\(TypeScript\\)" challenge=0x[0-9a-f]{32}$`));
    const sccrp = msgs.find((m) => m.startsWith('recv from') && m.includes(' SCCRP '));
    // SCCRP, like SCCRQ, goes out in the clear even with hideAvps (xl2tpd interop, message-spec.ts).
    expect(sccrp).toMatch(new RegExp(`SCCRP tunnel ${tunnelId} session 0 Ns 0 Nr 1: .*hostName="lns".*assignedTunnelId=\\d+ receiveWindowSize`));
    expect(sccrp).not.toMatch(/hidden|randomVector/);
    expect(sccrp).toMatch(/challengeResponse=0x[0-9a-f]{32}/);
    expect(msgs.some((m) => /^send to .* ICRQ tunnel \d+ session 0 Ns 2 Nr 1: .*randomVector=0x[0-9a-f]+ assignedSessionId=\d+ \(hidden\) callSerialNumber=\d+ \(hidden\)/.test(m))).toBe(true);
    expect(msgs.some((m) => / ICCN tunnel \d+ session \d+ Ns 3 /.test(m))).toBe(true);
    expect(msgs).toContain(`tunnel ${tunnelId} state idle -> wait-ctl-reply`);
    expect(msgs).toContain(`tunnel ${tunnelId} state wait-ctl-reply -> established`);
    expect(msgs.some((m) => m.startsWith(`tunnel ${tunnelId} session ${sessionId} state `) && m.endsWith('-> established'))).toBe(true);
    expect(msgs.filter((m) => m.includes('(retransmission)'))).toEqual([]);
    const first = lines[0]!.fields.control;
    expect(first).toMatchObject({ dir: 'send', peer, type: 'SCCRQ', ns: 0, nr: 0, tunnelId: 0 });
  });

  test('without the secret a hidden AVP shows as (hidden, N bytes, ...); with it, its value', () => {
    const bytes = encodeMessage({ type: 'ICRQ', avps: { assignedSessionId: 5, callSerialNumber: 7 } },
      { version: 2, tunnelId: 9, sessionId: 0, ns: 1, nr: 2 },
      { hide: { secret: new TextEncoder().encode('k'), md5, random: (n: number) => new Uint8Array(n).fill(1) } });
    const [p] = describeDatagram(bytes);
    expect(formatPacket(p!)).toMatch(/^ICRQ tunnel 9 session 0 Ns 1 Nr 2: randomVector=0x(01){16} assignedSessionId=\(hidden, 16 bytes, no secret to read it\) callSerialNumber=\(hidden, 16 bytes, no secret to read it\)$/);
    const [q] = describeDatagram(bytes, new TextEncoder().encode('k'), md5);
    expect(formatPacket(q!)).toMatch(/assignedSessionId=5 \(hidden\) callSerialNumber=7 \(hidden\)$/);
  });

  test('retransmissions are marked; a silent peer gets SCCRQ again with the same Ns', async () => {
    const lines: TraceLine[] = [];
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    const got = new Promise<void>((r) => { let n = 0; silent.on('message', () => { if (++n === 2) r(); }); });
    const lac = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire, trace: controlTrace((l) => lines.push(l)) });
    contexts.push(lac);
    await lac.dial({ name: 't1', peer: { address: '127.0.0.1', port: silent.address().port, family: 4 }, retryTimeoutMs: 50, maxRetries: 3 });
    await got;
    silent.close();
    const sccrq = lines.filter((l) => / SCCRQ /.test(l.msg)).map((l) => l.msg);
    expect(sccrq[0]).not.toMatch(/retransmission/);
    expect(sccrq[1]).toMatch(/ SCCRQ tunnel 0 session 0 Ns 0 Nr 0: .* \(retransmission\)$/);
    expect(lines.find((l) => l.msg.endsWith('(retransmission)'))!.fields.control).toMatchObject({ retransmission: true });
  });

  test('a malformed datagram is described, never thrown', () => {
    expect(describeDatagram(new Uint8Array([0xc8, 0x02, 0x00, 0x20, 0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff]))).toEqual([]);
    const ok = codecWire.ack(2, 5, 1, 2);
    expect(describeDatagram(ok).map(formatPacket)).toEqual(['ZLB tunnel 5 session 0 Ns 1 Nr 2']);
  });
});
