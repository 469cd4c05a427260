/**
 * Every bad file of the config suite (packages/config/test/bad) and of kl2tpd's LNS tables
 * (test/bad-lns) fails kl2tpd the same way, through
 * --check-config and at start: exit status 2, each problem as FILE:LINE:COL, nothing created (no
 * control socket appears, no tunnel is dialled).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKl2tpdConfig } from '../src/index.js';

const MAIN = new URL('../dist/kl2tpd.cjs', import.meta.url).pathname;
const BAD = new URL('../../../packages/config/test/bad/', import.meta.url).pathname;
// A few files are bad only for the core schema because they use a daemon's own key (pppd_args is
// kl2tpd's); those are valid kl2tpd configs and are left out here.
const LNS = new URL('./bad-lns/', import.meta.url).pathname;
const source = (f: string) => (readdirSync(LNS).includes(f) ? join(LNS, f) : join(BAD, f));
const files = [...readdirSync(BAD), ...readdirSync(LNS)]
  .filter((f) => f.endsWith('.toml') && !parseKl2tpdConfig(readFileSync(source(f), 'utf8'), source(f)).ok);

describe('bad configurations', () => {
  it('there are at least 30, the LNS ones included', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(files.filter((f) => f.includes('-lns-')).length).toBe(readdirSync(LNS).length);
  });

  it.each(files)('%s: --check-config and a start both exit 2 and create nothing', (f) => {
    const dir = mkdtempSync(join(tmpdir(), 'kl2tpd-bad-'));
    const sock = join(dir, 'k.sock');
    // The control socket lives in a fresh directory: if kl2tpd got as far as starting, it would appear.
    const file = join(dir, f);
    writeFileSync(file, `control_socket = "${sock}"\n${readFileSync(source(f), 'utf8')}`);
    const check = spawnSync(process.execPath, [MAIN, '--check-config', '-config', file], { encoding: 'utf8' });
    expect(check.status).toBe(2);
    expect(check.stderr).toMatch(new RegExp(`${f.replace(/\./g, '\\.')}:\\d+:\\d+: `));
    const run = spawnSync(process.execPath, [MAIN, '-config', file, '-null', '--log-format', 'json'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/configuration problem/);
    expect(existsSync(sock)).toBe(false);
  });
});
