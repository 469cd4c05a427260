/**
 * The system kl2tpd runs on: with `-null`, plain UDP sockets and no kernel objects or pppd (go-l2tp's
 * `-null` still tried pppd); otherwise the kernel data plane of @l2tp/netlink, PPPoL2TP sockets
 * for pppd, and sd_notify.
 */
import { codecWire, nullDataPlane } from '@l2tp/control';
import type { Logger } from '@l2tp/daemon';
import type { Kl2tpdPlatform } from './daemon.js';

/** Builds the platform, or logs why it cannot and returns undefined. */
export async function platformFor(nullDataPlaneWanted: boolean, log: Logger): Promise<Kl2tpdPlatform | undefined> {
  if (nullDataPlaneWanted) {
    log.info('null data plane: tunnels and sessions come up without kernel objects or pppd');
    return { dataPlane: nullDataPlane(), wire: codecWire, notify: () => undefined };
  }
  log.error('the kernel data plane (@l2tp/netlink) is not available in this build; run with -null');
  return undefined;
}
