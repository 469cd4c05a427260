import { describe, expect, it } from 'vitest';
import { parseQl2tpdConfig, planReload, type Ql2tpdConfig } from '../src/index.js';

const tunnel = (name: string, tid: number, extra = '') =>
  `[tunnel.${name}]\nversion = "l2tpv3"\nlocal = "192.0.2.1:${5000 + tid}"\npeer = "192.0.2.2:${5000 + tid}"\ntid = ${tid}\nptid = ${tid}\n${extra}\n`;
const session = (t: string, name: string, sid: number, extra = '') =>
  `[tunnel.${t}.session.${name}]\npseudowire = "eth"\nsid = ${sid}\npsid = ${sid}\n${extra}\n`;
function cfg(text: string): Ql2tpdConfig {
  const r = parseQl2tpdConfig(text, 'x.toml', { hostName: 'h' });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}
const names = (p: ReturnType<typeof planReload>) => ({
  removeTunnels: p.removeTunnels.map((t) => t.name),
  removeSessions: p.removeSessions.map((x) => `${x.tunnel.name}/${x.session.name}`),
  addTunnels: p.addTunnels.map((t) => t.name),
  addSessions: p.addSessions.map((x) => `${x.tunnel.name}/${x.session.name}`),
  unchanged: [...p.unchanged].sort(),
});

describe('planReload (SIGHUP)', () => {
  const base = tunnel('a', 1) + session('a', 's1', 11) + session('a', 's2', 12, 'cookie = [1,2,3,4]\npeer_cookie = [5,6,7,8]') + tunnel('b', 2) + session('b', 's1', 21);

  it('the same file changes nothing', () => {
    expect(names(planReload(cfg(base), cfg(base)))).toEqual(
      { removeTunnels: [], removeSessions: [], addTunnels: [], addSessions: [], unchanged: ['a', 'a/s1', 'a/s2', 'b', 'b/s1'] });
  });
  it('one session changed (cookie bytes), one unchanged: only the changed one is replaced', () => {
    const after = tunnel('a', 1) + session('a', 's1', 11) + session('a', 's2', 12, 'cookie = [1,2,3,9]\npeer_cookie = [5,6,7,8]') + tunnel('b', 2) + session('b', 's1', 21);
    expect(names(planReload(cfg(base), cfg(after)))).toEqual(
      { removeTunnels: [], removeSessions: ['a/s2'], addTunnels: [], addSessions: ['a/s2'], unchanged: ['a', 'a/s1', 'b', 'b/s1'] });
  });
  it('a tunnel setting changed: the tunnel is recreated with all its sessions', () => {
    const after = tunnel('a', 1, 'hello_timeout = 500') + session('a', 's1', 11) + session('a', 's2', 12, 'cookie = [1,2,3,4]\npeer_cookie = [5,6,7,8]') + tunnel('b', 2) + session('b', 's1', 21);
    expect(names(planReload(cfg(base), cfg(after)))).toEqual(
      { removeTunnels: ['a'], removeSessions: [], addTunnels: ['a'], addSessions: [], unchanged: ['b', 'b/s1'] });
  });
  it('vanished and new tunnels and sessions', () => {
    const after = tunnel('a', 1) + session('a', 's1', 11) + session('a', 's3', 13) + tunnel('c', 3) + session('c', 's1', 31);
    expect(names(planReload(cfg(base), cfg(after)))).toEqual(
      { removeTunnels: ['b'], removeSessions: ['a/s2'], addTunnels: ['c'], addSessions: ['a/s3'], unchanged: ['a', 'a/s1'] });
  });
});
