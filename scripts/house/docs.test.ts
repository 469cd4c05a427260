/**
 * The library guide's examples work as written: every ```ts block of docs/library.md is compiled
 * with tsc (strict, NodeNext) against the built packages and run with node; a block that only
 * exports (no top-level statement) is compiled but not run (it needs the kernel guest).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from './sources.js';

const guide = readFileSync(join(ROOT, 'docs', 'library.md'), 'utf8');
const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
// Inside a workspace that depends on every library, so '@l2tp/*' resolve as they do for users.
const dir = join(ROOT, 'apps', 'kl2tpd', '.docs-examples');

describe('docs/library.md examples', () => {
  test('there are examples', () => expect(blocks.length).toBeGreaterThanOrEqual(4));

  test('all compile with tsc --strict', () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    blocks.forEach((b, i) => writeFileSync(join(dir, `example-${i}.mts`), b));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      extends: '../../../tsconfig.base.json',
      compilerOptions: { outDir: 'out', rootDir: '.', noEmit: false, declaration: false, declarationMap: false, noUnusedLocals: false },
      include: ['*.mts'],
    }));
    const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);

  test.each(blocks.map((b, i) => [i, b] as const).filter(([, b]) => !/^export /m.test(b)))('example %i runs', (i) => {
    const out = execFileSync(process.execPath, [join(dir, 'out', `example-${i}.mjs`)], { encoding: 'utf8', timeout: 20_000 });
    expect(typeof out).toBe('string');
  }, 30_000);
});
