import { chmodSync, closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { pppdArgv, spawnPppd } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kl2tpd-pppd-'));
const fd = openSync(join(dir, 'pppox-stand-in'), 'w');
afterAll(() => closeSync(fd));

/** A logger whose lines land in an array, for asserting what pppd's output became. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); cb(); } });
  return { log: pino({ level: 'debug' }, stream), lines };
}

/** Writes an executable shell script standing in for pppd. */
function fakePppd(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const spec = (path: string) => ({ path, tunnelId: 4242, sessionId: 7, pppoxFd: fd, args: ['noauth', 'name', 'a b'] });

describe('pppd spawning (go-l2tp contract)', () => {
  it('argv is go-l2tp\'s fixed prefix followed by the pppd_args words', () => {
    expect(pppdArgv(spec('/usr/sbin/pppd'))).toEqual([
      'plugin', 'pppol2tp.so', 'pppol2tp', '3', 'pppol2tp_tunnel_id', '4242', 'pppol2tp_session_id', '7', 'nodetach',
      'noauth', 'name', 'a b',
    ]);
  });

  it('passes the socket as fd 3 and logs each output line; the exit status is explained', async () => {
    const { log, lines } = capture();
    const path = fakePppd('exit10', 'for a in "$@"; do echo "arg:$a"; done\n[ -e /proc/self/fd/3 ] && echo fd3-open\necho oops >&2\nexit 10');
    const p = spawnPppd(spec(path), log);
    const exit = await p.exited;
    expect(exit).toMatchObject({ code: 10, signal: null, description: expect.stringMatching(/negotiation failed/) });
    await new Promise((r) => setTimeout(r, 20));
    const msgs = lines.map((l) => l.msg);
    expect(msgs).toContain('pppd: arg:a b');
    expect(msgs).toContain('pppd: arg:pppol2tp_session_id');
    expect(msgs).toContain('pppd: fd3-open');
    expect(msgs).toContain('pppd: oops');
  });

  it('stop() sends SIGTERM and falls back to SIGKILL after the grace period', async () => {
    const { log } = capture();
    const stubborn = spawnPppd(spec(fakePppd('stubborn', "trap '' TERM\necho ready\nwhile :; do sleep 0.05; done")), log);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    const exit = await stubborn.stop(300);
    expect(exit.signal).toBe('SIGKILL');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    const polite = spawnPppd(spec(fakePppd('polite', 'exec sleep 30')), log);
    await new Promise((r) => setTimeout(r, 50));
    expect((await polite.stop(5000)).signal).toBe('SIGTERM');
  });

  it('a missing pppd is an exit with a reason, not an exception', async () => {
    const { log } = capture();
    const exit = await spawnPppd(spec(join(dir, 'no-such-pppd')), log).exited;
    expect(exit.code).toBeNull();
    expect(exit.description).toMatch(/cannot run .*no-such-pppd/);
  });
});
