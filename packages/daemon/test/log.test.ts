import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLogger, isJournalStream, journalPriority } from '../src/index.js';

const file = () => join(mkdtempSync(join(tmpdir(), 'l2tp-log-')), 'log');

describe('createLogger', () => {
  it('writes one JSON object per line, debug only when verbose', () => {
    for (const verbose of [false, true]) {
      const path = file();
      const fd = openSync(path, 'w');
      const log = createLogger('kl2tpd', { verbose, format: 'json', fd }).child({ tunnel_name: 't1' });
      log.debug('hidden unless verbose');
      log.info({ tunnel_id: 5 }, 'tunnel up');
      log.flush();
      closeSync(fd);
      const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => l.msg)).toEqual(verbose ? ['hidden unless verbose', 'tunnel up'] : ['tunnel up']);
      expect(lines.at(-1)).toMatchObject({ daemon: 'kl2tpd', tunnel_name: 't1', tunnel_id: 5, level: 'info' });
    }
  });
  it('lines of one event-loop turn leave together at its end, in order', async () => {
    const path = file();
    const fd = openSync(path, 'w');
    const log = createLogger('kl2tpd', { verbose: false, format: 'json', fd });
    for (let i = 0; i < 100; i++) log.info({ i }, 'call up');
    expect(readFileSync(path, 'utf8')).toBe('');
    await new Promise((r) => setImmediate(r));
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
    closeSync(fd);
    expect(lines).toEqual([...Array(100).keys()]);
  });
  it('a line logged just before the process goes idle is written then, not at the next timer or datagram', async () => {
    // A child logs one line from a timer, once loading is long over, and then only waits on a timer
    // an hour away (as a daemon waits for its next HELLO): the line must reach the pipe now.
    const module = new URL('../dist/log.js', import.meta.url).pathname;
    const child = spawn(process.execPath, ['-e', `import('${module}').then(({ createLogger }) => {
      const log = createLogger('kl2tpd', { verbose: false, format: 'json' });
      setInterval(() => undefined, 3_600_000);
      setTimeout(() => log.info('started: 1 of 1 tunnels up'), 300);
    });`], { stdio: ['ignore', 'ignore', 'pipe'] });
    onTestFinished(() => { child.kill('SIGKILL'); });
    let text = '';
    const line = await new Promise<string>((resolve) => child.stderr.on('data', (d) => { text += d; if (text.includes('\n')) resolve(text); }));
    expect(JSON.parse(line)).toMatchObject({ level: 'info', msg: 'started: 1 of 1 tunnels up' });
  });
  it('non-ASCII text, lines longer than the coalescing buffer and a burst past it arrive whole, in order', () => {
    const path = file();
    const fd = openSync(path, 'w');
    const log = createLogger('kl2tpd', { verbose: false, format: 'json', fd });
    const long = 'é'.repeat(70_000);
    log.info({ peer_host_name: 'lns-ü✓' }, 'first');
    log.info({ blob: long }, 'long');
    for (let i = 0; i < 2000; i++) log.info({ i, note: 'ü'.repeat(i % 50) }, 'burst');
    log.flush();
    closeSync(fd);
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2002);
    expect(lines[0]).toMatchObject({ msg: 'first', peer_host_name: 'lns-ü✓' });
    expect(lines[1]).toMatchObject({ msg: 'long', blob: long });
    expect(lines.slice(2).map((l) => l.i)).toEqual([...Array(2000).keys()]);
    expect(lines[51]).toMatchObject({ note: 'ü'.repeat(49) });
  });
  it('pretty format is human-readable text, not JSON', () => {
    const path = file();
    const fd = openSync(path, 'w');
    createLogger('ql2tpd', { verbose: false, format: 'pretty', fd }).info({ tunnel_name: 'pw1' }, 'hello acknowledged');
    closeSync(fd);
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/INFO.*hello acknowledged/);
    expect(text).toContain('tunnel_name: "pw1"');
    expect(() => JSON.parse(text)).toThrow();
  });
});

describe('journald (JOURNAL_STREAM)', () => {
  /** A file standing in for the journal's stream: JOURNAL_STREAM names its device and inode, as systemd does. */
  const journalFile = () => {
    const path = file();
    const fd = openSync(path, 'w');
    const st = fstatSync(fd, { bigint: true });
    return { path, fd, env: { JOURNAL_STREAM: `${st.dev}:${st.ino}` } };
  };

  it('detects the journal only when JOURNAL_STREAM names this fd', () => {
    const j = journalFile();
    expect(isJournalStream(j.fd, j.env)).toBe(true);
    expect(isJournalStream(j.fd, {})).toBe(false);
    expect(isJournalStream(j.fd, { JOURNAL_STREAM: '1:2' })).toBe(false);
    const other = openSync(file(), 'w');
    expect(isJournalStream(other, j.env)).toBe(false);
    closeSync(other);
    closeSync(j.fd);
  });

  it('JSON lines start with their sd-daemon(3) priority and keep string level names', () => {
    const j = journalFile();
    const log = createLogger('kl2tpd', { verbose: true, format: 'json', fd: j.fd, env: j.env });
    log.debug('d'); log.info('i'); log.warn('w'); log.error('e'); log.fatal('f');
    log.flush();
    closeSync(j.fd);
    const lines = readFileSync(j.path, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => l.slice(0, 3))).toEqual(['<7>', '<6>', '<4>', '<3>', '<2>']);
    expect(lines.map((l) => (JSON.parse(l.slice(3)) as { level: string }).level)).toEqual(['debug', 'info', 'warn', 'error', 'fatal']);
  });

  it('pretty lines carry the prefix on every line of an entry', () => {
    const j = journalFile();
    const log = createLogger('ql2tpd', { verbose: false, format: 'pretty', fd: j.fd, env: j.env });
    log.error({ detail: { a: 1 } }, 'it broke');
    log.info('fine');
    log.flush();
    closeSync(j.fd);
    const lines = readFileSync(j.path, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    expect(lines[0]).toMatch(/^<3>.*ERROR.*it broke/);
    expect(lines.slice(0, -1).every((l) => l.startsWith('<3>'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^<6>.*INFO.*fine/);
  });

  it('maps pino levels to syslog priorities', () => {
    expect([10, 20, 30, 40, 50, 60].map(journalPriority)).toEqual([7, 7, 6, 4, 3, 2]);
  });
});
