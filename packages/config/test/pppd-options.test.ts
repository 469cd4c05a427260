// pppd options files split by pppd's getword() rules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parsePppdOptions } from '../src/index.js';

const words = (text: string) => {
  const r = parsePppdOptions(text);
  if (!r.ok) throw new Error(`${r.line}: ${r.message}`);
  return r.words;
};

describe('parsePppdOptions', () => {
  test('the NetworkManager-l2tp ppp-options example', () => {
    const text = readFileSync(join(import.meta.dirname, '..', '..', '..', 'configs', 'examples', 'nm-l2tp', 'ppp-options'), 'utf8');
    const w = words(text);
    expect(w.slice(0, 2)).toEqual(['ipparam', 'nm-l2tp-service-6ab2c4a1-9a7e-4d2b-8f0e-2c1d5e9b7a31']);
    expect(w).toContain('nodetach');
    expect(w.slice(w.indexOf('user'), w.indexOf('user') + 2)).toEqual(['user', 'alice']);
    expect(w.slice(-6)).toEqual(['plugin', '/usr/lib/pppd/2.4.9/nm-l2tp-pppd-plugin.so', 'mru', '1400', 'mtu', '1400']);
  });

  test('white space, comments, quotes mid-word', () => {
    expect(words('noauth  10.0.0.1:10.0.0.2\n# all of this = "ignored"\n\tmtu 1400 # trailing\n')).toEqual(['noauth', '10.0.0.1:10.0.0.2', 'mtu', '1400']);
    expect(words(`user "John Smith" password 'a b#c' name x"y z"w`)).toEqual(['user', 'John Smith', 'password', 'a b#c', 'name', 'xy zw']);
    expect(words('a#b "#not" ""')).toEqual(['a#b', '#not', '']);
  });

  test('escapes and line continuations', () => {
    expect(words('a\\sb c\\\\d \\"q\\" \\101\\x42\\^A')).toEqual(['a b', 'c\\d', '"q"', 'AB\x01']);
    expect(words('one\\\ntwo three')).toEqual(['onetwo', 'three']);
    expect(words('"multi\nline" next')).toEqual(['multi\nline', 'next']);
  });

  test('an unterminated quote is an error at the line it starts', () => {
    expect(parsePppdOptions('noauth\nuser "alice\nmtu 1400\n')).toEqual({ ok: false, line: 2, message: 'unterminated " quote' });
  });

  test('empty and comment-only files have no words', () => {
    expect(words('')).toEqual([]);
    expect(words('# only a comment\n\n')).toEqual([]);
  });
});
