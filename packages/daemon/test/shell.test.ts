import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import inspector from 'node:inspector';
import { describe, expect, it, vi } from 'vitest';
import { renderStatusTable, requestControlSocket, startShell, type ShellDaemon } from '../src/index.js';
import { SNAPSHOT } from './fixtures.js';

const log = pino({ level: 'silent' });
function daemon(over: Partial<ShellDaemon> = {}) {
  const notes: string[] = [];
  const d: ShellDaemon = {
    log, controlSocket: join(mkdtempSync(join(tmpdir(), 'l2tp-shell-')), 'd.sock'), metricsListen: undefined,
    notify: (s) => { notes.push(s); }, status: () => SNAPSHOT,
    command: async (op, target) => { if (target === 'bad') throw new Error('no tunnel named bad'); return `${op} ${target}`; },
    shutdown: async () => undefined, ...over,
  };
  return { d, notes };
}

describe('daemon shell', () => {
  it('a control socket another daemon took meanwhile (two started at once) stops this one with status 1, the other kept', async () => {
    const first = daemon();
    const a = await startShell(first.d, { signals: false });
    const shutdowns: number[] = [];
    const { d } = daemon({ controlSocket: first.d.controlSocket, shutdown: async () => { shutdowns.push(1); } });
    const b = await startShell(d, { signals: false });
    expect(await b.exited).toBe(1);
    expect(shutdowns).toEqual([1]);
    expect(await requestControlSocket(first.d.controlSocket, { op: 'status' })).toEqual({ ok: true, status: SNAPSHOT });
    a.stop(0);
    await a.exited;
  });
  it('answers status and up/down on the control socket; a failing command is an error answer', async () => {
    const { d } = daemon();
    const shell = await startShell(d, { signals: false });
    expect(await requestControlSocket(d.controlSocket, { op: 'status' })).toEqual({ ok: true, status: SNAPSHOT });
    expect(await requestControlSocket(d.controlSocket, { op: 'down', target: 't1' })).toEqual({ ok: true, message: 'down t1' });
    expect(await requestControlSocket(d.controlSocket, { op: 'up', target: 'bad' })).toEqual({ ok: false, error: 'no tunnel named bad' });
    shell.stop(0);
    expect(await shell.exited).toBe(0);
    await expect(requestControlSocket(d.controlSocket, { op: 'status' })).rejects.toThrow(/no daemon/);
  });

  it('/metrics asks for the counts-only status, the control socket for the full one', async () => {
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
    });
    const asked: (string | undefined)[] = [];
    const { d } = daemon({ metricsListen: { host: '127.0.0.1', port }, status: (detail) => { asked.push(detail); return SNAPSHOT; } });
    const shell = await startShell(d, { signals: false });
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toContain('l2tp_build_info');
    await requestControlSocket(d.controlSocket, { op: 'status' });
    expect(asked).toEqual(['counts', undefined]);
    shell.stop(0);
    await shell.exited;
  });

  it('a shutdown that hangs is cut off at the bound; STOPPING=1 is sent first', async () => {
    const { d, notes } = daemon({ shutdown: () => new Promise(() => undefined) });
    const shell = await startShell(d, { signals: false, shutdownTimeoutMs: 200 });
    const t0 = Date.now();
    shell.stop(1);
    expect(await shell.exited).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(notes).toEqual(['STOPPING=1']);
  });

  it('SIGTERM is handled from the call on, before the control socket is up: a stop then closes it as it comes up', async () => {
    let shutdowns = 0;
    const { d } = daemon({ shutdown: async () => { shutdowns++; } });
    const before = process.listenerCount('SIGTERM');
    const starting = startShell(d);
    // Synchronously, as a daemon that dials right after the call relies on.
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    process.emit('SIGTERM', 'SIGTERM');
    const shell = await starting;
    expect(await shell.exited).toBe(0);
    expect(shutdowns).toBe(1);
    expect(process.listenerCount('SIGTERM')).toBe(before);
    await expect(requestControlSocket(d.controlSocket, { op: 'status' })).rejects.toThrow(/no daemon/);
  });

  it('SIGTERM stops with status 0 and SIGHUP reloads (RELOADING=1 then READY=1)', async () => {
    let reloads = 0;
    const { d, notes } = daemon({ reload: async () => { reloads++; } });
    const shell = await startShell(d);
    process.emit('SIGHUP', 'SIGHUP');
    await new Promise((r) => setTimeout(r, 10));
    expect(reloads).toBe(1);
    expect(notes).toEqual(['RELOADING=1', 'READY=1']);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await shell.exited).toBe(0);
    // Still claimed after the shell stops (sighup.ts): a late SIGHUP is ignored, never the default action.
    expect(process.listenerCount('SIGHUP')).toBe(1);
    process.emit('SIGHUP', 'SIGHUP');
    await new Promise((r) => setTimeout(r, 10));
    expect(reloads).toBe(1);
  });
});

describe('SIGUSR1', () => {
  it('writes the status table to the log, one line per row, and keeps Node\'s inspector closed', async () => {
    const lines: { level: number; msg: string }[] = [];
    const capture = pino({ level: 'info' }, { write: (l: string) => { lines.push(JSON.parse(l) as { level: number; msg: string }); } });
    const { d } = daemon({ log: capture });
    const shell = await startShell(d);
    expect(process.listenerCount('SIGUSR1')).toBe(1);
    process.emit('SIGUSR1', 'SIGUSR1');
    await vi.waitFor(() => expect(lines.some((l) => l.msg.startsWith('pw'))).toBe(true));
    const msgs = lines.map((l) => l.msg);
    expect(msgs).toContain('received SIGUSR1: status follows');
    expect(msgs).toEqual(expect.arrayContaining(renderStatusTable(SNAPSHOT).trimEnd().split('\n')));
    expect(lines.every((l) => l.level === 30)).toBe(true);
    expect(inspector.url()).toBeUndefined();
    shell.stop(0);
    await shell.exited;
    // Still claimed after the shell stops: a late SIGUSR1 must not open the inspector either.
    expect(process.listenerCount('SIGUSR1')).toBe(1);
    const before = lines.length;
    process.emit('SIGUSR1', 'SIGUSR1');
    await new Promise((r) => setImmediate(r));
    expect(lines.length).toBe(before);
  });
});

describe('systemd watchdog', () => {
  it('pings WATCHDOG=1 at half of WATCHDOG_USEC while running, and stops when the shell stops', async () => {
    process.env['WATCHDOG_USEC'] = '100000';
    try {
      const { d, notes } = daemon();
      const shell = await startShell(d, { signals: false });
      // Wait on the pings themselves: a loaded CI host delays timers, so a fixed wait may see fewer.
      const deadline = Date.now() + 10_000;
      while (notes.filter((n) => n === 'WATCHDOG=1').length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const pings = notes.filter((n) => n === 'WATCHDOG=1').length;
      expect(pings).toBeGreaterThanOrEqual(3);
      shell.stop(0);
      await shell.exited;
      await new Promise((r) => setTimeout(r, 120));
      expect(notes.filter((n) => n === 'WATCHDOG=1').length).toBeLessThanOrEqual(pings + 1);
    } finally {
      delete process.env['WATCHDOG_USEC'];
    }
  });
});
