/**
 * Hand-written vectors for every message type and version the xl2tpd captures (xl2tpd/*.json) do not
 * cover: L2TPv2 OCRQ, OCRP, OCCN, WEN, SLI and every L2TPv3 message, plus L2TPv3 over IP.
 *
 * Provenance: bytes written by hand from the field layouts of RFC 2661 §3.1 (v2 header), §4.1 (AVP
 * header), §4.4 (AVP values) and RFC 3931 §3.2.1 (v3 header), §4.1.1.2 (v3 over IP), §5.4 (v3
 * AVPs), §6 (messages) — independently of our encoder. Each AVP is one line: M/H/length, vendor 0,
 * attribute type, value. The only computed field is the header Length, written as LLLL and filled in
 * from the byte count by the test (the same arithmetic a reader would do).
 */

/** One constructed vector: the bytes and the message they must decode to. */
export interface ConstructedVector {
  readonly name: string;
  readonly ipEncap?: boolean;
  readonly hex: readonly string[];
  readonly header: { version: 2 | 3; tunnelId: number; sessionId: number; ns: number; nr: number };
  readonly type: string;
  readonly avps: Record<string, unknown>;
}

const V2 = (sessionId: number) => `c802 LLLL 0007 ${sessionId.toString(16).padStart(4, '0')} 0003 0004`; // T L S ver 2, tunnel 7, Ns 3, Nr 4
const V3 = 'c803 LLLL 00bc 614e 0005 0006'; // T L S ver 3, Control Connection ID 12345678, Ns 5, Nr 6
const H2 = (sessionId: number) => ({ version: 2 as const, tunnelId: 7, sessionId, ns: 3, nr: 4 });
const H3 = { version: 3 as const, tunnelId: 12345678, sessionId: 0, ns: 5, nr: 6 };
const mt = (code: number) => `8008 0000 0000 ${code.toString(16).padStart(4, '0')}`; // Message Type AVP, M bit, length 8
const local = '800a 0000 003f 0000 1001';   // Local Session ID (63) = 0x1001 (RFC 3931 §5.4.3)
const remote = '800a 0000 0040 0000 2002';  // Remote Session ID (64) = 0x2002
const circuit = '8008 0000 0047 0001';      // Circuit Status (71): A=1, N=0 (RFC 3931 §5.4.5)
const callErrors = '8020 0000 0022 0000 00000001 00000002 00000003 00000004 00000005 00000006'; // Call Errors (34), 26-byte value
const callErrorsValue = { crcErrors: 1, framingErrors: 2, hardwareOverruns: 3, bufferOverruns: 4, timeoutErrors: 5, alignmentErrors: 6 };
const v3Setup = [
  '8009 0000 0007 706531', // Host Name "pe1"
  '800a 0000 003c c0000201', // Router ID (60) = 192.0.2.1
  '800a 0000 003d 00bc614e', // Assigned Control Connection ID (61) = 12345678
  '800a 0000 003e 0005 0007', // Pseudowire Capabilities List (62): Ethernet (5), PPP (7)
];
const v3SetupAvps = { hostName: 'pe1', routerId: 0xc0000201, assignedConnectionId: 12345678, pwCapabilityList: [5, 7] };
const v3CallRequest = [
  local, '800a 0000 0040 0000 0000', // Remote Session ID 0 (not known yet)
  '800a 0000 000f 0000002a', // (Call) Serial Number (15) = 42
  '8008 0000 0044 0005', // Pseudowire Type (68) = Ethernet
  '8009 0000 0042 706531', // Remote End ID (66) = "pe1"
  circuit,
];
const v3CallRequestAvps = { localSessionId: 0x1001, remoteSessionId: 0, callSerialNumber: 42, pwType: 5, remoteEndId: new TextEncoder().encode('pe1'), circuitStatus: { active: true, new: false } };

