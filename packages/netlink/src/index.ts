/**
 * Linux kernel L2TP subsystem over generic netlink (libnl via ffi-rs), plus PPPoL2TP and control sockets.
 *
 * @packageDocumentation
 */

/** Package version, kept equal to package.json. */
export const VERSION = '0.1.0';
