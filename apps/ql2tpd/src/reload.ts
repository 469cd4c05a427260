/**
 * SIGHUP: what changed between the running config and the new one. A tunnel whose own settings
 * changed is replaced with all its sessions (the kernel cannot modify addresses or ids in place);
 * otherwise only its changed, vanished and new sessions are touched, and everything unchanged keeps
 * passing traffic.
 */
import type { Ql2tpdConfig, Ql2tpdSessionConfig, Ql2tpdTunnelConfig } from './config.js';

/** The steps to go from one config to the next, in the order they must run. */
export interface ReloadPlan {
  /** Tunnels to delete (vanished, or changed and to be recreated). */
  readonly removeTunnels: readonly Ql2tpdTunnelConfig[];
  /** Sessions to delete from tunnels that stay. */
  readonly removeSessions: readonly { readonly tunnel: Ql2tpdTunnelConfig; readonly session: Ql2tpdSessionConfig }[];
  /** Tunnels to create with all their sessions (new, or changed). */
  readonly addTunnels: readonly Ql2tpdTunnelConfig[];
  /** Sessions to create in tunnels that stay (the new config's tunnel object). */
  readonly addSessions: readonly { readonly tunnel: Ql2tpdTunnelConfig; readonly session: Ql2tpdSessionConfig }[];
  /** Tunnels and sessions left as they are, as `tunnel` or `tunnel/session`. */
  readonly unchanged: readonly string[];
}

/** Structural equality over config values (plain objects, arrays, Uint8Array, primitives). */
export function sameConfigValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length &&
    ka.every((k) => sameConfigValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** A tunnel's own settings, without its sessions. */
const own = ({ sessions: _sessions, ...rest }: Ql2tpdTunnelConfig) => rest;

/** Computes what a reload from `before` to `after` has to do. */
export function planReload(before: Ql2tpdConfig, after: Ql2tpdConfig): ReloadPlan {
  const removeTunnels: Ql2tpdTunnelConfig[] = [];
  const removeSessions: { tunnel: Ql2tpdTunnelConfig; session: Ql2tpdSessionConfig }[] = [];
  const addTunnels: Ql2tpdTunnelConfig[] = [];
  const addSessions: { tunnel: Ql2tpdTunnelConfig; session: Ql2tpdSessionConfig }[] = [];
  const unchanged: string[] = [];
  const next = new Map(after.tunnels.map((t) => [t.name, t]));
  for (const old of before.tunnels) {
    const now = next.get(old.name);
    if (now === undefined || !sameConfigValue(own(old), own(now))) {
      removeTunnels.push(old);
      continue;
    }
    unchanged.push(old.name);
    const sessions = new Map(now.sessions.map((s) => [s.name, s]));
    for (const s of old.sessions) {
      const s2 = sessions.get(s.name);
      if (s2 !== undefined && sameConfigValue(s, s2)) unchanged.push(`${old.name}/${s.name}`);
      else removeSessions.push({ tunnel: old, session: s });
    }
    const kept = new Set(old.sessions.filter((s) => unchanged.includes(`${old.name}/${s.name}`)).map((s) => s.name));
    for (const s of now.sessions) if (!kept.has(s.name)) addSessions.push({ tunnel: now, session: s });
  }
  const stays = new Set(unchanged.filter((n) => !n.includes('/')));
  for (const t of after.tunnels) if (!stays.has(t.name)) addTunnels.push(t);
  return { removeTunnels, removeSessions, addTunnels, addSessions, unchanged };
}
