/**
 * kl2tpd as an LNS on the real kernel (guest), with real pppd on both sides: kl2tpd serving
 * `[lns.k]` in namespace kB (pppd server, CHAP from chap-secrets), xl2tpd 1.3.18 as LAC in kA
 * (kernel mode, real pppd client), joined by veth. The client's ppp0 gets the first pool address
 * and pings local_ip, a second call the next; kill -9 of our pppd clears the call (CDN) and frees the address; SIGTERM
 * leaves no kernel object and no pppd in kB. Listening on 0.0.0.0 with two addresses in kB, a LAC
 * dialling the second gets its call, and the managed kernel tunnel's socket is bound to that address.
 * A pool of one address refuses the second call with a CDN naming the pool (xl2tpd logs its message),
 * logged and counted in status, and the first call keeps working.
 * Peers and waits: test/fixtures/guest-lns.mjs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scaled } from '../../../scripts/vm/waits.mjs';
import {
  chapSecrets, cleanUp, clientAddress, emptyNamespace, kernelSessions, lnsDaemon, netnsPair, pidsIn, sh, trySh, waitFor, xl2tpdLac,
} from './fixtures/guest-lns.mjs';

beforeAll(() => {
  netnsPair('kA', 'kB', '10.40.0.1/24', '10.40.0.2/24');
  // Both pppds read the guest's chap-secrets (the guest's root is a throwaway overlay).
  chapSecrets();
});
afterAll(cleanUp);
// A failed test must not leave its daemons holding port 1701, pool addresses or kernel tunnels for the next.
afterEach(async () => {
  await emptyNamespace('kA');
  await emptyNamespace('kB');
  await waitFor(() => trySh('ip -n kB l2tp show tunnel') === '', 20_000, 'the kernel tunnels of kB to go');
});

describe('xl2tpd LAC + pppd client → kl2tpd LNS + pppd server (CHAP)', () => {
  it('ppp0 gets the first pool address and pings local_ip, a second call the next; kill -9 of our pppd → CDN, address freed; SIGTERM leaves nothing', async () => {
    const lns = await lnsDaemon({ ns: 'kB', listen: '10.40.0.2:1701' });
    const lac = xl2tpdLac({ ns: 'kA', lns: '10.40.0.2' });
    await waitFor(() => clientAddress('kA') !== undefined, 60_000, 'ppp0 with a pool address in kA', () => `${lns.log()}\n--- xl2tpd\n${lac.log()}`);
    expect(clientAddress('kA')).toBe('10.60.0.10');
    expect(sh('ip netns exec kA ping -c 2 -W 2 10.60.0.1')).toMatch(/2 received/);
    expect(trySh('ip -n kB l2tp show session')).toMatch(/Session \d+ in tunnel \d+/);
    // Our log lines travel through a pipe and may arrive after ppp0 is up: wait for them.
    await waitFor(() => /"assigned_address":"10\.60\.0\.10"[^\n]*LNS call up/.test(lns.log()), 20_000, 'the LNS to log the call up', lns.log);
    // pppd's lines reach our log through a pipe after ppp0 is already up: wait for the line, not the moment.
    await waitFor(() => /pppd: [^\n]*CHAP authentication succeeded|pppd: [^\n]*peer from calling number/.test(lns.log()), 20_000, 'pppd to log the CHAP success', lns.log);
    const firstPppd = pidsIn('kB', 'pppd');
    expect(firstPppd).toHaveLength(1);

    // A second call (a second xl2tpd: one call per [lac], its own port) gets the next address.
    const lac2 = xl2tpdLac({ ns: 'kA', port: 1702, lns: '10.40.0.2' });
    await waitFor(() => clientAddress('kA', 'ppp1') !== undefined, 60_000, 'ppp1 in kA', () => `${lns.log()}\n--- xl2tpd 2\n${lac2.log()}`);
    expect(clientAddress('kA', 'ppp1')).toBe('10.60.0.11');
    expect(sh('ip netns exec kA ping -c 1 -W 2 -I ppp1 10.60.0.1')).toMatch(/1 received/);

    sh(`kill -KILL ${firstPppd[0]}`);
    await waitFor(() => /LNS call down[^\n]*"assigned_address":"10\.60\.0\.10"|"assigned_address":"10\.60\.0\.10"[^\n]*LNS call down/.test(lns.log()), 20_000, 'the call to be cleared', lns.log);
    await waitFor(() => /pppd exited: killed by SIGKILL/.test(lns.log()), 20_000, 'the LNS to log how pppd ended', lns.log);
    // Its kernel session goes; the second call's stays.
    await waitFor(() => kernelSessions('kB') === 1, 10_000, 'the first kernel session to go', lns.log);
    expect((await lns.status())?.pool).toEqual({ size: 11, used: 1, free: 10 });

    lns.child.kill('SIGTERM');
    expect(await lns.exited).toBe(0);
    // The kernel removes a deleted tunnel from a workqueue, maybe after the daemon has exited.
    await waitFor(() => trySh('ip -n kB l2tp show tunnel') === '', 10_000, 'the kernel tunnels to go');
    expect(pidsIn('kB', 'pppd')).toEqual([]);
  }, scaled(300_000));

  it('on 0.0.0.0 with two addresses: a LAC dialling the second gets its call, the kernel tunnel bound to that address', async () => {
    // The first test's LACs and their pppds go (port 1701 and ppp0 in kA must be free).
    await emptyNamespace('kA');
    sh('ip -n kB addr replace 10.40.0.3/24 dev vB');
    const lns = await lnsDaemon({ ns: 'kB', listen: '0.0.0.0:1701' });
    // xl2tpd connects its tunnel socket to 10.40.0.3:1701: a reply from 10.40.0.2 would never reach it.
    const lac = xl2tpdLac({ ns: 'kA', lns: '10.40.0.3' });
    await waitFor(() => clientAddress('kA') !== undefined, 60_000, 'ppp0 with a pool address in kA', () => `${lns.log()}\n--- xl2tpd\n${lac.log()}`);
    expect(sh('ip netns exec kA ping -c 2 -W 2 10.60.0.1')).toMatch(/2 received/);
    expect(trySh('ip -n kB l2tp show tunnel')).toMatch(/From 10\.40\.0\.3 to 10\.40\.0\.1/);
    lns.child.kill('SIGTERM');
    expect(await lns.exited).toBe(0);
  }, scaled(300_000));

  it('a pool of one address: the second call is refused with CDN naming the pool, logged and counted; the first keeps working', async () => {
    await emptyNamespace('kA');
    await waitFor(() => trySh('ip -n kB l2tp show tunnel') === '', 10_000, 'the previous kernel tunnels to go');
    const lns = await lnsDaemon({ ns: 'kB', listen: '10.40.0.2:1701', ipRange: ['10.60.0.10'] });
    const lac = xl2tpdLac({ ns: 'kA', lns: '10.40.0.2' });
    await waitFor(() => clientAddress('kA') !== undefined, 60_000, 'ppp0 with the pool address in kA', () => `${lns.log()}\n--- xl2tpd\n${lac.log()}`);
    expect(clientAddress('kA')).toBe('10.60.0.10');

    const lac2 = xl2tpdLac({ ns: 'kA', port: 1702, lns: '10.40.0.2' });
    // RFC 2661 §4.4.2 CDN result 4; xl2tpd logs the Result Code's message as it arrived.
    const both = () => `${lns.log()}\n--- xl2tpd 2\n${lac2.log()}`;
    await waitFor(() => /Connection closed to 10\.40\.0\.2, serial \d+ \(address pool exhausted\)/.test(lac2.log()), 60_000, 'xl2tpd to log the CDN', both);
    // Our log line travels through a pipe: it may arrive after xl2tpd's.
    await waitFor(() => /"refusal":"pool-exhausted","result":4[^\n]*no free address in ip_range: call refused with CDN/.test(lns.log()), 20_000, 'the refusal in our log', both);
    const l = await lns.status();
    expect(l?.refusals['pool-exhausted']).toBe(1);
    expect(l?.pool).toEqual({ size: 1, used: 1, free: 0 });
    expect(l?.sessionCount).toBe(1);
    // Nothing of the refused call is left: one kernel session, one pppd, no ppp1; the first call still carries traffic.
    await waitFor(() => kernelSessions('kB') === 1, 10_000, "the refused call's kernel session to go", lns.log);
    expect(pidsIn('kB', 'pppd')).toHaveLength(1);
    expect(clientAddress('kA', 'ppp1')).toBeUndefined();
    expect(sh('ip netns exec kA ping -c 2 -W 2 -I ppp0 10.60.0.1')).toMatch(/2 received/);
    lns.child.kill('SIGTERM');
    expect(await lns.exited).toBe(0);
  }, scaled(300_000));
});
