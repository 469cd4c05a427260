/**
 * The linter enforces the sans-I/O rule (biome.jsonc): in packages/control/src outside node/ and
 * testing/, node:* imports, timers, clocks, process, Buffer and Math.random are errors; in node/,
 * testing/ and other packages they are not. Runs Biome on fixtures in a scratch copy of the layout.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT } from './sources.js';

const IO = `import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
export const io = () => setTimeout(() => Date.now() + Math.random() + performance.now() + process.pid, 1);
export const more = [readFileSync, randomBytes, Buffer.alloc(1), setImmediate, clearTimeout];
`;

interface Diagnostic { severity: string; category?: string; message: string; location: { path: string } }

test('Biome flags I/O in the engine and nowhere else', () => {
  const dir = mkdtempSync(join(tmpdir(), 'l2tp-lint-'));
  for (const f of ['biome.jsonc', 'scripts/lint/no-math-random.grit']) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(dir, f));
  }
  const files = ['packages/control/src/engine/io.ts', 'packages/control/src/codec/io.ts', 'packages/control/src/node/io.ts',
    'packages/control/src/testing/io.ts', 'packages/daemon/src/io.ts'];
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), IO);
  }
  const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['lint', '--vcs-enabled=false', '--reporter=json', '--max-diagnostics=none', '.'], { cwd: dir, encoding: 'utf8' });
  const { diagnostics } = JSON.parse(r.stdout) as { diagnostics: Diagnostic[] };
  const sansIo = (path: string) => diagnostics.filter((d) => d.location.path === path && d.severity === 'error'
    && (d.category === 'lint/style/noRestrictedImports' || d.category === 'lint/style/noRestrictedGlobals' || d.category === 'plugin'));
  for (const f of files.slice(0, 2)) {
    const found = sansIo(f);
    expect(found.filter((d) => d.category === 'lint/style/noRestrictedImports')).toHaveLength(2);
    // setTimeout, Date, performance, process, Buffer, setImmediate, clearTimeout.
    expect(found.filter((d) => d.category === 'lint/style/noRestrictedGlobals')).toHaveLength(7);
    expect(found.filter((d) => d.category === 'plugin').map((d) => d.message)).toEqual([expect.stringMatching(/Math\.random/)]);
  }
  for (const f of files.slice(2)) expect(sansIo(f)).toEqual([]);
  expect(r.status).toBe(1);
});
