/**
 * ql2tpd ↔ ql2tpd quiescent (HELLO every 500 ms) on the real kernel (guest), one daemon per
 * namespace: the Ethernet pseudowire pings and stays up on acknowledged HELLOs; stopping one end is
 * detected within the HELLO + retransmission budget and its kernel objects go; restarting it brings
 * the pseudowire back by itself. SIGHUP with one session changed and one unchanged: the unchanged
 * session's ping never drops.
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scaled, until, waitForOutput } from '../../../scripts/vm/waits.mjs';

const MAIN = new URL('../dist/ql2tpd.cjs', import.meta.url).pathname;
const sh = (cmd: string) => execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const trySh = (cmd: string) => { try { return sh(cmd); } catch (e) { return String((e as { stdout?: string }).stdout ?? ''); } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const children: ChildProcess[] = [];
/** The newest daemon's log in each namespace, for failure pictures. */
const logs: Record<string, string> = {};
beforeAll(() => {
  sh(`ip netns add zA; ip netns add zB
    ip link add vA netns zA type veth peer name vB netns zB
    ip -n zA addr add 10.60.0.1/24 dev vA; ip -n zA link set vA up; ip -n zA link set lo up
    ip -n zB addr add 10.60.0.2/24 dev vB; ip -n zB link set vB up; ip -n zB link set lo up`);
});
afterAll(() => { for (const c of children) c.kill('SIGKILL'); trySh('ip netns del zA; ip netns del zB'); });

/** One end's config: two sessions, `cookieByte` varies the second one's cookie (SIGHUP test). */
function conf(ns: 'zA' | 'zB', cookieByte = 1) {
  const [me, them, tid, ptid] = ns === 'zA' ? ['10.60.0.1', '10.60.0.2', 100, 200] : ['10.60.0.2', '10.60.0.1', 200, 100];
  return `[tunnel.q]\nversion = "l2tpv3"\nlocal = "${me}:6000"\npeer = "${them}:6000"\ntid = ${tid}\nptid = ${ptid}\nhello_timeout = 500\nretry_timeout = 250\nmax_retries = 3
[tunnel.q.session.keep]\npseudowire = "eth"\nsid = ${tid + 1}\npsid = ${ptid + 1}\ninterface_name = "keep${ns}"
[tunnel.q.session.change]\npseudowire = "eth"\nsid = ${tid + 2}\npsid = ${ptid + 2}\ninterface_name = "chg${ns}"\ncookie = [${cookieByte}, 2, 3, 4]\npeer_cookie = [${cookieByte}, 2, 3, 4]\n`;
}
function start(ns: 'zA' | 'zB') {
  const dir = mkdtempSync(join(tmpdir(), `ql2tpd-${ns}-`));
  const file = join(dir, 'q.toml');
  writeFileSync(file, `control_socket = "${dir}/q.sock"\n${conf(ns)}`);
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, MAIN, '-config', file, '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => { log += d; logs[ns] = log; });
  children.push(child);
  let code: number | null | undefined;
  const exited = new Promise<number | null>((r) => child.once('close', (c) => { code = c; r(c); }));
  // A daemon that died is reported at once with its log, not after the whole wait.
  const alive = () => { if (code !== undefined) throw new Error(`ql2tpd in ${ns} exited ${code}:\n${log}`); return true; };
  return { child, exited, log: () => log, file, dir, alive };
}
const linkUp = (ns: string, dev: string, ip: string) => {
  if (!trySh(`ip -n ${ns} link show ${dev} 2>/dev/null`).includes(dev)) return false;
  trySh(`ip -n ${ns} addr add ${ip}/24 dev ${dev} 2>/dev/null; ip -n ${ns} link set ${dev} up`);
  return true;
};
/** What both ends hold now: links, addresses, l2tp objects, and each daemon's last log lines. */
const picture = (logs: Record<string, string>): string => ['zA', 'zB'].map((ns) => `--- ${ns}\n${trySh(`ip -n ${ns} -br addr; ip -n ${ns} l2tp show tunnel; ip -n ${ns} l2tp show session`)}\n${(logs[ns] ?? '').split('\n').slice(-25).join('\n')}`).join('\n');
/** {@link until}, and on time-out the error carries {@link picture}. */
async function untilOrShow(check: () => boolean, ms: number, what: string) {
  try { await until(check, ms, what); } catch (e) { throw new Error(`${(e as Error).message}\n${picture(logs)}`); }
}
const ping = (ip: string, n = 2) => /(\d+) received/.exec(trySh(`ip netns exec zA ping -c ${n} -W 1 -i 0.2 ${ip}`))?.[1];

