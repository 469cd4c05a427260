// Checks a cached guest image before it is booted, so that a half-built or damaged cache is rebuilt
// instead of booting a kernel that panics ("VFS: Unable to mount root fs" from a 20-byte initramfs).
// The `ready` file is the manifest build.mjs writes last: sizes and SHA-256 of both files.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readNewc } from './cpio.mjs';

/** The files of an image and the bounds a sane one stays within (bytes). */
export const FILES = {
  vmlinux: { min: 4 << 20, max: 512 << 20 },
  'initrd.cpio.gz': { min: 256 << 10, max: 256 << 20 },
};
/** Modules without which no kernel suite can run; each must be in the initramfs. */
export const REQUIRED_MODULES = ['l2tp_core', 'l2tp_netlink', 'l2tp_eth', 'l2tp_ip', 'l2tp_ip6', 'l2tp_ppp', 'ppp_generic', 'pppox', 'veth', '9p', '9pnet_virtio', 'overlay'];

const EM_X86_64 = 62;
const PT_INTERP = 3;

/**
 * What an ELF file is, from its header: `{ elf64, machine, type, interp }` (`interp`: it names a
 * dynamic loader, so it cannot run alone), or null when `buf` is not a little-endian ELF64.
 */
export function elfInfo(buf) {
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2 || buf[5] !== 1) return null;
  const type = buf.readUInt16LE(16);
  const machine = buf.readUInt16LE(18);
  const phoff = Number(buf.readBigUInt64LE(32));
  const phentsize = buf.readUInt16LE(54);
  const phnum = buf.readUInt16LE(56);
  let interp = false;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > buf.length) return null;
    if (buf.readUInt32LE(at) === PT_INTERP) interp = true;
  }
  return { elf64: true, machine, type, interp };
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

/** Problems with the initramfs contents (empty when it has a static busybox, init and every module). */
export function checkInitramfs(gz) {
  let entries;
  try { entries = readNewc(gunzipSync(gz)); } catch (e) { return [`initrd.cpio.gz is not a gzip'd newc cpio archive: ${e.message}`]; }
  const problems = [];
  const busybox = entries.get('bin/busybox');
  const bb = busybox && elfInfo(busybox.data);
  if (!busybox) problems.push('initrd.cpio.gz has no bin/busybox');
  else if (!bb || bb.machine !== EM_X86_64 || bb.interp) problems.push('initrd.cpio.gz: bin/busybox is not a static x86-64 ELF (apt-get install busybox-static)');
  if (!entries.get('init')?.data.toString('latin1').startsWith('#!/bin/busybox sh')) problems.push('initrd.cpio.gz has no /init script');
  const order = entries.get('modules.order')?.data.toString('utf8').split('\n').filter(Boolean) ?? [];
  if (order.length === 0) problems.push('initrd.cpio.gz has no modules.order');
  for (const path of order) {
    const m = entries.get(path.replace(/^\//, ''));
    if (!m || !elfInfo(m.data)) problems.push(`initrd.cpio.gz: module ${path} is missing or not an ELF object`);
  }
  const names = new Set(order.map((p) => p.replace(/^.*\//, '').replace(/\.ko$/, '').replace(/-/g, '_')));
  const missing = REQUIRED_MODULES.filter((m) => !names.has(m));
  if (missing.length) problems.push(`initrd.cpio.gz lacks the modules ${missing.join(', ')}`);
  return problems;
}

/**
 * Every problem with the image in `dir` (empty when it may be booted): the manifest (`ready`) is
 * missing or unreadable, a file is missing, outside its size bounds or differs from its recorded
 * SHA-256, the vmlinux is not an x86-64 ELF, or the initramfs fails {@link checkInitramfs}.
 */
export function checkImage(dir) {
  const readyFile = join(dir, 'ready');
  if (!existsSync(readyFile)) return [`${readyFile} is missing (the build did not finish)`];
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(readyFile, 'utf8'));
    if (typeof manifest?.files !== 'object') throw new Error('no "files"');
  } catch (e) { return [`${readyFile} is not a manifest written by this build.mjs (${e.message})`]; }
  const problems = [];
  for (const [name, bounds] of Object.entries(FILES)) {
    const file = join(dir, name);
    if (!existsSync(file)) { problems.push(`${name} is missing`); continue; }
    const buf = readFileSync(file);
    const want = manifest.files[name];
    if (buf.length < bounds.min || buf.length > bounds.max) problems.push(`${name} is ${buf.length} bytes, outside ${bounds.min}..${bounds.max}`);
    if (!want || want.size !== buf.length || want.sha256 !== sha256(buf)) problems.push(`${name} differs from the size and SHA-256 recorded when it was built`);
    if (name === 'vmlinux') {
      const elf = elfInfo(buf);
      if (!elf || elf.machine !== EM_X86_64 || elf.type !== 2) problems.push('vmlinux is not an x86-64 ELF executable');
    } else {
      problems.push(...checkInitramfs(buf));
    }
  }
  return problems;
}

/** The manifest entry for a built file: its size and SHA-256. */
export function fileRecord(buf) {
  return { size: buf.length, sha256: sha256(buf) };
}
