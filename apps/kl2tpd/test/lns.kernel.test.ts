/**
 * kl2tpd as an LNS on the real kernel (guest), with real pppd on both sides: kl2tpd serving
 * `[lns.k]` in namespace kB (pppd server, CHAP from chap-secrets), xl2tpd 1.3.18 as LAC in kA
 * (kernel mode, real pppd client), joined by veth. The client's ppp0 gets the first pool address
 * and pings local_ip, a second call the next; kill -9 of our pppd clears the call (CDN) and frees the address; SIGTERM
 * leaves no kernel object and no pppd in kB. Listening on 0.0.0.0 with two addresses in kB, a LAC
 * dialling the second gets its call, and the managed kernel tunnel's socket is bound to that address.
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = new URL('../dist/main.js', import.meta.url).pathname;
const sh = (cmd: string) => execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const trySh = (cmd: string) => { try { return sh(cmd); } catch (e) { return String((e as { stdout?: string }).stdout ?? ''); } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, ms: number, what: string, log = () => ''): Promise<void> {
  for (const t0 = Date.now(); !check(); await sleep(200)) if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}\n${log()}`);
}

const children: ChildProcess[] = [];
beforeAll(() => {
  sh(`ip netns add kA; ip netns add kB
    ip link add vA netns kA type veth peer name vB netns kB
    ip -n kA addr add 10.40.0.1/24 dev vA; ip -n kA link set vA up; ip -n kA link set lo up
    ip -n kB addr add 10.40.0.2/24 dev vB; ip -n kB link set vB up; ip -n kB link set lo up`);
  // Both pppds read the guest's chap-secrets (the guest's root is a throwaway overlay).
  sh('mkdir -p /etc/ppp');
  writeFileSync('/etc/ppp/chap-secrets', 'alice l2tpd s3cret *\nl2tpd alice s3cret *\n');
});
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  trySh('ip netns pids kA | xargs -r kill -KILL; ip netns pids kB | xargs -r kill -KILL');
  trySh('ip netns del kA; ip netns del kB');
});

function lnsDaemon(listen = '10.40.0.2:1701') {
  const dir = mkdtempSync(join(tmpdir(), 'kl2tpd-lns-k-'));
  writeFileSync(join(dir, 'options.lns'), 'auth\nrequire-chap\nrefuse-pap\nnoccp\nnodefaultroute\nlcp-echo-interval 0\nmtu 1400\nmru 1400\n');
  writeFileSync(join(dir, 'k.toml'), `control_socket = "${dir}/k.sock"\n[lns.k]\nlisten = "${listen}"\nhost_name = "kl2tpd-lns"\n` +
    `local_ip = "10.60.0.1"\nip_range = ["10.60.0.10-10.60.0.20"]\nppp_name = "l2tpd"\npppd_args = "${dir}/options.lns"\n`);
  const child = spawn('ip', ['netns', 'exec', 'kB', process.execPath, MAIN, '-config', join(dir, 'k.toml'), '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => { log += d; });
  const exited = new Promise<number | null>((r) => child.once('close', (c) => r(c)));
  children.push(child);
  return { child, exited, log: () => log };
}

function xl2tpdLac(port = 1701, lns = '10.40.0.2') {
  const dir = mkdtempSync(join(tmpdir(), 'xl2tpd-lac-k-'));
  writeFileSync(join(dir, 'options'), 'noauth\nname alice\nremotename l2tpd\nnoipdefault\nnoccp\nnodefaultroute\nlcp-echo-interval 0\nmtu 1400\nmru 1400\n');
  writeFileSync(join(dir, 'xl2tpd.conf'), `[global]\nport = ${port}\naccess control = no\n\n[lac lns]\nlns = ${lns}\nautodial = yes\n` +
    `redial = no\nlength bit = yes\nhostname = xl2tpd-lac\npppoptfile = ${dir}/options\n`);
  const child = spawn('ip', ['netns', 'exec', 'kA', 'xl2tpd', '-D', '-c', join(dir, 'xl2tpd.conf'), '-p', join(dir, 'pid'), '-C', join(dir, 'ctl')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => { log += d; });
  child.stderr!.on('data', (d) => { log += d; });
  children.push(child);
  return { child, log: () => log };
}

const clientAddress = (dev = 'ppp0') => /inet (10\.60\.0\.\d+)/.exec(trySh(`ip -n kA addr show ${dev} 2>/dev/null`))?.[1];
const pidsIn = (ns: string, comm: string) => trySh(`ip netns pids ${ns} | xargs -r ps -o pid=,comm= -p`).split('\n')
  .map((l) => l.trim().split(/\s+/)).filter((f) => f[1] === comm).map((f) => Number(f[0]));

describe('xl2tpd LAC + pppd client → kl2tpd LNS + pppd server (CHAP)', () => {
  it('ppp0 gets the first pool address and pings local_ip, a second call the next; kill -9 of our pppd → CDN, address freed; SIGTERM leaves nothing', async () => {
    const lns = lnsDaemon();
    // node can take 20 s to start in the emulated guest: wait for the listener as an event.
    await until(() => /LNS listening/.test(lns.log()), 120_000, 'kl2tpd to listen', lns.log);
    const lac = xl2tpdLac();
    await until(() => clientAddress() !== undefined, 60_000, 'ppp0 with a pool address in kA', () => `${lns.log()}\n--- xl2tpd\n${lac.log()}`);
    expect(clientAddress()).toBe('10.60.0.10');
    expect(sh('ip netns exec kA ping -c 2 -W 2 10.60.0.1')).toMatch(/2 received/);
    expect(trySh('ip -n kB l2tp show session')).toMatch(/Session \d+ in tunnel \d+/);
    expect(lns.log()).toMatch(/"assigned_address":"10\.60\.0\.10"[^\n]*LNS call up/);
    // pppd's lines reach our log through a pipe after ppp0 is already up: wait for the line, not the moment.
    await until(() => /pppd: [^\n]*CHAP authentication succeeded|pppd: [^\n]*peer from calling number/.test(lns.log()), 20_000, 'pppd to log the CHAP success', lns.log);
    const firstPppd = pidsIn('kB', 'pppd');
    expect(firstPppd).toHaveLength(1);

    // A second call (a second xl2tpd: one call per [lac], its own port) gets the next address.
    const lac2 = xl2tpdLac(1702);
    await until(() => clientAddress('ppp1') !== undefined, 60_000, 'ppp1 in kA', () => `${lns.log()}\n--- xl2tpd 2\n${lac2.log()}`);
    expect(clientAddress('ppp1')).toBe('10.60.0.11');
    expect(sh('ip netns exec kA ping -c 1 -W 2 -I ppp1 10.60.0.1')).toMatch(/1 received/);

    sh(`kill -KILL ${firstPppd[0]}`);
    await until(() => /LNS call down[^\n]*"assigned_address":"10\.60\.0\.10"|"assigned_address":"10\.60\.0\.10"[^\n]*LNS call down/.test(lns.log()), 20_000, 'the call to be cleared', lns.log);
    expect(lns.log()).toMatch(/pppd exited: killed by SIGKILL/);
    // Its kernel session goes; the second call's stays.
    await until(() => (trySh('ip -n kB l2tp show session').match(/Session \d+/g) ?? []).length === 1, 10_000, 'the first kernel session to go', lns.log);

    lns.child.kill('SIGTERM');
    expect(await lns.exited).toBe(0);
    await sleep(300);
    expect(trySh('ip -n kB l2tp show tunnel')).toBe('');
    expect(pidsIn('kB', 'pppd')).toEqual([]);
  }, 300_000);

  it('on 0.0.0.0 with two addresses: a LAC dialling the second gets its call, the kernel tunnel bound to that address', async () => {
    // The first test's LACs and their pppds go (port 1701 and ppp0 in kA must be free).
    for (const c of children.splice(0)) c.kill('SIGKILL');
    trySh('ip netns pids kA | xargs -r kill -KILL');
    await until(() => trySh('ip netns pids kA').trim() === '' && clientAddress() === undefined, 20_000, 'kA to be empty');
    sh('ip -n kB addr add 10.40.0.3/24 dev vB');
    const lns = lnsDaemon('0.0.0.0:1701');
    await until(() => /LNS listening/.test(lns.log()), 120_000, 'kl2tpd to listen', lns.log);
    // xl2tpd connects its tunnel socket to 10.40.0.3:1701: a reply from 10.40.0.2 would never reach it.
    const lac = xl2tpdLac(1701, '10.40.0.3');
    await until(() => clientAddress() !== undefined, 60_000, 'ppp0 with a pool address in kA', () => `${lns.log()}\n--- xl2tpd\n${lac.log()}`);
    expect(sh('ip netns exec kA ping -c 2 -W 2 10.60.0.1')).toMatch(/2 received/);
    expect(trySh('ip -n kB l2tp show tunnel')).toMatch(/From 10\.40\.0\.3 to 10\.40\.0\.1/);
    lns.child.kill('SIGTERM');
    expect(await lns.exited).toBe(0);
    lac.child.kill('SIGTERM');
  }, 300_000);
});
