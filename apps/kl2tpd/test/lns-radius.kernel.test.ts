/**
 * kl2tpd as an LNS with RADIUS on the real kernel (guest): FreeRADIUS 3.2 (Debian `freeradius`,
 * test/fixtures/freeradius.mjs) on 127.0.0.1 in namespace radB next to kl2tpd serving `[lns.k]`;
 * the LNS's pppd loads pppd's RADIUS plugin (`plugin radius.so`, `radius-config-file`) configured
 * with the shipped examples (configs/examples/kl2tpd-radiusclient.conf, kl2tpd-radius-dictionary;
 * paths and server replaced). xl2tpd 1.3.18 as LAC with its pppd client `alice` in radA.
 * chap-secrets is empty: only FreeRADIUS can authenticate the client, and its users entry also
 * requires Calling-Station-Id = the LAC's address (what kl2tpd passes as pppd's `remotenumber`).
 * - CHAP-MD5: the client gets the first pool address and pings; Accounting-Start reaches FreeRADIUS
 *   with Framed-IP-Address = that address and Calling-Station-Id = the LAC's address; the client
 *   hanging up gives Accounting-Stop with the same, the call cleared and the address freed.
 * - A wrong password: Access-Reject, our pppd ends, the call is cleared and the address freed.
 * - MS-CHAPv2 (what Windows, macOS, iOS and Android L2TP clients use) through RADIUS: address, ping.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaled } from '../../../scripts/vm/waits.mjs';
import { freeradius } from './fixtures/freeradius.mjs';
import {
  chapSecrets, cleanUp, clientAddress, emptyNamespace, LINK_OPTIONS, lnsDaemon, netnsPair, pidsIn, sh, waitFor, xl2tpdLac,
} from './fixtures/guest-lns.mjs';

const EXAMPLES = new URL('../../../configs/examples/', import.meta.url).pathname;
const LAC_ADDRESS = '10.41.0.1';
const SECRET = 'radius-test-secret';
// FreeRADIUS users file: alice's password, and a check item: the Access-Request must carry her LAC's address.
const USERS = `alice Cleartext-Password := "s3cret", Calling-Station-Id == "${LAC_ADDRESS}"\n\tService-Type = Framed-User,\n\tFramed-Protocol = PPP\n`;

let radius: Awaited<ReturnType<typeof freeradius>>;
let lns: Awaited<ReturnType<typeof lnsDaemon>>;

/** The example radiusclient files, pointed at `dir` and at FreeRADIUS on 127.0.0.1; the path of radiusclient.conf. */
function radiusClientConfig(dir: string): string {
  const conf = readFileSync(join(EXAMPLES, 'kl2tpd-radiusclient.conf'), 'utf8')
    .replaceAll('radius.example.net', '127.0.0.1').replaceAll('/etc/kl2tpd/', `${dir}/`).replaceAll('/run/kl2tpd/', `${dir}/`)
    .replace(`${dir}/radius-dictionary`, join(EXAMPLES, 'kl2tpd-radius-dictionary'));
  writeFileSync(join(dir, 'radiusclient.conf'), conf);
  writeFileSync(join(dir, 'radius-servers'), `127.0.0.1\t${SECRET}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'radius-port-id-map'), '');
  return join(dir, 'radiusclient.conf');
}

beforeAll(async () => {
  netnsPair('radA', 'radB', `${LAC_ADDRESS}/24`, '10.41.0.2/24');
  chapSecrets([]);
  radius = await freeradius({ ns: 'radB', secret: SECRET, users: USERS });
  const conf = radiusClientConfig(radius.dir);
  // MS-CHAPv2 offered first, CHAP-MD5 when the client refuses it (pppd negotiates in that order).
  lns = await lnsDaemon({
    ns: 'radB', listen: '10.41.0.2:1701',
    pppOptions: ['auth', 'require-mschap-v2', 'require-chap', 'refuse-pap', ...LINK_OPTIONS, 'plugin radius.so', `radius-config-file ${conf}`],
  });
}, scaled(300_000));
afterAll(cleanUp);

const logs = (lac?: { log: () => string }) => () => `${lns.log()}\n--- FreeRADIUS\n${radius.log().slice(-8000)}${lac ? `\n--- xl2tpd\n${lac.log()}` : ''}`;
const callDown = (address: string) => new RegExp(`LNS call down[^\\n]*"assigned_address":"${address.replaceAll('.', '\\.')}"|"assigned_address":"${address.replaceAll('.', '\\.')}"[^\\n]*LNS call down`);
const CHAP_MD5_ONLY = ['refuse-mschap-v2', 'refuse-mschap', 'refuse-eap'];

describe('kl2tpd LNS + pppd radius.so → FreeRADIUS', () => {
  it('CHAP through RADIUS: pool address, ping; Accounting-Start and -Stop carry Framed-IP-Address and Calling-Station-Id', async () => {
    const lac = xl2tpdLac({ ns: 'radA', lns: '10.41.0.2', clientOptions: ['password s3cret', ...CHAP_MD5_ONLY] });
    await waitFor(() => clientAddress('radA') !== undefined, 90_000, 'ppp0 with a pool address in radA', logs(lac));
    expect(clientAddress('radA')).toBe('10.60.0.10');
    expect(sh('ip netns exec radA ping -c 2 -W 2 10.60.0.1')).toMatch(/2 received/);
    await waitFor(() => /Sent Access-Accept/.test(radius.log()), 30_000, 'FreeRADIUS to log its Access-Accept', logs(lac));
    expect(radius.log()).not.toMatch(/Sent Access-Reject/);

    // Accounting-Start is sent when IPCP is up: wait for its record, not for a moment.
    await waitFor(() => radius.detail().some((r) => r['Acct-Status-Type'] === 'Start'), 30_000, 'Accounting-Start in the detail file', logs(lac));
    const start = radius.detail().find((r) => r['Acct-Status-Type'] === 'Start')!;
    expect(start).toMatchObject({ 'User-Name': 'alice', 'Framed-IP-Address': '10.60.0.10', 'Calling-Station-Id': LAC_ADDRESS, 'NAS-Identifier': 'lns.example.net' });

    // The client hangs up (its pppd ends the link with LCP Terminate-Request): Accounting-Stop, CDN, the address back.
    const client = pidsIn('radA', 'pppd');
    expect(client).toHaveLength(1);
    sh(`kill -TERM ${client[0]}`);
    await waitFor(() => radius.detail().some((r) => r['Acct-Status-Type'] === 'Stop'), 60_000, 'Accounting-Stop in the detail file', logs(lac));
    const stop = radius.detail().find((r) => r['Acct-Status-Type'] === 'Stop')!;
    expect(stop).toMatchObject({
      'User-Name': 'alice', 'Framed-IP-Address': '10.60.0.10', 'Calling-Station-Id': LAC_ADDRESS, 'Acct-Session-Id': start['Acct-Session-Id'],
    });
    expect(Number(stop['Acct-Output-Octets'])).toBeGreaterThan(0);
    await waitFor(() => callDown('10.60.0.10').test(lns.log()), 60_000, 'the LNS to clear the call', logs(lac));
    await waitFor(async () => (await lns.status())?.pool?.used === 0, 20_000, 'the address back in the pool', logs(lac));
    await waitFor(() => pidsIn('radB', 'pppd').length === 0, 20_000, 'our pppd to exit', logs(lac));
  }, scaled(300_000));

  it('a wrong password is rejected by FreeRADIUS: no address, our pppd ends, the call cleared and the address freed', async () => {
    await emptyNamespace('radA');
    const downs = () => (lns.log().match(/LNS call down/g) ?? []).length;
    const before = downs();
    // Its own port: the LNS still holds the first xl2tpd's tunnel from 10.41.0.1:1701 (killed without StopCCN; HELLO
    // clears it later), and a second tunnel from one address and port is refused (the NAT clash).
    const lac = xl2tpdLac({ ns: 'radA', port: 1702, lns: '10.41.0.2', clientOptions: ['password wrong', ...CHAP_MD5_ONLY] });
    await waitFor(() => /Sent Access-Reject/.test(radius.log()), 90_000, 'FreeRADIUS to reject the call', logs(lac));
    await waitFor(() => downs() > before, 60_000, 'the LNS to clear the rejected call', logs(lac));
    // pppd's exit status 11 (EXIT_PEER_AUTH_FAILED), as the CDN's message and our log line say.
    expect(lns.log()).toMatch(/pppd exited: the peer failed to authenticate itself/);
    expect(clientAddress('radA')).toBeUndefined();
    await waitFor(async () => (await lns.status())?.pool?.used === 0, 20_000, 'the address back in the pool', logs(lac));
    await waitFor(() => pidsIn('radB', 'pppd').length === 0, 20_000, 'our pppd to exit', logs(lac));
  }, scaled(300_000));

  it('MS-CHAPv2 through RADIUS: pool address and ping', async () => {
    await emptyNamespace('radA');
    const lac = xl2tpdLac({ ns: 'radA', port: 1703, lns: '10.41.0.2', clientOptions: ['password s3cret', 'refuse-chap', 'refuse-mschap', 'refuse-eap'] });
    await waitFor(() => clientAddress('radA') !== undefined, 90_000, 'ppp0 with a pool address in radA', logs(lac));
    expect(clientAddress('radA')).toBe('10.60.0.10');
    expect(sh('ip netns exec radA ping -c 2 -W 2 10.60.0.1')).toMatch(/2 received/);
    // FreeRADIUS checked an MS-CHAP2-Response (RFC 2548) and answered with MS-CHAP2-Success (the calls before were CHAP-MD5).
    await waitFor(() => /MS-CHAP2-Success/.test(radius.log()), 30_000, 'FreeRADIUS to accept MS-CHAPv2', logs(lac));
    expect(radius.log()).toMatch(/Received Access-Request[^\n]*\n(?:[^\n]*\n)*?[^\n]*MS-CHAP2-Response = /);
  }, scaled(300_000));
});
