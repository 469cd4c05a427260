/**
 * Golden vectors: every datagram xl2tpd 1.3.18 exchanged with itself (test/vectors/xl2tpd, with
 * provenance), each checked three ways: decode (type and AVP list as tcpdump saw them), encode of
 * the decoded message gives the same bytes, and decode of that encoding gives the same message.
 */
import { describe, expect, it } from 'vitest';
import { challengeResponse, decodeDatagram, encodeMessage, encodeZlb, MessageType, type Packet } from '../../src/codec/index.js';
import { CAPTURES, hex, md5, toHex } from './helpers.js';

const cases = CAPTURES.flatMap((c) => c.datagrams.map((d, i) => [`${c.name} #${i} ${d.note}`, d] as const));

describe.each(cases)('%s', (_name, d) => {
  const bytes = hex(d.hex);
  const packets = decodeDatagram(bytes);

  it('decodes to one packet of the captured type with the captured AVPs', () => {
    expect(packets).toHaveLength(1);
    const p = packets[0]!;
    expect(p.ok, JSON.stringify(p)).toBe(true);
    if (!p.ok) return;
    if (d.note === 'ZLB') return void expect(p.value.kind).toBe('zlb');
    expect(p.value.kind).toBe('control');
    if (p.value.kind !== 'control') return;
    expect(p.value.message.type).toBe(d.note);
    expect(p.value.message.unknownAvps).toEqual([]);
    expect(Object.keys(p.value.message.avps).length).toBe(d.avps.length);
  });

  it('encodes back to the captured bytes, and that decodes to the same message', () => {
    const p = packets[0]!;
    if (!p.ok) throw new Error('decode failed');
    const v: Packet = p.value;
    const again = v.kind === 'zlb' ? encodeZlb(v.header) : v.kind === 'control' ? encodeMessage(v.message, v.header) : undefined;
    expect(toHex(again!)).toBe(d.hex);
    expect(decodeDatagram(again!)).toEqual(packets);
  });
});

describe('what the captures say about xl2tpd', () => {
  const plain = CAPTURES.find((c) => c.name === 'plain')!;
  const decoded = plain.datagrams.map((d) => decodeDatagram(hex(d.hex))[0]!).map((p) => (p.ok && p.value.kind === 'control' ? p.value : undefined));
  it('SCCRQ carries protocol 1.0, host name, framing 3, window 4 and the LAC\'s tunnel id', () => {
    const sccrq = decoded[0]!;
    expect(sccrq.header).toMatchObject({ version: 2, tunnelId: 0, sessionId: 0, ns: 0, nr: 0 });
    expect(sccrq.message.avps).toMatchObject({
      protocolVersion: 0x0100, hostName: 'xl2tpd-lac', vendorName: 'xelerance.com', framingCapabilities: 3,
      receiveWindowSize: 4, assignedTunnelId: expect.any(Number),
    });
  });
  it('the LAC\'s CDN and StopCCN carry result 1 with error 0 and the message "Goodbye!"', () => {
    const cdn = decoded.find((m) => m?.message.type === 'CDN')!;
    const stop = decoded.find((m) => m?.message.type === 'StopCCN')!;
    expect(cdn.message.avps.resultCode).toEqual({ result: 1, error: 0, message: 'Goodbye!' });
    expect(stop.message.avps.resultCode).toEqual({ result: 1, error: 0, message: 'Goodbye!' });
    expect(MessageType[stop.message.type]).toBe(4);
  });
  it('Challenge Responses equal MD5(message type || secret || challenge) (RFC 2661 §4.4.3)', () => {
    const c = CAPTURES.find((x) => x.name === 'challenge-hidden')!;
    const secret = new TextEncoder().encode(c.secret);
    const m = c.datagrams.map((d) => decodeDatagram(hex(d.hex))[0]!).map((p) => (p.ok && p.value.kind === 'control' ? p.value.message : undefined));
    const sccrq = m.find((x) => x?.type === 'SCCRQ')!;
    const sccrp = m.find((x) => x?.type === 'SCCRP')!;
    const scccn = m.find((x) => x?.type === 'SCCCN')!;
    expect(sccrp.avps.challengeResponse).toEqual(challengeResponse(2, secret, sccrq.avps.challenge!, md5));
    expect(scccn.avps.challengeResponse).toEqual(challengeResponse(3, secret, sccrp.avps.challenge!, md5));
    expect(sccrq.avps.randomVector).toHaveLength(16);
  });
});
