/**
 * L2TPv2 LAC daemon: a drop-in for go-l2tp kl2tpd, one pppd per session.
 *
 * @packageDocumentation
 */

/** Package version, kept equal to package.json. */
export const VERSION = '0.1.0';
