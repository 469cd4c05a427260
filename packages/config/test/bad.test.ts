// Bad files: each test/bad/*.toml lists, in `# expect LINE:COL PATH ~ TEXT` comments, every issue
// parsing it must produce (exactly those, in that order: line, column, path, message containing TEXT).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseConfig } from '../src/index.js';

const dir = join(import.meta.dirname, 'bad');
const files = readdirSync(dir).filter((f) => f.endsWith('.toml')).sort();

test('there are at least 30 bad files', () => {
  expect(files.length).toBeGreaterThanOrEqual(30);
});

describe.each(files)('%s', (name) => {
  test('reports exactly the expected issues', () => {
    const text = readFileSync(join(dir, name), 'utf8');
    const expected = [...text.matchAll(/^# expect (\d+):(\d+) (\S+) ~ (.*)$/gm)].map((m) => ({
      line: Number(m[1]), column: Number(m[2]), path: m[3] === '(toml)' ? '' : m[3]!, text: m[4]!,
    }));
    expect(expected.length).toBeGreaterThan(0);
    const r = parseConfig(text, { file: name, hostName: 'test' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => ({ line: i.line, column: i.column, path: i.path, file: i.file })))
      .toEqual(expected.map((e) => ({ line: e.line, column: e.column, path: e.path, file: name })));
    r.issues.forEach((issue, i) => expect(issue.message).toContain(expected[i]!.text));
  });
});
