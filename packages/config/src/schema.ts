/**
 * The core schema: every key go-l2tp's `config/config.go` accepts, with the same names, TOML types
 * and units (integer milliseconds), and the reader that checks each one on its own. Checks that
 * involve several keys (version-dependent id ranges, required keys) live in tunnel.ts/session.ts.
 */
import { parseEndpoint } from './endpoint.js';
import { arrayOf, boolean, bytes, integer, interfaceName, oneOf, string, type Reader } from './readers.js';

/** Largest 32-bit unsigned value: the range of ids and millisecond durations in go-l2tp. */
export const U32_MAX = 0xffff_ffff;

/** Default `window_size` (go-l2tp's transport default). */
export const DEFAULT_WINDOW_SIZE = 4;
/** Default `retry_timeout` in ms (go-l2tp, RFC 2661 §5.8 "recommended default ... 1 second"). */
export const DEFAULT_RETRY_TIMEOUT_MS = 1000;
/** Default `max_retries`: RFC 2661 §5.8 recommends 5; go-l2tp uses 3. */
export const DEFAULT_MAX_RETRIES = 5;
/** Upper bound for `max_retries`: each retry doubles the back-off, so more is never useful. */
export const MAX_RETRIES_LIMIT = 100;
/** The L2TP UDP port (RFC 2661 §8.1). */
export const L2TP_PORT = 1701;

/** Readers of the keys of `[tunnel.NAME]` (besides `session`). */
export const TUNNEL_KEYS: { readonly [key: string]: Reader<unknown> } = {
  local: parseEndpoint,
  peer: parseEndpoint,
  encap: oneOf(['udp', 'ip']),
  version: oneOf(['l2tpv2', 'l2tpv3']),
  mode: oneOf(['static', 'quiescent', 'dynamic']),
  tid: integer(0, U32_MAX),
  ptid: integer(0, U32_MAX),
  window_size: integer(0, 65535),
  hello_timeout: integer(0, U32_MAX),
  retry_timeout: integer(0, U32_MAX),
  max_retries: integer(0, MAX_RETRIES_LIMIT),
  host_name: string('a non-empty string', (s) => s.length > 0),
  framing_caps: arrayOf(oneOf(['sync', 'async'])),
};

/** Readers of the keys of `[tunnel.NAME.session.NAME]`. */
export const SESSION_KEYS: { readonly [key: string]: Reader<unknown> } = {
  sid: integer(0, U32_MAX),
  psid: integer(0, U32_MAX),
  pseudowire: oneOf(['ppp', 'eth', 'eth_vlan', 'pppac']),
  seqnum: boolean,
  reorder_timeout: integer(0, U32_MAX),
  cookie: bytes([4, 8]),
  peer_cookie: bytes([4, 8]),
  interface_name: interfaceName,
  l2spec_type: oneOf(['none', 'default']),
  pppoe_session_id: integer(0, 65535),
  pppoe_peer_mac: bytes([6]),
};

/** Every core key by table, for documentation checks and tooling. */
export const CORE_KEYS: { readonly tunnel: readonly string[]; readonly session: readonly string[] } = {
  tunnel: [...Object.keys(TUNNEL_KEYS), 'session'],
  session: Object.keys(SESSION_KEYS),
};
