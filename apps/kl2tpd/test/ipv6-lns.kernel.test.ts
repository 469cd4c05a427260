/**
 * IPv6 outer addresses on the real kernel (guest), namespaces 6A and 6B joined by veth with IPv6
 * addresses only for L2TP, real pppd on both sides:
 * - kl2tpd as LAC against our LNS role built from the library (L2tpContext.listen +
 *   NetlinkDataPlane + pppd on a PPPoL2TP socket, test/fixtures/kernel-lns.mjs): ppp0 up, ping.
 * - kl2tpd as LAC (pppd client `alice`) against kl2tpd serving `[lns.k]` on `[fd01::2]:1701`
 *   (pppd server, CHAP from chap-secrets): the first pool address, ping, the kernel tunnel between
 *   the two IPv6 addresses, status naming the IPv6 peer; the LAC's SIGTERM clears the call and
 *   frees the address; the LNS's SIGTERM leaves no tunnel. The LAC is our kl2tpd, not xl2tpd:
 *   xl2tpd 1.3.18 is IPv4-only (its sockets are AF_INET, `lns =` is resolved to an IPv4 address).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scaled, waitForOutput } from '../../../scripts/vm/waits.mjs';
import {
  chapSecrets, cleanUp, clientAddress, emptyNamespace, kl2tpdLac, lnsDaemon, netnsPair, pidsIn, sh, startIn, trySh, waitFor,
} from './fixtures/guest-lns.mjs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LNS = new URL('./fixtures/kernel-lns.mjs', import.meta.url).pathname;
beforeAll(() => {
  netnsPair('s6A', 's6B', 'fd01::1/64', 'fd01::2/64');
  chapSecrets();
});
afterAll(cleanUp);

it('kl2tpd ↔ our kernel LNS over IPv6: ppp0 up on both sides and ping across', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kl2tpd-v6-'));
  writeFileSync(join(dir, 'options'), 'noauth\nnoccp\nnodefaultroute\nlcp-echo-interval 0\nmtu 1400\nmru 1400\n');
  const lns = startIn('s6B', [process.execPath, LNS, 'fd01::2', '1701', '10.80.0.1:10.80.0.2', join(dir, 'options')]);
  await waitForOutput(lns.child, /listening/, 20_000, 'the LNS to listen');
  writeFileSync(join(dir, 'k.toml'), `control_socket = "${dir}/k.sock"\n[tunnel.t6]\npeer = "[fd01::2]:1701"\nversion = "l2tpv2"\n[tunnel.t6.session.s1]\npseudowire = "ppp"\npppd_args = "${dir}/options"\n`);
  const k = startIn('s6A', [process.execPath, new URL('../dist/main.js', import.meta.url).pathname, '-config', join(dir, 'k.toml'), '--log-format', 'json']);
  const logs = () => `${k.log()}\n${lns.log()}`;
  await waitFor(() => /inet 10\.80\.0\.2/.test(trySh('ip -n s6A addr show ppp0 2>/dev/null')), 30_000, 'ppp0 with 10.80.0.2 in s6A', logs);
  expect(trySh('ip -n s6A l2tp show tunnel')).toMatch(/From fd01::1 to fd01::2/);
  expect(sh('ip netns exec s6A ping -c 2 -W 2 10.80.0.1')).toMatch(/2 received/);
  k.child.kill('SIGTERM');
  expect(await k.exited).toBe(0);
  // The kernel removes a deleted tunnel from a workqueue, maybe after the daemon has exited.
  await waitFor(() => trySh('ip -n s6A l2tp show tunnel') === '', 5000, 'the kernel tunnel to go');
  // The library LNS fixture is done; the next test empties s6B (its pppd too).
  lns.child.kill('SIGKILL');
}, scaled(90_000));

it('kl2tpd LAC + pppd client → kl2tpd LNS on [fd01::2]:1701 + pppd server (CHAP): pool address, ping, CDN frees it, SIGTERM leaves nothing', async () => {
  await emptyNamespace('s6B');
  await waitFor(() => trySh('ip -n s6A l2tp show tunnel') === '' && trySh('ip -n s6B l2tp show tunnel') === '', 10_000, 'the first test\'s tunnels to go');
  const lns = await lnsDaemon({ ns: 's6B', listen: '[fd01::2]:1701' });
  const lac = kl2tpdLac({ ns: 's6A', peer: '[fd01::2]:1701' });
  const logs = () => `${lns.log()}\n--- kl2tpd LAC\n${lac.log()}`;
  await waitFor(() => clientAddress('s6A') !== undefined, 60_000, 'ppp0 with a pool address in s6A', logs);
  expect(clientAddress('s6A')).toBe('10.60.0.10');
  expect(sh('ip netns exec s6A ping -c 2 -W 2 10.60.0.1')).toMatch(/2 received/);
  expect(trySh('ip -n s6B l2tp show tunnel')).toMatch(/From fd01::2 to fd01::1/);
  await waitFor(() => /pppd: [^\n]*CHAP authentication succeeded|pppd: [^\n]*peer from calling number fd01::1/.test(lns.log()), 20_000, 'pppd to log the CHAP success', logs);
  const l = await lns.status();
  expect(l?.listen).toBe('[fd01::2]:1701');
  expect(l?.tunnels[0]?.peer).toMatch(/^\[fd01::1\]:\d+$/);
  expect(l?.tunnels[0]?.sessions[0]?.assignedAddress).toBe('10.60.0.10');

  // The LAC hangs up (CDN, StopCCN): the LNS stops its pppd and takes the address back.
  lac.child.kill('SIGTERM');
  expect(await lac.exited).toBe(0);
  await waitFor(() => /"assigned_address":"10\.60\.0\.10"[^\n]*LNS call down|LNS call down[^\n]*"assigned_address":"10\.60\.0\.10"/.test(lns.log()), 30_000, 'the LNS to clear the call', logs);
  await waitFor(async () => (await lns.status())?.pool?.used === 0, 10_000, 'the address back in the pool', logs);
  await waitFor(() => pidsIn('s6B', 'pppd').length === 0, 10_000, 'our pppd to go', logs);
  lns.child.kill('SIGTERM');
  expect(await lns.exited).toBe(0);
  await waitFor(() => trySh('ip -n s6B l2tp show tunnel') === '', 10_000, 'the kernel tunnel to go');
}, scaled(300_000));
