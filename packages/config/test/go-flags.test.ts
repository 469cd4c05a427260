import { describe, expect, it } from 'vitest';
import { normalizeGoFlags } from '../src/index.js';

const bools = ['verbose', 'null'];
const values = ['config'];

describe('normalizeGoFlags', () => {
  it('rewrites the Go single-dash forms NetworkManager-l2tp and go-l2tp users type', () => {
    expect(normalizeGoFlags(['-config', '/run/nm/kl2tpd.conf', '-verbose'], bools, values))
      .toEqual(['--config', '/run/nm/kl2tpd.conf', '--verbose']);
    expect(normalizeGoFlags(['-config=/a b.toml', '-null'], bools, values)).toEqual(['--config=/a b.toml', '--null']);
  });
  it('leaves double-dash, short, unknown and post-terminator words alone', () => {
    expect(normalizeGoFlags(['--config', 'x', '-h', '-bogus', '--', '-config'], bools, values))
      .toEqual(['--config', 'x', '-h', '-bogus', '--', '-config']);
  });
  it('does not rewrite a flag value that happens to look like a flag', () => {
    expect(normalizeGoFlags(['--config', '-null'], bools, values)).toEqual(['--config', '-null']);
  });
});

describe('normalizeGoFlags: Go boolean values', () => {
  it('accepts -name=true and -name=false in every strconv.ParseBool spelling; the last one wins', () => {
    for (const t of ['true', '1', 't', 'T', 'TRUE', 'True']) expect(normalizeGoFlags([`-verbose=${t}`], bools, values)).toEqual(['--verbose']);
    for (const f of ['false', '0', 'f', 'F', 'FALSE', 'False']) expect(normalizeGoFlags([`-verbose=${f}`], bools, values)).toEqual([]);
    expect(normalizeGoFlags(['-verbose', '-null=true', '--verbose=false'], bools, values)).toEqual(['--null']);
    expect(normalizeGoFlags(['-verbose=false', '-verbose'], bools, values)).toEqual(['--verbose']);
  });
  it('leaves another value for the parser to refuse', () => {
    expect(normalizeGoFlags(['-verbose=yes'], bools, values)).toEqual(['--verbose=yes']);
  });
});
