/**
 * The import graph has no cycles: not between workspaces (package.json dependencies), not between
 * the files of one package (runtime imports; `import type` is erased and may point anywhere), and no
 * package reaches into another's files except through its package name.
 */
import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { ROOT, WORKSPACES, importsOf, read, rel, resolveRelative, sourcesOf } from './sources.js';

/** Returns one cycle (as a list of nodes) in a directed graph, or undefined. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'open') return stack.slice(stack.indexOf(n)).concat(n);
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

const manifests = WORKSPACES.map((w) => ({ w, pkg: JSON.parse(read(join(ROOT, w, 'package.json'))) }));
const byName = new Map(manifests.map((m) => [m.pkg.name as string, m]));

test('workspace dependencies form no cycle', () => {
  const graph = new Map(manifests.map(({ pkg }) => [pkg.name as string,
    Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((d) => byName.has(d))]));
  expect(findCycle(graph)).toBeUndefined();
});

test('the control engine depends on no other workspace', () => {
  const deps = Object.keys(byName.get('@l2tp/control')!.pkg.dependencies ?? {});
  expect(deps.filter((d) => byName.has(d))).toEqual([]);
});

describe.each(WORKSPACES)('%s', (w) => {
  const files = sourcesOf(w);
  const runtimeImports = (text: string) =>
    importsOf(text.split('\n').filter((l) => !/^\s*(import|export)\s+type\s/.test(l)).join('\n'));

  test('source files import each other without cycles', () => {
    const graph = new Map(files.map((f) => [rel(f),
      runtimeImports(read(f)).filter((s) => s.startsWith('.')).map((s) => rel(resolveRelative(f, s)))]));
    expect(findCycle(graph)).toBeUndefined();
  });

  test('other workspaces are imported by package name only, and declared as dependencies (bundled: devDependencies)', () => {
    const pkg = byName.get(JSON.parse(read(join(ROOT, w, 'package.json'))).name)!.pkg;
    // A CLI (package.json "bin") is shipped as a bundle: what it bundles is a devDependency.
    const declared = new Set(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...(pkg.bin ? pkg.devDependencies : {}) }));
    const problems: string[] = [];
    for (const f of files) {
      for (const s of importsOf(read(f))) {
        if (s.startsWith('.') && !resolveRelative(f, s).startsWith(`${join(ROOT, w)}/`)) problems.push(`${rel(f)}: ${s} leaves the package`);
        const name = s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!;
        if (byName.has(name) && !declared.has(name)) problems.push(`${rel(f)}: ${name} is not a dependency`);
        if (byName.has(name) && s !== name && s !== `${name}/testing`) problems.push(`${rel(f)}: deep import ${s}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
