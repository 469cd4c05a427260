/**
 * sd_notify(3): libsystemd's `sd_notify` through ffi-rs when libsystemd.so.0 loads, else the same
 * datagram sent by hand to `$NOTIFY_SOCKET` over AF_UNIX (ffi-feasibility §6). Outside systemd (no
 * `$NOTIFY_SOCKET`) it does nothing.
 */
import { DataType, load, open } from 'ffi-rs';
import { NetlinkError } from '../errors.js';
import { sockaddrUn } from '../sockets/sockaddr.js';
import * as libc from './libc.js';
import { Sock } from './libc.js';

let libsystemd: boolean | undefined;
function haveLibsystemd(): boolean {
  if (libsystemd === undefined) {
    try {
      open({ library: 'systemd', path: 'libsystemd.so.0' });
      libsystemd = true;
    } catch {
      libsystemd = false;
    }
  }
  return libsystemd;
}

/**
 * Sends `state` (`READY=1`, `STATUS=…`, `STOPPING=1`, `WATCHDOG=1`; several joined by newlines).
 * Returns true when sent, false when not under systemd. Throws `NetlinkError('sd_notify', errno)`.
 */
export function sdNotify(state: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const path = env.NOTIFY_SOCKET;
  if (path === undefined || path === '') return false;
  if (env === process.env && haveLibsystemd()) {
    const r = load({ library: 'systemd', funcName: 'sd_notify', retType: DataType.I32, paramsType: [DataType.I32, DataType.String], paramsValue: [0, state] }) as number;
    if (r < 0) throw new NetlinkError('sd_notify', -r);
    return r > 0;
  }
  const fd = libc.socket(Sock.AF_UNIX, Sock.SOCK_DGRAM | Sock.SOCK_CLOEXEC, 0);
  try {
    libc.sendto(fd, Buffer.from(state, 'utf8'), Sock.MSG_NOSIGNAL, sockaddrUn(path));
  } finally {
    libc.close(fd);
  }
  return true;
}
