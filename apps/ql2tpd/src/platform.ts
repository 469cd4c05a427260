/**
 * The system ql2tpd runs on: the kernel data plane of @l2tp/netlink and sd_notify; with `-null`,
 * plain UDP sockets and no kernel objects (HELLOs and acknowledgements only, nothing carries data).
 */
import { codecWire, nullDataPlane } from '@l2tp/control';
import type { Logger } from '@l2tp/daemon';
import type { Ql2tpdPlatform } from './daemon.js';

/** The `-null` platform: UDP control sockets, no kernel tunnels or sessions; sd_notify still works. */
export async function nullPlatform(log: Logger): Promise<Ql2tpdPlatform> {
  log.info('null data plane: pseudowires come up without kernel objects; no frame is carried');
  // Outside systemd there is nobody to notify, and @l2tp/netlink's import loads the FFI (ffi-rs):
  // -null then never loads it, as kl2tpd's does not.
  if (!process.env['NOTIFY_SOCKET']) return { dataPlane: nullDataPlane(), wire: codecWire, notify: () => {} };
  const { sdNotify } = await import('@l2tp/netlink');
  return {
    dataPlane: nullDataPlane(), wire: codecWire,
    notify: (state) => {
      try { sdNotify(state); } catch (e) { log.warn({ err: (e as Error).message }, 'sd_notify failed'); }
    },
  };
}

/** Builds the kernel platform, or logs why it cannot (e.g. the L2TP modules are not loaded) and returns undefined. */
export async function kernelPlatform(log: Logger): Promise<Ql2tpdPlatform | undefined> {
  const { sdNotify, NetlinkDataPlane } = await import('@l2tp/netlink');
  try {
    return {
      dataPlane: NetlinkDataPlane.open(), wire: codecWire,
      notify: (state) => {
        try { sdNotify(state); } catch (e) { log.warn({ err: e }, 'sd_notify failed'); }
      },
    };
  } catch (e) {
    log.error({ err: e }, 'cannot reach the kernel L2TP subsystem');
    return undefined;
  }
}
