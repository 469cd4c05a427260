/** Types for lac.mjs: xl2tpd as the LAC of an LNS under test. */
import type { Xl2tpdCall, Xl2tpdHandle, Xl2tpdOptions, Xl2tpdTunnel } from './harness.mjs';

/** Options: the LNS to dial, plus any harness option but `role`, `peer` and `autodial`. */
export type Xl2tpdLacOptions = Omit<Partial<Xl2tpdOptions>, 'role' | 'peer' | 'autodial'> & {
  lns: { address?: string; port: number };
};

/** A running xl2tpd LAC. */
export interface Xl2tpdLac extends Xl2tpdHandle {
  /** `xl2tpd-control connect-lac`: dials the section's one call; resolves once xl2tpd logs it established. */
  dial(timeoutMs?: number): Promise<{ tunnel: Xl2tpdTunnel | undefined; call: Xl2tpdCall | undefined; dials: number }>;
}

/** Starts xl2tpd as an LAC pointed at `lns`, not dialling until `dial()`. */
export function startXl2tpdLac(opts: Xl2tpdLacOptions): Promise<Xl2tpdLac>;
