import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ControlSocketPathError, listenControlSocket, listenMetrics, MAX_REQUEST_BYTES, reserveMetricsListener, parseControlRequest, requestControlSocket,
  type ControlRequest,
} from '../src/index.js';
import { SNAPSHOT } from './fixtures.js';
import type { Server } from 'node:net';

const servers: { close(): unknown }[] = [];
afterEach(() => { for (const s of servers.splice(0)) s.close(); });
const sockPath = () => join(mkdtempSync(join(tmpdir(), 'l2tp-ctl-')), 'run', 'd.sock');

/** Sends raw bytes and returns whatever the daemon answers before closing. */
function raw(path: string, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const s = connect(path, () => s.write(bytes));
    s.on('data', (c) => { text += String(c); });
    s.on('close', () => resolve(text));
    s.on('error', () => resolve(text));
  });
}

describe('parseControlRequest', () => {
  it.each([
    ['{"op":"status"}', { op: 'status' }],
    ['{"op":"down","target":"t1"}', { op: 'down', target: 't1' }],
    ['{"op":"up","target":"t1/s1"}', { op: 'up', target: 't1/s1' }],
  ])('accepts %s', (line, request) => expect(parseControlRequest(line)).toEqual({ ok: true, request }));
  it.each([
    ['not json', /not JSON/], ['[1]', /object/], ['{"op":"reboot"}', /unknown op/], ['{"op":"down"}', /needs a target/],
    ['{"op":"down","target":"a/b/c/d"}', /needs a target/], ['{"op":"status","x":1}', /unknown request field x/],
    ['{"op":"status","target":"t"}', /no target/],
  ])('refuses %s', (line, why) => {
    const r = parseControlRequest(line);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(why);
  });
});

describe('control socket', () => {
  it('answers status and up/down through the handler; the socket is mode 0600', async () => {
    const path = sockPath();
    const seen: ControlRequest[] = [];
    servers.push(await listenControlSocket(path, (r) => {
      seen.push(r);
      if (r.op === 'status') return { ok: true, status: SNAPSHOT };
      if (r.target === 'nope') throw new Error('no tunnel or session named nope');
      return { ok: true, message: `${r.op} ${r.target}` };
    }));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await requestControlSocket(path, { op: 'status' })).toEqual({ ok: true, status: SNAPSHOT });
    expect(await requestControlSocket(path, { op: 'down', target: 't1/s1' })).toEqual({ ok: true, message: 'down t1/s1' });
    expect(await requestControlSocket(path, { op: 'up', target: 'nope' })).toEqual({ ok: false, error: 'no tunnel or session named nope' });
    expect(seen).toHaveLength(3);
  });

  it('malformed and oversized requests get an error and never reach the daemon', async () => {
    const path = sockPath();
    let calls = 0;
    servers.push(await listenControlSocket(path, () => { calls++; return { ok: true }; }));
    expect(JSON.parse(await raw(path, '{"op":\n'))).toEqual({ ok: false, error: 'request is not JSON' });
    expect(JSON.parse(await raw(path, Buffer.alloc(MAX_REQUEST_BYTES + 10, 'a')))).toMatchObject({ ok: false, error: /longer than/ });
    expect(JSON.parse(await raw(path, '{"op":"rm -rf"}\n'))).toMatchObject({ ok: false, error: /unknown op/ });
    expect(calls).toBe(0);
    expect(await requestControlSocket(path, { op: 'status' })).toEqual({ ok: true });
  });

  it('replaces a stale socket but refuses to steal a live one', async () => {
    const path = sockPath();
    const first = await listenControlSocket(path, () => ({ ok: true }));
    await expect(listenControlSocket(path, () => ({ ok: true }))).rejects.toThrow(/already listening/);
    // A crash leaves the socket file behind: close the listener without unlinking.
    await new Promise((r) => (first as Server).close(r));
    servers.push(await listenControlSocket(path, () => ({ ok: true, message: 'second' })));
    expect(await requestControlSocket(path, { op: 'status' })).toEqual({ ok: true, message: 'second' });
  });

  it('never removes what is not a socket: a file at the path (the config, say) is kept and named', async () => {
    const path = sockPath();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'precious\n');
    const err = await listenControlSocket(path, () => ({ ok: true })).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ControlSocketPathError);
    expect(err).toMatchObject({ kind: 'not-a-socket', message: `${path} exists and is not a socket; not replacing it` });
    expect(readFileSync(path, 'utf8')).toBe('precious\n');
  });

  it('two daemons starting at once: one listens, the other is told another daemon is there', async () => {
    const path = sockPath();
    const both = await Promise.allSettled([listenControlSocket(path, () => ({ ok: true, message: 'a' })), listenControlSocket(path, () => ({ ok: true, message: 'b' }))]);
    for (const r of both) if (r.status === 'fulfilled') servers.push(r.value);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ kind: 'in-use' });
    const won = both.findIndex((r) => r.status === 'fulfilled');
    expect(await requestControlSocket(path, { op: 'status' })).toEqual({ ok: true, message: won === 0 ? 'a' : 'b' });
  });

  it('a client with no daemon gets a clear error', async () => {
    await expect(requestControlSocket(sockPath(), { op: 'status' })).rejects.toThrow(/no daemon is listening/);
  });
});

describe('metrics endpoint', () => {
  it('serves GET /metrics and 404s anything else', async () => {
    const server = await listenMetrics('127.0.0.1', 0, () => SNAPSHOT);
    servers.push(server);
    const port = (server.address() as { port: number }).port;
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('version=0.0.4');
    const text = await res.text();
    expect(text).toContain('l2tp_tunnel_up{daemon="kl2tpd",tunnel="t1"} 1');
    // prom-client's default process metrics.
    expect(text).toMatch(/^process_start_time_seconds \d+$/m);
    expect(text).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+$/m);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
  });

  it('a busy port is a one-line error; a reserved listener is taken over by listenMetrics', async () => {
    const holder = await listenMetrics('127.0.0.1', 0, () => SNAPSHOT);
    servers.push(holder);
    const port = (holder.address() as { port: number }).port;
    await expect(listenMetrics('127.0.0.1', port, () => SNAPSHOT)).rejects.toThrow(
      new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${port}: address already in use; another process holds the port \\(EADDRINUSE\\)$`));
    await expect(reserveMetricsListener('127.0.0.1', port)).rejects.toThrow(/EADDRINUSE/);
    const free = await listenMetrics('127.0.0.1', 0, () => SNAPSHOT);
    const freePort = (free.address() as { port: number }).port;
    free.close();
    await new Promise((r) => free.once('close', r));
    const release = await reserveMetricsListener('127.0.0.1', freePort);
    const taken = await listenMetrics('127.0.0.1', freePort, () => SNAPSHOT);
    servers.push(taken);
    release(); // no-op: taken over
    expect(await (await fetch(`http://127.0.0.1:${freePort}/metrics`)).text()).toContain('l2tp_tunnel_up');
  });
});
