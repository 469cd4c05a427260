/**
 * Malformed and unusual peer input: every case decodes to a value (never an exception) whose
 * error code and answer follow RFC 2661 §4.1-4.2 and §7.1.
 */
import { describe, expect, it } from 'vitest';
import { decodeDatagram, decodeMessage, encodeMessage, type ControlHeader } from '../../src/codec/index.js';
import { hex } from './helpers.js';

const H: ControlHeader = { version: 2, tunnelId: 7, sessionId: 0, ns: 1, nr: 2 };
const hello = () => encodeMessage({ type: 'HELLO', avps: {} }, H);
/** A HELLO with extra raw AVP bytes appended (Length fixed up). */
function helloWith(avpHex: string): Uint8Array {
  const base = hello();
  const extra = hex(avpHex);
  const out = new Uint8Array(base.length + extra.length);
  out.set(base);
  out.set(extra, base.length);
  new DataView(out.buffer).setUint16(2, out.length);
  return out;
}
const err = (b: Uint8Array) => {
  const r = decodeMessage(b);
  if (r.ok) throw new Error(`decoded: ${JSON.stringify(r.value)}`);
  return r.error;
};

describe('headers', () => {
  it('truncated and bad-length headers are errors with offsets', () => {
    expect(err(hex('c8'))).toMatchObject({ code: 'truncated', offset: 0 });
    expect(err(hex('c802000c0007'))).toMatchObject({ code: 'truncated' });
    expect(err(hex('c80200ff00070000 00010002'))).toMatchObject({ code: 'bad-length', offset: 2 });
  });
  it('L2F (version 1) and unknown versions are refused (RFC 2661 §3.1)', () => {
    expect(err(hex('c801000c000700000001 0002'))).toMatchObject({ code: 'bad-version' });
  });
  it('a control header without L or S is malformed', () => {
    expect(err(hex('8002000c00070000 00010002'))).toMatchObject({ code: 'bad-header' });
  });
  it('a data packet on the control socket is reported as data, never parsed as control', () => {
    expect(decodeDatagram(hex('4002 0010 0007 0009 ff03 c021'))).toEqual([{ ok: true, value: { kind: 'data', data: { version: 2, tunnelId: 7, sessionId: 9 } } }]);
    expect(decodeDatagram(hex('0003 0000 0000 1234 abcd'))).toEqual([{ ok: true, value: { kind: 'data', data: { version: 3, tunnelId: undefined, sessionId: 0x1234 } } }]);
    expect(decodeDatagram(hex('0000 5678 abcd'), { ipEncap: true })).toEqual([{ ok: true, value: { kind: 'data', data: { version: 3, tunnelId: undefined, sessionId: 0x5678 } } }]);
  });
  it('a v2 control message with the O bit has its offset skipped', () => {
    const m = hello();
    const withOffset = new Uint8Array(m.length + 4);
    withOffset.set(m.subarray(0, 12));
    withOffset[0] = 0xca; // T, L, S and O
    withOffset.set([0, 2, 0xee, 0xee], 12);
    withOffset.set(m.subarray(12), 16);
    new DataView(withOffset.buffer).setUint16(2, withOffset.length);
    expect(decodeMessage(withOffset)).toMatchObject({ ok: true, value: { kind: 'control', message: { type: 'HELLO' } } });
  });
});

