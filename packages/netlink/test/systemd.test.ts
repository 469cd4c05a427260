import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { sdNotify } from '../src/sys/systemd.js';
import * as libc from '../src/sys/libc.js';
import { Sock } from '../src/sys/libc.js';
import { sockaddrUn } from '../src/sockets/sockaddr.js';

// A stand-in for systemd's notification socket: an AF_UNIX datagram socket made through libc.
function listener(path: string): { read(): string | undefined; close(): void } {
  const fd = libc.socket(Sock.AF_UNIX, Sock.SOCK_DGRAM | Sock.SOCK_CLOEXEC, 0);
  libc.bind(fd, sockaddrUn(path));
  const buf = Buffer.alloc(4096);
  return {
    read: () => { const n = libc.recv(fd, buf, Sock.MSG_DONTWAIT); return n < 0 ? undefined : buf.toString('utf8', 0, n); },
    close: () => libc.close(fd),
  };
}

describe('sdNotify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sdnotify-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('does nothing outside systemd', () => {
    expect(sdNotify('READY=1', {})).toBe(false);
  });

  test('fallback sendto reaches a path socket and an abstract one', () => {
    const path = join(dir, 'notify');
    const l = listener(path);
    expect(sdNotify('READY=1\nSTATUS=up', { NOTIFY_SOCKET: path })).toBe(true);
    expect(l.read()).toBe('READY=1\nSTATUS=up');
    l.close();
    const name = `@l2tp-test-${process.pid}`;
    const a = listener(name);
    expect(sdNotify('STOPPING=1', { NOTIFY_SOCKET: name })).toBe(true);
    expect(a.read()).toBe('STOPPING=1');
    a.close();
  });

  test('through libsystemd when $NOTIFY_SOCKET is in the process environment', () => {
    const path = join(dir, 'notify2');
    const l = listener(path);
    const saved = process.env.NOTIFY_SOCKET;
    process.env.NOTIFY_SOCKET = path;
    try {
      expect(sdNotify('WATCHDOG=1')).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.NOTIFY_SOCKET; else process.env.NOTIFY_SOCKET = saved;
    }
    expect(l.read()).toBe('WATCHDOG=1');
    l.close();
  });
});
