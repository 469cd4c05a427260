/**
 * The extension point: an app declares its own top-level, tunnel and session keys (each with a
 * reader and a default) and optional cross-key checks; the parser reads them next to the core keys
 * and returns them typed under `ext`. The core schema never knows them (go-l2tp's `ConfigParser`,
 * but typed and with defaults applied).
 */
import type { Reader } from './readers.js';
import type { Config } from './types.js';

/** One extension key: its TOML name, reader, default, and a line of documentation. */
export interface KeySpec<T> {
  /** TOML key, snake_case as in go-l2tp (`pppd_args`). */
  readonly key: string;
  /** Checks and converts the value. */
  readonly read: Reader<unknown>;
  /** Value when the key is absent. */
  readonly default: T;
  /**
   * Set for a key of named tables (`[lns.NAME]`, see {@link tables}): each sub-table is read with
   * these specs instead of `read`, and every problem in it is reported at its own key.
   */
  readonly tables?: KeySpecs;
  /** Phantom marker carrying the value type; never set. */
  readonly __type?: T;
}

/** A set of extension keys: field name in `ext` → key spec. */
export type KeySpecs = { readonly [field: string]: KeySpec<unknown> };

/** The `ext` object produced by a set of key specs. */
export type ExtValues<K extends KeySpecs> = { readonly [F in keyof K]: K[F] extends KeySpec<infer T> ? T : never };

/** Declares one extension key; absent keys take `fallback`. */
export function key<T, D extends T | undefined = T>(tomlKey: string, read: Reader<T>, fallback: D): KeySpec<T | D> {
  return { key: tomlKey, read, default: fallback };
}

/** One `[KEY.NAME]` table read by {@link tables}: its name and its keys' values, defaults applied. */
export type NamedTable<K extends KeySpecs> = { readonly name: string } & ExtValues<K>;

/**
 * Declares a top-level key of named tables (`[lns.NAME]` …), each read with `specs` like an
 * extension's tunnel keys: unknown keys and bad values are issues at their own path, absent keys
 * take their defaults. The value is the tables in file order; an empty array when there are none.
 */
export function tables<K extends KeySpecs>(tomlKey: string, specs: K): KeySpec<readonly NamedTable<K>[]> {
  return { key: tomlKey, read: () => ({ ok: false, expected: 'named tables' }), default: [], tables: specs };
}

/** Where an issue points: the key, its value, or one element of an array value (0-based). */
export type IssueAnchor = 'key' | 'value' | { readonly element: number };

/** What an extension's `validate` hook can do: report issues, and see which paths already failed. */
export interface ValidateContext {
  /** Reports an issue at a TOML path (segments), located at the key, its value or one array element. */
  report(path: readonly string[], message: string, at?: IssueAnchor): void;
  /** True when an issue was already reported at `path` (so its value is a placeholder). */
  failed(path: readonly string[]): boolean;
}

/** An app's extension of the core schema. */
export interface ConfigExtension<G extends KeySpecs = {}, T extends KeySpecs = {}, S extends KeySpecs = {}> {
  /** The daemon name, used in messages (`kl2tpd runs only l2tpv2 tunnels`). */
  readonly name: string;
  /** Protocol versions this daemon runs; other tunnels are an issue at their `version`. */
  readonly versions?: readonly (2 | 3)[];
  /** Top-level keys. */
  readonly global?: G;
  /** Keys of `[tunnel.NAME]`. */
  readonly tunnel?: T;
  /** Keys of `[tunnel.NAME.session.NAME]`. */
  readonly session?: S;
  /**
   * Cross-key checks, run after every key was read. The config is complete but values at failed
   * paths are placeholders: consult `ctx.failed` before reporting what follows from them.
   */
  readonly validate?: (config: Config<ExtValues<G>, ExtValues<T>, ExtValues<S>>, ctx: ValidateContext) => void;
}

/** Identity helper that infers an extension's key types. */
export function defineExtension<G extends KeySpecs = {}, T extends KeySpecs = {}, S extends KeySpecs = {}>(
  extension: ConfigExtension<G, T, S>,
): ConfigExtension<G, T, S> {
  return extension;
}

/** The config type an extension produces. */
export type ConfigOf<X> = X extends ConfigExtension<infer G, infer T, infer S>
  ? Config<ExtValues<G>, ExtValues<T>, ExtValues<S>>
  : never;

/**
 * The TOML keys an extension adds, by level (for documentation checks and tooling); `tables` has
 * the keys of each key of named tables (`{ lns: ['listen', …] }`), which also appears in `global`.
 */
export function extensionKeys<G extends KeySpecs, T extends KeySpecs, S extends KeySpecs>(extension: ConfigExtension<G, T, S>): {
  readonly global: readonly string[];
  readonly tunnel: readonly string[];
  readonly session: readonly string[];
  readonly tables: { readonly [key: string]: readonly string[] };
} {
  const keys = (specs: KeySpecs | undefined) => Object.values(specs ?? {}).map((s) => s.key);
  const named = Object.values(extension.global ?? {}).filter((s) => s.tables !== undefined);
  return {
    global: keys(extension.global), tunnel: keys(extension.tunnel), session: keys(extension.session),
    tables: Object.fromEntries(named.map((s) => [s.key, keys(s.tables)])),
  };
}
