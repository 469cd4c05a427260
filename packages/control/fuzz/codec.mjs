// `pnpm fuzz`: mutational fuzzing of decodeDatagram for a bounded time (default 60 s, or the
// first argument in seconds). Seeds are the captured xl2tpd datagrams, the Cisco L2TPv3 capture's
// messages, and encoded messages of every type; mutations flip, insert, delete and splice bytes and
// fiddle with lengths. Any exception escaping the decoder, re-encoding what it decoded, or the v3
// digest check, or an empty result, is a failure: the input is written to fuzz/crashes/ and the
// process exits 1. Prints iterations and rate.
import { createHash, createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { decodeDatagram, encodeMessage, MessageType, verifyMessage } from '../dist/index.js';

const seconds = Number(process.argv[2] ?? process.env.FUZZ_SECONDS ?? 60);
const vectors = new URL('../test/vectors/xl2tpd/', import.meta.url);
const seeds = readdirSync(vectors).filter((f) => f.endsWith('.json'))
  .flatMap((f) => JSON.parse(readFileSync(new URL(f, vectors), 'utf8')).datagrams.map((d) => new Uint8Array(Buffer.from(d.hex, 'hex'))));
// The Cisco L2TPv3 capture (test/vectors/cisco): each IP payload after the Session ID word.
{
  const pcap = readFileSync(new URL('../test/vectors/cisco/cisco-l2tpv3-ip-control.pcap', import.meta.url));
  for (let at = 24; at < pcap.length;) {
    const len = pcap.readUInt32LE(at + 8);
    const ip = pcap.subarray(at + 16 + 14, at + 16 + len);
    seeds.push(new Uint8Array(ip.subarray((ip[0] & 0x0f) * 4 + 4, ip.readUInt16BE(2))));
    at += 16 + len;
  }
}
for (const type of /** @type {(keyof typeof MessageType)[]} */ (Object.keys(MessageType))) {
  for (const version of /** @type {const} */ ([2, 3])) seeds.push(encodeMessage({ type, avps: { resultCode: { result: 2, error: 8, message: 'x' }, assignedSessionId: 5 } }, { version, tunnelId: 7, sessionId: 0, ns: 1, nr: 2 }));
}
const md5 = (...parts) => { const h = createHash('md5'); for (const p of parts) h.update(p); return new Uint8Array(h.digest()); };
const hmac = (alg, key, ...parts) => { const h = createHmac(alg, key); for (const p of parts) h.update(p); return new Uint8Array(h.digest()); };
const secret = new TextEncoder().encode('fuzz');

let state = Number(process.env.FUZZ_SEED ?? Date.now()) >>> 0;
const rnd = (n) => { state = (Math.imul(state, 1664525) + 1013904223) >>> 0; return state % n; };
function mutate(input) {
  let b = Array.from(input);
  for (let k = 1 + rnd(6); k > 0; k--) {
    switch (rnd(7)) {
      case 0: if (b.length) b[rnd(b.length)] = rnd(256); break;
      case 1: b.splice(rnd(b.length + 1), 0, rnd(256)); break;
      case 2: if (b.length) b.splice(rnd(b.length), 1 + rnd(8)); break;
      case 3: { const o = seeds[rnd(seeds.length)]; const at = rnd(o.length); b = b.concat(Array.from(o.subarray(at, at + rnd(40)))); break; }
      case 4: if (b.length > 4) { b[2] = rnd(256); b[3] = rnd(256); } break; // header Length
      case 5: { const at = 12 + rnd(Math.max(1, b.length - 12)); if (at + 1 < b.length) { b[at] = (b[at] & 0xfc) | rnd(4) | (rnd(2) ? 0x40 : 0); b[at + 1] = rnd(256); } break; } // AVP flags/length
      default: b.length = rnd(b.length + 1);
    }
  }
  return Uint8Array.from(b);
}

const deadline = Date.now() + seconds * 1000;
let iterations = 0;
while (Date.now() < deadline) {
  for (let i = 0; i < 2000; i++, iterations++) {
    const input = mutate(seeds[rnd(seeds.length)]);
    try {
      const r = decodeDatagram(input, rnd(2) ? { secret, md5 } : { ipEncap: rnd(4) === 0 });
      if (r.length === 0) throw new Error('empty result');
      // What decodes (a refused message included) re-encodes; a digest check never throws.
      for (const p of r) {
        if (p.ok === false) {
          const { message: m, header: h } = p.error;
          if (m !== undefined && h !== undefined && m.hidden.length === 0) encodeMessage(m, h);
        } else if (p.value.kind === 'control' && p.value.message.hidden.length === 0) {
          encodeMessage(p.value.message, p.value.header);
        }
      }
      verifyMessage(input, [secret], hmac, { local: secret, remote: secret });
    } catch (e) {
      mkdirSync(new URL('./crashes/', import.meta.url), { recursive: true });
      const file = new URL(`./crashes/${Buffer.from(input).toString('hex').slice(0, 32)}.bin`, import.meta.url);
      writeFileSync(file, input);
      console.error(`fuzz: decoder threw on ${Buffer.from(input).toString('hex')}: ${e instanceof Error ? e.stack : String(e)}`);
      process.exit(1);
    }
  }
}
console.log(`fuzz: ${iterations} inputs in ${seconds} s (${Math.round(iterations / seconds)}/s), ${seeds.length} seeds, no exception escaped decodeDatagram`);
