/**
 * Publishability: `pnpm pack` of every workspace package (workspace:* becomes the real version),
 * then `npm install -g` of the two CLI tarballs into an empty prefix, with @l2tp/* resolved from
 * this build through a local scoped registry and third-party dependencies from the npm registry.
 * The installed commands must run: `--version` and `--check-config` on the shipped examples.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startScopedRegistry } from '../pack/registry.mjs';
import { ROOT, WORKSPACES } from './sources.js';

const work = mkdtempSync(join(tmpdir(), 'l2tp-pack-'));
const prefix = join(work, 'prefix');
let install: { status: number | null; output: string } = { status: null, output: '' };
let registry: Awaited<ReturnType<typeof startScopedRegistry>> | undefined;

beforeAll(async () => {
  for (const w of WORKSPACES) execFileSync('pnpm', ['pack', '--pack-destination', work], { cwd: join(ROOT, w), stdio: 'pipe' });
  const tarballs = readdirSync(work).filter((f) => f.endsWith('.tgz')).map((f) => join(work, f));
  registry = await startScopedRegistry(tarballs);
  const clis = tarballs.filter((f) => /\/(kl2tpd|ql2tpd)-\d/.test(f));
  // Asynchronous: the registry answers from this very process, so a sync spawn would deadlock.
  install = await new Promise((resolve) => {
    execFile('npm', ['install', '-g', '--prefix', prefix, `--@l2tp:registry=${registry!.url}`,
      '--no-audit', '--no-fund', '--loglevel=error', ...clis], { encoding: 'utf8', timeout: 240_000 },
    (err, stdout, stderr) => resolve({ status: err ? ((err as { code?: number }).code ?? -1) : 0, output: stdout + stderr }));
  });
}, 300_000);
afterAll(() => registry?.close());

const run = (cmd: string, ...args: string[]) =>
  spawnSync(join(prefix, 'bin', cmd), args, { encoding: 'utf8', cwd: ROOT, timeout: 20_000 });

describe('npm pack + npm install -g into an empty prefix', () => {
  test('every workspace packs and both CLIs install', () => {
    expect(readdirSync(work).filter((f) => f.endsWith('.tgz'))).toHaveLength(WORKSPACES.length);
    expect(install.output).not.toMatch(/ERR!/);
    expect(install.status).toBe(0);
  });
  test.each(['kl2tpd', 'ql2tpd'])('%s --version prints the package version', (cmd) => {
    const r = run(cmd, '--version');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('0.1.0\n');
  });
  test.each([
    ['kl2tpd', 'configs/examples/kl2tpd.toml'], ['kl2tpd', 'configs/examples/nm-l2tp/kl2tpd.conf'],
    ['ql2tpd', 'configs/examples/ql2tpd.toml'],
  ])('%s --check-config %s passes', (cmd, file) => {
    const r = run(cmd, '--check-config', '-config', file);
    expect(r.stdout + r.stderr).toContain(': ok');
    expect(r.status).toBe(0);
  });
  test('--check-config on a bad file exits 2 naming the line', () => {
    const r = run('kl2tpd', '--check-config', '-config', 'packages/config/test/bad/41-several-problems.toml');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/41-several-problems\.toml:\d+:\d+: /);
  });
});
