// The key locator on its own: tables, dotted keys, inline tables, strings that look like syntax.
import { describe, expect, test } from 'vitest';
import { KeyLocator, formatPath } from '../src/locate.js';

const at = (text: string, path: string[], where: 'key' | 'value' = 'key') => new KeyLocator(text).locate(path, where);

describe('KeyLocator', () => {
  test('finds keys under table headers, with value columns', () => {
    const text = '# c\n[tunnel.t1]\n  peer = "1.2.3.4:1701"\n\n[tunnel.t1.session.s1]\ncookie = [1, 2]\n';
    expect(at(text, ['tunnel', 't1'])).toEqual({ line: 2, column: 1 });
    expect(at(text, ['tunnel', 't1', 'peer'])).toEqual({ line: 3, column: 3 });
    expect(at(text, ['tunnel', 't1', 'peer'], 'value')).toEqual({ line: 3, column: 10 });
    expect(at(text, ['tunnel', 't1', 'session', 's1', 'cookie'], 'value')).toEqual({ line: 6, column: 10 });
  });

  test('a missing key falls back to its nearest written table', () => {
    const text = '[tunnel.t1]\npeer = "x:1"\n[tunnel.t1.session.s1]\n';
    expect(at(text, ['tunnel', 't1', 'version'])).toEqual({ line: 1, column: 1 });
    expect(at(text, ['tunnel', 't1', 'session', 's1', 'pseudowire'])).toEqual({ line: 3, column: 1 });
    expect(at('', ['tunnel'])).toEqual({ line: 1, column: 1 });
  });

  test('implied tables are recorded at their first mention', () => {
    const text = '\n\n[tunnel.t1.session.s1]\nsid = 1\n[tunnel.t1]\npeer = "a:1"\n';
    expect(at(text, ['tunnel', 't1'])).toEqual({ line: 3, column: 1 });
    expect(at(text, ['tunnel', 't1', 'peer'])).toEqual({ line: 6, column: 1 });
  });

  test('dotted keys at top level and inside tables', () => {
    const text = 'tunnel.t1.peer = "a:1"\n[tunnel.t2]\nsession.s9.sid = 5\n';
    expect(at(text, ['tunnel', 't1', 'peer'])).toEqual({ line: 1, column: 11 });
    expect(at(text, ['tunnel', 't1'])).toEqual({ line: 1, column: 1 });
    expect(at(text, ['tunnel', 't2', 'session', 's9', 'sid'], 'value')).toEqual({ line: 3, column: 18 });
    expect(at(text, ['tunnel', 't2', 'session', 's9'])).toEqual({ line: 3, column: 1 });
  });

  test('inline tables, nested, on one line and across array lines', () => {
    const text = '[tunnel]\nt1 = { peer = "a:1", session = { s1 = { sid = 7, cookie = [\n 1, 2,\n 3, 4] } } }\n';
    expect(at(text, ['tunnel', 't1'])).toEqual({ line: 2, column: 1 });
    expect(at(text, ['tunnel', 't1', 'peer'], 'value')).toEqual({ line: 2, column: 15 });
    expect(at(text, ['tunnel', 't1', 'session', 's1', 'sid'])).toEqual({ line: 2, column: 41 });
    expect(at(text, ['tunnel', 't1', 'session', 's1', 'cookie'])).toEqual({ line: 2, column: 50 });
  });

  test('quoted keys, and strings or comments containing brackets, equals and quotes', () => {
    const text = [
      '[tunnel."t.1"] # [tunnel.fake]',
      "host_name = 'a = [b]' # x = 1",
      'peer = "q\\"[x]=1"',
      'notes = """',
      '[tunnel.inside]',
      'x = 1"""',
      'after = 2',
    ].join('\n');
    const l = new KeyLocator(text);
    expect(l.locate(['tunnel', 't.1', 'host_name'])).toEqual({ line: 2, column: 1 });
    expect(l.locate(['tunnel', 't.1', 'peer'])).toEqual({ line: 3, column: 1 });
    expect(l.locate(['tunnel', 't.1', 'after'])).toEqual({ line: 7, column: 1 });
    expect(l.exact(['tunnel', 'fake'])).toBeUndefined();
    expect(l.exact(['tunnel', 'inside'])).toBeUndefined();
    expect(l.exact(['x'])).toBeUndefined();
    expect(l.paths()).toEqual(['tunnel', 'tunnel."t.1"', 'tunnel."t.1".host_name', 'tunnel."t.1".peer', 'tunnel."t.1".notes', 'tunnel."t.1".after']);
  });

  test('CRLF line endings and tabs', () => {
    const text = '[tunnel.t1]\r\n\tpeer\t=\t"a:1"\r\n';
    expect(at(text, ['tunnel', 't1', 'peer'])).toEqual({ line: 2, column: 2 });
    expect(at(text, ['tunnel', 't1', 'peer'], 'value')).toEqual({ line: 2, column: 9 });
  });

  test('position() maps offsets to 1-based lines and columns', () => {
    const l = new KeyLocator('ab\ncd\n\nef');
    expect([0, 1, 2, 3, 5, 6, 7, 8].map((o) => l.position(o))).toEqual([
      { line: 1, column: 1 }, { line: 1, column: 2 }, { line: 1, column: 3 }, { line: 2, column: 1 },
      { line: 2, column: 3 }, { line: 3, column: 1 }, { line: 4, column: 1 }, { line: 4, column: 2 },
    ]);
  });

  test('formatPath quotes segments that are not bare keys', () => {
    expect(formatPath(['tunnel', 't1', 'session', 'my s', 'sid'])).toBe('tunnel.t1.session."my s".sid');
  });
});
