// Named tables (`[lns.NAME]`) through the extension point, and issues that point at one array
// element: every bad key of every table is reported at its own position, defaults are applied,
// tables keep file order, and the locator records array elements by index.
import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  arrayOf, defineExtension, extensionKeys, integer, key, parseConfig, string, tables, type ConfigOf,
} from '../src/index.js';
import { KeyLocator } from '../src/locate.js';

const ext = defineExtension({
  name: 'testd',
  global: {
    lns: tables('lns', {
      listen: key('listen', string(), '0.0.0.0:1701'),
      weight: key('weight', integer(1, 10), 1),
      ranges: key('ip_range', arrayOf(string()), [] as readonly string[]),
    }),
  },
  validate(config, ctx) {
    for (const l of config.ext.lns) {
      l.ranges.forEach((r, i) => {
        if (r === 'bad') ctx.report(['lns', l.name, 'ip_range'], `element ${i} is bad`, { element: i });
      });
    }
  },
});

describe('named tables', () => {
  test('are typed, defaulted and kept in file order', () => {
    expectTypeOf<ConfigOf<typeof ext>['ext']['lns'][number]['weight']>().toEqualTypeOf<number>();
    const r = parseConfig('[lns.z]\nweight = 3\n[lns.a]\nlisten = "[::]:1701"\n', { extension: ext });
    expect(r.ok && r.config.ext.lns).toEqual([
      { name: 'z', listen: '0.0.0.0:1701', weight: 3, ranges: [] },
      { name: 'a', listen: '[::]:1701', weight: 1, ranges: [] },
    ]);
  });

  test('absent, they are an empty array', () => {
    const r = parseConfig('', { extension: ext });
    expect(r.ok && r.config.ext.lns).toEqual([]);
  });

  test('every problem of every table is reported at its own key, array elements at the element', () => {
    const text = [
      '[lns.a]', //                             1
      'weight = 0', //                          2
      'colour = "red"', //                      3
      '[lns.b]', //                             4
      'ip_range = ["ok",', //                   5
      '  "bad", "ok", "bad"]', //               6
      '[lns]', //                               7
      'c = 5', //                               8
    ].join('\n');
    const r = parseConfig(text, { extension: ext, file: 'x.toml' });
    expect(!r.ok && r.issues.map((i) => [i.line, i.column, i.path, i.message])).toEqual([
      [2, 10, 'lns.a.weight', 'expected an integer 1..10 (got 0)'],
      [3, 1, 'lns.a.colour', 'unrecognised parameter colour'],
      [6, 3, 'lns.b.ip_range', 'element 1 is bad'],
      [6, 16, 'lns.b.ip_range', 'element 3 is bad'],
      [8, 5, 'lns.c', 'expected a table [lns.c] (a lns table) (got 5)'],
    ]);
  });

  test('a key of named tables that is not a table is one issue', () => {
    const r = parseConfig('lns = 5\n', { extension: ext });
    expect(!r.ok && r.issues.map((i) => [i.path, i.message])).toEqual([['lns', 'expected named tables [lns.NAME] (got 5)']]);
  });

  test('extensionKeys lists the keys of named tables', () => {
    expect(extensionKeys(ext).tables).toEqual({ lns: ['listen', 'weight', 'ip_range'] });
  });
});

describe('array elements in the locator', () => {
  test('are recorded by index, nested arrays and inline tables included', () => {
    const l = new KeyLocator('a = [1, [2, 3],\n  { b = 4 }]\n');
    expect(l.locate(['a', '0'], 'value')).toEqual({ line: 1, column: 6 });
    expect(l.locate(['a', '1', '1'], 'value')).toEqual({ line: 1, column: 13 });
    expect(l.locate(['a', '2', 'b'], 'value')).toEqual({ line: 2, column: 9 });
    expect(l.locate(['a', '7'], 'value')).toEqual({ line: 1, column: 1 });
  });
});
