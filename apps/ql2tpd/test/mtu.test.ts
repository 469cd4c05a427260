import { describe, expect, it } from 'vitest';
import { encapsulationOverhead, parseQl2tpdConfig, sessionMtu } from '../src/index.js';

function pw(tunnelKeys: string, sessionKeys = '') {
  const r = parseQl2tpdConfig(`[tunnel.t]\nversion = "l2tpv3"\ntid = 1\nptid = 2\n${tunnelKeys}\n[tunnel.t.session.s]\npseudowire = "eth"\nsid = 3\npsid = 4\n${sessionKeys}\n`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return [r.config.tunnels[0]!, r.config.tunnels[0]!.sessions[0]!] as const;
}

describe('pseudowire MTU', () => {
  it.each([
    // outer IP + UDP + L2TPv3 (4 + 4 + cookie) + L2SS + Ethernet 14
    ['udp v4, no cookie', 'local = "192.0.2.1:5000"\npeer = "192.0.2.2:5000"', '', 20 + 8 + 8 + 14, 1450],
    ['udp v4, 8-byte cookie, L2SS', 'local = "192.0.2.1:5000"\npeer = "192.0.2.2:5000"',
      'cookie = [1,2,3,4,5,6,7,8]\npeer_cookie = [1,2,3,4,5,6,7,8]\nl2spec_type = "default"', 20 + 8 + 16 + 4 + 14, 1438],
    ['ip v4, 4-byte cookie', 'encap = "ip"\nlocal = "192.0.2.1"\npeer = "192.0.2.2"', 'cookie = [1,2,3,4]\npeer_cookie = [5,6,7,8]', 20 + 8 + 14, 1458],
    ['udp v6', 'local = "[2001:db8::1]:5000"\npeer = "[2001:db8::2]:5000"', '', 40 + 8 + 8 + 14, 1430],
  ])('%s', (_name, t, s, overhead, mtu) => {
    const [tunnel, session] = pw(t, s);
    expect(encapsulationOverhead(tunnel, session)).toBe(overhead);
    expect(sessionMtu(tunnel, session)).toBe(mtu);
  });
  it('the mtu key wins, and the underlying MTU can be larger', () => {
    const [tunnel, session] = pw('local = "192.0.2.1:5000"\npeer = "192.0.2.2:5000"', 'mtu = 1400');
    expect(sessionMtu(tunnel, session)).toBe(1400);
    const [t2, s2] = pw('local = "192.0.2.1:5000"\npeer = "192.0.2.2:5000"');
    expect(sessionMtu(t2, s2, 9000)).toBe(8950);
  });
});
