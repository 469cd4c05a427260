/**
 * `kl2tpd import-xl2tpd`: turns an xl2tpd LNS configuration into kl2tpd.toml. The LNS section
 * (`[lns default]`, else the first `[lns NAME]`) becomes `[lns.NAME]`; `[global] listen-addr` and
 * `port` its `listen`; the pool keeps xl2tpd's order and its `no ip range` holes; the pppd options
 * xl2tpd put on pppd's command line (`refuse-pap`, `auth`, `require-chap`, `login`, `debug`,
 * exactly as `control.c` chooses them) go into a pppd options file that then reads the section's
 * `pppoptfile`; the tunnel secret comes from l2tp-secrets as xl2tpd's `get_secret` would find it.
 * Every key that has no kl2tpd equivalent is named in a note with its line. Pure: the caller reads
 * the files and writes the output.
 */
import { formatCidr, formatIpv4, formatIpv4Span, parseIpv4, spanToCidrs, subtractSpan, type Ipv4Span } from './ip.js';
import { parseXl2tpdConf, parseXl2tpdRange, yesNo, type Xl2tpdEntry, type Xl2tpdSection } from './xl2tpd-conf.js';

/** Inputs besides the xl2tpd.conf text. */
export interface ImportOptions {
  /** Name of xl2tpd.conf in notes. */
  readonly file: string;
  /** l2tp-secrets text and its path, when it could be read. */
  readonly secrets?: { readonly path: string; readonly text: string } | undefined;
  /** Where the generated pppd options file goes (default `/etc/kl2tpd`). */
  readonly dir?: string;
  /** The host name xl2tpd would have used when the section sets no `hostname` (for l2tp-secrets). */
  readonly hostName: string;
}

/** The conversion: kl2tpd.toml text, the pppd options file it names (if any), and the notes. */
export type ImportResult =
  | {
    readonly ok: true;
    readonly toml: string;
    readonly optionsFile: { readonly path: string; readonly text: string } | undefined;
    /** `FILE:LINE: key: what happened to it`, one per key not carried over as is. */
    readonly notes: readonly string[];
  }
  | { readonly ok: false; readonly error: string };

