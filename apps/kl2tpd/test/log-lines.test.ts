/**
 * A full kl2tpd -null run as a process, every JSON log line read with a parser that rejects
 * duplicate keys (log indexers refuse them): start, tunnel and session up, status, `down t1` on the
 * only tunnel (the daemon stays, logged at info), `up t1` (up again), SIGTERM (exit 0).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codecWire, L2tpContext, nullDataPlane } from '@l2tp/control';
import { requestControlSocket } from '@l2tp/daemon';
import { afterEach, expect, it } from 'vitest';
import { parseStrictJson } from './strict-json.js';

const MAIN = new URL('../dist/main.js', import.meta.url).pathname;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

it('parser: rejects a duplicate key, accepts nested objects', () => {
  expect(() => parseStrictJson('{"a":1,"b":{"a":2},"a":3}')).toThrow(/duplicate key "a"/);
  expect(parseStrictJson('{"a":[1,{"b":"x\\"y"}],"c":null}')).toEqual({ a: [1, { b: 'x"y' }], c: null });
});

it('every line of a full -null run is JSON without duplicate keys; down on the only tunnel keeps the daemon', async () => {
  const lns = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
  cleanups.push(() => lns.close(200));
  const { port } = await lns.listen({ local: { address: '127.0.0.1', port: 0, family: 4 }, hostName: 'our-lns' });
  const dir = mkdtempSync(join(tmpdir(), 'kl2tpd-lines-'));
  const sock = join(dir, 'k.sock');
  writeFileSync(join(dir, 'k.toml'), `control_socket = "${sock}"\n[tunnel.t1]\npeer = "127.0.0.1:${port}"\nversion = "l2tpv2"\n[tunnel.t1.session.s1]\npseudowire = "ppp"\n`);
  const child = spawn(process.execPath, [MAIN, '-config', join(dir, 'k.toml'), '-null', '-verbose', '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr.on('data', (d) => { out += d; });
  child.stdout.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  cleanups.push(async () => { if (child.exitCode === null) { child.kill('SIGKILL'); await exited; } });
  // Each step waits for the log line that proves it happened.
  const line = (re: RegExp, from = 0) => new Promise<number>((resolve, reject) => {
    const check = () => {
      const at = out.slice(from).search(re);
      if (at >= 0) { child.stderr.off('data', check); resolve(from + at); }
    };
    child.stderr.on('data', check);
    void exited.then(() => reject(new Error(`exited before ${re}:\n${out}`)));
    check();
  });
  let at = await line(/every configured tunnel and session is up/);
  const st = await requestControlSocket(sock, { op: 'status' });
  expect(st.ok).toBe(true);
  expect(await requestControlSocket(sock, { op: 'down', target: 't1' })).toMatchObject({ ok: true });
  at = await line(/tunnel down: .*administratively/, at);
  const s2 = await requestControlSocket(sock, { op: 'status' });
  expect(s2.ok && s2.status?.tunnels[0]?.state).toBe('admin-down');
  expect(await requestControlSocket(sock, { op: 'up', target: 't1' })).toMatchObject({ ok: true });
  at = await line(/tunnel up: data plane established/, at);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  expect(lines.length).toBeGreaterThan(8);
  const parsed = lines.map((l) => parseStrictJson(l) as Record<string, unknown>);
  expect(parsed.filter((l) => /tunnel up/.test(String(l['msg'])))).toHaveLength(2);
  expect(parsed.filter((l) => /tunnel up/.test(String(l['msg']))).every((l) => typeof l['tunnel_id'] === 'number')).toBe(true);
  // The administrative down is not an error, and nothing made the daemon give up.
  expect(parsed.filter((l) => l['level'] === 'error' || (typeof l['level'] === 'number' && l['level'] >= 50))).toEqual([]);
  expect(out).not.toMatch(/no tunnel left/);
}, 90_000);
