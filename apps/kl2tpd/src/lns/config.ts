/**
 * The `[lns.NAME]` tables of kl2tpd.toml: one per listening address (docs/config.md "LNS keys").
 * Each key is read on its own by its reader; `validateLns` then checks what involves several keys
 * or several tables, reporting each problem at the key or array element it is about: bad or
 * overlapping pool ranges, exclusions outside every pool, `local_ip` inside a pool, an empty pool,
 * `allow` entries that can never match the listening family, listeners that would clash, and
 * `hide_avps` without a secret (RFC 2661 §4.3). List values stay as written (so issues can point
 * at them); `lnsPoolSpans` and `PeerAcl` turn them into working structures once they are valid.
 */
import {
  arrayOf, boolean, DEFAULT_MAX_RETRIES, DEFAULT_RETRY_TIMEOUT_MS, fail, integer, key, ok, parseListenAddress, string,
  U32_MAX, type Endpoint, type ExtValues, type Reader, type ValidateContext,
} from '@l2tp/config';
import { absolutePath, pppdOptionsFile } from '../config-readers.js';
import { formatIpv4, formatIpv6, parseAddress, parseCidr, parseIpv4, parseIpv4Span, spansOverlap, subtractSpan, type Ipv4Span } from './ip.js';
import { parseRate, type Rate } from './rate-limit.js';

/** Default `listen`: every IPv4 address, the L2TP port (RFC 2661 §8.1), as xl2tpd. */
export const DEFAULT_LNS_LISTEN = '0.0.0.0:1701';
/** Default `hello_timeout` of an LNS in ms: 60 s, as xl2tpd and accel-ppp. */
export const DEFAULT_LNS_HELLO_TIMEOUT_MS = 60_000;
/**
 * Default `window_size` of an LNS: the Receive Window Size it advertises (RFC 2661 §4.4.3, §5.8), 16
 * as accel-ppp's `recv-window` (Cisco advertises 800). With the RFC's 4, a LAC placing many calls at
 * once waits for an acknowledgement every 4 messages: a ZLB per 4 ICCNs, a fifth of the LNS's datagrams.
 */
export const DEFAULT_LNS_WINDOW_SIZE = 16;
/** Default `sccrq_limit`: accel-ppp's connlimit example, 10 per minute per source address. */
export const DEFAULT_SCCRQ_LIMIT: Rate = { count: 10, intervalMs: 60_000 };
/** Default `sccrq_burst`: accel-ppp's connlimit example. */
export const DEFAULT_SCCRQ_BURST = 3;

const listen: Reader<Endpoint> = (v) => {
  const r = parseListenAddress(v);
  if (!r.ok) return r;
  if (r.value.family === undefined) return fail('an IP address and port to listen on ("0.0.0.0:1701", "[::]:1701")');
  // An IPv4-mapped address is an IPv4 listener in disguise: it would share the port with one on the
  // IPv4 address unnoticed (the clash check compares like with like), so it is written as IPv4.
  const [address, zone] = r.value.host.split('%') as [string, string | undefined];
  const a = r.value.family === 6 ? parseAddress(address) : undefined;
  if (a?.family === 4) return fail(`an IPv4 listening address written as IPv4 ("${formatIpv4(a.value)}:${r.value.port}", not the IPv4-mapped "[${r.value.host}]")`);
  // A zone names the link of a link-local address (fe80::/10); on any other the kernel drops it,
  // and "[::1%lo]" would be a second listener on [::1] that the clash check cannot see.
  if (zone !== undefined && (a === undefined || a.family !== 6 || a.value >> 118n !== 0x3fan)) {
    return fail(`a zone (%${zone}) only on a link-local fe80:: address (got "[${r.value.host}]")`);
  }
  return r;
};

const nonEmpty = string('a non-empty string', (s) => s.length > 0);
const pppName = string('a non-empty name without spaces', (s) => s.length > 0 && !/\s/.test(s));

const ipv4: Reader<string> = (v) =>
  typeof v === 'string' && parseIpv4(v) !== undefined ? ok(v) : fail('an IPv4 address "a.b.c.d"');

const sccrqLimit: Reader<Rate | undefined> = (v) => {
  const r = typeof v === 'string' ? parseRate(v) : undefined;
  if (r === undefined) return fail('"N/s", "N/min", "N/hour" (N ≥ 1) or "off"');
  return ok(r === 'off' ? undefined : r);
};

