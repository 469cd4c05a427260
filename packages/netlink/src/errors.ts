/**
 * Errors of this package. `NetlinkError` is mdlayher's `OpError`: the operation that failed (a
 * command name such as `TUNNEL_CREATE`, or a socket call such as `bind`), the errno with its name, and
 * the kernel's extended-ack text when it sent one. `name` is set so that checks by name keep working
 * across duplicate installs of this package.
 */
import { constants } from 'node:os';
import type { L2tpCommandName } from './l2tp/attrs.js';

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

/** The libc calls this package makes (and names in a {@link NetlinkError}). */
export type SyscallName =
  | 'socket' | 'bind' | 'connect' | 'getsockname' | 'send' | 'sendto' | 'sendmsg' | 'recv' | 'recvmsg' | 'poll' | 'pipe2' | 'close'
  | 'setsockopt' | 'setns' | 'sd_notify';

/** What a {@link NetlinkError} says failed: an L2TP command, a generic-netlink or rtnetlink request, or a libc call. */
export type NetlinkOp = L2tpCommandName | 'GETFAMILY' | 'SETLINK' | SyscallName;

/** A failed kernel request or socket call. */
export class NetlinkError extends Error {
  override readonly name: string = 'NetlinkError';
  /** What failed: an L2TP command (`TUNNEL_CREATE`), `GETFAMILY`, or a libc call (`socket`, `bind`). */
  readonly op: NetlinkOp;
  /** Positive errno. */
  readonly errno: number;
  /** Its symbolic name (`EEXIST`); also in `code`, as Node's system errors have it. */
  readonly errnoName: string;
  /** Same as `errnoName`, for code written against Node's `err.code`. */
  readonly code: string;
  /** The kernel's extended-ack message, when it sent one. */
  readonly extAck: string | undefined;

  /** Builds the error; `detail` (optional) is appended to the message. */
  constructor(op: NetlinkOp, errno: number, extAck?: string, detail?: string) {
    const n = errnoName(errno);
    super(`${op}: ${n}${extAck !== undefined ? ` (${extAck})` : ''}${detail !== undefined ? `: ${detail}` : ''}`);
    this.op = op;
    this.errno = errno;
    this.errnoName = n;
    this.code = n;
    this.extAck = extAck;
  }

  /**
   * The object named does not exist (ENOENT, ENODEV — the kernel answers a deleted tunnel with
   * either, depending on the command and version). Deleting it again is then success.
   */
  isNotExist(): boolean { return this.errnoName === 'ENOENT' || this.errnoName === 'ENODEV'; }

  /** The object already exists (EEXIST): a duplicate id, or a tunnel id the kernel has not freed yet. */
  isExist(): boolean { return this.errnoName === 'EEXIST'; }

  /** The fields a structured log line carries for this error: command, errno name and number, extended ack. */
  toJSON(): { name: string; message: string; op: NetlinkOp; errno: number; code: string; extAck: string | undefined } {
    return { name: this.name, message: this.message, op: this.op, errno: this.errno, code: this.code, extAck: this.extAck };
  }
}

/** The kernel modules the l2tp generic-netlink family and its pseudowires need. */
export const L2TP_MODULES = ['l2tp_core', 'l2tp_netlink', 'l2tp_eth', 'l2tp_ip', 'l2tp_ip6', 'l2tp_ppp'] as const;

/**
 * The `l2tp` generic-netlink family is not registered: the kernel modules are not loaded. A
 * {@link NetlinkError} (op `GETFAMILY`, errno ENOENT) with its own name and the modprobe line to run.
 */
export class L2tpFamilyMissingError extends NetlinkError {
  override readonly name: string = 'L2tpFamilyMissingError';
  /** The modules to load. */
  readonly modules: readonly string[] = L2TP_MODULES;

  /** Builds the error with the modprobe line to run. */
  constructor(errno: number) {
    super('GETFAMILY', errno, undefined,
      `generic netlink family "l2tp" not found; load the kernel modules: modprobe -a ${L2TP_MODULES.join(' ')}`);
  }
}
