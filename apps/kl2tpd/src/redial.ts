/**
 * Redial policy for `redial = true` tunnels: wait `redial_timeout`, then twice that, and so on up
 * to a cap, so a dead LNS is not hammered (xl2tpd redials at a fixed interval); give up after
 * `max_redials` attempts unless it is 0 (unlimited, as xl2tpd).
 */

/** Longest wait between two redials: one minute. */
export const MAX_REDIAL_DELAY_MS = 60_000;

/** The redial keys of one tunnel (kl2tpd's config extension). */
export interface RedialConfig {
  readonly redial: boolean;
  readonly redialTimeoutMs: number;
  readonly maxRedials: number;
}

/**
 * Delay before redial number `attempt` (1-based), or `undefined` when the tunnel must not be
 * redialled (redial off, or `max_redials` used up).
 */
export function redialDelayMs(attempt: number, cfg: RedialConfig): number | undefined {
  if (!cfg.redial || attempt < 1) return undefined;
  if (cfg.maxRedials > 0 && attempt > cfg.maxRedials) return undefined;
  const delay = cfg.redialTimeoutMs * 2 ** Math.min(attempt - 1, 30);
  return Math.min(delay, Math.max(MAX_REDIAL_DELAY_MS, cfg.redialTimeoutMs));
}
