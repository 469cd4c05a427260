import { createHash, createHmac } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Hmac, Md5 } from '../../src/codec/index.js';

/** node:crypto MD5 injected into the codec (which imports nothing from node:*). */
export const md5: Md5 = (...parts) => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

/** node:crypto HMAC injected into the codec. */
export const hmac: Hmac = (alg, key, ...parts) => {
  const h = createHmac(alg, key);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

export const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/[\s|]/g, ''), 'hex'));
export const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** One captured datagram of test/vectors/xl2tpd (see its README for provenance). */
export interface CapturedDatagram { dir: string; note: string; avps: string[]; hex: string; tMs: number }
/** A capture file. */
export interface Capture { name: string; secret: string; datagrams: CapturedDatagram[]; provenance: Record<string, unknown> }

const dir = new URL('../vectors/xl2tpd/', import.meta.url).pathname;
/** Every xl2tpd capture. */
export const CAPTURES: Capture[] = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => {
  const j = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { provenance: Record<string, unknown>; datagrams: CapturedDatagram[] };
  return { name: f.replace(/\.json$/, ''), secret: String(j.provenance['secret'] ?? ''), datagrams: j.datagrams, provenance: j.provenance };
});
