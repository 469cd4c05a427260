// File entry points: loadConfigFile, checkConfigFiles and the CLI the root demo runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkConfigFiles, loadConfigFile } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'l2tp-config-load-'));
const good = join(dir, 'good.toml');
const bad = join(dir, 'bad.toml');
writeFileSync(good, '[tunnel.t1]\npeer = "192.0.2.1:1701"\nversion = "l2tpv2"\n[tunnel.t1.session.s1]\npseudowire = "ppp"\n');
writeFileSync(bad, '[tunnel.t1]\npeer = "192.0.2.1:1701"\nversion = "l2tpv2"\ntid = 70000\nfoo = 1\n');
const missing = join(dir, 'missing.toml');

describe('loadConfigFile', () => {
  test('reads and parses a file, issues carry the file name', async () => {
    expect((await loadConfigFile(good)).ok).toBe(true);
    const r = await loadConfigFile(bad);
    expect(!r.ok && r.issues.map((i) => [i.file, i.line, i.path])).toEqual([[bad, 4, 'tunnel.t1.tid'], [bad, 5, 'tunnel.t1.foo']]);
  });

  test('a missing file is an issue, not an exception', async () => {
    const r = await loadConfigFile(missing);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ file: missing, line: 1, column: 1, path: '' });
    expect(r.issues[0]!.message).toMatch(/^cannot read config file: ENOENT/);
  });

  test('a directory is an issue too', async () => {
    const r = await loadConfigFile(dir);
    expect(!r.ok && r.issues[0]!.message).toMatch(/^cannot read config file: EISDIR/);
  });
});

describe('checkConfigFiles and the CLI', () => {
  test('one summary line per file, then every issue', async () => {
    const out = await checkConfigFiles([good, bad, missing]);
    expect(out.map((f) => f.ok)).toEqual([true, false, false]);
    expect(out[0]!.lines).toEqual([`${good}: ok (1 tunnel, 1 session)`]);
    expect(out[1]!.lines).toEqual([
      `${bad}: 2 issues`,
      `${bad}:4:7: tunnel.t1.tid: expected an integer 0..65535 for l2tpv2 (16-bit ids, RFC 2661 §3.1; 0 allocates one) (got 70000)`,
      `${bad}:5:1: tunnel.t1.foo: unrecognised parameter foo`,
    ]);
  });

  test('dist/cli.js prints the same lines and exits 2 on any issue, 0 when all are valid', () => {
    const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
    const ok = spawnSync(process.execPath, [cli, good], { encoding: 'utf8' });
    expect([ok.status, ok.stdout]).toEqual([0, `${good}: ok (1 tunnel, 1 session)\n`]);
    const ko = spawnSync(process.execPath, [cli, good, bad], { encoding: 'utf8' });
    expect(ko.status).toBe(2);
    expect(ko.stdout.split('\n').filter(Boolean)).toHaveLength(4);
  });

  test('--print adds the effective config of each valid file as JSON', () => {
    const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
    const r = spawnSync(process.execPath, [cli, '--print', good], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('\n') + 1)) as { tunnels: { name: string; retryTimeoutMs: number }[] };
    expect(json.tunnels.map((t) => [t.name, t.retryTimeoutMs])).toEqual([['t1', 1000]]);
  });

  test('--extension loads an extension module for the files after it', () => {
    const ext = join(dir, 'ext.mjs');
    writeFileSync(ext, 'export const myExtension = { name: "x", session: { args: { key: "pppd_args", read: (v) => ({ ok: true, value: v }), default: undefined } } };\n');
    const withArgs = join(dir, 'args.toml');
    writeFileSync(withArgs, '[tunnel.t1]\npeer = "a:1"\nversion = "l2tpv2"\n[tunnel.t1.session.s1]\npseudowire = "ppp"\npppd_args = "x"\n');
    const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
    const r = spawnSync(process.execPath, [cli, withArgs, '--extension', ext, withArgs], { encoding: 'utf8' });
    expect(r.stdout.split('\n')[0]).toBe(`${withArgs}: 1 issue`);
    expect(r.stdout.split('\n').at(-2)).toBe(`${withArgs}: ok (1 tunnel, 1 session)`);
    expect(r.status).toBe(2);
  });
});