/** The keys of `[lns.NAME]`, in documentation order. */
export const LNS_KEYS = {
  listen: key('listen', listen, { host: '0.0.0.0', port: 1701, family: 4 } as Endpoint),
  hostName: key('host_name', nonEmpty, undefined),
  secret: key('secret', nonEmpty, undefined),
  hideAvps: key('hide_avps', boolean, false),
  helloTimeoutMs: key('hello_timeout', integer(0, U32_MAX), DEFAULT_LNS_HELLO_TIMEOUT_MS),
  retryTimeoutMs: key('retry_timeout', integer(1, U32_MAX), DEFAULT_RETRY_TIMEOUT_MS),
  maxRetries: key('max_retries', integer(1, 100), DEFAULT_MAX_RETRIES),
  windowSize: key('window_size', integer(1, 65535), DEFAULT_LNS_WINDOW_SIZE),
  allow: key('allow', arrayOf(string('a CIDR block')), undefined),
  maxTunnels: key('max_tunnels', integer(0, 65535), 0),
  maxSessions: key('max_sessions', integer(0, U32_MAX), 0),
  localIp: key('local_ip', ipv4, undefined),
  ipRange: key('ip_range', arrayOf(string('a range')), [] as readonly string[]),
  ipRangeExclude: key('ip_range_exclude', arrayOf(string('a range')), [] as readonly string[]),
  pppdPath: key('pppd_path', absolutePath, undefined),
  pppdArgs: key('pppd_args', pppdOptionsFile, undefined),
  pppName: key('ppp_name', pppName, undefined),
  sccrqLimit: key('sccrq_limit', sccrqLimit, DEFAULT_SCCRQ_LIMIT as Rate | undefined),
  sccrqBurst: key('sccrq_burst', integer(1, 65535), DEFAULT_SCCRQ_BURST),
};

/** One `[lns.NAME]` table with defaults applied. */
export type LnsConfig = { readonly name: string } & ExtValues<typeof LNS_KEYS>;

/** The pool of an LNS as spans in configuration order, and its exclusions (valid config only). */
export function lnsPoolSpans(lns: LnsConfig): { readonly ranges: Ipv4Span[]; readonly exclude: Ipv4Span[] } {
  const spans = (list: readonly string[], hostsOnly: boolean) => list.flatMap((t) => {
    const r = parseIpv4Span(t, hostsOnly);
    return r.ok ? [r.span] : [];
  });
  return { ranges: spans(lns.ipRange, true), exclude: spans(lns.ipRangeExclude, false) };
}

/** The address as one text per address (`[0::0]` is `::`, `[0:0::1]` is `::1`), so that clashes are found however written. */
const canonical = (e: Endpoint): string => {
  const [address, zone] = e.host.split('%') as [string, string | undefined];
  const a = parseAddress(address);
  return (a === undefined ? address : a.family === 4 ? formatIpv4(a.value) : formatIpv6(a.value)) + (zone === undefined ? '' : `%${zone}`);
};
const isWildcard = (e: Endpoint) => canonical(e) === '0.0.0.0' || canonical(e) === '::';

