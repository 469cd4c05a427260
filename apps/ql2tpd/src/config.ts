/**
 * ql2tpd's configuration: the core schema of `@l2tp/config` plus ql2tpd's own keys, only l2tpv3
 * (static and quiescent) tunnels. New keys (docs/config.md): session `mtu` (absent = computed by
 * the daemon from the underlying MTU minus the encapsulation overhead), and the daemon's
 * `control_socket` and `metrics_listen`.
 */
import {
  defineExtension, integer, key, loadConfigFile, parseConfig, parseListenAddress, unixSocketPath,
  type ConfigOf, type ParseResult,
} from '@l2tp/config';

/** Default `control_socket` of ql2tpd. */
export const DEFAULT_QL2TPD_CONTROL_SOCKET = '/run/ql2tpd/ql2tpd.sock';

/** ql2tpd's extension of the core schema (only l2tpv3 tunnels). */
export const ql2tpdExtension = defineExtension({
  name: 'ql2tpd',
  versions: [3],
  global: {
    controlSocket: key('control_socket', unixSocketPath, DEFAULT_QL2TPD_CONTROL_SOCKET),
    metricsListen: key('metrics_listen', parseListenAddress, undefined),
  },
  session: {
    // 68 is the IPv4 minimum (RFC 791); 65535 the largest the kernel accepts for a netdevice here.
    mtu: key('mtu', integer(68, 65535), undefined),
  },
});

/** ql2tpd's parsed configuration. */
export type Ql2tpdConfig = ConfigOf<typeof ql2tpdExtension>;
/** One ql2tpd tunnel. */
export type Ql2tpdTunnelConfig = Ql2tpdConfig['tunnels'][number];
/** One ql2tpd session. */
export type Ql2tpdSessionConfig = Ql2tpdTunnelConfig['sessions'][number];

/** Options for tests: a fixed default `host_name`. */
export interface Ql2tpdParseOptions {
  readonly hostName?: string;
}

/** Parses ql2tpd TOML text; `file` names it in issues and anchors relative paths. */
export function parseQl2tpdConfig(text: string, file?: string, options: Ql2tpdParseOptions = {}): ParseResult<Ql2tpdConfig> {
  return parseConfig(text, { ...options, extension: ql2tpdExtension, ...(file === undefined ? {} : { file }) });
}

/** Reads and parses a ql2tpd config file; an unreadable file is an issue. */
export function loadQl2tpdConfig(path: string, options: Ql2tpdParseOptions = {}): Promise<ParseResult<Ql2tpdConfig>> {
  return loadConfigFile(path, { ...options, extension: ql2tpdExtension });
}
