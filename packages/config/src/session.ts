/**
 * Builds one `[tunnel.NAME.session.NAME]`: reads its keys, applies defaults, and enforces what
 * go-l2tp leaves to the kernel or skips: `pseudowire` required, ids in range per version (RFC 2661
 * §3.1: 16-bit for l2tpv2) and non-zero for static l2tpv3 sessions, cookies only in l2tpv3
 * (RFC 3931 §5.4.4), PPPoE keys only (and all of them) for `pppac`; in a dynamic l2tpv3 tunnel no
 * ids or cookies (negotiated) and `eth_vlan` allowed.
 */
import type { Collector } from './collect.js';
import type { KeySpecs } from './extension.js';
import { describeValue } from './issues.js';
import { SESSION_KEYS, U32_MAX } from './schema.js';
import type { L2SpecType, Pseudowire, SessionConfig } from './types.js';

/** A session before freezing; `sessionId` is checked for duplicates by the caller. */
export type SessionDraft = { -readonly [K in keyof SessionConfig<Record<string, unknown>>]: SessionConfig<Record<string, unknown>>[K] };

/** Reads and checks one session of a tunnel whose version is `version` (undefined when that failed). */
export function buildSession(
  c: Collector,
  base: readonly string[],
  table: Record<string, unknown>,
  version: 2 | 3 | undefined,
  specs: KeySpecs | undefined,
  dynamic = false,
): SessionDraft {
  const name = base[base.length - 1]!;
  const { core, ext } = c.readTable(table, base, SESSION_KEYS, specs, []);
  const at = (k: string) => [...base, k];
  const has = (k: string) => core.has(k);
  const num = (k: string) => (core.get(k) as number | undefined) ?? 0;
  const bad = (k: string, expected: string) => c.expected(at(k), expected, describeValue(BigInt(num(k))));
  const notHere = (k: string, why: string) => c.report(at(k), `unexpected ${k}: ${why}`);

  const pseudowire = core.get('pseudowire') as Pseudowire | undefined;
  if (pseudowire === undefined && !c.failed(at('pseudowire'))) c.missing(at('pseudowire'), '"ppp", "eth" or "pppac"');
  if (pseudowire === 'eth_vlan' && !(version === 3 && dynamic)) {
    c.expected(at('pseudowire'), '"eth" here ("eth_vlan" is negotiated in dynamic l2tpv3 tunnels; the kernel carries tagged frames in "eth")', '"eth_vlan"');
  }

  if (version === 2) {
    if (pseudowire === 'eth') c.expected(at('pseudowire'), '"ppp" or "pppac" in an l2tpv2 tunnel', '"eth"');
    if (num('sid') > 0xffff) bad('sid', 'an integer 0..65535 in an l2tpv2 tunnel (16-bit ids, RFC 2661 §3.1)');
    if (num('psid') !== 0) notHere('psid', 'an l2tpv2 session learns the peer session id from ICRP');
    for (const k of ['cookie', 'peer_cookie', 'l2spec_type']) {
      if (has(k)) notHere(k, `${k} is L2TPv3 only (RFC 3931 §5.4.4)`);
    }
  } else if (version === 3 && dynamic) {
    if (pseudowire === 'pppac') c.expected(at('pseudowire'), '"eth", "eth_vlan" or "ppp" in an l2tpv3 tunnel', '"pppac"');
    for (const k of ['sid', 'psid', 'cookie', 'peer_cookie']) {
      if (has(k)) notHere(k, `a dynamic tunnel negotiates session ids and cookies (RFC 3931 §5.4.4; cookie_length sets ours)`);
    }
  } else if (version === 3) {
    if (pseudowire === 'pppac') c.expected(at('pseudowire'), '"ppp" or "eth" in an l2tpv3 tunnel', '"pppac"');
    for (const k of ['sid', 'psid']) {
      const expected = `an integer 1..${U32_MAX} (static and quiescent sessions need both ids)`;
      if (c.failed(at(k))) continue;
      if (!has(k)) c.missing(at(k), expected);
      else if (num(k) === 0) bad(k, expected);
    }
  }

  if (pseudowire === 'pppac') {
    if (!c.failed(at('pppoe_session_id'))) {
      const expected = 'an integer 1..65535 (RFC 2516 §4: 0 is reserved)';
      if (!has('pppoe_session_id')) c.missing(at('pppoe_session_id'), expected);
      else if (num('pppoe_session_id') === 0) bad('pppoe_session_id', expected);
    }
    if (!has('pppoe_peer_mac') && !c.failed(at('pppoe_peer_mac'))) c.missing(at('pppoe_peer_mac'), 'an array of 6 integers 0..255');
    if (!has('interface_name') && !c.failed(at('interface_name'))) c.missing(at('interface_name'), 'the PPPoE interface name');
  } else if (pseudowire !== undefined) {
    for (const k of ['pppoe_session_id', 'pppoe_peer_mac']) {
      if (has(k)) notHere(k, 'only for pseudowire = "pppac"');
    }
  }

  return {
    name,
    sessionId: num('sid'),
    peerSessionId: num('psid'),
    pseudowire: pseudowire ?? 'ppp',
    seqnum: (core.get('seqnum') as boolean | undefined) ?? false,
    reorderTimeoutMs: num('reorder_timeout'),
    cookie: core.get('cookie') as Uint8Array | undefined,
    peerCookie: core.get('peer_cookie') as Uint8Array | undefined,
    interfaceName: core.get('interface_name') as string | undefined,
    l2specType: (core.get('l2spec_type') as L2SpecType | undefined) ?? 'none',
    pppoeSessionId: num('pppoe_session_id'),
    pppoePeerMac: core.get('pppoe_peer_mac') as Uint8Array | undefined,
    ext,
  };
}
