/**
 * The initramfs reader/writer (cpio.mjs) and what check.mjs demands of an initramfs: a newc archive
 * that survives a round trip, truncation and garbage detected, a dynamic busybox or a missing L2TP
 * module reported by name.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkInitramfs, REQUIRED_MODULES } from '../check.mjs';
import { readNewc, writeNewc } from '../cpio.mjs';
import { fakeElf } from './fake-kernel.ts';

const BUSYBOX = readFileSync('/bin/busybox');
function initramfs({ busybox = BUSYBOX, modules = REQUIRED_MODULES as readonly string[] } = {}) {
  const entries = [
    { name: 'bin', mode: 0o40755 }, { name: 'mods', mode: 0o40755 },
    { name: 'bin/busybox', mode: 0o100755, data: busybox },
    ...modules.map((m) => ({ name: `mods/${m}.ko`, mode: 0o100644, data: fakeElf(1, 1000 + m.length) })),
    { name: 'modules.order', mode: 0o100644, data: Buffer.from(modules.map((m) => `/mods/${m}.ko\n`).join('')) },
    { name: 'init', mode: 0o100755, data: Buffer.from('#!/bin/busybox sh\npoweroff -f\n') },
  ];
  return { entries, archive: writeNewc(entries) };
}

describe('newc archives', () => {
  it('round-trip every entry with its mode and bytes (odd sizes padded)', () => {
    const { entries, archive } = initramfs();
    expect(archive.length % 4).toBe(0);
    const back = readNewc(archive);
    expect([...back.keys()]).toEqual(entries.map((e) => e.name));
    for (const e of entries) {
      expect(back.get(e.name)!.mode).toBe(e.mode);
      expect(Buffer.compare(back.get(e.name)!.data, 'data' in e ? e.data : Buffer.alloc(0))).toBe(0);
    }
  });

  it('a truncated archive, or one that is not newc, is an error', () => {
    const { archive } = initramfs();
    expect(() => readNewc(archive.subarray(0, archive.length - 200))).toThrow(/cpio: (truncated|entry at byte \d+ runs past the end)/);
    expect(() => readNewc(Buffer.from('not a cpio archive at all, but long enough to hold a header '.repeat(3)))).toThrow(/bad magic/);
  });
});

describe('checkInitramfs', () => {
  it('passes a complete initramfs', () => {
    expect(checkInitramfs(gzipSync(initramfs().archive))).toEqual([]);
  });
  it('a dynamically linked busybox (it needs a libc the initramfs lacks) is reported', () => {
    const dynamic = readFileSync('/bin/true'); // an x86-64 ELF with an interpreter (ld-linux)
    expect(checkInitramfs(gzipSync(initramfs({ busybox: dynamic }).archive))).toEqual([expect.stringMatching(/bin\/busybox is not a static x86-64 ELF/)]);
  });
  it('a missing L2TP module is named', () => {
    const problems = checkInitramfs(gzipSync(initramfs({ modules: REQUIRED_MODULES.filter((m) => m !== 'l2tp_eth') }).archive));
    expect(problems).toEqual(['initrd.cpio.gz lacks the modules l2tp_eth']);
  });
  it('a 20-byte file (what the broken pipeline left) is reported, not booted', () => {
    expect(checkInitramfs(gzipSync(Buffer.alloc(0)).subarray(0, 20)).join()).toMatch(/not a gzip'd newc cpio archive/);
  });
});
