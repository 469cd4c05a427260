/**
 * Running code in another network namespace without a child process: setns(2) moves only the
 * calling thread, and every FFI call here runs on the JS main thread, so sockets made inside `fn`
 * (netlink, control, PPPoL2TP) belong to the namespace and stay there after we switch back.
 * Sockets libuv makes itself (plain node:dgram) are made on the main thread too.
 */
import { closeSync, openSync } from 'node:fs';
import * as libc from '../sys/libc.js';

const CLONE_NEWNET = 0x40000000;

/** Runs `fn` with the main thread in the named namespace (`ip netns add NAME`) and switches back, even on error. */
export function inNetns<T>(name: string, fn: () => T): T {
  const home = openSync('/proc/thread-self/ns/net', 'r');
  const target = openSync(name.startsWith('/') ? name : `/var/run/netns/${name}`, 'r');
  try {
    libc.setns(target, CLONE_NEWNET);
    try {
      return fn();
    } finally {
      libc.setns(home, CLONE_NEWNET);
    }
  } finally {
    closeSync(target);
    closeSync(home);
  }
}
