/**
 * A reload plan (SIGHUP): what changed between the running configuration and the new one. A tunnel
 * whose own settings changed is replaced with all its sessions (the kernel cannot change addresses
 * or ids in place, and a control connection's parameters are fixed at setup); otherwise only its
 * changed, vanished and new sessions are touched, and everything unchanged keeps running.
 */

/** A configured tunnel as the planner sees it: a name, its own settings, named sessions. */
export interface ConfiguredTunnel {
  readonly name: string;
  readonly sessions: readonly { readonly name: string }[];
}

/** The steps from one configuration to the next, in the order they must run. */
export interface ReloadPlan<T extends ConfiguredTunnel> {
  /** Tunnels to delete (vanished, or changed and to be recreated). */
  readonly removeTunnels: readonly T[];
  /** Sessions to delete from tunnels that stay. */
  readonly removeSessions: readonly { readonly tunnel: T; readonly session: T['sessions'][number] }[];
  /** Tunnels to create with all their sessions (new, or changed). */
  readonly addTunnels: readonly T[];
  /** Sessions to create in tunnels that stay (the new configuration's tunnel object). */
  readonly addSessions: readonly { readonly tunnel: T; readonly session: T['sessions'][number] }[];
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
const own = ({ sessions: _sessions, ...rest }: ConfiguredTunnel) => rest;

/** Computes what a reload from `before` to `after` has to do. */
export function planReload<T extends ConfiguredTunnel>(before: readonly T[], after: readonly T[]): ReloadPlan<T> {
  type S = T['sessions'][number];
  const removeTunnels: T[] = [];
  const removeSessions: { tunnel: T; session: S }[] = [];
  const addTunnels: T[] = [];
  const addSessions: { tunnel: T; session: S }[] = [];
  const unchanged: string[] = [];
  const next = new Map(after.map((t) => [t.name, t]));
  for (const old of before) {
    const now = next.get(old.name);
    if (now === undefined || !sameConfigValue(own(old), own(now))) {
      removeTunnels.push(old);
      continue;
    }
    unchanged.push(old.name);
    const sessions = new Map(now.sessions.map((s) => [s.name, s]));
    const kept = new Set<string>();
    for (const s of old.sessions) {
      const s2 = sessions.get(s.name);
      if (s2 !== undefined && sameConfigValue(s, s2)) {
        unchanged.push(`${old.name}/${s.name}`);
        kept.add(s.name);
      } else {
        removeSessions.push({ tunnel: old, session: s });
      }
    }
    for (const s of now.sessions) if (!kept.has(s.name)) addSessions.push({ tunnel: now, session: s });
  }
  const stays = new Set(unchanged.filter((n) => !n.includes('/')));
  for (const t of after) if (!stays.has(t.name)) addTunnels.push(t);
  return { removeTunnels, removeSessions, addTunnels, addSessions, unchanged };
}
