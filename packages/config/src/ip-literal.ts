/**
 * IP address literals as `node:net`'s `isIP`, `isIPv4` and `isIPv6` accept them, with the same
 * expressions as Node's lib/internal/net.js: the config parser checks every `peer` and `local`, and
 * loading the `node:net` module for that (streams, diagnostics channels, cluster hooks) cost
 * `--check-config` more than the rest of its parse.
 */

const V4_SEG = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const V4_STR = `(?:${V4_SEG}\\.){3}${V4_SEG}`;
const IPV4 = new RegExp(`^${V4_STR}$`);
const V6_SEG = '(?:[0-9a-fA-F]{1,4})';
const IPV6 = new RegExp(
  '^(?:'
  + `(?:${V6_SEG}:){7}(?:${V6_SEG}|:)|`
  + `(?:${V6_SEG}:){6}(?:${V4_STR}|:${V6_SEG}|:)|`
  + `(?:${V6_SEG}:){5}(?::${V4_STR}|(?::${V6_SEG}){1,2}|:)|`
  + `(?:${V6_SEG}:){4}(?:(?::${V6_SEG}){0,1}:${V4_STR}|(?::${V6_SEG}){1,3}|:)|`
  + `(?:${V6_SEG}:){3}(?:(?::${V6_SEG}){0,2}:${V4_STR}|(?::${V6_SEG}){1,4}|:)|`
  + `(?:${V6_SEG}:){2}(?:(?::${V6_SEG}){0,3}:${V4_STR}|(?::${V6_SEG}){1,5}|:)|`
  + `(?:${V6_SEG}:){1}(?:(?::${V6_SEG}){0,4}:${V4_STR}|(?::${V6_SEG}){1,6}|:)|`
  + `(?::(?:(?::${V6_SEG}){0,5}:${V4_STR}|(?::${V6_SEG}){1,7}|:))`
  + ')(?:%[0-9a-zA-Z-.:]{1,})?$',
);

/** True for a dotted-quad IPv4 literal (`192.0.2.1`; no leading-zero octets above 9, no shorthand). */
export function isIPv4(text: string): boolean {
  return IPV4.test(text);
}

/** True for an IPv6 literal, `::ffff:192.0.2.1` forms and a `%zone` suffix included; no brackets. */
export function isIPv6(text: string): boolean {
  return IPV6.test(text);
}

/** 4 for an IPv4 literal, 6 for an IPv6 literal, 0 otherwise (as `node:net`'s `isIP`). */
export function isIP(text: string): 0 | 4 | 6 {
  return isIPv4(text) ? 4 : isIPv6(text) ? 6 : 0;
}