/** The vectors. */
export const CONSTRUCTED: readonly ConstructedVector[] = [
  { name: 'v2 OCRQ', header: H2(0), type: 'OCRQ', hex: [V2(0), mt(7),
    '8008 0000 000e 1234', // Assigned Session ID 0x1234
    '800a 0000 000f 00000063', // Call Serial Number 99
    '800a 0000 0010 00002580', // Minimum BPS 9600
    '800a 0000 0011 0000e100', // Maximum BPS 57600
    '800a 0000 0012 00000001', // Bearer Type: digital
    '800a 0000 0013 00000002', // Framing Type: async
    '800c 0000 0015 353535303130', // Called Number "555010"
  ], avps: { assignedSessionId: 0x1234, callSerialNumber: 99, minimumBps: 9600, maximumBps: 57600, bearerType: 1, framingType: 2, calledNumber: '555010' } },
  { name: 'v2 OCRP', header: H2(0x1234), type: 'OCRP', hex: [V2(0x1234), mt(8), '8008 0000 000e 4321'], avps: { assignedSessionId: 0x4321 } },
  { name: 'v2 OCCN', header: H2(0x1234), type: 'OCCN', hex: [V2(0x1234), mt(9), '800a 0000 0018 0000e100', '800a 0000 0013 00000002'],
    avps: { txConnectSpeed: 57600, framingType: 2 } },
  { name: 'v2 WEN', header: H2(0x1234), type: 'WEN', hex: [V2(0x1234), mt(15), callErrors], avps: { callErrors: callErrorsValue } },
  { name: 'v2 SLI', header: H2(0x1234), type: 'SLI', hex: [V2(0x1234), mt(16), '8010 0000 0023 0000 ffffffff 000a0000'],
    avps: { accm: { sendAccm: 0xffffffff, receiveAccm: 0x000a0000 } } },
  { name: 'v3 SCCRQ', header: H3, type: 'SCCRQ', hex: [V3, mt(1), ...v3Setup], avps: v3SetupAvps },
  { name: 'v3 SCCRP', header: H3, type: 'SCCRP', hex: [V3, mt(2), ...v3Setup, '8008 0000 000a 0008'], avps: { ...v3SetupAvps, receiveWindowSize: 8 } },
  { name: 'v3 SCCCN', header: H3, type: 'SCCCN', hex: [V3, mt(3)], avps: {} },
  { name: 'v3 StopCCN', header: H3, type: 'StopCCN', hex: [V3, mt(4), '800a 0000 003d 00bc614e', '800c 0000 0001 0006 0000 6279'],
    avps: { assignedConnectionId: 12345678, resultCode: { result: 6, error: 0, message: 'by' } } },
  { name: 'v3 HELLO', header: H3, type: 'HELLO', hex: [V3, mt(6)], avps: {} },
  { name: 'v3 ICRQ', header: H3, type: 'ICRQ', hex: [V3, mt(10), ...v3CallRequest], avps: v3CallRequestAvps },
  { name: 'v3 ICRP', header: H3, type: 'ICRP', hex: [V3, mt(11), local, remote, circuit], avps: { localSessionId: 0x1001, remoteSessionId: 0x2002, circuitStatus: { active: true, new: false } } },
  { name: 'v3 ICCN', header: H3, type: 'ICCN', hex: [V3, mt(12), local, remote], avps: { localSessionId: 0x1001, remoteSessionId: 0x2002 } },
  { name: 'v3 OCRQ', header: H3, type: 'OCRQ', hex: [V3, mt(7), ...v3CallRequest], avps: v3CallRequestAvps },
  { name: 'v3 OCRP', header: H3, type: 'OCRP', hex: [V3, mt(8), local, remote, '8008 0000 0047 0003'],
    avps: { localSessionId: 0x1001, remoteSessionId: 0x2002, circuitStatus: { active: true, new: true } } },
  { name: 'v3 OCCN', header: H3, type: 'OCCN', hex: [V3, mt(9), local, remote], avps: { localSessionId: 0x1001, remoteSessionId: 0x2002 } },
  { name: 'v3 CDN', header: H3, type: 'CDN', hex: [V3, mt(14), '800a 0000 0001 0003 0000', local, remote],
    avps: { resultCode: { result: 3, error: 0 }, localSessionId: 0x1001, remoteSessionId: 0x2002 } },
  { name: 'v3 WEN', header: H3, type: 'WEN', hex: [V3, mt(15), local, remote, callErrors], avps: { localSessionId: 0x1001, remoteSessionId: 0x2002, callErrors: callErrorsValue } },
  { name: 'v3 SLI', header: H3, type: 'SLI', hex: [V3, mt(16), local, remote], avps: { localSessionId: 0x1001, remoteSessionId: 0x2002 } },
  { name: 'v3 ACK', header: H3, type: 'ACK', hex: [V3, mt(20)], avps: {} },
  { name: 'v3 HELLO over IP', ipEncap: true, header: H3, type: 'HELLO', hex: ['0000 0000', V3, mt(6)], avps: {} },
];
