/**
 * Every L2TPv3 AVP of RFC 3931 §5.4 and Cisco's vendor-9 mirrors: the bytes of each typed value
 * (RFC layouts), the values the RFC forbids refused, and encode → decode the identity over
 * generated v3 messages.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AVP, type AvpName, type AvpValues, type ControlHeader, decodeMessage, encodeMessage, type MessageTypeName } from '../../src/codec/index.js';
import { hex, toHex } from './helpers.js';

const H: ControlHeader = { version: 3, tunnelId: 0x01020304, sessionId: 0, ns: 5, nr: 6 };
/** The AVP bytes `name` encodes to inside a HELLO (after the header and Message Type). */
const avpHex = (avps: AvpValues) => toHex(encodeMessage({ type: 'HELLO', avps }, H).subarray(20));

describe('v3 AVP values on the wire (RFC 3931 §5.4)', () => {
  const cases: [string, AvpValues, string][] = [
    ['Router ID (60): 32 bits', { routerId: 0xc0000201 }, '800a 0000 003c c0000201'],
    ['Assigned Control Connection ID (61): 32 bits', { assignedConnectionId: 0xcafe0001 }, '800a 0000 003d cafe0001'],
    ['Pseudowire Capabilities List (62): 16-bit types', { pwCapabilityList: [5, 4, 7] }, '800c 0000 003e 0005 0004 0007'],
    ['Local Session ID (63)', { localSessionId: 0xfffffffe }, '800a 0000 003f fffffffe'],
    ['Remote Session ID (64): 0 in an ICRQ', { remoteSessionId: 0 }, '800a 0000 0040 00000000'],
    ['Assigned Cookie (65): 4 bytes', { assignedCookie: hex('deadbeef') }, '800a 0000 0041 deadbeef'],
    ['Assigned Cookie (65): 8 bytes', { assignedCookie: hex('0102030405060708') }, '800e 0000 0041 0102030405060708'],
    ['Assigned Cookie (65): none', { assignedCookie: new Uint8Array(0) }, '8006 0000 0041'],
    ['Remote End ID (66): opaque', { remoteEndId: new TextEncoder().encode('vc100') }, '800b 0000 0042 7663313030'],
    ['Pseudowire Type (68): Ethernet', { pwType: 0x0005 }, '8008 0000 0044 0005'],
    ['L2-Specific Sublayer (69): default', { l2SpecificSublayer: 1 }, '8008 0000 0045 0001'],
    ['Data Sequencing (70): all', { dataSequencing: 2 }, '8008 0000 0046 0002'],
    ['Circuit Status (71): A=1 N=1', { circuitStatus: { active: true, new: true } }, '8008 0000 0047 0003'],
    ['Circuit Status (71): A=0 N=0', { circuitStatus: { active: false, new: false } }, '8008 0000 0047 0000'],
    ['Control Message Authentication Nonce (73)', { controlMessageAuthNonce: hex('00112233445566778899aabbccddeeff') }, '8016 0000 0049 00112233445566778899aabbccddeeff'],
    ['Message Digest (59): HMAC-SHA-1, right after Message Type', { routerId: 1, messageDigest: { digestType: 1, digest: new Uint8Array(20).fill(9) } },
      `801b 0000 003b 01 ${'09'.repeat(20)} 800a 0000 003c 00000001`],
    ['Tie Breaker (5): 8 bytes, M=0', { tieBreaker: hex('0011223344556677') }, '000e 0000 0005 0011223344556677'],
    ['Cisco Assigned Connection ID (9:1)', { ciscoAssignedConnectionId: 7 }, '000a 0009 0001 00000007'],
    ['Cisco Session Tie Breaker (9:9)', { ciscoSessionTieBreaker: hex('0102030405060708') }, '000e 0009 0009 0102030405060708'],
    ['Cisco Draft AVP Version (9:10)', { ciscoDraftAvpVersion: 1 }, '0008 0009 000a 0001'],
    ['Cisco Interface MTU (9:14)', { ciscoInterfaceMtu: 1500 }, '0008 0009 000e 05dc'],
  ];
  it.each(cases)('%s', (_name, avps, bytes) => {
    expect(avpHex(avps)).toBe(bytes.replace(/\s/g, ''));
    const r = decodeMessage(encodeMessage({ type: 'HELLO', avps }, H));
    expect(r).toMatchObject({ ok: true, value: { header: H, message: { type: 'HELLO', avps } } });
  });

  it('a cookie is 0, 4 or 8 bytes (RFC 3931 §4.1): others are refused on decode and never encoded', () => {
    expect(decodeMessage(hex(`c803001d 01020304 00050006 80080000 00000006 8009 0000 0041 010203`))).toMatchObject({
      ok: false, error: { code: 'bad-avp-value', avp: { vendorId: 0, attrType: 65 }, answer: { result: 2 } },
    });
    expect(() => encodeMessage({ type: 'HELLO', avps: { assignedCookie: hex('010203') } }, H)).toThrow(RangeError);
  });

  it('every RFC 3931 §5.4 AVP and Cisco mirror is in the table', () => {
    const v3: AvpName[] = ['messageDigest', 'routerId', 'assignedConnectionId', 'pwCapabilityList', 'localSessionId', 'remoteSessionId',
      'assignedCookie', 'remoteEndId', 'pwType', 'l2SpecificSublayer', 'dataSequencing', 'circuitStatus', 'controlMessageAuthNonce', 'tieBreaker'];
    expect(v3.map((n) => AVP[n].type)).toEqual([59, 60, 61, 62, 63, 64, 65, 66, 68, 69, 70, 71, 73, 5]);
    const cisco = Object.values(AVP).filter((s) => 'vendorId' in s && s.vendorId === 9).map((s) => s.type);
    expect(cisco).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14]);
  });
});

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
/** An assigned id: non-zero (RFC 3931 §5.4.3, §5.4.4; a 0 is refused, test/conformance/v3-zero-ids.test.ts). */
const id32 = fc.integer({ min: 1, max: 0xffffffff });
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const cookie = fc.oneof(bytes(0, 0), bytes(4, 4), bytes(8, 8));
const status = fc.record({ active: fc.boolean(), new: fc.boolean() });
const digest = fc.oneof(bytes(16, 16).map((d) => ({ digestType: 0, digest: d })), bytes(20, 20).map((d) => ({ digestType: 1, digest: d })));
const header = fc.record({ tunnelId: u32, ns: u16, nr: u16 }).map((h): ControlHeader => ({ version: 3, sessionId: 0, ...h }));
const v3Messages: fc.Arbitrary<{ type: MessageTypeName; avps: AvpValues }> = fc.oneof(
  fc.record({ messageDigest: digest, hostName: fc.string({ minLength: 1, maxLength: 30 }), routerId: u32, assignedConnectionId: id32,
    pwCapabilityList: fc.array(u16, { minLength: 1, maxLength: 8 }), receiveWindowSize: u16, tieBreaker: bytes(8, 8), controlMessageAuthNonce: bytes(16, 64),
    ciscoAssignedConnectionId: u32, ciscoPwCapabilityList: fc.array(u16, { maxLength: 4 }), ciscoDraftAvpVersion: u16 }, { requiredKeys: ['hostName', 'routerId', 'assignedConnectionId', 'pwCapabilityList'] })
    .map((avps) => ({ type: 'SCCRQ' as const, avps })),
  fc.record({ localSessionId: id32, remoteSessionId: u32, callSerialNumber: u32, pwType: u16, remoteEndId: bytes(1, 32), circuitStatus: status,
    assignedCookie: cookie, l2SpecificSublayer: u16, dataSequencing: u16, tieBreaker: bytes(8, 8), ciscoLocalSessionId: u32, ciscoSessionTieBreaker: bytes(8, 8) },
  { requiredKeys: ['localSessionId', 'remoteSessionId', 'callSerialNumber', 'pwType', 'remoteEndId', 'circuitStatus'] })
    .map((avps) => ({ type: 'ICRQ' as const, avps })),
  fc.record({ localSessionId: u32, remoteSessionId: u32, circuitStatus: status, assignedCookie: cookie, ciscoCircuitStatus: status, ciscoInterfaceMtu: u16 })
    .map((avps) => ({ type: 'SLI' as const, avps })),
  fc.record({ localSessionId: u32, remoteSessionId: u32, resultCode: fc.record({ result: u16, error: u16 }), ciscoRemoteSessionId: u32, ciscoAuthNonce: bytes(0, 20) })
    .map((avps) => ({ type: 'CDN' as const, avps })),
);

describe('v3 encode then decode', () => {
  it('is the identity for every v3 AVP, IETF and Cisco', () => {
    fc.assert(fc.property(v3Messages, header, (m, h) => {
      const [p] = [decodeMessage(encodeMessage(m, h))];
      expect(p).toMatchObject({ ok: true, value: { kind: 'control', header: h, message: { type: m.type, avps: m.avps, unknownAvps: [] } } });
    }), { numRuns: 2000 });
  });
});
