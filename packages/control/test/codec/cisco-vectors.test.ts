/**
 * Golden vectors from real equipment: the 121 L2TPv3-over-IP control packets two Cisco LCCEs
 * exchanged (test/vectors/cisco, read straight from the pcap). Every packet decodes; the ones whose
 * DEPI AVPs (CableLabs, vendor 4491, M bit set) we do not implement decode whole and are refused
 * with Result 2 / Error 8 carrying the message (RFC 3931 §5.2); every one re-encodes to the bytes
 * captured, and that decodes to the same result.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ControlHeader, type ControlMessage, decodeDatagram, encodeMessage, encodeZlb, type Packet } from '../../src/codec/index.js';
import { readIpv4Pcap } from './pcap.js';
import { hex, toHex } from './helpers.js';

const PCAP = new URL('../vectors/cisco/cisco-l2tpv3-ip-control.pcap', import.meta.url).pathname;
const packets = readIpv4Pcap(PCAP);
const VENDOR_CABLELABS = 4491;

interface Case {
  index: number; src: string; bytes: Uint8Array; packet: Packet | undefined;
  refused: ControlMessage | undefined; header: ControlHeader | undefined;
}

const cases: Case[] = packets.map((p) => {
  const r = decodeDatagram(p.payload, { ipEncap: true });
  expect(r).toHaveLength(1);
  const d = r[0]!;
  return {
    index: p.index, src: p.src, bytes: p.payload,
    packet: d.ok ? d.value : undefined,
    refused: !d.ok && d.error.code === 'unknown-mandatory-avp' ? d.error.message : undefined,
    header: d.ok ? (d.value.kind === 'data' ? undefined : d.value.header) : d.error.header,
  };
});

const typeOf = (c: Case) => c.packet?.kind === 'zlb' ? 'ZLB' : c.packet?.kind === 'control' ? c.packet.message.type : c.refused?.type;
const messages = (type: string) => cases.filter((c) => typeOf(c) === type).map((c) => (c.packet?.kind === 'control' ? c.packet.message : c.refused)!);

describe('the Cisco L2TPv3 capture', () => {
  it('holds 121 IP packets of protocol 115', () => {
    expect(packets).toHaveLength(121);
    expect(new Set(packets.map((p) => p.protocol))).toEqual(new Set([115]));
  });

  it('every packet decodes: the message types tcpdump and Wireshark name', () => {
    const count: Record<string, number> = {};
    for (const c of cases) count[typeOf(c) ?? 'FAILED'] = (count[typeOf(c) ?? 'FAILED'] ?? 0) + 1;
    expect(count).toEqual({ SCCRQ: 2, SCCRP: 1, SCCCN: 1, StopCCN: 2, HELLO: 8, ICRQ: 24, ICRP: 24, ICCN: 24, SLI: 1, ZLB: 34 });
  });

  it('only the DEPI sessions are refused, each for a CableLabs M-bit AVP with Result 2 / Error 8', () => {
    for (const c of cases) {
      const r = decodeDatagram(c.bytes, { ipEncap: true })[0]!;
      if (r.ok) continue;
      expect(r.error).toMatchObject({ code: 'unknown-mandatory-avp', avp: { vendorId: VENDOR_CABLELABS }, answer: { result: 2, error: 8 } });
      expect(['ICRQ', 'ICRP', 'ICCN']).toContain(r.error.message?.type);
      // Everything else the message says is known: Cisco's vendor-9 AVPs are recognised.
      expect(r.error.message!.unknownAvps.filter((a) => a.mandatory).every((a) => a.vendorId === VENDOR_CABLELABS)).toBe(true);
    }
    expect(cases.filter((c) => c.refused !== undefined)).toHaveLength(72);
  });

  it.each(cases.map((c) => [c.index, c] as const))('packet %i re-encodes to the captured bytes', (_i, c) => {
    const msg = c.packet?.kind === 'control' ? c.packet.message : c.refused;
    expect(toHex(c.bytes.subarray(0, 4))).toBe('00000000');
    const again = c.packet?.kind === 'zlb' ? encodeZlb(c.packet.header) : encodeMessage(msg!, c.header!);
    expect(toHex(again)).toBe(toHex(c.bytes.subarray(4)));
    const round = decodeDatagram(new Uint8Array([0, 0, 0, 0, ...again]), { ipEncap: true });
    expect(round).toEqual(decodeDatagram(c.bytes, { ipEncap: true }));
  });
});

describe('what the capture says about Cisco IOS', () => {
  it('SCCRQ: Router ID, Assigned Control Connection ID and PW capabilities, mirrored in vendor-9 AVPs with M=1', () => {
    const [sccrq] = messages('SCCRQ');
    expect(sccrq!.avps).toMatchObject({
      hostName: 'CST-Wuhan-ubr10k', vendorName: 'Cisco Systems, Inc.', routerId: 0x04060d02, assignedConnectionId: 0xcc1f7e41,
      pwCapabilityList: [0x000c], receiveWindowSize: 1024, tieBreaker: hex('be64ff90b0318aad'),
      ciscoAssignedConnectionId: 0xcc1f7e41, ciscoPwCapabilityList: [0x000c], ciscoDraftAvpVersion: 1,
    });
    // Cisco sends the RFC 3931 AVPs with M=0 and its own with M=1; the layout keeps both.
    expect(sccrq!.wire?.find((w) => 'name' in w && w.name === 'routerId')).toEqual({ name: 'routerId', mandatory: false });
    expect(sccrq!.wire?.find((w) => 'name' in w && w.name === 'ciscoAssignedConnectionId')).toEqual({ name: 'ciscoAssignedConnectionId', mandatory: true });
  });

  it('the SCCRP answers with its own connection id, which the SCCCN and later messages are sent to', () => {
    const sccrp = cases.find((c) => typeOf(c) === 'SCCRP')!;
    const scccn = cases.find((c) => typeOf(c) === 'SCCCN')!;
    const sccrq = messages('SCCRQ')[0]!;
    expect(sccrp.packet?.kind === 'control' && sccrp.packet.header.tunnelId).toBe(sccrq.avps.assignedConnectionId);
    const assigned = sccrp.packet?.kind === 'control' ? sccrp.packet.message.avps.assignedConnectionId : undefined;
    expect(scccn.packet?.kind === 'control' && scccn.packet.header.tunnelId).toBe(assigned);
  });

  it('ICRQ: Local Session ID, Remote Session ID 0, Remote End ID, PW type (twice), sublayer, sequencing, circuit up', () => {
    for (const icrq of messages('ICRQ')) {
      expect(icrq.avps).toMatchObject({
        remoteSessionId: 0, pwType: 0x000c, l2SpecificSublayer: 3, dataSequencing: 2, circuitStatus: { active: true, new: false },
        ciscoRemoteSessionId: 0, ciscoPwType: 0x000c, sequencingRequired: true,
      });
      expect(icrq.avps.ciscoLocalSessionId).toBe(icrq.avps.localSessionId);
      expect(icrq.avps.ciscoSessionTieBreaker).toEqual(icrq.avps.tieBreaker);
      expect(icrq.avps.remoteEndId).toHaveLength(2);
      expect(icrq.wire?.filter((w) => 'raw' in w && w.raw.vendorId === 0 && w.raw.attrType === 68)).toHaveLength(1);
    }
  });

  it('each ICRP and ICCN names the session of an ICRQ; the SLI carries both circuit statuses', () => {
    const icrqIds = new Set(messages('ICRQ').map((m) => m.avps.localSessionId));
    for (const m of [...messages('ICRP'), ...messages('ICCN')]) {
      expect(m.avps.remoteSessionId === undefined ? false : icrqIds.has(m.avps.remoteSessionId) || icrqIds.has(m.avps.localSessionId!)).toBe(true);
    }
    const [sli] = messages('SLI');
    expect(sli!.avps).toMatchObject({ circuitStatus: { active: true, new: false }, ciscoCircuitStatus: { active: true, new: false } });
    expect(icrqIds.has(sli!.avps.remoteSessionId!)).toBe(true);
  });

  it('StopCCN: Result 1 "Peer reset" with the Assigned Control Connection ID', () => {
    const [stop] = messages('StopCCN');
    expect(stop!.avps).toMatchObject({ resultCode: { result: 1, error: 0, message: 'Peer reset' }, assignedConnectionId: 0x0946fd1d, ciscoAssignedConnectionId: 0x0946fd1d });
  });
});

describe('the Cisco packets mutated', () => {
  const seeds = packets.map((p) => p.payload);
  it('never throw; what decodes re-encodes without throwing and decodes again to the same message', () => {
    fc.assert(fc.property(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (seed, flips) => {
      const b = seed.slice();
      for (const [at, v] of flips) b[4 + (at % (b.length - 4))] = v;
      for (const r of decodeDatagram(b, { ipEncap: true })) {
        const m = r.ok ? (r.value.kind === 'control' ? r.value.message : undefined) : r.error.code === 'unknown-mandatory-avp' ? r.error.message : undefined;
        const header = r.ok ? (r.value.kind === 'control' ? r.value.header : undefined) : r.error.header;
        if (m === undefined || header === undefined || m.hidden.length > 0) continue;
        const again = decodeDatagram(new Uint8Array([0, 0, 0, 0, ...encodeMessage(m, header)]), { ipEncap: true })[0]!;
        const m2 = again.ok ? (again.value.kind === 'control' ? again.value.message : undefined) : again.error.message;
        expect(m2).toEqual(m);
      }
    }), { numRuns: Number(process.env.FC_RUNS ?? 3000) });
  });
});
