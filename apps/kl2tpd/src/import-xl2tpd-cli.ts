/**
 * `kl2tpd import-xl2tpd XL2TPD_CONF [--secrets FILE] [--out-dir DIR]`: prints the kl2tpd.toml
 * equivalent of an xl2tpd LNS configuration (lns/import-xl2tpd.ts), and every key it could not carry
 * over on stderr. With `--out-dir` it writes `DIR/kl2tpd.toml` and the pppd options file instead,
 * never over an existing file. Exit status: 0 converted (notes or not), 2 bad usage or a file xl2tpd
 * would refuse, 1 a file could not be written.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { importXl2tpd } from './lns/import-xl2tpd.js';
import { parseXl2tpdConf } from './lns/xl2tpd-conf.js';

/** xl2tpd's default auth file (Debian). */
const DEFAULT_SECRETS = '/etc/xl2tpd/l2tp-secrets';

const USAGE = 'usage: kl2tpd import-xl2tpd XL2TPD_CONF [--secrets FILE] [--out-dir DIR]\n';

/** Where the output goes (tests pass their own). */
export interface ImportIo {
  out(text: string): void;
  err(text: string): void;
}

/** Runs the subcommand with its arguments (after `import-xl2tpd`); resolves with the exit status. */
export async function runImportXl2tpd(argv: readonly string[], io: ImportIo = {
  out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t),
}): Promise<number> {
  let conf: string | undefined;
  let secretsArg: string | undefined;
  let outDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '--help' || flag === '-h') {
      io.out(USAGE);
      return 0;
    }
    if (flag === '--secrets' || flag === '--out-dir') {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') return usage(io, `${flag} needs a value`);
      if (flag === '--secrets') secretsArg = v;
      else outDir = v;
    } else if (a.startsWith('-') || conf !== undefined) {
      return usage(io, `unexpected argument ${a}`);
    } else {
      conf = a;
    }
  }
  if (conf === undefined) return usage(io, 'the xl2tpd.conf file is required');
  let text: string;
  try {
    text = readFileSync(conf, 'utf8');
  } catch (e) {
    io.err(`kl2tpd import-xl2tpd: cannot read ${conf}: ${(e as Error).message}\n`);
    return 2;
  }
  const parsed = parseXl2tpdConf(text);
  const authFile = parsed.ok ? parsed.sections.find((s) => s.kind === 'global')?.entries.filter((e) => e.key === 'auth file').at(-1)?.value : undefined;
  const secretsPath = secretsArg ?? authFile ?? DEFAULT_SECRETS;
  let secrets: { path: string; text: string } | undefined;
  try {
    secrets = { path: secretsPath, text: readFileSync(secretsPath, 'utf8') };
  } catch (e) {
    if (secretsArg !== undefined) {
      io.err(`kl2tpd import-xl2tpd: cannot read ${secretsArg}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const dir = outDir === undefined ? undefined : resolve(outDir);
  const r = importXl2tpd(text, { file: conf, secrets, hostName: hostname(), ...(dir === undefined ? {} : { dir }) });
  if (!r.ok) {
    io.err(`kl2tpd import-xl2tpd: ${r.error}\n`);
    return 2;
  }
  for (const n of r.notes) io.err(`kl2tpd import-xl2tpd: not carried over as is: ${n}\n`);
  if (dir === undefined) {
    io.out(r.toml);
    return 0;
  }
  try {
    mkdirSync(dir, { recursive: true });
    // 'wx': never replace a file the operator already has.
    writeFileSync(join(dir, 'kl2tpd.toml'), r.toml, { flag: 'wx' });
    if (r.optionsFile) writeFileSync(r.optionsFile.path, r.optionsFile.text, { flag: 'wx' });
  } catch (e) {
    io.err(`kl2tpd import-xl2tpd: ${(e as Error).message}\n`);
    return 1;
  }
  io.out(`wrote ${join(dir, 'kl2tpd.toml')}${r.optionsFile ? ` and ${r.optionsFile.path}` : ''}\n`);
  return 0;
}

function usage(io: ImportIo, message: string): number {
  io.err(`error: ${message}\n${USAGE}`);
  return 2;
}
