/**
 * The guest itself (scripts/vm): the kernel has the L2TP netlink family, PPP, network namespaces and
 * veth, and the `ip l2tp` reference implementation passes traffic over an L2TPv3 Ethernet
 * pseudowire between two namespaces. If this fails, no other kernel suite means anything.
 */
import { execSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';

const sh = (cmd: string) => execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('kernel test guest', () => {
  afterAll(() => { try { sh('ip netns del gA; ip netns del gB'); } catch { /* already gone */ } });

  it('runs inside the guest, with the l2tp generic netlink family and /dev/ppp', () => {
    expect(process.env['L2TP_IN_GUEST']).toBe('1');
    expect(sh('cat /proc/modules')).toMatch(/^l2tp_netlink /m);
    expect(sh('ip l2tp show tunnel')).toBe('');
    expect(sh('ls -l /dev/ppp')).toMatch(/^c.* 108, +0 /);
  });

  it('two namespaces joined by veth, and an ip l2tp v3 eth pseudowire across them that passes ping', () => {
    sh(`ip netns add gA; ip netns add gB
      ip link add vA netns gA type veth peer name vB netns gB
      ip -n gA addr add 10.9.0.1/24 dev vA; ip -n gA link set vA up; ip -n gA link set lo up
      ip -n gB addr add 10.9.0.2/24 dev vB; ip -n gB link set vB up; ip -n gB link set lo up`);
    expect(sh('ip netns exec gA ping -c 1 -W 2 10.9.0.2')).toMatch(/1 received/);
    sh(`ip -n gA l2tp add tunnel tunnel_id 10 peer_tunnel_id 20 encap udp local 10.9.0.1 remote 10.9.0.2 udp_sport 5000 udp_dport 5000
      ip -n gA l2tp add session name pwA tunnel_id 10 session_id 1 peer_session_id 2
      ip -n gB l2tp add tunnel tunnel_id 20 peer_tunnel_id 10 encap udp local 10.9.0.2 remote 10.9.0.1 udp_sport 5000 udp_dport 5000
      ip -n gB l2tp add session name pwB tunnel_id 20 session_id 2 peer_session_id 1
      ip -n gA addr add 10.10.0.1/24 dev pwA; ip -n gA link set pwA up
      ip -n gB addr add 10.10.0.2/24 dev pwB; ip -n gB link set pwB up`);
    expect(sh('ip -n gA l2tp show session')).toMatch(/Session 1 in tunnel 10/);
    expect(sh('ip netns exec gA ping -c 2 -W 2 10.10.0.2')).toMatch(/2 received/);
  });
});
