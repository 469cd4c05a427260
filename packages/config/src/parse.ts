/**
 * `parseConfig`: TOML text → a deeply frozen, fully defaulted {@link Config}, or every issue found.
 * One smol-toml parse, then the core schema and the app's extension over the same tables, then the
 * file-wide checks (duplicate ids) and the extension's own `validate`. Issues come out sorted by
 * position; tunnels and sessions keep file order (go-l2tp iterates Go maps: random order).
 */
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { Collector } from './collect.js';
import type { ConfigExtension, ExtValues, KeySpecs } from './extension.js';
import type { ConfigIssue } from './issues.js';
import { formatPath, KeyLocator } from './locate.js';
import { buildTunnel, type TunnelDraft } from './tunnel.js';
import type { Config } from './types.js';

/** Options of {@link parseConfig}. */
export interface ParseOptions<G extends KeySpecs = {}, T extends KeySpecs = {}, S extends KeySpecs = {}> {
  /** File name for issues; its directory is where relative paths (`pppd_args`) resolve from. */
  readonly file?: string;
  /** The daemon's extension of the core schema. */
  readonly extension?: ConfigExtension<G, T, S>;
  /** Default `host_name` (tests pass a fixed one); the OS host name otherwise. */
  readonly hostName?: string;
}

/** Result of parsing: the config, or every issue found (never both). */
export type ParseResult<C> =
  | { readonly ok: true; readonly config: C }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/** Parses config text; never throws for bad input (every problem is an issue). */
export function parseConfig<G extends KeySpecs = {}, T extends KeySpecs = {}, S extends KeySpecs = {}>(
  text: string,
  options: ParseOptions<G, T, S> = {},
): ParseResult<Config<ExtValues<G>, ExtValues<T>, ExtValues<S>>> {
  const { file } = options;
  // Some editors write a byte-order mark; TOML does not allow one, and it is never meant as content.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  let doc: Record<string, unknown>;
  try {
    doc = parse(text, { integersAsBigInt: true });
  } catch (e) {
    if (!(e instanceof TomlError)) throw e;
    const line = text.split('\n')[e.line - 1] ?? '';
    // go-l2tp's documented example writes `max_retries 5`: say what is wrong, not only where.
    const hint = /^\s*[A-Za-z0-9_-]+\s+[^=\s]/.test(line) && !line.includes('=') ? ' (missing "=" between key and value?)' : '';
    const message = `invalid TOML: ${e.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '')}${hint}`;
    const issue: ConfigIssue = { path: '', line: e.line, column: e.column, message };
    return { ok: false, issues: [file === undefined ? issue : { ...issue, file }] };
  }
  const baseDir = file === undefined ? process.cwd() : dirname(resolve(file));
  const c = new Collector(new KeyLocator(text), file, { baseDir });
  const ext = options.extension as ConfigExtension<KeySpecs, KeySpecs, KeySpecs> | undefined;

  const top = c.readTable(doc, [], {}, ext?.global, ['tunnel']);
  const tunnelTables = doc['tunnel'] === undefined ? {} : c.namedTables(doc['tunnel'], ['tunnel'], 'tunnel') ?? {};
  const host = options.hostName ?? hostname();
  const tunnels = c.ordered(['tunnel'], Object.keys(tunnelTables))
    .map((name) => buildTunnel(c, name, tunnelTables[name]!, ext, host));
  checkDuplicates(c, tunnels);

  const config = { tunnels: tunnels.map(({ knownVersion: _, ...t }) => t), ext: top.ext };
  ext?.validate?.(config as unknown as Config<ExtValues<KeySpecs>, ExtValues<KeySpecs>, ExtValues<KeySpecs>>, {
    report: (path, message, at) => c.report(path, message, at),
    failed: (path) => c.failed(path),
  });
  if (c.issues.length > 0) {
    const issues = [...c.issues].sort((a, b) => a.line - b.line || a.column - b.column);
    return { ok: false, issues };
  }
  return { ok: true, config: deepFreeze(config) as unknown as Config<ExtValues<G>, ExtValues<T>, ExtValues<S>> };
}

/**
 * Duplicate ids: tunnel ids are one namespace in the kernel; session ids are per tunnel for
 * l2tpv2 but global for l2tpv3 (RFC 3931 §4.1: the session id alone identifies the session).
 */
function checkDuplicates(c: Collector, tunnels: readonly TunnelDraft[]): void {
  const seenTid = new Map<number, string[]>();
  const seenV3Sid = new Map<number, string[]>();
  const where = (path: string[]) => `${formatPath(path)}, line ${c.locator.locate(path).line}`;
  for (const t of tunnels) {
    const tidPath = ['tunnel', t.name, 'tid'];
    if (t.tunnelId !== 0 && !c.failed(tidPath)) {
      const first = seenTid.get(t.tunnelId);
      if (first !== undefined) c.report(tidPath, `duplicate tunnel id ${t.tunnelId} (also ${where(first)})`, 'value');
      else seenTid.set(t.tunnelId, tidPath);
    }
    const seenSid = new Map<number, string[]>();
    for (const s of t.sessions) {
      const sidPath = ['tunnel', t.name, 'session', s.name, 'sid'];
      if (s.sessionId === 0 || c.failed(sidPath)) continue;
      const first = (t.knownVersion === 3 ? seenV3Sid : seenSid).get(s.sessionId);
      if (first !== undefined) {
        const scope = t.knownVersion === 3 ? 'l2tpv3 session ids are unique per host' : 'in this tunnel';
        c.report(sidPath, `duplicate session id ${s.sessionId} (also ${where(first)}; ${scope})`, 'value');
      } else {
        seenSid.set(s.sessionId, sidPath);
        if (t.knownVersion === 3) seenV3Sid.set(s.sessionId, sidPath);
      }
    }
  }
}

/** Freezes plain objects and arrays recursively (typed arrays cannot be frozen and are left as is). */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}

/**
 * The effective config as JSON text (`--check-config --print`): byte arrays (cookies, MAC) become
 * arrays of numbers, undefined fields are left out, as JSON does.
 */
export function configToJson(config: Config<unknown, unknown, unknown>): string {
  return JSON.stringify(config, (_key, value: unknown) => (value instanceof Uint8Array ? [...value] : value), 2);
}
