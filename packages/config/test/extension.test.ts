// The extension point: an app's own keys at each level, typed, defaulted, validated; versions.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  boolean, defineExtension, integer, key, parseConfig, readableFile, string, type ConfigOf,
} from '../src/index.js';

const testExtension = defineExtension({
  name: 'testd',
  versions: [2],
  global: { logLevel: key('log_level', string(), 'info') },
  tunnel: {
    secret: key('secret', string('a non-empty string', (s) => s.length > 0), undefined),
    hide: key('hide_avps', boolean, false),
  },
  session: {
    weight: key('weight', integer(1, 10), 1),
    script: key('script', readableFile, undefined),
  },
  validate(config, ctx) {
    for (const t of config.tunnels) {
      if (t.ext.hide && t.ext.secret === undefined && !ctx.failed(['tunnel', t.name, 'secret'])) {
        ctx.report(['tunnel', t.name, 'hide_avps'], 'hide_avps needs secret');
      }
    }
  },
});

const base = '[tunnel.t1]\npeer = "192.0.2.1:1701"\nversion = "l2tpv2"\n';

describe('extensions', () => {
  test('extension keys are typed under ext at every level', () => {
    type C = ConfigOf<typeof testExtension>;
    expectTypeOf<C['ext']['logLevel']>().toEqualTypeOf<string>();
    expectTypeOf<C['tunnels'][number]['ext']['secret']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<C['tunnels'][number]['ext']['hide']>().toEqualTypeOf<boolean>();
    expectTypeOf<C['tunnels'][number]['sessions'][number]['ext']['weight']>().toEqualTypeOf<number>();
    const r = parseConfig('', { extension: testExtension });
    if (r.ok) expectTypeOf(r.config).toEqualTypeOf<C>();
  });

  test('absent extension keys take their defaults', () => {
    const r = parseConfig(`${base}[tunnel.t1.session.s1]\npseudowire = "ppp"\n`, { extension: testExtension, hostName: 'h' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.ext).toEqual({ logLevel: 'info' });
    expect(r.config.tunnels[0]!.ext).toEqual({ secret: undefined, hide: false });
    expect(r.config.tunnels[0]!.sessions[0]!.ext).toEqual({ weight: 1, script: undefined });
    expect(Object.isFrozen(r.config.tunnels[0]!.sessions[0]!.ext)).toBe(true);
  });

  test('given extension keys are read; relative paths resolve against the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'l2tp-config-'));
    writeFileSync(join(dir, 'run.sh'), 'true\n');
    const text = `log_level = "debug"\n${base}secret = "s3cret"\nhide_avps = true\n[tunnel.t1.session.s1]\npseudowire = "ppp"\nweight = 7\nscript = "run.sh"\n`;
    const r = parseConfig(text, { extension: testExtension, file: join(dir, 'x.toml') });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.ext.logLevel).toBe('debug');
    expect(r.config.tunnels[0]!.ext).toEqual({ secret: 's3cret', hide: true });
    expect(r.config.tunnels[0]!.sessions[0]!.ext).toEqual({ weight: 7, script: join(dir, 'run.sh') });
  });

  test('bad extension values, an unreadable file, the validate hook and versions are all reported at once', () => {
    const text = [
      'log_level = 3', //                         1
      '[tunnel.t1]', //                           2
      'peer = "192.0.2.1:1701"', //               3
      'version = "l2tpv2"', //                    4
      'hide_avps = true', //                      5
      '[tunnel.t1.session.s1]', //                6
      'pseudowire = "ppp"', //                    7
      'weight = 11', //                           8
      'script = "/nonexistent/x"', //             9
      '[tunnel.t3]', //                           10
      'version = "l2tpv3"', //                    11
      'local = "192.0.2.2:1"', //                 12
      'peer = "192.0.2.1:1"', //                  13
      'tid = 1', //                               14
      'ptid = 1', //                              15
    ].join('\n');
    const r = parseConfig(text, { extension: testExtension, file: 'e.toml' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => [i.line, i.column, i.path, i.message])).toEqual([
      [1, 13, 'log_level', 'expected a string (got 3)'],
      [5, 1, 'tunnel.t1.hide_avps', 'hide_avps needs secret'],
      [8, 10, 'tunnel.t1.session.s1.weight', 'expected an integer 1..10 (got 11)'],
      [9, 10, 'tunnel.t1.session.s1.script', 'expected a path to a readable file (got "/nonexistent/x": ENOENT)'],
      [11, 11, 'tunnel.t3.version', 'expected "l2tpv2": testd runs only l2tpv2 tunnels (got "l2tpv3")'],
    ]);
  });

  test('the hook can skip what follows from an already-failed key', () => {
    const r = parseConfig(`${base}secret = ""\nhide_avps = true\n`, { extension: testExtension });
    expect(!r.ok && r.issues.map((i) => i.path)).toEqual(['tunnel.t1.secret']);
  });

  test('without the extension its keys are unrecognised parameters', () => {
    const r = parseConfig(`${base}secret = "x"\n`);
    expect(!r.ok && r.issues.map((i) => i.message)).toEqual(['unrecognised parameter secret']);
  });
});
