/**
 * File-level entry points: read a config file (an unreadable file is an issue, not an exception)
 * and check several files at once for `--check-config`, the CLI and the root demo.
 */
import type { KeySpecs } from './extension.js';
import { formatIssue } from './issues.js';
import { parseConfig, type ParseOptions, type ParseResult } from './parse.js';
import { readTextFile } from './read-file.js';
import type { Config } from './types.js';
import type { ExtValues } from './extension.js';

/**
 * Reads and parses `path`; a missing or unreadable file, or one over 1 MiB (`MAX_CONFIG_BYTES`,
 * refused before it is read whole), is reported as an issue at line 1.
 */
export async function loadConfigFile<G extends KeySpecs = {}, T extends KeySpecs = {}, S extends KeySpecs = {}>(
  path: string,
  options: Omit<ParseOptions<G, T, S>, 'file'> = {},
): Promise<ParseResult<Config<ExtValues<G>, ExtValues<T>, ExtValues<S>>>> {
  let text: string;
  try {
    text = await readTextFile(path);
  } catch (e) {
    const message = `cannot read config file: ${(e as Error).message}`;
    return { ok: false, issues: [{ path: '', line: 1, column: 1, message, file: path }] };
  }
  return parseConfig(text, { ...options, file: path });
}

/** Outcome of checking one file with {@link checkConfigFiles}. */
export interface FileCheck {
  readonly file: string;
  readonly ok: boolean;
  /** The parsed config when `ok`. */
  readonly config: Config<unknown, unknown, unknown> | undefined;
  /** One summary line followed by one line per issue. */
  readonly lines: readonly string[];
}

/**
 * Checks each file and describes it: `FILE: ok (N tunnels, M sessions)` or `FILE: N issues`
 * followed by every issue in `FILE:LINE:COL: path: message` form.
 */
export async function checkConfigFiles<G extends KeySpecs = {}, T extends KeySpecs = {}, S extends KeySpecs = {}>(
  files: readonly string[],
  options: Omit<ParseOptions<G, T, S>, 'file'> = {},
): Promise<FileCheck[]> {
  const out: FileCheck[] = [];
  for (const file of files) {
    const r = await loadConfigFile(file, options);
    if (r.ok) {
      const sessions = r.config.tunnels.reduce((n, t) => n + t.sessions.length, 0);
      const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
      out.push({ file, ok: true, config: r.config, lines: [`${file}: ok (${n(r.config.tunnels.length, 'tunnel')}, ${n(sessions, 'session')})`] });
    } else {
      const n = r.issues.length;
      out.push({ file, ok: false, config: undefined, lines: [`${file}: ${n} issue${n === 1 ? '' : 's'}`, ...r.issues.map(formatIssue)] });
    }
  }
  return out;
}
