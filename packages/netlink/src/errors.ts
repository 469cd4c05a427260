/**
 * Errors of this package. `NetlinkError` is mdlayher's `OpError`: the operation that failed (a
 * command name such as `TUNNEL_CREATE`, or a socket call such as `bind`), the errno with its name, and
 * the kernel's extended-ack text when it sent one. `name` is set so that checks by name keep working
 * across duplicate installs of this package.
 */
import { constants } from 'node:os';

const ERRNO_NAMES = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  if (!ERRNO_NAMES.has(value)) ERRNO_NAMES.set(value, name);
}
// Linux aliases: name them as the kernel source does (it returns -EOPNOTSUPP, -EAGAIN, -EDEADLK).
for (const name of ['EOPNOTSUPP', 'EAGAIN', 'EDEADLK'] as const) ERRNO_NAMES.set(constants.errno[name], name);

/** Symbolic name of a positive errno (`17` → `EEXIST`), or `E<n>` when unknown. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `E${errno}`;
}

/** Number of a symbolic errno name (`EEXIST` → 17). */
export function errnoNumber(name: string): number {
  const n = (constants.errno as Record<string, number>)[name];
  if (n === undefined) throw new RangeError(`unknown errno name ${name}`);
  return n;
}

/** A failed kernel request or socket call. */
export class NetlinkError extends Error {
  override readonly name = 'NetlinkError';
  /** What failed: an L2TP command (`TUNNEL_CREATE`), `GETFAMILY`, or a libc call (`socket`, `bind`). */
  readonly op: string;
  /** Positive errno. */
  readonly errno: number;
  /** Its symbolic name (`EEXIST`); also in `code`, as Node's system errors have it. */
  readonly errnoName: string;
  /** Same as `errnoName`, for code written against Node's `err.code`. */
  readonly code: string;
  /** The kernel's extended-ack message, when it sent one. */
  readonly extAck: string | undefined;

  /** Builds the error; `detail` (optional) is appended to the message. */
  constructor(op: string, errno: number, extAck?: string, detail?: string) {
    const n = errnoName(errno);
    super(`${op}: ${n}${extAck !== undefined ? ` (${extAck})` : ''}${detail !== undefined ? `: ${detail}` : ''}`);
    this.op = op;
    this.errno = errno;
    this.errnoName = n;
    this.code = n;
    this.extAck = extAck;
  }
}

/** The kernel modules the l2tp generic-netlink family and its pseudowires need. */
export const L2TP_MODULES = ['l2tp_core', 'l2tp_netlink', 'l2tp_eth', 'l2tp_ip', 'l2tp_ip6', 'l2tp_ppp'] as const;

/** The `l2tp` generic-netlink family is not registered: the kernel modules are not loaded. */
export class L2tpFamilyMissingError extends NetlinkError {
  /** Builds the error with the modprobe line to run. */
  constructor(errno: number) {
    super('GETFAMILY', errno, undefined,
      `generic netlink family "l2tp" not found; load the kernel modules: modprobe -a ${L2TP_MODULES.join(' ')}`);
    Object.defineProperty(this, 'name', { value: 'NetlinkError' });
  }
}
