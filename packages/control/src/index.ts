/**
 * Sans-I/O L2TPv2/v3 protocol engine: codec, reliable transport, tunnel and session state machines.
 *
 * @packageDocumentation
 */

/** Package version, kept equal to package.json. */
export const VERSION = '0.1.0';
