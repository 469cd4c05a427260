/**
 * A reader of xl2tpd.conf with xl2tpd's own rules (`file.c` `parse_config`, 1.3.x): `;` starts a
 * comment, `[global]`, `[lns NAME]` and `[lac NAME]` open sections (`[lns default]` is the
 * fallback LNS), `key = value` lines whose keys are matched without regard to case against
 * xl2tpd's keyword table, each key valid only in the sections its handler accepts, booleans
 * `yes`/`y`/`true`/`no`/`n`/`false`. A file xl2tpd would refuse is refused here with the same
 * reason and line; sections with the same name merge, as in xl2tpd.
 */

/** Where a key may appear: `[global]`, `[lns …]`, `[lac …]`. */
type Context = 'global' | 'lns' | 'lac';

/** xl2tpd's keyword table (`words[]` in file.c) with the contexts each handler accepts. */
const KEYWORDS: { readonly [key: string]: readonly Context[] } = {
  'listen-addr': ['global'], 'port': ['global'], 'saref refinfo': ['global'], 'rand source': ['global'],
  'auth file': ['global'], 'exclusive': ['lns'], 'autodial': ['lac'], 'redial': ['lac'], 'redial timeout': ['lac'],
  'lns': ['lac'], 'max redials': ['lac'], 'access control': ['global'], 'force userspace': ['global'],
  'ip range': ['lns'], 'no ip range': ['lns'], 'debug avp': ['global'], 'debug network': ['global'],
  'debug packet': ['global'], 'debug tunnel': ['global'], 'debug state': ['global'], 'ipsec saref': ['global'],
  'lac': ['lns'], 'no lac': ['lns'], 'assign ip': ['lns'], 'local ip': ['lac', 'lns'], 'local ip range': ['lns'],
  'remote ip': ['lac'], 'defaultroute': ['lac'], 'length bit': ['lac', 'lns'], 'hidden bit': ['lac', 'lns'],
  'require pap': ['lac', 'lns'], 'require chap': ['lac', 'lns'], 'require authentication': ['lac', 'lns'],
  'require auth': ['lac', 'lns'], 'refuse pap': ['lac', 'lns'], 'refuse chap': ['lac', 'lns'],
  'refuse authentication': ['lac', 'lns'], 'refuse auth': ['lac', 'lns'], 'unix authentication': ['lns'],
  'unix auth': ['lns'], 'name': ['lac', 'lns'], 'hostname': ['lac', 'lns'], 'ppp debug': ['lac', 'lns'],
  'pass peer': ['lac', 'lns'], 'pppoptfile': ['lac', 'lns'], 'call rws': ['lac', 'lns'], 'tunnel rws': ['lac', 'lns'],
  'flow bit': ['lac', 'lns'], 'challenge': ['lac', 'lns'], 'tx bps': ['lac', 'lns'], 'rx bps': ['lac', 'lns'],
  'bps': ['lac', 'lns'], 'max retries': ['global'], 'cap backoff': ['global'],
};

/** Keys whose value xl2tpd reads as yes/no. */
const BOOLEAN_KEYS = new Set([
  'exclusive', 'autodial', 'redial', 'access control', 'force userspace', 'debug avp', 'debug network', 'debug packet',
  'debug tunnel', 'debug state', 'ipsec saref', 'assign ip', 'defaultroute', 'length bit', 'hidden bit', 'require pap',
  'require chap', 'require authentication', 'require auth', 'refuse pap', 'refuse chap', 'refuse authentication',
  'refuse auth', 'unix authentication', 'unix auth', 'ppp debug', 'pass peer', 'flow bit', 'challenge',
]);

/** One `key = value` line; `key` is lower-case, `value` as written (trimmed). */
export interface Xl2tpdEntry {
  readonly key: string;
  readonly value: string;
  /** 1-based line number. */
  readonly line: number;
}

/** One section; repeated sections with the same name are merged into the first. */
export interface Xl2tpdSection {
  readonly kind: Context;
  /** `default` for `[lns default]`; '' for `[global]` and an unnamed `[lns]`. */
  readonly name: string;
  readonly line: number;
  readonly entries: Xl2tpdEntry[];
}

