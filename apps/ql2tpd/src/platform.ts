/** The system ql2tpd runs on: the kernel data plane of @l2tp/netlink and sd_notify. */
import { codecWire } from '@l2tp/control';
import type { Logger } from '@l2tp/daemon';
import type { Ql2tpdPlatform } from './daemon.js';

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
