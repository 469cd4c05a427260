// The initramfs format, written and read here rather than with cpio(1): one tool fewer on a fresh
// machine, no shell pipeline whose failing first command goes unnoticed, and the reader lets
// check.mjs look inside a cached image before it is booted. Format: the "newc" (SVR4, no CRC)
// archive of the kernel's Documentation/driver-api/early-userspace/buffer-format.rst.

const MAGIC = '070701';
const HEADER = 110; // 6 magic + 13 eight-digit hex fields
const TRAILER = 'TRAILER!!!';
const pad4 = (n) => (4 - (n % 4)) % 4;

function header(ino, mode, nlink, size, nameSize) {
  // ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
  const fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, nameSize, 0];
  return Buffer.from(MAGIC + fields.map((f) => f.toString(16).padStart(8, '0')).join(''), 'latin1');
}

/**
 * A newc archive of `entries` in order: `{ name, mode, data? }`, `mode` with its S_IF* type bits
 * (0o40755 a directory, 0o100755 an executable). Owner root, mtime 0 (reproducible).
 */
export function writeNewc(entries) {
  const parts = [];
  let at = 0;
  const push = (b) => { parts.push(b); at += b.length; };
  const entry = (ino, name, mode, nlink, data) => {
    const nameBytes = Buffer.from(`${name}\0`, 'utf8');
    push(header(ino, mode, nlink, data.length, nameBytes.length));
    push(nameBytes);
    push(Buffer.alloc(pad4(at)));
    push(data);
    push(Buffer.alloc(pad4(at)));
  };
  entries.forEach((e, i) => entry(i + 1, e.name, e.mode, e.mode & 0o40000 ? 2 : 1, e.data ?? Buffer.alloc(0)));
  entry(0, TRAILER, 0, 1, Buffer.alloc(0));
  return Buffer.concat(parts);
}

/**
 * Parses a newc archive into a Map of name → `{ mode, data }` (names without a leading `./`).
 * Throws on a bad magic, a field that is not hex, an entry running past the end, or a missing
 * trailer (what a truncated or half-written archive looks like).
 */
export function readNewc(buf) {
  const out = new Map();
  let at = 0;
  for (;;) {
    if (at + HEADER > buf.length) throw new Error(`cpio: truncated at byte ${at} (no ${TRAILER} entry)`);
    const magic = buf.toString('latin1', at, at + 6);
    if (magic !== MAGIC && magic !== '070702') throw new Error(`cpio: bad magic ${JSON.stringify(magic)} at byte ${at}`);
    const field = (i) => {
      const text = buf.toString('latin1', at + 6 + i * 8, at + 14 + i * 8);
      if (!/^[0-9a-fA-F]{8}$/.test(text)) throw new Error(`cpio: field ${i} is not hex at byte ${at}`);
      return parseInt(text, 16);
    };
    const mode = field(1);
    const size = field(6);
    const nameSize = field(11);
    const nameAt = at + HEADER;
    const dataAt = nameAt + nameSize + pad4(HEADER + nameSize);
    const end = dataAt + size;
    if (nameSize < 1 || end > buf.length) throw new Error(`cpio: entry at byte ${at} runs past the end (${buf.length} bytes)`);
    const name = buf.toString('utf8', nameAt, nameAt + nameSize - 1).replace(/^\.\//, '');
    if (name === TRAILER) return out;
    out.set(name, { mode, data: buf.subarray(dataAt, end) });
    at = end + pad4(end);
  }
}
