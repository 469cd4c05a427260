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