/** Converts xl2tpd.conf text (see the file comment). */
export function importXl2tpd(text: string, options: ImportOptions): ImportResult {
  const parsed = parseXl2tpdConf(text);
  if (!parsed.ok) return { ok: false, error: `${options.file}:${parsed.line}: ${parsed.message} (xl2tpd would refuse this file too)` };
  const notes: string[] = [];
  const note = (e: { line: number; key?: string }, what: string) => notes.push(`${options.file}:${e.line}: ${e.key ? `${e.key}: ` : ''}${what}`);
  const global = parsed.sections.find((s) => s.kind === 'global');
  const lnsSections = parsed.sections.filter((s) => s.kind === 'lns');
  const chosen = lnsSections.find((s) => s.name.toLowerCase() === 'default') ?? lnsSections[0];
  for (const s of parsed.sections) {
    if (s.kind === 'lac') note(s, `[lac ${s.name}]: not converted (write a [tunnel.NAME] table, docs/config.md)`);
    if (s.kind === 'lns' && s !== chosen) {
      note(s, `[lns ${s.name}]: not converted: kl2tpd has one [lns.NAME] per listening address, and xl2tpd chose among its ` +
        `sections by the peer's address on one port`);
    }
  }
  if (!chosen) return { ok: false, error: `${options.file}: no [lns] section: nothing to convert` };
  const last = (s: Xl2tpdSection | undefined, key: string) => s?.entries.filter((e) => e.key === key).at(-1);
  const flag = (s: Xl2tpdSection | undefined, key: string) => {
    const e = last(s, key);
    return e === undefined ? undefined : yesNo(e.value)!;
  };

  const out: string[] = [];
  const lnsName = /^[A-Za-z0-9_-]+$/.test(chosen.name) && chosen.name !== '' ? chosen.name : 'default';
  out.push(`[lns.${lnsName}]`);

  // [global]
  let host = '0.0.0.0';
  const addr = last(global, 'listen-addr');
  if (addr && parseIpv4(addr.value) !== undefined) host = addr.value;
  else if (addr) note(addr, `"${addr.value}" is not an IPv4 address: listen on 0.0.0.0; set listen by hand`);
  const port = last(global, 'port');
  out.push(`listen = "${host}:${port ? Number.parseInt(port.value, 10) || 1701 : 1701}"`);
  for (const e of global?.entries ?? []) {
    if (['listen-addr', 'port', 'auth file', 'access control', 'max retries'].includes(e.key)) continue;
    note(e, e.key.startsWith('debug ') ? 'not carried over (run kl2tpd -verbose for debug logs)' : 'not carried over (no kl2tpd equivalent)');
  }
  const maxRetries = last(global, 'max retries');
  if (maxRetries) out.push(`max_retries = ${Math.min(100, Math.max(1, Number.parseInt(maxRetries.value, 10) || 5))}`);

  const hostname = last(chosen, 'hostname');
  if (hostname) out.push(`host_name = ${JSON.stringify(hostname.value)}`);

  // Tunnel authentication: the challenge secret (RFC 2661 §5.1.1) and hidden AVPs.
  const challenge = last(chosen, 'challenge');
  let secret: string | undefined;
  if (challenge && yesNo(challenge.value)) {
    const found = findSecret(hostname?.value ?? options.hostName, options, challenge.line);
    secret = found.secret;
    notes.push(...found.notes);
  }
  if (secret !== undefined) out.push(`secret = ${JSON.stringify(secret)}`);
  else if (flag(chosen, 'challenge')) out.push('# secret = "..."   # xl2tpd challenged peers (challenge = yes): set the l2tp-secrets secret here');
  const hidden = last(chosen, 'hidden bit');
  if (hidden && yesNo(hidden.value)) {
    if (secret !== undefined) out.push('hide_avps = true');
    else note(hidden, 'not carried over: hiding AVPs needs the tunnel secret');
  }

  out.push(...peerAllow(chosen, chosen.name.toLowerCase() !== 'default' || flag(global, 'access control') === true, note));
  out.push(...addresses(chosen, note));

  const pppName = last(chosen, 'name');
  if (pppName) out.push(`ppp_name = ${JSON.stringify(pppName.value)}`);
  const { words, file } = pppdOptions(chosen, flag, note);
  const dir = options.dir ?? '/etc/kl2tpd';
  let optionsFile: { path: string; text: string } | undefined;
  if (words.length > 0) {
    const lines = [
      `# pppd options for [lns.${lnsName}], converted from ${options.file} by kl2tpd import-xl2tpd:`,
      `# xl2tpd put these on pppd's command line ([lns ${chosen.name}] keys)`, ...words,
      ...(file ? ['# and read the section\'s pppoptfile', `file ${pppdWord(file.value)}`] : []),
    ];
    optionsFile = { path: `${dir}/options.lns-${lnsName}`, text: `${lines.join('\n')}\n` };
    out.push(`pppd_args = ${JSON.stringify(optionsFile.path)}`);
  } else if (file) {
    out.push(`pppd_args = ${JSON.stringify(file.value)}`);
  }
  for (const e of chosen.entries) {
    const why = UNCARRIED[e.key];
    if (why) note(e, why);
  }
  const header = [
    `# kl2tpd.toml converted from ${options.file} by kl2tpd import-xl2tpd.`,
    ...(notes.length ? ['# Not carried over as is:', ...notes.map((n) => `#   ${n}`)] : []),
    ...(optionsFile ? [`# pppd_args names ${optionsFile.path}; its lines:`, ...optionsFile.text.trimEnd().split('\n').map((l) => `#   ${l}`)] : []),
    '',
  ];
  return { ok: true, toml: `${[...header, ...out].join('\n')}\n`, optionsFile, notes };
}

