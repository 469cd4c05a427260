/**
 * Static and quiescent L2TPv3 pseudowire daemon with working HELLO keepalives.
 *
 * @packageDocumentation
 */

/** Package version, kept equal to package.json. */
export const VERSION = '0.1.0';
