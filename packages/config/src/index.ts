/**
 * TOML configuration schema shared by kl2tpd and ql2tpd (go-l2tp compatible): one smol-toml parse,
 * the core schema plus the daemon's extension keys, every default applied, every problem reported
 * with its TOML path, line and column.
 *
 * @example
 * ```ts
 * import { parseConfig, formatIssue } from '@l2tp/config';
 * const r = parseConfig('[tunnel.t1]\npeer = "192.0.2.1:1701"\nversion = "l2tpv2"\n', { file: 'kl2tpd.toml' });
 * if (r.ok) console.log(r.config.tunnels[0]!.retryTimeoutMs); // 1000
 * else for (const i of r.issues) console.error(formatIssue(i));
 * ```
 *
 * @packageDocumentation
 */

/** Package version, kept equal to package.json. */
export const VERSION = '0.1.0';

export { parseConfig, configToJson, type ParseOptions, type ParseResult } from './parse.js';
export { loadConfigFile, checkConfigFiles, type FileCheck } from './load.js';
export { formatIssue, describeValue, type ConfigIssue } from './issues.js';
export { KeyLocator, formatPath, type KeyLocation, type Position } from './locate.js';
export { isIP, isIPv4, isIPv6 } from './ip-literal.js';
export { parseEndpoint, parseListenAddress, type Endpoint, type EndpointText } from './endpoint.js';
export {
  key, tables, defineExtension, extensionKeys,
  type ConfigExtension, type ConfigOf, type ExtValues, type IssueAnchor, type KeySpec, type KeySpecs, type NamedTable,
  type ValidateContext,
} from './extension.js';
export {
  ok, fail, isTable, integer, boolean, string, oneOf, arrayOf, bytes, interfaceName, readableFile, filePath, unixSocketPath,
  type Reader, type ReadResult, type ReadContext,
} from './readers.js';
export {
  CORE_KEYS, DEFAULT_MAX_RETRIES, DEFAULT_RETRY_TIMEOUT_MS, DEFAULT_WINDOW_SIZE, L2TP_PORT, U32_MAX,
} from './schema.js';
export type { Config, TunnelConfig, SessionConfig, Encap, Pseudowire, L2SpecType, FramingCaps, TunnelMode } from './types.js';
export { parsePppdOptions, type PppdOptionsResult } from './pppd-options.js';
export { normalizeGoFlags } from './go-flags.js';
export { readTextFile, readTextFileSync, MAX_CONFIG_BYTES } from './read-file.js';