/** One word of a pppd options file: quoted when pppd's reader would split or interpret it. */
function pppdWord(w: string): string {
  return /^[^\s"'\\#]+$/.test(w) ? w : `"${w.replace(/["\\]/g, '\\$&')}"`;
}

/** Keys of an `[lns]` section with no kl2tpd equivalent, and why. */
const UNCARRIED: { readonly [key: string]: string } = {
  'exclusive': 'not carried over (kl2tpd allows several tunnels per peer)',
  'length bit': 'ignored: it has no effect with the kernel data plane',
  'pass peer': 'always on in kl2tpd (ipparam and remotenumber carry the peer address)',
  'call rws': 'not carried over (no kl2tpd equivalent)',
  'tunnel rws': 'not carried over (kl2tpd uses its default receive window)',
  'flow bit': 'not carried over (no kl2tpd equivalent)',
  'tx bps': 'not carried over (no kl2tpd equivalent)',
  'rx bps': 'not carried over (no kl2tpd equivalent)',
  'bps': 'not carried over (no kl2tpd equivalent)',
  'local ip range': 'not carried over: kl2tpd gives every call the same local_ip',
};

type Note = (e: { line: number; key?: string }, what: string) => void;

/**
 * l2tp-secrets as xl2tpd's `get_secret` reads it (`us them secret`, `*` matching any, `#` and `;`
 * ending a line, the first matching line winning): the secret for `us` and any peer, and notes for
 * what one secret per `[lns]` cannot hold.
 */
function findSecret(us: string, options: ImportOptions, challengeLine: number): { secret: string | undefined; notes: string[] } {
  const at = `${options.file}:${challengeLine}: challenge`;
  if (!options.secrets) return { secret: undefined, notes: [`${at}: l2tp-secrets could not be read (give --secrets FILE): secret left out`] };
  const where = options.secrets.path;
  const rows = options.secrets.text.split('\n').flatMap((raw, i) => {
    const m = /^(\S+)\s+(\S+)\s+(.+)$/.exec(raw.replace(/[#;].*$/, '').trim());
    return m && (m[1] === '*' || m[1]!.toLowerCase() === us.toLowerCase()) ? [{ line: i + 1, them: m[2]!, secret: m[3]! }] : [];
  });
  const wildcard = rows.findIndex((r) => r.them === '*');
  const chosen = wildcard >= 0 ? rows[wildcard] : rows[0];
  if (!chosen) return { secret: undefined, notes: [`${at}: no line of ${where} matches "${us}": secret left out`] };
  const notes = rows.slice(0, wildcard >= 0 ? wildcard : rows.length).filter((r) => r !== chosen)
    .map((r) => `${where}:${r.line}: a secret for peer "${r.them}" only: not carried over (kl2tpd has one secret per [lns])`);
  if (chosen.them !== '*') notes.push(`${where}:${chosen.line}: the secret for peer "${chosen.them}" is now used for every peer`);
  return { secret: chosen.secret, notes };
}

/** `lac`/`no lac` → `allow`, as `get_lns` applies them (the last matching range decides). */
function peerAllow(s: Xl2tpdSection, enforced: boolean, note: Note): string[] {
  const entries = s.entries.filter((e) => e.key === 'lac' || e.key === 'no lac');
  if (entries.length === 0) return [];
  if (!enforced) {
    for (const e of entries) note(e, 'not carried over: with access control = no, xl2tpd accepted every peer on [lns default]');
    return [];
  }
  let set: Ipv4Span[] = [];
  for (const e of entries) {
    const span = toSpan(e, note);
    if (!span) continue;
    set = set.flatMap((x) => subtractSpan(x, span));
    if (e.key === 'lac') set.push(span);
  }
  set.sort((a, b) => a.first - b.first);
  const cidrs = set.flatMap((x) => spanToCidrs(x)).map((c) => JSON.stringify(formatCidr(c)));
  if (cidrs.length === 0) return ['# allow = []   # xl2tpd accepted no peer on this section (lac / no lac)'];
  return [`allow = [${cidrs.join(', ')}]`];
}

function toSpan(e: Xl2tpdEntry, note: Note): Ipv4Span | undefined {
  const r = parseXl2tpdRange(e.value);
  const first = 'first' in r ? parseIpv4(r.first) : undefined;
  const last = 'last' in r ? parseIpv4(r.last) : undefined;
  if (first === undefined || last === undefined || first > last) {
    note(e, `"${e.value}" not carried over (host names are not resolved; write addresses)`);
    return undefined;
  }
  return { first, last };
}

/** `ip range`/`no ip range`/`local ip`/`assign ip` → `ip_range`, `ip_range_exclude`, `local_ip`. */
function addresses(s: Xl2tpdSection, note: Note): string[] {
  const out: string[] = [];
  const local = s.entries.filter((e) => e.key === 'local ip').at(-1);
  const localIp = local ? parseIpv4(local.value) : undefined;
  if (local && localIp === undefined) note(local, `"${local.value}" is not an IPv4 address: not carried over`);
  if (localIp !== undefined) out.push(`local_ip = "${formatIpv4(localIp)}"`);
  const ranges = s.entries.filter((e) => e.key === 'ip range' || e.key === 'no ip range');
  const assign = s.entries.filter((e) => e.key === 'assign ip').at(-1);
  if (assign && !yesNo(assign.value)) {
    note(assign, 'assign ip = no: no ip_range, so pppd (or RADIUS) chooses the client address');
    for (const e of ranges) note(e, 'not carried over (assign ip = no)');
    return out;
  }
  const spans = ranges.map((e) => ({ e, span: toSpan(e, note) }));
  const firstDeny = spans.findIndex((x) => x.e.key === 'no ip range');
  const simple = firstDeny < 0 || spans.slice(firstDeny).every((x) => x.e.key === 'no ip range');
  // The pool in xl2tpd's scan order, each address once.
  let pool: Ipv4Span[] = [];
  let exclude: Ipv4Span[] = [];
  for (const [i, { e, span }] of spans.entries()) {
    if (!span) continue;
    if (e.key === 'no ip range') {
      if (simple) exclude.push(span);
      continue;
    }
    // xl2tpd hands out an address of this range when no later range says otherwise.
    let parts = [span];
    for (const x of pool) parts = parts.flatMap((p) => subtractSpan(p, x));
    if (!simple) for (const later of spans.slice(i + 1)) if (later.span && later.e.key === 'no ip range') parts = parts.flatMap((p) => subtractSpan(p, later.span!));
    pool = [...pool, ...parts];
  }
  if (!simple) note(ranges[0]!, 'rewritten as the addresses xl2tpd would hand out (its ip range / no ip range order matters)');
  exclude = exclude.filter((x) => pool.some((p) => p.first <= x.last && x.first <= p.last));
  if (localIp !== undefined && pool.some((p) => p.first <= localIp && localIp <= p.last) && !exclude.some((x) => x.first <= localIp && localIp <= x.last)) {
    exclude.push({ first: localIp, last: localIp });
    note(local!, `${formatIpv4(localIp)} is inside ip range: added to ip_range_exclude so no client is given the server's address`);
  }
  if (pool.length > 0) out.push(`ip_range = [${pool.map((p) => JSON.stringify(formatIpv4Span(p))).join(', ')}]`);
  if (exclude.length > 0) out.push(`ip_range_exclude = [${exclude.map((p) => JSON.stringify(formatIpv4Span(p))).join(', ')}]`);
  return out;
}

/** The options `control.c` adds for an LNS call, in its order, and the section's pppoptfile. */
function pppdOptions(s: Xl2tpdSection, flag: (s: Xl2tpdSection, key: string) => boolean | undefined, note: Note): { words: string[]; file: Xl2tpdEntry | undefined } {
  const any = (...keys: string[]) => {
    const hits = s.entries.filter((e) => keys.includes(e.key));
    return hits.length ? yesNo(hits.at(-1)!.value)! : undefined;
  };
  const authself = !(any('refuse authentication', 'refuse auth') ?? false);
  const authpeer = any('require authentication', 'require auth') ?? false;
  const words: string[] = [];
  if (authself) {
    if (flag(s, 'refuse pap')) words.push('refuse-pap');
    if (flag(s, 'refuse chap')) words.push('refuse-chap');
  } else {
    words.push('refuse-pap', 'refuse-chap');
  }
  if (authpeer) {
    words.push('auth');
    if (flag(s, 'require pap')) words.push('require-pap');
    if (flag(s, 'require chap')) words.push('require-chap');
    if (any('unix authentication', 'unix auth')) words.push('login');
  } else {
    for (const e of s.entries.filter((x) => ['require pap', 'require chap', 'unix authentication', 'unix auth'].includes(x.key) && yesNo(x.value))) {
      note(e, 'had no effect in xl2tpd either (only with require authentication = yes)');
    }
  }
  if (flag(s, 'ppp debug')) words.push('debug');
  return { words, file: s.entries.filter((e) => e.key === 'pppoptfile').at(-1) };
}
