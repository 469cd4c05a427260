/**
 * Value readers: small functions that check one parsed TOML value and convert it, or say what was
 * expected. The core schema and every extension key are built from them. TOML integers arrive as
 * bigint (smol-toml `integersAsBigInt`), so `1.0` (a float) is told apart from `1` and rejected
 * where go-l2tp rejects floats ("unexpected float64 value").
 */
import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { describeValue } from './issues.js';

/** What a reader gets besides the value: where relative paths are resolved from. */
export interface ReadContext {
  /** Directory of the config file (the working directory when parsing text without a file). */
  readonly baseDir: string;
}

/** Outcome of reading one value: the converted value, or what was expected instead. */
export type ReadResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly expected: string; readonly got?: string };

/** Checks and converts one parsed TOML value. */
export type Reader<T> = (value: unknown, ctx: ReadContext) => ReadResult<T>;

/** A successful read. */
export const ok = <T>(value: T): ReadResult<T> => ({ ok: true, value });

/** A failed read; `got` defaults to a description of the value. */
export const fail = (expected: string, got?: string): ReadResult<never> =>
  got === undefined ? { ok: false, expected } : { ok: false, expected, got };

/** True for a TOML table (smol-toml makes them with a null prototype). */
export function isTable(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

/** A TOML integer in `min..max` (inclusive), returned as a number. Floats are rejected. */
export function integer(min: number, max: number): Reader<number> {
  const expected = `an integer ${min}..${max}`;
  return (v) => {
    if (typeof v !== 'bigint') return fail(expected);
    if (v < BigInt(min) || v > BigInt(max)) return fail(expected);
    return ok(Number(v));
  };
}

/** A TOML boolean. */
export const boolean: Reader<boolean> = (v) => (typeof v === 'boolean' ? ok(v) : fail('true or false'));

/** A TOML string, optionally constrained by `test` (whose failure reports `expected`). */
export function string(expected = 'a string', test: (s: string) => boolean = () => true): Reader<string> {
  return (v) => (typeof v === 'string' && test(v) ? ok(v) : fail(expected));
}

/** One of the given string literals (go-l2tp's enums: `"udp"`, `"l2tpv2"` ...). */
export function oneOf<const T extends string>(choices: readonly T[]): Reader<T> {
  const expected = choices.length === 2
    ? `"${choices[0]}" or "${choices[1]}"`
    : `one of ${choices.map((c) => `"${c}"`).join(', ')}`;
  return (v) => (typeof v === 'string' && (choices as readonly string[]).includes(v) ? ok(v as T) : fail(expected));
}

/** A TOML array whose every element `element` accepts. */
export function arrayOf<T>(element: Reader<T>): Reader<readonly T[]> {
  return (v, ctx) => {
    if (!Array.isArray(v)) return fail('an array');
    const out: T[] = [];
    for (const [i, e] of v.entries()) {
      const r = element(e, ctx);
      if (!r.ok) return fail(`an array of ${r.expected}`, `${r.got ?? describeValue(e)} at index ${i}`);
      out.push(r.value);
    }
    return ok(out);
  };
}

/** An array of integers 0..255 whose length is one of `lengths` (cookies: 4 or 8; a MAC: 6). */
export function bytes(lengths: readonly number[]): Reader<Uint8Array> {
  const count = lengths.join(' or ');
  const expected = `an array of ${count} integers 0..255`;
  const each = arrayOf(integer(0, 255));
  return (v, ctx) => {
    if (!Array.isArray(v)) return fail(expected);
    const r = each(v, ctx);
    if (!r.ok) return fail(expected, r.got);
    if (!lengths.includes(r.value.length)) return fail(expected, `${r.value.length} bytes`);
    return ok(Uint8Array.from(r.value));
  };
}

/** A Linux interface name: 1..15 characters (IFNAMSIZ - 1), no `/`, `:` or whitespace. */
export const interfaceName: Reader<string> = string(
  'an interface name of 1..15 characters without "/", ":" or spaces',
  (s) => s.length >= 1 && s.length <= 15 && !/[/:\s]/.test(s) && s !== '.' && s !== '..',
);

/**
 * A path to a readable regular file, resolved against the config file's directory when relative;
 * the result is absolute. Checked at load time, as go-l2tp does for `pppd_args`.
 */
export const readableFile: Reader<string> = (v, ctx) => {
  if (typeof v !== 'string' || v === '') return fail('a path to a readable file');
  const path = isAbsolute(v) ? v : resolve(ctx.baseDir, v);
  try {
    if (!statSync(path).isFile()) return fail('a path to a readable file', `${JSON.stringify(v)}, not a regular file`);
    accessSync(path, constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return fail('a path to a readable file', `${JSON.stringify(v)}: ${code}`);
  }
  return ok(path);
};

/** A file-system path (not checked for existence), resolved against the config file's directory. */
export const filePath: Reader<string> = (v, ctx) =>
  typeof v === 'string' && v !== '' && !v.includes('\0') ? ok(isAbsolute(v) ? v : resolve(ctx.baseDir, v)) : fail('a path');

/** A unix socket path: a path that fits `sockaddr_un.sun_path` (107 bytes and the NUL). */
export const unixSocketPath: Reader<string> = (v, ctx) => {
  const r = filePath(v, ctx);
  if (!r.ok) return fail('a unix socket path');
  if (Buffer.byteLength(r.value) > 107) return fail('a unix socket path of at most 107 bytes', `${JSON.stringify(r.value)}`);
  return r;
};
