// `pnpm pack:cli [--out DIR]`: builds the workspace and packs kl2tpd and ql2tpd into DIR (default:
// the repository root) as kl2tpd-VERSION.tgz and ql2tpd-VERSION.tgz. Each installs by itself with
// `npm install -g ./kl2tpd-VERSION.tgz`: the CLI is bundled (scripts/pack/build-cli.mjs) and its
// only dependency is ffi-rs from the npm registry. Prints the tarballs' paths, one a line.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const i = process.argv.indexOf('--out');
const out = resolve(i > 0 ? process.argv[i + 1] ?? '' : ROOT);
mkdirSync(out, { recursive: true });

if (!process.argv.includes('--no-build')) {
  execFileSync('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
for (const app of ['kl2tpd', 'ql2tpd']) {
  const dir = join(ROOT, 'apps', app);
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  execFileSync('pnpm', ['pack', '--pack-destination', out], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(join(out, `${app}-${version}.tgz`));
}
