import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/index.js';

const file = () => join(mkdtempSync(join(tmpdir(), 'l2tp-log-')), 'log');

describe('createLogger', () => {
  it('writes one JSON object per line, debug only when verbose', () => {
    for (const verbose of [false, true]) {
      const path = file();
      const fd = openSync(path, 'w');
      const log = createLogger('kl2tpd', { verbose, format: 'json', fd }).child({ tunnel_name: 't1' });
      log.debug('hidden unless verbose');
      log.info({ tunnel_id: 5 }, 'tunnel up');
      closeSync(fd);
      const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => l.msg)).toEqual(verbose ? ['hidden unless verbose', 'tunnel up'] : ['tunnel up']);
      expect(lines.at(-1)).toMatchObject({ daemon: 'kl2tpd', tunnel_name: 't1', tunnel_id: 5, level: 30 });
    }
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
