/**
 * go-l2tp's daemons take Go `flag` syntax (`-config PATH`, `-config=PATH`, `--config PATH`,
 * `-verbose`), and NetworkManager-l2tp runs `kl2tpd -config FILE`. commander only knows `--long`,
 * so the daemons rewrite the single-dash long forms of their own flags before parsing.
 */

/** Go's `strconv.ParseBool` spellings, which `flag` accepts in `-name=value` for a boolean flag. */
const GO_TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/**
 * Rewrites `-name` and `-name=value` to `--name` / `--name=value` for each known long flag name.
 * A boolean given a value as Go allows (`-verbose=true`, `-null=false`, any `strconv.ParseBool`
 * spelling) becomes `--name` or, for false, is removed with every earlier mention (the last wins,
 * as in Go; the daemons' booleans all default to false). Another value is left for commander to refuse.
 * The word after a value-taking flag is its value and is never rewritten (Go's `-config -x` reads
 * `-x` as the path); everything after `--` and every other word is left alone, so an unknown `-x`
 * still fails in commander.
 */
export function normalizeGoFlags(
  argv: readonly string[], booleans: readonly string[], withValue: readonly string[] = [],
): string[] {
  const out: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') break;
    const m = /^--?([a-z][a-z0-9-]+)(=.*)?$/s.exec(word);
    const name = m?.[1] ?? '';
    const isBool = booleans.includes(name);
    const isValue = withValue.includes(name);
    const boolValue = isBool && m?.[2] !== undefined ? m[2].slice(1) : undefined;
    if (boolValue !== undefined && (GO_TRUE.has(boolValue) || GO_FALSE.has(boolValue))) {
      for (let j = out.length - 1; j >= 0; j--) if (out[j] === `--${name}`) out.splice(j, 1);
      if (GO_TRUE.has(boolValue)) out.push(`--${name}`);
      continue;
    }
    out.push(m !== null && (isBool || isValue) ? `--${name}${m[2] ?? ''}` : word);
    if (isValue && m?.[2] === undefined && i + 1 < argv.length) out.push(argv[++i]!);
  }
  return out.concat(argv.slice(i));
}
