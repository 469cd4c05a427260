// docs/config.md documents every key of the core schema, in the table of its level.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { CORE_KEYS } from '../src/index.js';

const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'config.md'), 'utf8');

/** Keys in the first column of the table under the `## <heading>` section. */
function documentedKeys(heading: string): string[] {
  const section = doc.split(/^## /m).find((s) => s.startsWith(heading)) ?? '';
  return [...section.matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((m) => m[1]!);
}

test('every core tunnel key is documented with its row', () => {
  expect(CORE_KEYS.tunnel.filter((k) => !documentedKeys('Tunnel keys').includes(k))).toEqual([]);
});

test('every core session key is documented with its row', () => {
  expect(CORE_KEYS.session.filter((k) => !documentedKeys('Session keys').includes(k))).toEqual([]);
});

test('the documented defaults of the core schema match the code', async () => {
  const { DEFAULT_MAX_RETRIES, DEFAULT_RETRY_TIMEOUT_MS, DEFAULT_WINDOW_SIZE } = await import('../src/index.js');
  const row = (k: string) => doc.split('\n').find((l) => l.startsWith(`| \`${k}\` |`)) ?? '';
  expect(row('max_retries')).toContain(`| \`${DEFAULT_MAX_RETRIES}\``);
  expect(row('retry_timeout')).toContain(`| \`${DEFAULT_RETRY_TIMEOUT_MS}\``);
  expect(row('window_size')).toContain(`| \`${DEFAULT_WINDOW_SIZE}\``);
});
