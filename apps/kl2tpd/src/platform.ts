/**
 * The system kl2tpd runs on: with `-null`, plain UDP sockets and no kernel objects or pppd (go-l2tp's
 * `-null` still tried pppd); otherwise the kernel data plane of @l2tp/netlink, PPPoL2TP sockets
 * handed to pppd as fd 3, and sd_notify.
 */
import { codecWire, nullDataPlane } from '@l2tp/control';
import type { Logger } from '@l2tp/daemon';
import type { Kl2tpdPlatform } from './daemon.js';

/** Builds the platform, or logs why it cannot (e.g. the L2TP modules are not loaded) and returns undefined. */
export async function platformFor(nullDataPlaneWanted: boolean, log: Logger): Promise<Kl2tpdPlatform | undefined> {
  if (nullDataPlaneWanted && !process.env['NOTIFY_SOCKET']) {
    // Outside systemd, -null needs nothing from @l2tp/netlink, whose import loads the FFI (ffi-rs).
    log.info('null data plane: tunnels and sessions come up without kernel objects or pppd');
    return { dataPlane: nullDataPlane(), wire: codecWire, notify: () => {} };
  }
  const { sdNotify, NetlinkDataPlane, openPppol2tpSocket, closeFd } = await import('@l2tp/netlink');
  const notify = (state: string) => {
    try { sdNotify(state); } catch (e) { log.warn({ err: e }, 'sd_notify failed'); }
  };
  if (nullDataPlaneWanted) {
    log.info('null data plane: tunnels and sessions come up without kernel objects or pppd');
    return { dataPlane: nullDataPlane(), wire: codecWire, notify };
  }
  try {
    return {
      dataPlane: NetlinkDataPlane.open(), wire: codecWire, notify,
      pppox: { open: async (ids) => openPppol2tpSocket({ version: 2, ...ids }), close: closeFd },
    };
  } catch (e) {
    log.error({ err: e }, 'cannot reach the kernel L2TP subsystem');
    return undefined;
  }
}
