/** The system ql2tpd runs on: the kernel data plane of @l2tp/netlink and sd_notify. */
import type { Logger } from '@l2tp/daemon';
import type { Ql2tpdPlatform } from './daemon.js';

/** Builds the kernel platform, or logs why it cannot and returns undefined. */
export async function kernelPlatform(log: Logger): Promise<Ql2tpdPlatform | undefined> {
  log.error('the kernel data plane (@l2tp/netlink) is not available in this build');
  return undefined;
}
