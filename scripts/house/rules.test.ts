/**
 * House rules that keep the code reviewable: the engine stays sans-I/O, files stay small, every
 * export carries a TSDoc sentence, and every package ships the declarations its exports map names.
 */
import { describe, expect, test } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, WORKSPACES, read, rel, sourcesOf, walk } from './sources.js';

test('packages/control/src is sans-I/O outside testing/ and node/', () => {
  const forbidden = /from ['"]node:|\brequire\(|\bsetTimeout\(|\bsetInterval\(|\bsetImmediate\(|\bDate\.now\(|\bnew Date\(|\bperformance\.now\(|\bMath\.random\(|\bprocess\./;
  const offenders = sourcesOf('packages/control')
    .filter((f) => !/\/src\/(testing|node)\//.test(f))
    .flatMap((f) => read(f).split('\n').map((l, i) => [l, i] as const)
      .filter(([l]) => forbidden.test(l) && !/^\s*(\*|\/\/)/.test(l))
      .map(([l, i]) => `${rel(f)}:${i + 1}: ${l.trim()}`));
  expect(offenders).toEqual([]);
});

test('no source or test file exceeds 600 lines', () => {
  const files = WORKSPACES.flatMap((w) => walk(join(ROOT, w), /\.(ts|mts|mjs)$/));
  const big = files.map((f) => [rel(f), read(f).split('\n').length] as const).filter(([, n]) => n > 600);
  expect(big).toEqual([]);
});

describe.each(WORKSPACES)('%s', (w) => {
  test('every exported declaration has a TSDoc comment', () => {
    const missing: string[] = [];
    for (const f of sourcesOf(w)) {
      const lines = read(f).split('\n');
      lines.forEach((line, i) => {
        if (!/^export\s+(declare\s+)?(async\s+)?(abstract\s+)?(const|let|function\*?|class|interface|type|enum)\s+[A-Za-z_$]/.test(line)) return;
        let j = i - 1;
        while (j >= 0 && (lines[j]!.trim() === '' || lines[j]!.trim().startsWith('@') || lines[j]!.trim().startsWith('//'))) j--;
        if (j < 0 || !lines[j]!.trim().endsWith('*/')) missing.push(`${rel(f)}:${i + 1}: ${line.slice(0, 80)}`);
      });
    }
    expect(missing).toEqual([]);
  });

  test('a library\'s exports map points at built files with declarations; a CLI\'s bin and man pages are built', () => {
    const pkg = JSON.parse(read(join(ROOT, w, 'package.json')));
    expect(pkg.engines?.node).toBeTruthy();
    expect(pkg.license).toBe('MIT');
    if (pkg.bin !== undefined) {
      // The daemons ship as bundles (scripts/pack/build-cli.mjs): no library surface to export.
      expect(pkg.exports).toBeUndefined();
      const built = [...Object.values(pkg.bin as Record<string, string>), ...(pkg.man as string[])];
      expect(built.filter((t) => !existsSync(join(ROOT, w, t)))).toEqual([]);
      return;
    }
    const targets: string[] = [];
    for (const v of Object.values(pkg.exports ?? {})) {
      if (typeof v === 'object' && v) targets.push(...Object.values(v as Record<string, string>));
    }
    expect(targets.some((t) => t.endsWith('.d.ts'))).toBe(true);
    expect(targets.filter((t) => !existsSync(join(ROOT, w, t)))).toEqual([]);
  });
});
