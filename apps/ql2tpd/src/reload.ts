/**
 * SIGHUP for ql2tpd: the reload plan of `@l2tp/control` (a changed tunnel is replaced with all its
 * sessions; otherwise only changed, vanished and new sessions are touched) over ql2tpd's config.
 */
import { planReload as planTunnels, type ReloadPlan as Plan } from '@l2tp/control';
import type { Ql2tpdConfig, Ql2tpdTunnelConfig } from './config.js';

export { sameConfigValue } from '@l2tp/control';

/** The steps to go from one ql2tpd config to the next, in the order they must run. */
export type ReloadPlan = Plan<Ql2tpdTunnelConfig>;

/** Computes what a reload from `before` to `after` has to do. */
export function planReload(before: Ql2tpdConfig, after: Ql2tpdConfig): ReloadPlan {
  return planTunnels(before.tunnels, after.tunnels);
}
