/**
 * Replays the Cisco LCCE that initiates in test/vectors/cisco (4.6.13.2) against our responder
 * machines: its SCCRQ (with vendor-9 M-bit AVPs) is answered, its SCCCN brings the connection up,
 * HELLO keeps it, and its DEPI ICRQs (CableLabs M-bit AVPs we do not implement) get a CDN for that
 * session only (2/8), naming the Cisco's Local Session ID — the connection stays up.
 */
import { describe, expect, it } from 'vitest';
import { decodeDatagram } from '../../src/codec/index.js';
import { v3Inbound } from '../../src/engine/v3-wire.js';
import {
  INITIAL_V3_CONNECTION, PwType, type V3ConnectionInput, newV3Session, stepV3Connection, stepV3Session,
} from '../../src/fsm/v3/index.js';
import { readIpv4Pcap } from '../codec/pcap.js';

const packets = readIpv4Pcap(new URL('../vectors/cisco/cisco-l2tpv3-ip-control.pcap', import.meta.url).pathname)
  .filter((p) => p.src === '4.6.13.2');
const decoded = packets.map((p) => decodeDatagram(p.payload, { ipEncap: true })[0]!);
const ctx = { connectionId: 0xbca70a2d, authRequired: false };

describe('the Cisco initiator against our responder', () => {
  it('SCCRQ → SCCRP, SCCCN → established, HELLO keeps it; a DEPI ICRQ costs only its session', () => {
    let conn = INITIAL_V3_CONNECTION;
    const sent: string[] = [];
    for (const d of decoded) {
      if (d.ok && d.value.kind === 'control') {
        const m = v3Inbound(d.value.message);
        if (m === undefined || !['SCCRQ', 'SCCCN', 'HELLO'].includes(m.type)) continue;
        // The capture holds the SCCRQ twice (a retransmission): the transport, not the machine, absorbs it.
        if (m.type === 'SCCRQ' && conn.state !== 'idle') continue;
        const r = stepV3Connection(conn, { type: 'recv', message: m } as V3ConnectionInput, ctx);
        conn = r.next;
        for (const a of r.actions) if (a.type === 'send') sent.push(a.message.type);
      }
    }
    expect(sent).toEqual(['SCCRP']);
    expect(conn).toMatchObject({ state: 'established', peerConnectionId: 0xcc1f7e41, peerHostName: 'CST-Wuhan-ubr10k', peerRouterId: 0x04060d02, peerPwCapabilities: [0x000c] });

    const refused = decoded.filter((d) => !d.ok && d.error.message?.type === 'ICRQ');
    expect(refused).toHaveLength(24);
    const first = refused[0]!;
    if (first.ok) throw new Error('unreachable');
    const icrq = v3Inbound(first.error.message!);
    expect(icrq).toMatchObject({ type: 'ICRQ', localSessionId: 0x4aa0f134, pwType: 0x000c });
    const config = { pwType: PwType.ETHERNET, remoteEndId: Uint8Array.of(0xb3, 0xc5), cookie: new Uint8Array(0), l2SpecificSublayer: 0, dataSequencing: 0, tieBreaker: new Uint8Array(8) };
    const session = { ...newV3Session(7, 0), remoteSessionId: icrq?.type === 'ICRQ' ? icrq.localSessionId : 0 };
    const r = stepV3Session(session, { type: 'bad-message', result: first.error.answer! }, { connectionId: ctx.connectionId, config });
    expect(r.actions[0]).toEqual({ type: 'send', message: { type: 'CDN', localSessionId: 7, remoteSessionId: 0x4aa0f134, result: first.error.answer } });
    expect(first.error.answer).toMatchObject({ result: 2, error: 8 });
    // Even without the DEPI AVPs the ICRQ asks for MPT (0x000c), which an Ethernet pseudowire refuses with CDN 14.
    const plain = stepV3Session(newV3Session(8, 0), { type: 'recv', message: icrq as Extract<typeof icrq, { type: 'ICRQ' }> & object }, { connectionId: ctx.connectionId, config });
    expect(plain.actions[0]).toMatchObject({ type: 'send', message: { type: 'CDN', result: { result: 14 } } });
  });
});