it('pseudowire pings and survives 30 s of HELLOs; a stopped peer is detected and its return restores it', async () => {
  const a = start('zA');
  let b = start('zB');
  // Two daemons starting at once on the guest's vCPU(s): bounds scale with its measured speed (waits.mjs).
  await until(() => a.alive() && b.alive() && linkUp('zA', 'keepzA', '10.70.0.1') && linkUp('zB', 'keepzB', '10.70.0.2'), 30_000, 'the pseudowire interfaces');
  expect(ping('10.70.0.2')).toBe('2');
  await sleep(30_000);
  expect(trySh('ip -n zA l2tp show tunnel')).toMatch(/Tunnel 100/);
  expect(ping('10.70.0.2')).toBe('2');
  expect(a.log()).not.toMatch(/tunnel down/);
  // Stop B (SIGKILL: no StopCCN): A must notice through unanswered HELLOs. Budget: 500 ms idle +
  // retries at 250, 500, 1000 ms → about 2.3 s, plus jitter.
  b.child.kill('SIGKILL');
  await b.exited;
  const t0 = Date.now();
  await until(() => !/Tunnel 100/.test(trySh('ip -n zA l2tp show tunnel')), 8000, 'A to remove its kernel tunnel');
  const detectedMs = Date.now() - t0;
  expect(detectedMs).toBeLessThan(scaled(5000));
  // The log arrives through a pipe this process reads between its (synchronous) ip calls.
  await until(() => /tunnel down: no acknowledgement of our HELLO/.test(a.log()), 3000, 'the HELLO failure in the log');
  b = start('zB');
  await untilOrShow(() => a.alive() && b.alive() && linkUp('zA', 'keepzA', '10.70.0.1') && linkUp('zB', 'keepzB', '10.70.0.2'), 30_000, 'the pseudowire to return');
  await untilOrShow(() => ping('10.70.0.2', 1) === '1', 30_000, 'ping across the restored pseudowire');
  console.log(`HELLO failure detected in ${detectedMs} ms`);
}, scaled(180_000));

it('SIGHUP with one session changed and one unchanged: the unchanged session keeps passing traffic', async () => {
  // Both daemons run from the previous test.
  await untilOrShow(() => ping('10.70.0.2', 1) === '1', 10_000, 'the keep session');
  const a = { file: `${trySh("ls -d /tmp/ql2tpd-zA-* | tail -1").trim()}/q.toml` };
  const b = { file: `${trySh("ls -d /tmp/ql2tpd-zB-* | tail -1").trim()}/q.toml` };
  const pinger = spawn('ip', ['netns', 'exec', 'zA', 'ping', '-i', '0.1', '-c', '40', '-W', '1', '10.70.0.2'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  pinger.stdout!.on('data', (d) => { out += d; });
  await waitForOutput(pinger, /bytes from/, 5000, 'the first reply before SIGHUP');
  for (const [ns, f] of [['zA', a.file], ['zB', b.file]] as const) {
    writeFileSync(f, `control_socket = "${f.replace(/q\.toml$/, 'q.sock')}"\n${conf(ns, 9)}`);
  }
  trySh("ip netns pids zA | xargs -r ps -o pid=,args= -p | grep 'ql2tpd/dist/ql2tpd.cjs' | awk '{print $1}' | xargs -r kill -HUP");
  trySh("ip netns pids zB | xargs -r ps -o pid=,args= -p | grep 'ql2tpd/dist/ql2tpd.cjs' | awk '{print $1}' | xargs -r kill -HUP");
  await new Promise((r) => pinger.once('exit', r));
  const m = /(\d+) packets transmitted, (\d+) received/.exec(out)!;
  expect(Number(m[2])).toBe(Number(m[1]));
  expect(trySh('ip -n zA l2tp show session')).toMatch(/Session 102/);
}, scaled(60_000));