/** A listen address as written in config and logs: `a.b.c.d:port`, `[v6]:port`. */
export const listenText = (e: Endpoint): string => (e.family === 6 ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`);

/**
 * True when two listen addresses share a port and could share datagrams: the same address however
 * written, or either one a wildcard (`[::]` is dual-stack, so across families too).
 */
export function listenOverlaps(a: Endpoint, b: Endpoint): boolean {
  return a.port === b.port && (canonical(a) === canonical(b) || isWildcard(a) || isWildcard(b));
}

/**
 * True when `[lns]` `index` listening on `[::]` serves IPv6 peers only: another table listens on
 * IPv4 at the same port, and the kernel gives IPv4 datagrams to an IPv4 socket before a dual-stack one.
 */
export function lnsIpv6Only(all: readonly LnsConfig[], index: number): boolean {
  const me = all[index]!.listen;
  return isWildcard(me) && me.family === 6 && all.some((o, i) => i !== index && o.listen.family === 4 && o.listen.port === me.port);
}

/** The cross-key and cross-table checks of every `[lns.*]` (see the file comment). */
export function validateLns(all: readonly LnsConfig[], ctx: ValidateContext): void {
  const pools: Pool[] = [];
  const excludes: Ipv4Span[][] = [];
  all.forEach((lns, index) => {
    const at = (k: string) => ['lns', lns.name, k];
    if (lns.hideAvps && lns.secret === undefined && !ctx.failed(at('secret'))) {
      ctx.report(at('hide_avps'), 'hide_avps = true needs a tunnel secret (RFC 2661 §4.3): add secret = "..."');
    }
    if (!ctx.failed(at('listen'))) {
      checkAllow(lns, lnsIpv6Only(all, index), ctx);
      checkListenClash(all, index, ctx);
    }
    excludes.push(checkPool(lns, pools, ctx));
  });
  all.forEach((lns, index) => checkLocalIp(lns, excludes[index]!, pools, ctx));
}

function checkAllow(lns: LnsConfig, v6only: boolean, ctx: ValidateContext): void {
  const path = ['lns', lns.name, 'allow'];
  if (lns.allow === undefined || ctx.failed(path)) return;
  if (lns.allow.length === 0) {
    ctx.report(path, 'allow = [] refuses every peer: leave allow out to accept any address', 'value');
    return;
  }
  const l = lns.listen;
  const families = isWildcard(l) && l.family === 6 ? (v6only ? [6] : [4, 6]) : [l.family];
  lns.allow.forEach((text, element) => {
    const r = parseCidr(text);
    if (!r.ok) {
      ctx.report(path, `expected a CIDR block "a.b.c.d/n" or "v6::/n" (got ${JSON.stringify(text)}: ${r.reason})`, { element });
    } else if (!families.includes(r.cidr.family)) {
      const why = isWildcard(l) && l.family === 6 ? ' (IPv6 only: another [lns] listens on IPv4 at this port)' : '';
      ctx.report(path, `${JSON.stringify(text)} is IPv${r.cidr.family} but this LNS listens on ${listenText(l)}${why}: it can never match`, { element });
    }
  });
}

function checkListenClash(all: readonly LnsConfig[], index: number, ctx: ValidateContext): void {
  const me = all[index]!.listen;
  for (let i = 0; i < index; i++) {
    const o = all[i]!.listen;
    if (o.port !== me.port || o.family !== me.family || ctx.failed(['lns', all[i]!.name, 'listen'])) continue;
    const same = canonical(o) === canonical(me);
    if (same || isWildcard(o) || isWildcard(me)) {
      const how = same ? 'the same address as' : isWildcard(o) ? 'an address covered by the wildcard of' : 'a wildcard covering the address of';
      ctx.report(['lns', all[index]!.name, 'listen'], `${how} lns.${all[i]!.name} (one [lns.NAME] per listening address)`, 'value');
      return;
    }
  }
}

/** One valid `ip_range` entry and its table. */
interface Pool {
  readonly name: string;
  readonly span: Ipv4Span;
  readonly text: string;
}

/** Checks `ip_range` and `ip_range_exclude`; adds the valid ranges to `pools`, returns the valid exclusions. */
function checkPool(lns: LnsConfig, pools: Pool[], ctx: ValidateContext): Ipv4Span[] {
  const at = (k: string) => ['lns', lns.name, k];
  const mine: { span: Ipv4Span; text: string }[] = [];
  const rangeOk = !ctx.failed(at('ip_range'));
  if (rangeOk) {
    lns.ipRange.forEach((text, element) => {
      const r = parseIpv4Span(text, true);
      if (!r.ok) {
        ctx.report(at('ip_range'), `expected "a.b.c.d", "a.b.c.d-e.f.g.h" or "a.b.c.d/n" (got ${JSON.stringify(text)}: ${r.reason})`, { element });
        return;
      }
      const clash = mine.find((m) => spansOverlap(m.span, r.span));
      const other = pools.find((p) => spansOverlap(p.span, r.span));
      if (clash) ctx.report(at('ip_range'), `${JSON.stringify(text)} overlaps ${JSON.stringify(clash.text)}`, { element });
      else if (other) ctx.report(at('ip_range'), `${JSON.stringify(text)} overlaps ${JSON.stringify(other.text)} of lns.${other.name}`, { element });
      else mine.push({ span: r.span, text });
    });
  }
  const excluded: Ipv4Span[] = [];
  if (!ctx.failed(at('ip_range_exclude'))) {
    if (lns.ipRangeExclude.length > 0 && lns.ipRange.length === 0 && rangeOk) {
      ctx.report(at('ip_range_exclude'), 'ip_range_exclude without ip_range: there is no pool to exclude from');
    }
    lns.ipRangeExclude.forEach((text, element) => {
      const r = parseIpv4Span(text, false);
      if (!r.ok) {
        ctx.report(at('ip_range_exclude'), `expected "a.b.c.d", "a.b.c.d-e.f.g.h" or "a.b.c.d/n" (got ${JSON.stringify(text)}: ${r.reason})`, { element });
      } else if (mine.length > 0 && !mine.some((m) => spansOverlap(m.span, r.span))) {
        ctx.report(at('ip_range_exclude'), `${JSON.stringify(text)} is outside every ip_range: it excludes nothing`, { element });
      } else {
        excluded.push(r.span);
      }
    });
  }
  if (mine.length > 0 && mine.length === lns.ipRange.length) {
    const left = mine.flatMap((m) => excluded.reduce((parts, x) => parts.flatMap((p) => subtractSpan(p, x)), [m.span]));
    if (left.length === 0) ctx.report(at('ip_range'), 'every address of ip_range is excluded by ip_range_exclude: the pool is empty', 'value');
  }
  for (const m of mine) pools.push({ name: lns.name, span: m.span, text: m.text });
  return excluded;
}

/** `local_ip` must not be an address a client could be given (from its own pool or another table's). */
function checkLocalIp(lns: LnsConfig, excluded: readonly Ipv4Span[], pools: readonly Pool[], ctx: ValidateContext): void {
  const local = lns.localIp === undefined ? undefined : parseIpv4(lns.localIp);
  if (local === undefined) return;
  const one = { first: local, last: local };
  const hit = pools.find((p) => spansOverlap(p.span, one) && (p.name !== lns.name || !excluded.some((x) => spansOverlap(x, one))));
  if (hit === undefined) return;
  const path = ['lns', lns.name, 'local_ip'];
  if (hit.name === lns.name) {
    ctx.report(path, `${formatIpv4(local)} is inside ip_range ${JSON.stringify(hit.text)}: a client could be given the ` +
      'server\'s address (add it to ip_range_exclude or choose another)', 'value');
  } else {
    ctx.report(path, `${formatIpv4(local)} is inside ${JSON.stringify(hit.text)} of lns.${hit.name}: a client there could be given it`, 'value');
  }
}
