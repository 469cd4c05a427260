// Property tests: the parser never throws, and issue positions point at the offending text
// whatever the layout (quoted names, indentation, comments, blank lines, key order).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseConfig } from '../src/index.js';

const name = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/),
  fc.stringMatching(/^[a-z .#=[\]]{1,8}$/).map((s) => `q${s}`),
);
const pad = fc.stringMatching(/^[ \t]{0,3}$/);
const filler = fc.constantFrom('', '# comment = [x]', '   ', '# [tunnel.fake]');

const tunnelSpec = fc.record({
  name, pad, before: filler, badKey: fc.constantFrom('tid', 'window_size', 'encap', 'host_name'),
  order: fc.boolean(),
});

const quote = (n: string) => (/^[A-Za-z0-9_-]+$/.test(n) ? n : JSON.stringify(n));

describe('properties', () => {
  test('parseConfig never throws, whatever the text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => {
      const r = parseConfig(text, { hostName: 'h' });
      if (!r.ok) for (const i of r.issues) expect(i.line).toBeGreaterThanOrEqual(1);
    }), { numRuns: 300 });
  });

  test('mutations of a valid file never throw', () => {
    const base = '[tunnel.t1]\npeer = "192.0.2.1:1701"\nversion = "l2tpv2"\n[tunnel.t1.session.s1]\npseudowire = "ppp"\ncookie = [1,2,3,4]\n';
    fc.assert(fc.property(fc.nat(base.length), fc.string({ maxLength: 5 }), (at, ins) => {
      expect(() => parseConfig(base.slice(0, at) + ins + base.slice(at), { hostName: 'h' })).not.toThrow();
    }), { numRuns: 300 });
  });

  test('each bad value is reported at its own line and column, tunnels in file order', () => {
    const bad: Record<string, string> = { tid: '"x"', window_size: '1.5', encap: '"gre"', host_name: '7' };
    fc.assert(fc.property(fc.uniqueArray(tunnelSpec, { selector: (t) => t.name, minLength: 1, maxLength: 5 }), (tunnels) => {
      const lines: string[] = [];
      const expected: { path: string; line: number; column: number }[] = [];
      for (const t of tunnels) {
        lines.push(t.before, `${t.pad}[ tunnel . ${quote(t.name)} ]`);
        const body = [`peer = "192.0.2.1:1701"`, `version = "l2tpv2"`];
        const badLine = `${t.badKey} = ${bad[t.badKey]}`;
        for (const l of t.order ? [badLine, ...body] : [...body, badLine]) {
          lines.push(`${t.pad}${l}`);
          if (l === badLine) {
            expected.push({ path: `tunnel.${quote(t.name)}.${t.badKey}`, line: lines.length, column: t.pad.length + t.badKey.length + 4 });
          }
        }
      }
      const r = parseConfig(lines.join('\n'), { hostName: 'h' });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.issues.map(({ path, line, column }) => ({ path, line, column }))).toEqual(expected);
    }), { numRuns: 200 });
  });
});
