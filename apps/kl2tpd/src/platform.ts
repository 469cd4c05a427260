/**
 * The system kl2tpd runs on: with `-null`, plain UDP sockets and no kernel objects or pppd (go-l2tp's
 * `-null` still tried pppd); otherwise the kernel data plane of @l2tp/netlink, PPPoL2TP sockets
 * handed to pppd as fd 3, and sd_notify.
 */
import { codecWire, type ControlSocketOptions, type DataPlane, nullDataPlane } from '@l2tp/control';
import type { Logger } from '@l2tp/daemon';
import type { Kl2tpdPlatform } from './daemon.js';

/**
 * The null data plane, except that an LNS listening on a wildcard address gets a packet-info socket
 * from @l2tp/netlink (libc through ffi-rs, loaded only then) so that it answers from the address it
 * was dialled on, as with the kernel data plane. Where the FFI cannot load, a plain socket (warned:
 * on a multi-homed host replies may then leave from another address than the peer dialled).
 */
function nullWithPacketInfo(log: Logger): DataPlane {
  const plain = nullDataPlane();
  return {
    ...plain,
    async openControlSocket(o: ControlSocketOptions) {
      if (o.packetInfo !== true) return plain.openControlSocket(o);
      try {
        return await (await import('@l2tp/netlink')).openKernelControlSocket(o);
      } catch (e) {
        log.warn({ err: e }, 'no packet info on the wildcard listener: replies leave from the address the route picks');
        return plain.openControlSocket(o);
      }
    },
  };
}

/** Builds the platform, or logs why it cannot (e.g. the L2TP modules are not loaded) and returns undefined. */
export async function platformFor(nullDataPlaneWanted: boolean, log: Logger): Promise<Kl2tpdPlatform | undefined> {
  if (nullDataPlaneWanted && !process.env['NOTIFY_SOCKET']) {
    // Outside systemd, -null needs nothing from @l2tp/netlink, whose import loads the FFI (ffi-rs),
    // unless an LNS listens on a wildcard address (packet info; see nullWithPacketInfo).
    log.info('null data plane: tunnels and sessions come up without kernel objects or pppd');
    return { dataPlane: nullWithPacketInfo(log), wire: codecWire, notify: () => {} };
  }
  const { sdNotify, NetlinkDataPlane, openPppol2tpSocket, closeFd } = await import('@l2tp/netlink');
  const notify = (state: string) => {
    try { sdNotify(state); } catch (e) { log.warn({ err: e }, 'sd_notify failed'); }
  };
  if (nullDataPlaneWanted) {
    log.info('null data plane: tunnels and sessions come up without kernel objects or pppd');
    return { dataPlane: nullWithPacketInfo(log), wire: codecWire, notify };
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
