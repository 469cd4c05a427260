/**
 * Walks the workspace's TypeScript sources for the house-rule tests: which files exist and which
 * modules each one imports. Plain text scanning is enough because every import in this repo is a
 * static `import`/`export ... from` with a string literal.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every workspace directory (packages/* and apps/*), relative to the root. */
export const WORKSPACES: readonly string[] = ['packages', 'apps'].flatMap((d) =>
  readdirSync(join(ROOT, d)).filter((n) => statSync(join(ROOT, d, n)).isDirectory()).map((n) => `${d}/${n}`));

/** Lists files under `dir` (absolute) whose name matches `re`, skipping node_modules and dist. */
export function walk(dir: string, re: RegExp): string[] {
  let out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out = out.concat(walk(p, re));
    else if (re.test(e.name)) out.push(p);
  }
  return out;
}

/** The `.ts` sources (not declarations) of a workspace's `src/`. */
export function sourcesOf(workspace: string): string[] {
  const src = join(ROOT, workspace, 'src');
  try { return walk(src, /\.ts$/).filter((f) => !f.endsWith('.d.ts')); } catch { return []; }
}

const IMPORT_RE = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** Module specifiers imported by a source text (static imports, re-exports, literal dynamic imports). */
export function importsOf(text: string): string[] {
  const specs: string[] = [];
  for (const m of text.matchAll(IMPORT_RE)) specs.push((m[1] ?? m[2] ?? m[3])!);
  return specs;
}

/** Resolves a relative `.js` specifier from `file` to the `.ts` source it names. */
export function resolveRelative(file: string, spec: string): string {
  return resolve(dirname(file), spec).replace(/\.js$/, '.ts');
}

/** Path relative to the root, for messages. */
export const rel = (p: string): string => relative(ROOT, p);

/** Reads a file as UTF-8. */
export const read = (p: string): string => readFileSync(p, 'utf8');
