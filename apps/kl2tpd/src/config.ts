/**
 * kl2tpd's configuration: the core schema of `@l2tp/config` plus kl2tpd's own keys, only l2tpv2
 * tunnels. `pppd_args` is go-l2tp's key (a file of pppd options, checked readable and well-formed
 * at load time, resolved against the config file's directory); the rest are ours (docs/config.md):
 * tunnel authentication (`secret`, `hide_avps`, RFC 2661 §5.1.1 and §4.3), redial with back-off
 * as in xl2tpd (`redial`, `redial_timeout`, `max_redials`), `stay_up`, the daemon's paths, and
 * the `[lns.NAME]` tables of the LNS role (lns/config.ts). A file may hold `[tunnel.*]`, `[lns.*]`
 * or both.
 */
import {
  boolean, defineExtension, integer, key, loadConfigFile, parseConfig, parseListenAddress, string, tables, U32_MAX,
  unixSocketPath, type ConfigOf, type ParseResult,
} from '@l2tp/config';
import { absolutePath as absolute, pppdOptionsFile } from './config-readers.js';
import { LNS_KEYS, validateLns } from './lns/config.js';

/** Default `pppd_path`: where Debian's ppp package installs pppd. */
export const DEFAULT_PPPD_PATH = '/usr/sbin/pppd';
/** Default `control_socket` of kl2tpd. */
export const DEFAULT_KL2TPD_CONTROL_SOCKET = '/run/kl2tpd/kl2tpd.sock';
/** Default `redial_timeout` in ms: the first wait before redialling (it backs off from there). */
export const DEFAULT_REDIAL_TIMEOUT_MS = 5000;

/** kl2tpd's extension of the core schema (only l2tpv2 tunnels). */
export const kl2tpdExtension = defineExtension({
  name: 'kl2tpd',
  versions: [2],
  global: {
    pppdPath: key('pppd_path', absolute, DEFAULT_PPPD_PATH),
    controlSocket: key('control_socket', unixSocketPath, DEFAULT_KL2TPD_CONTROL_SOCKET),
    metricsListen: key('metrics_listen', parseListenAddress, undefined),
    lns: tables('lns', LNS_KEYS),
  },
  tunnel: {
    secret: key('secret', string('a non-empty string', (s) => s.length > 0), undefined),
    hideAvps: key('hide_avps', boolean, false),
    redial: key('redial', boolean, false),
    redialTimeoutMs: key('redial_timeout', integer(1, U32_MAX), DEFAULT_REDIAL_TIMEOUT_MS),
    maxRedials: key('max_redials', integer(0, U32_MAX), 0),
    stayUp: key('stay_up', boolean, false),
  },
  session: {
    pppdArgs: key('pppd_args', pppdOptionsFile, undefined),
  },
  validate(config, ctx) {
    for (const t of config.tunnels) {
      const at = (k: string) => ['tunnel', t.name, k];
      // RFC 2661 §4.3: hiding needs the tunnel's shared secret to build the MD5 keystream.
      if (t.ext.hideAvps && t.ext.secret === undefined && !ctx.failed(at('secret'))) {
        ctx.report(at('hide_avps'), 'hide_avps = true needs a tunnel secret (RFC 2661 §4.3): add secret = "..."');
      }
    }
    validateLns(config.ext.lns, ctx);
  },
});

/** kl2tpd's parsed configuration. */
export type Kl2tpdConfig = ConfigOf<typeof kl2tpdExtension>;
/** One kl2tpd tunnel. */
export type Kl2tpdTunnelConfig = Kl2tpdConfig['tunnels'][number];
/** One kl2tpd session. */
export type Kl2tpdSessionConfig = Kl2tpdTunnelConfig['sessions'][number];
/** One `[lns.NAME]` table. */
export type Kl2tpdLnsConfig = Kl2tpdConfig['ext']['lns'][number];

/** Options for tests: a fixed default `host_name`. */
export interface Kl2tpdParseOptions {
  readonly hostName?: string;
}

/** Parses kl2tpd TOML text; `file` names it in issues and anchors relative paths. */
export function parseKl2tpdConfig(text: string, file?: string, options: Kl2tpdParseOptions = {}): ParseResult<Kl2tpdConfig> {
  return parseConfig(text, { ...options, extension: kl2tpdExtension, ...(file === undefined ? {} : { file }) });
}

/** Reads and parses a kl2tpd config file; an unreadable file is an issue. */
export function loadKl2tpdConfig(path: string, options: Kl2tpdParseOptions = {}): Promise<ParseResult<Kl2tpdConfig>> {
  return loadConfigFile(path, { ...options, extension: kl2tpdExtension });
}
