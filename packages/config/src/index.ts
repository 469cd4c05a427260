/**
 * TOML configuration schema shared by kl2tpd and ql2tpd (go-l2tp compatible).
 *
 * @packageDocumentation
 */

/** Package version, kept equal to package.json. */
export const VERSION = '0.1.0';
