/**
 * The hand-written vectors (test/vectors/constructed.ts) checked three ways: decode gives the
 * expected message; encode of that message gives the same bytes; decode(encode) equals decode.
 */
import { describe, expect, it } from 'vitest';
import { decodeDatagram, encodeMessage, type AvpValues, type MessageTypeName } from '../../src/codec/index.js';
import { CONSTRUCTED } from '../vectors/constructed.js';
import { hex, toHex } from './helpers.js';

/** The vector's bytes with its header Length filled in (counted from the T bit, RFC 2661 §3.1). */
function bytesOf(v: (typeof CONSTRUCTED)[number]): Uint8Array {
  const text = v.hex.join('').replace(/\s/g, '');
  const prefix = v.ipEncap ? 8 : 0;
  const length = (text.length - prefix) / 2;
  return hex(text.replace('LLLL', length.toString(16).padStart(4, '0')));
}

describe.each(CONSTRUCTED.map((v) => [v.name, v] as const))('%s', (_name, v) => {
  const bytes = bytesOf(v);
  const decoded = decodeDatagram(bytes, { ipEncap: v.ipEncap === true });
  it('decodes to the expected message', () => {
    expect(decoded).toHaveLength(1);
    expect(decoded[0]).toEqual({ ok: true, value: { kind: 'control', header: v.header, message: { type: v.type, avps: v.avps, unknownAvps: [], hidden: [] } } });
  });
  it('encodes back to the same bytes, which decode to the same message', () => {
    const body = encodeMessage({ type: v.type as MessageTypeName, avps: v.avps as AvpValues }, v.header);
    const again = v.ipEncap ? Uint8Array.from([0, 0, 0, 0, ...body]) : body;
    expect(toHex(again)).toBe(toHex(bytes));
    expect(decodeDatagram(again, { ipEncap: v.ipEncap === true })).toEqual(decoded);
  });
});

it('covers every message type in both versions, together with the xl2tpd captures', () => {
  const v3 = new Set(CONSTRUCTED.filter((v) => v.header.version === 3).map((v) => v.type));
  expect([...v3].sort()).toEqual(['ACK', 'CDN', 'HELLO', 'ICCN', 'ICRP', 'ICRQ', 'OCCN', 'OCRP', 'OCRQ', 'SCCCN', 'SCCRP', 'SCCRQ', 'SLI', 'StopCCN', 'WEN']);
  const v2 = new Set(CONSTRUCTED.filter((v) => v.header.version === 2).map((v) => v.type));
  for (const t of ['OCRQ', 'OCRP', 'OCCN', 'WEN', 'SLI']) expect(v2.has(t)).toBe(true);
});