/** A parsed xl2tpd.conf, or the first error xl2tpd would stop at. */
export type Xl2tpdConfResult =
  | { readonly ok: true; readonly sections: readonly Xl2tpdSection[] }
  | { readonly ok: false; readonly line: number; readonly message: string };

/** xl2tpd's `yesno`: 1, 0, or undefined for anything else. */
export function yesNo(value: string): boolean | undefined {
  const v = value.toLowerCase();
  if (v === 'yes' || v === 'y' || v === 'true') return true;
  if (v === 'no' || v === 'n' || v === 'false') return false;
  return undefined;
}

/** Parses xl2tpd.conf text; never throws. */
export function parseXl2tpdConf(text: string): Xl2tpdConfResult {
  const sections: Xl2tpdSection[] = [];
  let current: Xl2tpdSection | undefined;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = n + 1;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: xl2tpd trims bytes 0x00-0x20 (its isspace-style check).
    const s = lines[n]!.replace(/;.*$/, '').replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '');
    if (s === '') continue;
    if (s.startsWith('[')) {
      const close = s.indexOf(']');
      if (close < 0) return { ok: false, line, message: 'No closing bracket' };
      const inner = s.slice(1, close);
      const sp = inner.indexOf(' ');
      const kind = (sp < 0 ? inner : inner.slice(0, sp)).toLowerCase();
      const name = sp < 0 ? '' : inner.slice(sp + 1).trim();
      if (kind !== 'global' && kind !== 'lns' && kind !== 'lac') return { ok: false, line, message: `unknown context '${kind}'` };
      const same = sections.find((x) => x.kind === kind && x.name.toLowerCase() === name.toLowerCase() && (kind === 'global' || name !== ''));
      current = same ?? { kind, name: kind === 'global' ? '' : name, line, entries: [] };
      if (!same) sections.push(current);
      continue;
    }
    if (!current) return { ok: false, line, message: `data '${s}' occurs with no context` };
    const eq = s.indexOf('=');
    if (eq < 0) return { ok: false, line, message: "line too long or no '=' in data" };
    // biome-ignore lint/suspicious/noControlCharactersInRegex: xl2tpd trims bytes 0x00-0x20 (its isspace-style check).
    const key = s.slice(0, eq).replace(/[\x00-\x20]+$/, '').toLowerCase();
    // biome-ignore lint/suspicious/noControlCharactersInRegex: xl2tpd trims bytes 0x00-0x20 (its isspace-style check).
    const value = s.slice(eq + 1).replace(/^[\x00-\x20]+/, '');
    const contexts = KEYWORDS[key];
    if (contexts === undefined) return { ok: false, line, message: `Unknown field '${s.slice(0, eq).trim()}'` };
    if (!contexts.includes(current.kind)) return { ok: false, line, message: `'${key}' not valid in this context` };
    if (BOOLEAN_KEYS.has(key) && yesNo(value) === undefined) return { ok: false, line, message: `${key} must be 'yes' or 'no'` };
    current.entries.push({ key, value, line });
  }
  return { ok: true, sections };
}

/**
 * One `ip range`/`lac` value as xl2tpd's `set_range` reads it: `a.b.c.d`, `a.b.c.d - e.f.g.h`
 * (blanks around the dash allowed), or the short form `192.168.1.10-250` whose end borrows the
 * start's leading octets. Host names (which xl2tpd resolves) come back as `{ host }`.
 */
export function parseXl2tpdRange(value: string): { readonly first: string; readonly last: string } | { readonly host: string } {
  const dash = value.indexOf('-');
  const start = (dash < 0 ? value : value.slice(0, dash)).trim();
  let end = dash < 0 ? start : value.slice(dash + 1).trim();
  const dotted = /^\d+(\.\d+){0,3}$/;
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(start)) return { host: value.trim() };
  if (!dotted.test(end)) return { host: value.trim() };
  const dots = end.split('.').length - 1;
  if (dots < 3) end = [...start.split('.').slice(0, 3 - dots), end].join('.');
  return { first: start, last: end };
}
