/**
 * ql2tpd's configuration: the core schema of `@l2tp/config` plus ql2tpd's own keys, only l2tpv3
 * tunnels (static, quiescent and dynamic). New keys (docs/config.md): session `mtu` (absent =
 * computed by the daemon from the underlying MTU minus the encapsulation overhead), the daemon's
 * `control_socket` and `metrics_listen`, and the keys of dynamic tunnels: `router_id`,
 * `digest_secret`, `digest`, session `remote_end_id` and `cookie_length` (RFC 3931 §5.4).
 */
import {
  defineExtension, fail, integer, key, loadConfigFile, ok, oneOf, parseConfig, parseListenAddress, unixSocketPath,
  type ConfigOf, type ParseResult, type Reader, type ValidateContext,
} from '@l2tp/config';

/** Default `control_socket` of ql2tpd. */
export const DEFAULT_QL2TPD_CONTROL_SOCKET = '/run/ql2tpd/ql2tpd.sock';

/** An IPv4 dotted quad as the 32-bit number it is, or undefined. */
export function ipv4Number(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** Router ID (RFC 3931 §5.4.3): a dotted quad or an integer 1..4294967295. */
const routerId: Reader<number> = (v) => {
  const expected = 'an IPv4 address "a.b.c.d" or an integer 1..4294967295';
  if (typeof v === 'bigint') return v >= 1n && v <= 0xffffffffn ? ok(Number(v)) : fail(expected);
  const n = typeof v === 'string' ? ipv4Number(v) : undefined;
  return n !== undefined && n !== 0 ? ok(n) : fail(expected);
};

/** One secret, or two during a rollover (the first signs, either verifies). */
const secrets: Reader<readonly string[]> = (v) => {
  const expected = 'a non-empty string, or an array of two (new first) during a rollover';
  if (typeof v === 'string') return v.length > 0 ? ok([v]) : fail(expected);
  if (Array.isArray(v) && v.length >= 1 && v.length <= 2 && v.every((s) => typeof s === 'string' && s.length > 0)) return ok(v as string[]);
  return fail(expected);
};

const cookieLength: Reader<0 | 4 | 8> = (v) => (v === 0n || v === 4n || v === 8n ? ok(Number(v) as 0 | 4 | 8) : fail('0, 4 or 8'));

/** Remote End ID (RFC 3931 §5.4.4): the bytes both ends name the pseudowire by, 1..255 of them. */
const remoteEndId: Reader<string> = (v) =>
  typeof v === 'string' && v.length > 0 && new TextEncoder().encode(v).length <= 255 ? ok(v) : fail('a non-empty string of at most 255 bytes');

// Keys of dynamic tunnels and sessions by their `ext` field; all default to undefined, so a value means the key was given.
const DYNAMIC_TUNNEL_KEYS = { router_id: 'routerId', digest_secret: 'digestSecret', digest: 'digest' } as const;
const DYNAMIC_SESSION_KEYS = { remote_end_id: 'remoteEndId', cookie_length: 'cookieLength' } as const;

/** The cross-key rules of dynamic tunnels (every problem reported, at its key). */
function validateDynamic(config: Ql2tpdConfig, ctx: ValidateContext): void {
  for (const t of config.tunnels) {
    const at = (k: string) => ['tunnel', t.name, k];
    // An l2tpv2 tunnel is already refused at its version.
    if (t.version !== 3) continue;
    if (t.mode !== 'dynamic') {
      for (const [k, f] of Object.entries(DYNAMIC_TUNNEL_KEYS)) {
        if (t.ext[f] !== undefined) ctx.report(at(k), `unexpected ${k}: only for mode = "dynamic" tunnels`);
      }
      for (const s of t.sessions) {
        for (const [k, f] of Object.entries(DYNAMIC_SESSION_KEYS)) {
          if (s.ext[f] !== undefined) ctx.report(['tunnel', t.name, 'session', s.name, k], `unexpected ${k}: only in mode = "dynamic" tunnels`);
        }
      }
      continue;
    }
    if (t.ext.digest !== undefined && t.ext.digestSecret === undefined && !ctx.failed(at('digest_secret'))) ctx.report(at('digest'), 'digest needs digest_secret');
    if (t.ext.routerId === undefined && !ctx.failed(at('router_id')) && !ctx.failed(at('local')) && !ipv4Number(t.local?.host ?? '')) {
      ctx.report(at('local'), 'a dynamic tunnel needs router_id when local is not an IPv4 address other than 0.0.0.0 (the Router ID defaults to it, RFC 3931 §5.4.3)');
    }
    const seen = new Map<string, string>();
    for (const s of t.sessions) {
      const p = ['tunnel', t.name, 'session', s.name, 'remote_end_id'];
      if (ctx.failed(p)) continue;
      if (s.ext.remoteEndId === undefined) { ctx.report(['tunnel', t.name, 'session', s.name], 'missing remote_end_id: a dynamic session is matched with the peer\'s by it (RFC 3931 §5.4.4)'); continue; }
      const other = seen.get(s.ext.remoteEndId);
      if (other !== undefined) ctx.report(p, `duplicate remote_end_id "${s.ext.remoteEndId}" (also session ${other})`, 'value');
      seen.set(s.ext.remoteEndId, s.name);
    }
  }
}

/** ql2tpd's extension of the core schema (only l2tpv3 tunnels). */
export const ql2tpdExtension = defineExtension({
  name: 'ql2tpd',
  versions: [3],
  global: {
    controlSocket: key('control_socket', unixSocketPath, DEFAULT_QL2TPD_CONTROL_SOCKET),
    metricsListen: key('metrics_listen', parseListenAddress, undefined),
  },
  tunnel: {
    routerId: key('router_id', routerId, undefined),
    digestSecret: key('digest_secret', secrets, undefined),
    // Absent: HMAC-MD5 (RFC 3931 §5.4.1's MUST) when digest_secret is set.
    digest: key('digest', oneOf(['md5', 'sha1']), undefined),
  },
  session: {
    // 68 is the IPv4 minimum (RFC 791); 65535 the largest the kernel accepts for a netdevice here.
    mtu: key('mtu', integer(68, 65535), undefined),
    remoteEndId: key('remote_end_id', remoteEndId, undefined),
    // Absent: 0 (no cookie).
    cookieLength: key('cookie_length', cookieLength, undefined),
  },
  validate: (config, ctx) => validateDynamic(config as Ql2tpdConfig, ctx),
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
