/** Shared set-up of the xl2tpd interop suites: our context with the real codec and the null data plane. */
import { L2tpContext, nullDataPlane } from '../../src/node/index.js';
import { codecWire } from '../../src/engine/codec-wire.js';
import { xl2tpdAvailable } from '../../../../scripts/xl2tpd/harness.mjs';

/** Whether xl2tpd runs here; the suites skip loudly with `reason` when not. */
export const AVAILABLE = xl2tpdAvailable();

/** A context on the null data plane speaking the real wire format. */
export function context(): L2tpContext {
  return new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
}

/** Loopback IPv4 address of a port. */
export const loopback = (port: number) => ({ address: '127.0.0.1', port, family: 4 as const });