describe('AVPs', () => {
  it('the first AVP must be Message Type (RFC 2661 §4.1)', () => {
    expect(err(hex('c802 0014 0007 0000 0001 0002 8008 0000 0009 0001'))).toMatchObject({ code: 'first-avp-not-message-type', answer: { result: 2 } });
  });
  it('an AVP length below 6 or past the end is bad-avp-length, answered with error 2', () => {
    expect(err(helloWith('8005 0000 0007'))).toMatchObject({ code: 'bad-avp-length', offset: 20, answer: { result: 2, error: 2 } });
    expect(err(helloWith('8010 0000 0007 41'))).toMatchObject({ code: 'bad-avp-length', offset: 20 });
  });
  it('an unknown AVP with the M bit names itself and is answered with Result 2 Error 8 (RFC 2661 §4.2)', () => {
    const e = err(helloWith('8007 0000 0063 ff'));
    expect(e).toMatchObject({ code: 'unknown-mandatory-avp', avp: { vendorId: 0, attrType: 99 }, answer: { result: 2, error: 8 }, header: H, messageType: 6 });
  });
  it('unknown AVPs without the M bit are skipped over their full length and kept in order', () => {
    const r = decodeMessage(helloWith('0009 0000 0063 aabbcc 0008 0137 0001 dead'));
    expect(r).toMatchObject({ ok: true, value: { message: { unknownAvps: [
      { mandatory: false, hidden: false, vendorId: 0, attrType: 99, value: hex('aabbcc') },
      { mandatory: false, hidden: false, vendorId: 0x137, attrType: 1, value: hex('dead') },
    ] } } });
    if (r.ok && r.value.kind === 'control') expect(encodeMessage(r.value.message, r.value.header)).toEqual(helloWith('0009 0000 0063 aabbcc 0008 0137 0001 dead'));
  });
  it('AVPs are keyed by (vendor, type): vendor 9 type 7 is Cisco\'s Pseudowire Type, not a Host Name', () => {
    expect(decodeMessage(helloWith('8008 0009 0007 0005'))).toMatchObject({ ok: true, value: { message: { avps: { ciscoPwType: 5 } } } });
    expect(decodeMessage(helloWith('8009 0009 0007 414243'))).toMatchObject({ ok: false, error: { code: 'bad-avp-value', avp: { vendorId: 9, attrType: 7 } } });
    expect(decodeMessage(helloWith('8009 0009 0064 414243'))).toMatchObject({ ok: false, error: { code: 'unknown-mandatory-avp', avp: { vendorId: 9, attrType: 100 } } });
  });
  it('a message refused for an unknown M-bit AVP is still read whole, so the answer can name its ids', () => {
    const r = decodeMessage(helloWith('8009 0009 0064 414243 000a 0000 003f 00000007'));
    expect(r).toMatchObject({ ok: false, error: { code: 'unknown-mandatory-avp', offset: 20, message: {
      type: 'HELLO', avps: { localSessionId: 7 }, unknownAvps: [{ mandatory: true, vendorId: 9, attrType: 100 }],
    } } });
  });
  it('a malformed mandatory value is bad-avp-value; without the M bit it is kept raw and ignored', () => {
    expect(err(helloWith('8007 0000 000a 01'))).toMatchObject({ code: 'bad-avp-value', avp: { attrType: 10 } });
    expect(decodeMessage(helloWith('0007 0000 000a 01'))).toMatchObject({ ok: true, value: { message: { avps: {}, unknownAvps: [{ attrType: 10 }] } } });
  });
  it('Result Code of AVP length 8 (no Error Code) is legal; 10 and 10+N too', () => {
    const cases = [['8008 0000 0001 0001', { result: 1 }], ['800a 0000 0001 0002 0006', { result: 2, error: 6 }],
      ['800d 0000 0001 0001 0000 4f4b21', { result: 1, error: 0, message: 'OK!' }]] as const;
    for (const [avp, value] of cases) expect(decodeMessage(helloWith(avp))).toMatchObject({ ok: true, value: { message: { avps: { resultCode: value } } } });
    expect(err(helloWith('8009 0000 0001 000100'))).toMatchObject({ code: 'bad-avp-value' });
  });
  it('a required AVP missing is answered with Result 2 and names the AVP', () => {
    const icrq = encodeMessage({ type: 'ICRQ', avps: { assignedSessionId: 5 } }, H);
    expect(err(icrq)).toMatchObject({ code: 'missing-required-avp', avp: { attrType: 15 }, messageType: 10, answer: { result: 2 } });
  });
  it('a StopCCN that fails to decode still reports its Assigned Tunnel ID', () => {
    const stop = encodeMessage({ type: 'StopCCN', avps: { assignedTunnelId: 42 }, unknownAvps: [{ mandatory: true, hidden: false, vendorId: 0, attrType: 99, value: new Uint8Array(1) }] }, H);
    expect(err(stop)).toMatchObject({ code: 'unknown-mandatory-avp', assignedTunnelId: 42 });
  });
  it('an unknown message type with M is answered with Error 8; without M it is just reported', () => {
    expect(err(hex('c802 0014 0007 0000 0001 0002 8008 0000 0000 0063'))).toMatchObject({ code: 'unknown-message-type', messageType: 99, answer: { result: 2, error: 8 } });
    expect(err(hex('c802 0014 0007 0000 0001 0002 0008 0000 0000 0063'))).not.toHaveProperty('answer');
  });
  it('an assigned id of 0 is refused with Error 3, scoped by the message (RFC 2661 §4.4.3, §4.4.4); 0 elsewhere is fine', () => {
    const sccrq = encodeMessage({ type: 'SCCRQ', avps: { protocolVersion: 0x0100, hostName: 'h', framingCapabilities: 3, assignedTunnelId: 0 } }, { ...H, tunnelId: 0 });
    expect(err(sccrq)).toMatchObject({ code: 'bad-avp-value', scope: 'tunnel', assignedTunnelId: 0, avp: { vendorId: 0, attrType: 9 }, answer: { result: 2, error: 3 } });
    for (const type of ['ICRQ', 'OCRQ', 'ICRP', 'OCRP'] as const) {
      const avps = { assignedSessionId: 0, callSerialNumber: 1, minimumBps: 1, maximumBps: 1, bearerType: 1, framingType: 1, calledNumber: '1' };
      expect(err(encodeMessage({ type, avps }, H)), type).toMatchObject({ code: 'bad-avp-value', scope: 'session', assignedSessionId: 0, answer: { result: 2, error: 3 } });
    }
    // A CDN from a LAC refusing a call it never numbered carries Assigned Session ID 0, as we send it too.
    expect(decodeMessage(encodeMessage({ type: 'CDN', avps: { resultCode: { result: 2 }, assignedSessionId: 0 } }, H)).ok).toBe(true);
    expect(decodeMessage(encodeMessage({ type: 'StopCCN', avps: { resultCode: { result: 1 }, assignedTunnelId: 0 } }, H)).ok).toBe(true);
  });
  it('L2TPv3: an Assigned Control Connection ID or Local Session ID of 0 is refused with Error 3 (RFC 3931 §5.4.3, §5.4.4); Remote Session ID 0 is fine', () => {
    const V3 = { version: 3 as const, tunnelId: 0, sessionId: 0, ns: 0, nr: 0 };
    const sccrq = encodeMessage({ type: 'SCCRQ', avps: { hostName: 'h', routerId: 1, assignedConnectionId: 0, pwCapabilityList: [5] } }, V3);
    expect(err(sccrq)).toMatchObject({ code: 'bad-avp-value', scope: 'tunnel', assignedTunnelId: 0, avp: { vendorId: 0, attrType: 61 }, answer: { result: 2, error: 3 } });
    const call = { localSessionId: 0, remoteSessionId: 0, callSerialNumber: 1, pwType: 5, remoteEndId: Uint8Array.of(1), circuitStatus: { active: true, new: true } };
    for (const type of ['ICRQ', 'ICRP'] as const) {
      expect(err(encodeMessage({ type, avps: call }, { ...V3, tunnelId: 9 })), type).toMatchObject({ code: 'bad-avp-value', scope: 'session', assignedSessionId: 0, avp: { attrType: 63 }, answer: { result: 2, error: 3 } });
    }
    // Remote Session ID 0 is "not yet known" (RFC 3931 §5.4.4): an ICRQ carries it.
    expect(decodeMessage(encodeMessage({ type: 'ICRQ', avps: { ...call, localSessionId: 7 } }, { ...V3, tunnelId: 9 })).ok).toBe(true);
  });
});

describe('datagrams', () => {
  it('several control messages in one datagram decode in order; a ZLB is its own packet', () => {
    const a = hello();
    const z = hex('c802000c000700000002 0003');
    const both = new Uint8Array([...a, ...z, ...a]);
    const r = decodeDatagram(both);
    expect(r.map((p) => p.ok && p.value.kind)).toEqual(['control', 'zlb', 'control']);
  });
  it('v3 control headers over UDP and over IP carry the 32-bit Control Connection ID', () => {
    const h3: ControlHeader = { version: 3, tunnelId: 0xdeadbeef, sessionId: 0, ns: 3, nr: 4 };
    const m = encodeMessage({ type: 'HELLO', avps: {} }, h3);
    expect(m.subarray(0, 2)).toEqual(hex('c803'));
    expect(decodeMessage(m)).toMatchObject({ ok: true, value: { header: h3, message: { type: 'HELLO' } } });
    const overIp = new Uint8Array([0, 0, 0, 0, ...m]);
    expect(decodeMessage(overIp, { ipEncap: true })).toMatchObject({ ok: true, value: { header: h3 } });
  });
});
