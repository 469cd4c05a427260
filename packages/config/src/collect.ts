/**
 * Issue collection while parsing: turns (path, message) into located {@link ConfigIssue}s, remembers
 * which paths failed, and reads one TOML table against core readers plus extension key specs.
 */
import type { IssueAnchor, KeySpecs } from './extension.js';
import { describeValue, type ConfigIssue } from './issues.js';
import { formatPath, type KeyLocator } from './locate.js';
import { isTable, type ReadContext, type Reader } from './readers.js';

/** Collects issues for one file. */
export class Collector {
  readonly issues: ConfigIssue[] = [];
  readonly #failed = new Set<string>();

  constructor(readonly locator: KeyLocator, readonly file: string | undefined, readonly read: ReadContext) {}

  /** Records an issue at `path`, positioned at the key (default), its value or one array element. */
  report(path: readonly string[], message: string, at: IssueAnchor = 'key'): void {
    const p = formatPath(path);
    this.#failed.add(p);
    const { line, column } = typeof at === 'object'
      ? this.locator.locate([...path, String(at.element)], 'value')
      : this.locator.locate(path, at);
    this.issues.push(this.file === undefined ? { path: p, line, column, message } : { path: p, line, column, message, file: this.file });
  }

  /** Records a bad value: `expected X (got Y)`, positioned at the value. */
  expected(path: readonly string[], expected: string, got: string): void {
    this.report(path, `expected ${expected} (got ${got})`, 'value');
  }

  /** Records a missing required key, positioned at its table header. */
  missing(path: readonly string[], expected: string): void {
    this.report(path, `missing required key ${path[path.length - 1]}: expected ${expected}`);
  }

  /** True when an issue was recorded at `path`. */
  failed(path: readonly string[]): boolean {
    return this.#failed.has(formatPath(path));
  }

  /** Names of the sub-tables of `table`, in file order (JS objects put integer-like keys first). */
  ordered(base: readonly string[], names: string[]): string[] {
    const at = (n: string) => this.locator.locate([...base, n]);
    return names
      .map((n, i) => ({ n, i, p: at(n) }))
      .sort((a, b) => a.p.line - b.p.line || a.p.column - b.p.column || a.i - b.i)
      .map((x) => x.n);
  }

  /**
   * Reads `table`'s keys: core keys into `core` (only valid values), extension keys into `ext`
   * (defaults for absent or bad ones), `nested` keys are left to the caller, anything else is
   * `unrecognised parameter <key>`.
   */
  readTable(
    table: Record<string, unknown>,
    base: readonly string[],
    core: { readonly [key: string]: Reader<unknown> },
    specs: KeySpecs | undefined,
    nested: readonly string[],
  ): { core: Map<string, unknown>; ext: Record<string, unknown> } {
    const values = new Map<string, unknown>();
    const ext: Record<string, unknown> = {};
    const byKey = new Map(Object.entries(specs ?? {}).map(([field, spec]) => [spec.key, { field, spec }] as const));
    for (const [field, spec] of Object.entries(specs ?? {})) ext[field] = spec.default;
    for (const [k, v] of Object.entries(table)) {
      if (nested.includes(k)) continue;
      const path = [...base, k];
      const named = Object.hasOwn(core, k) ? undefined : byKey.get(k);
      if (named?.spec.tables) {
        ext[named.field] = this.#readNamedTables(v, path, named.spec.tables);
        continue;
      }
      const reader = Object.hasOwn(core, k) ? core[k] : named?.spec.read;
      if (!reader) {
        this.report(path, `unrecognised parameter ${k}`);
        continue;
      }
      const r = reader(v, this.read);
      if (!r.ok) {
        this.expected(path, r.expected, r.got ?? describeValue(v));
        continue;
      }
      if (Object.hasOwn(core, k)) values.set(k, r.value);
      else ext[byKey.get(k)!.field] = r.value;
    }
    return { core: values, ext };
  }

  /** Reads `[KEY.NAME]` tables with `specs`, in file order, as `{ name, ...values }`. */
  #readNamedTables(value: unknown, path: readonly string[], specs: KeySpecs): Record<string, unknown>[] {
    const named = this.namedTables(value, path, `${formatPath(path)} table`) ?? {};
    return this.ordered(path, Object.keys(named))
      .map((name) => ({ name, ...this.readTable(named[name]!, [...path, name], {}, specs, []).ext }));
  }

  /** Checks that `value` at `path` is a table of named tables (`[tunnel.NAME]`); returns it or undefined. */
  namedTables(value: unknown, path: readonly string[], what: string): Record<string, Record<string, unknown>> | undefined {
    if (!isTable(value)) {
      this.expected(path, `named tables [${formatPath(path)}.NAME]`, describeValue(value));
      return undefined;
    }
    const out = Object.create(null) as Record<string, Record<string, unknown>>;
    for (const [name, t] of Object.entries(value)) {
      if (isTable(t)) out[name] = t;
      else this.expected([...path, name], `a table [${formatPath([...path, name])}] (a ${what})`, describeValue(t));
    }
    return out;
  }
}
