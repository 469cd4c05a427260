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

/** What an extension's `validate` hook can do: report issues, and see which paths already failed. */
export interface ValidateContext {
  /** Reports an issue at a TOML path (segments), located at the key or its value. */
  report(path: readonly string[], message: string, at?: 'key' | 'value'): void;
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

/** The TOML keys an extension adds, by level (for documentation checks and tooling). */
export function extensionKeys<G extends KeySpecs, T extends KeySpecs, S extends KeySpecs>(extension: ConfigExtension<G, T, S>): {
  readonly global: readonly string[];
  readonly tunnel: readonly string[];
  readonly session: readonly string[];
} {
  const keys = (specs: KeySpecs | undefined) => Object.values(specs ?? {}).map((s) => s.key);
  return { global: keys(extension.global), tunnel: keys(extension.tunnel), session: keys(extension.session) };
}
