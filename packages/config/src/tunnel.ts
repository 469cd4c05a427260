/**
 * Builds one `[tunnel.NAME]`: reads its keys, applies defaults, and enforces the rules go-l2tp
 * checks late (in the library or the kernel) or not at all: `version` and `peer` required, IP
 * encapsulation only with l2tpv3 (RFC 3931 §4.1.1), l2tpv2 ids 16-bit (RFC 2661 §3.1), no `ptid`
 * for dynamic l2tpv2 tunnels, `local`/`tid`/`ptid` for static and quiescent l2tpv3 tunnels and
 * none of `tid`/`ptid` for dynamic ones (negotiated, RFC 3931 §5.4.3), `mode` against `hello_timeout`.
 */
import type { Collector } from './collect.js';
import type { EndpointText } from './endpoint.js';
import type { ConfigExtension, KeySpecs } from './extension.js';
import { describeValue } from './issues.js';
import { DEFAULT_MAX_RETRIES, DEFAULT_RETRY_TIMEOUT_MS, DEFAULT_WINDOW_SIZE, TUNNEL_KEYS, U32_MAX } from './schema.js';
import { buildSession, type SessionDraft } from './session.js';
import type { Encap, TunnelConfig, TunnelMode } from './types.js';

/** A tunnel before freezing. */
export type TunnelDraft = Omit<
  { -readonly [K in keyof TunnelConfig<Record<string, unknown>>]: TunnelConfig<Record<string, unknown>>[K] },
  'sessions'
> & { sessions: SessionDraft[]; knownVersion: 2 | 3 | undefined };

/** Reads and checks one tunnel and its sessions. */
export function buildTunnel(
  c: Collector,
  name: string,
  table: Record<string, unknown>,
  extension: ConfigExtension<KeySpecs, KeySpecs, KeySpecs> | undefined,
  defaultHostName: string,
): TunnelDraft {
  const base = ['tunnel', name];
  const at = (k: string) => [...base, k];
  const { core, ext } = c.readTable(table, base, TUNNEL_KEYS, extension?.tunnel, ['session']);
  const has = (k: string) => core.has(k);
  const num = (k: string) => (core.get(k) as number | undefined) ?? 0;
  const bad = (k: string, expected: string) => c.expected(at(k), expected, describeValue(BigInt(num(k))));

  let version: 2 | 3 | undefined;
  const v = core.get('version');
  if (v === undefined) {
    if (!c.failed(at('version'))) c.missing(at('version'), '"l2tpv2" or "l2tpv3" (go-l2tp has no default)');
  } else {
    version = v === 'l2tpv2' ? 2 : 3;
    const allowed = extension?.versions;
    if (allowed && !allowed.includes(version)) {
      const want = allowed.map((n) => `"l2tpv${n}"`).join(' or ');
      c.expected(at('version'), `${want}: ${extension.name} runs only ${want.replace(/"/g, '')} tunnels`, `"${v as string}"`);
    }
  }

  const encap = (core.get('encap') as Encap | undefined) ?? 'udp';
  if (encap === 'ip' && version === 2) {
    c.expected(at('encap'), '"udp" for an l2tpv2 tunnel (IP encapsulation is L2TPv3 only, RFC 3931 §4.1.1)', '"ip"');
  }

  const endpoint = (k: 'local' | 'peer') => {
    const e = core.get(k) as EndpointText | undefined;
    if (!e) return undefined;
    const text = describeValue(table[k]);
    if (encap === 'udp' && e.port === undefined) c.expected(at(k), '"host:port" (UDP encapsulation needs a port)', text);
    else if (encap === 'udp' && k === 'peer' && e.port === 0) c.expected(at(k), 'a peer port 1..65535', text);
    return { host: e.host, port: e.port ?? 0, family: e.family };
  };
  const local = endpoint('local');
  const peer = endpoint('peer');
  const addrForm = '"host:port", "a.b.c.d:port" or "[v6]:port"';
  if (!peer && !c.failed(at('peer'))) c.missing(at('peer'), addrForm);
  if (local?.family && peer?.family && local.family !== peer.family) {
    c.expected(at('peer'), `an IPv${local.family} address like local`, describeValue(table['peer']));
  }

  const hello = num('hello_timeout');
  const given = core.get('mode') as TunnelMode | undefined;
  const mode: TunnelMode = given ?? (version === 3 ? (hello > 0 ? 'quiescent' : 'static') : 'dynamic');
  if (version === 2 && given !== undefined && given !== 'dynamic') {
    c.expected(at('mode'), '"dynamic" for an l2tpv2 tunnel (static and quiescent tunnels are L2TPv3)', `"${given}"`);
  } else if (given === 'quiescent' && hello === 0 && !c.failed(at('hello_timeout'))) {
    c.report(at('mode'), 'a quiescent tunnel needs hello_timeout (the HELLO interval in ms, > 0)');
  } else if (given === 'static' && hello > 0) {
    c.report(at('hello_timeout'), 'unexpected hello_timeout: a static tunnel has no control channel (mode = "quiescent" sends HELLOs)');
  }

  if (version === 2) {
    if (num('tid') > 0xffff) bad('tid', 'an integer 0..65535 for l2tpv2 (16-bit ids, RFC 2661 §3.1; 0 allocates one)');
    if (num('ptid') !== 0) {
      c.report(at('ptid'), 'unexpected ptid: an l2tpv2 (dynamic) tunnel learns the peer tunnel id from SCCRP');
    }
  } else if (version === 3 && mode === 'dynamic') {
    if (!local && !c.failed(at('local'))) c.missing(at('local'), `${addrForm} (a dynamic tunnel listens on a fixed address for the peer's SCCRQ)`);
    for (const k of ['tid', 'ptid']) {
      if (has(k)) c.report(at(k), `unexpected ${k}: a dynamic tunnel's control connection ids are negotiated (RFC 3931 §5.4.3)`);
    }
  } else if (version === 3) {
    if (!local && !c.failed(at('local'))) c.missing(at('local'), `${addrForm} (static and quiescent tunnels bind a fixed address)`);
    for (const k of ['tid', 'ptid']) {
      const expected = `an integer 1..${U32_MAX} (static and quiescent tunnels need both ids)`;
      if (c.failed(at(k))) continue;
      if (!has(k)) c.missing(at(k), expected);
      else if (num(k) === 0) bad(k, expected);
    }
  }

  const caps = core.get('framing_caps') as readonly string[] | undefined;
  const tunnel: TunnelDraft = {
    name,
    version: version ?? 2,
    knownVersion: version,
    mode,
    encap,
    local,
    peer: peer ?? { host: '', port: 0, family: undefined },
    tunnelId: num('tid'),
    peerTunnelId: num('ptid'),
    windowSize: num('window_size') || DEFAULT_WINDOW_SIZE,
    helloTimeoutMs: hello,
    retryTimeoutMs: num('retry_timeout') || DEFAULT_RETRY_TIMEOUT_MS,
    maxRetries: num('max_retries') || DEFAULT_MAX_RETRIES,
    hostName: (core.get('host_name') as string | undefined) ?? defaultHostName,
    framingCaps: caps ? { sync: caps.includes('sync'), async: caps.includes('async') } : { sync: true, async: true },
    sessions: [],
    ext,
  };

  const sessions = table['session'] === undefined ? {} : c.namedTables(table['session'], at('session'), 'session');
  for (const sname of c.ordered(at('session'), Object.keys(sessions ?? {}))) {
    tunnel.sessions.push(buildSession(c, [...base, 'session', sname], sessions![sname]!, version, extension?.session, mode === 'dynamic'));
  }
  return tunnel;
}
