// Codec rates on this machine: SCCRQ decode and encode (target: ≥ 1.5M SCCRQ decodes/s), a
// captured ICCN, and a hidden-AVP ICRQ. Printed figures, no assertions (DEVELOPERS.md: targets
// are met in benchmarks, not timed tests).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeDatagram, encodeMessage, encodeZlb } from '../dist/index.js';

const capture = JSON.parse(readFileSync(new URL('../test/vectors/xl2tpd/plain.json', import.meta.url), 'utf8'));
const bytesOf = (note) => new Uint8Array(Buffer.from(capture.datagrams.find((d) => d.note === note).hex, 'hex'));
const sccrq = bytesOf('SCCRQ');
const iccn = bytesOf('ICCN');
const md5 = (...parts) => { const h = createHash('md5'); for (const p of parts) h.update(p); return new Uint8Array(h.digest()); };
const secret = new TextEncoder().encode('bench-secret');
const header = /** @type {const} */ ({ version: 2, tunnelId: 4242, sessionId: 7, ns: 3, nr: 4 });
let n = 0;
const random = (len) => Uint8Array.from({ length: len }, () => n++ & 0xff);
const hiddenIcrq = encodeMessage({ type: 'ICRQ', avps: { assignedSessionId: 7, callSerialNumber: 1, bearerType: 0 } }, header, { hide: { secret, md5, random } });
/** The first packet of a datagram (the captures are well-formed). @param {Uint8Array} bytes @returns {any} */
const firstPacket = (bytes) => { const r = decodeDatagram(bytes)[0]; if (r.ok === false) throw new Error(r.error.detail); return r.value; };
const decodedSccrq = firstPacket(sccrq);

function rate(label, fn, iterations) {
  for (let i = 0; i < iterations / 10; i++) fn(); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`codec: ${label.padEnd(36)} ${(iterations / s / 1e6).toFixed(2)} M/s  (${(s * 1e9 / iterations).toFixed(0)} ns each)`);
}

const icrq = bytesOf('ICRQ');
const hello = encodeMessage({ type: 'HELLO', avps: {} }, { version: /** @type {const} */ (2), tunnelId: 4242, sessionId: 0, ns: 9, nr: 9 });
const zlb = bytesOf('ZLB');
/** @type {[string, Uint8Array, number][]} */
const cases = [['SCCRQ', sccrq, 2_000_000], ['ICRQ', icrq, 2_000_000], ['ICCN', iccn, 2_000_000], ['HELLO', hello, 3_000_000], ['ZLB', zlb, 3_000_000]];
for (const [name, bytes, n] of cases) {
  const d = firstPacket(bytes);
  rate(`decode ${name} (${bytes.length} B)`, () => decodeDatagram(bytes), n);
  rate(`encode ${name}`, () => (d.kind === 'zlb' ? encodeZlb(d.header) : encodeMessage(d.message, d.header)), n);
}
rate(`decode hidden ICRQ (MD5 unhide)`, () => decodeDatagram(hiddenIcrq, { secret, md5 }), 300_000);
rate(`encode hidden ICRQ (MD5 hide)`, () => encodeMessage({ type: 'ICRQ', avps: { assignedSessionId: 7, callSerialNumber: 1 } }, header, { hide: { secret, md5, random } }), 300_000);
void decodedSccrq;
