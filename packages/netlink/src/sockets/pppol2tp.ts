/**
 * PPPoL2TP sockets for pppd: made close-on-exec (libuv closes nothing when it spawns; the child gets
 * the fd only because spawn's stdio array dups it to fd 3 and clears FD_CLOEXEC there), connected to
 * a session the kernel already has. Closing the last copy deletes the kernel session, so the parent
 * closes its copy only after the child holds one (ffi-feasibility §4).
 */
import * as libc from '../sys/libc.js';
import { Sock } from '../sys/libc.js';
import { sockaddrPppol2tp, type Pppol2tpIds } from './sockaddr.js';

/** Opens and connects a PPPoL2TP socket for an existing tunnel/session; returns its fd (you close it). */
export function openPppol2tpSocket(ids: Pppol2tpIds): number {
  const fd = libc.socket(Sock.AF_PPPOX, Sock.SOCK_DGRAM | Sock.SOCK_CLOEXEC, Sock.PX_PROTO_OL2TP);
  try {
    libc.connect(fd, sockaddrPppol2tp(ids));
  } catch (e) {
    libc.close(fd);
    throw e;
  }
  return fd;
}

/** close(2) of an fd this package handed out (PPPoL2TP sockets). */
export function closeFd(fd: number): void {
  libc.close(fd);
}
