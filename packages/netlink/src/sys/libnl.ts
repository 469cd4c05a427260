/**
 * Every libnl-3 / libnl-genl-3 call this package makes, through ffi-rs: allocating and connecting a
 * generic-netlink socket, its fd and port, group membership, and freeing it (which closes the fd).
 * Messages are built and parsed in TypeScript and moved with libc send/recv: libnl's receive
 * callbacks are unreliable through ffi-rs and `nl_send_sync` leaves a GET's ACK queued
 * (ffi-feasibility §1.3–1.4). libnl returns `-NLE_*` codes, not errno; they are reported by name.
 */
import { DataType, isNullPointer, load, open, type JsExternal } from 'ffi-rs';

let opened = false;
function libs(): void {
  if (opened) return;
  open({ library: 'nl', path: 'libnl-3.so.200' });
  open({ library: 'genl', path: 'libnl-genl-3.so.200' });
  opened = true;
}

function call<T>(library: 'nl' | 'genl', funcName: string, retType: DataType, paramsType: DataType[], paramsValue: unknown[]): T {
  libs();
  return load({ library, funcName, retType, paramsType, paramsValue }) as T;
}
const { External: P, I32, U32, String: Str, Void } = DataType;

/** An error from libnl itself (`-NLE_*`), with libnl's text. */
export class LibnlError extends Error {
  override readonly name = 'LibnlError';
  /** The failed libnl function. */
  readonly op: string;
  /** Positive NLE code (not an errno). */
  readonly nle: number;
  /** Builds the error from a negative return value. */
  constructor(op: string, ret: number) {
    super(`${op}: ${call<string>('nl', 'nl_geterror', Str, [I32], [ret])}`);
    this.op = op;
    this.nle = -ret;
  }
}

/** An opaque `struct nl_sock *`. */
export type NlSock = JsExternal;

/** `nl_socket_alloc` + `genl_connect`: a bound NETLINK_GENERIC socket (close-on-exec, as libnl makes it). */
export function genlSocket(): NlSock {
  const sock = call<JsExternal>('nl', 'nl_socket_alloc', P, [], []);
  if (isNullPointer(sock)) throw new Error('nl_socket_alloc: out of memory');
  const r = call<number>('genl', 'genl_connect', I32, [P], [sock]);
  if (r < 0) {
    call('nl', 'nl_socket_free', Void, [P], [sock]);
    throw new LibnlError('genl_connect', r);
  }
  return sock;
}

/** `nl_socket_alloc` + `nl_connect`: a bound netlink socket of another protocol (NETLINK_ROUTE is 0). */
export function netlinkSocket(protocol: number): NlSock {
  const sock = call<JsExternal>('nl', 'nl_socket_alloc', P, [], []);
  if (isNullPointer(sock)) throw new Error('nl_socket_alloc: out of memory');
  const r = call<number>('nl', 'nl_connect', I32, [P, I32], [sock, protocol]);
  if (r < 0) {
    call('nl', 'nl_socket_free', Void, [P], [sock]);
    throw new LibnlError('nl_connect', r);
  }
  return sock;
}

/** `nl_socket_get_fd`. */
export function socketFd(sock: NlSock): number {
  return call<number>('nl', 'nl_socket_get_fd', I32, [P], [sock]);
}

/** `nl_socket_get_local_port`: our netlink port id. */
export function localPort(sock: NlSock): number {
  return call<number>('nl', 'nl_socket_get_local_port', U32, [P], [sock]);
}

/** `nl_socket_add_membership`: joins a multicast group by id. */
export function addMembership(sock: NlSock, group: number): void {
  const r = call<number>('nl', 'nl_socket_add_membership', I32, [P, I32], [sock, group]);
  if (r < 0) throw new LibnlError('nl_socket_add_membership', r);
}

/** `nl_socket_free`: closes the fd and frees the socket. */
export function freeSocket(sock: NlSock): void {
  call('nl', 'nl_socket_free', Void, [P], [sock]);
}
