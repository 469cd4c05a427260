// Real calls in the test guest (issue 14, "Scale and speed"): how many calls — each a kernel L2TP
// session with pppd on both ends, CHAP, an address from the pool — one guest holds, and how fast
// they come up. Not a test and not part of `pnpm bench`: it needs the guest's kernel, so run it
// through the VM (2 GiB as in the issue; the guest's default is 1 GiB):
//
//   node scripts/vm/run.mjs --mem 2048 --timeout 3000 -- node apps/kl2tpd/bench/guest-calls.mjs 50 100
//
// Each argument is one round with that many calls (default: 50): kl2tpd serving [lns.k] in
// namespace gcB (pppd server per call; `sccrq_limit = "off"`: every tunnel comes from one address)
// and kl2tpd as LAC in gcA, one tunnel per call (as L2TP/IPsec clients come), both started fresh
// per round. Calls are added in batches of GUEST_BENCH_BATCH (default 10; the LAC's file grows and
// it gets SIGHUP), each batch waited for: dialled all at once, the 100 pppd starts put both daemons
// tens of seconds behind on the one emulated vCPU and some tunnels run out of retransmissions and
// redial (scripts/vm/README.md, "Real calls the guest holds", has the diagnosis and the figures).
// The LAC has `redial = true` and its pppd `lcp-max-configure 30`, as a patient client would.
// Printed per batch: calls up, seconds, calls/s, guest memory in use; per round: the time to the
// last call, the mean setup rate (calls / time spent in batches, process start excluded), the
// guest's memory in use before and with the calls (MemTotal − MemAvailable) and per call, the RSS
// of the two kl2tpd processes and of all pppds, a ping across the first and the last call, and the
// time from SIGTERM to both daemons to no pppd and no kernel tunnel left.
// A batch that does not come up in its bound (or past GUEST_BENCH_DEADLINE_S for the whole run)
// prints how many calls were held, and the run exits 1.
// GUEST_BENCH_LOG_DIR=DIR (a directory writable from the guest: run.mjs --rw DIR) runs both daemons
// with -verbose and writes, per round N, DIR/N-lns.log and DIR/N-lac.log (their whole output) and
// DIR/N-timeline.txt (every 10 s: calls up, pppds and kernel sessions on each side, load average).
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import {
  chapSecrets, cleanUp, CHAP_SERVER_OPTIONS, emptyNamespace, kernelSessions, kl2tpdLac, lnsDaemon, netnsPair, pidsIn, pppAddresses, trySh,
} from '../test/fixtures/guest-lns.mjs';
import { scaled } from '../../../scripts/vm/waits.mjs';

if (!/^l2tp_ppp /m.test(trySh('cat /proc/modules'))) {
  console.error('guest-calls: no l2tp_ppp module: run it in the guest (node scripts/vm/run.mjs --mem 2048 -- node apps/kl2tpd/bench/guest-calls.mjs N...)');
  process.exit(2);
}
const rounds = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (rounds.length === 0) rounds.push(50);
const batch = Number(process.env.GUEST_BENCH_BATCH ?? 10);
// The whole run ends by then (seconds from start; keep it under run.mjs's --timeout), so that a round
// cut short still prints what it held instead of being killed with the guest.
const deadline = Date.now() + Number(process.env.GUEST_BENCH_DEADLINE_S ?? 3000) * 1000;
const logDir = process.env.GUEST_BENCH_LOG_DIR;
const daemonArgs = logDir === undefined ? [] : ['-verbose'];

const meminfo = () => Object.fromEntries([...readFileSync('/proc/meminfo', 'utf8').matchAll(/^(\w+):\s+(\d+) kB/gm)].map((m) => [m[1], Number(m[2])]));
const usedMiB = () => { const m = meminfo(); return (m.MemTotal - m.MemAvailable) / 1024; };
const rssMiB = (pids) => pids.reduce((sum, pid) => sum + Number(/VmRSS:\s+(\d+)/.exec(trySh(`cat /proc/${pid}/status`))?.[1] ?? 0), 0) / 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
netnsPair('gcA', 'gcB', '10.42.0.1/24', '10.42.0.2/24');
chapSecrets();
const total = meminfo().MemTotal / 1024;
console.log(`guest: ${total.toFixed(0)} MiB, ${trySh('nproc').trim()} vCPU; node -e 0 took ${process.env.L2TP_GUEST_NODE_START_MS ?? '?'} ms at boot; batches of ${batch} calls`);
console.log('calls | LAC start→all up s | setup calls/s (batches after the first) | mem before MiB | mem with calls MiB | per call MiB | LNS RSS MiB | LAC RSS MiB | pppd RSS MiB (both sides) | ping first/last');
try {
  for (const n of rounds) {
    const before = usedMiB();
    const lns = await lnsDaemon({ ns: 'gcB', listen: '10.42.0.2:1701', ipRange: ['10.60.0.10-10.60.3.250'], pppOptions: CHAP_SERVER_OPTIONS, extra: ['sccrq_limit = "off"'], args: daemonArgs });
    const t0 = Date.now();
    let target = Math.min(batch, n);
    const lac = kl2tpdLac({ ns: 'gcA', peer: '10.42.0.2:1701', tunnels: target, clientOptions: ['lcp-max-configure 30'], extra: ['redial = true'], args: daemonArgs });
    const timeline = logDir === undefined ? undefined : setInterval(() => {
      const line = [((Date.now() - t0) / 1000).toFixed(0), `up ${pppAddresses('gcA').size}`, `pppd LAC ${pidsIn('gcA', 'pppd').length} LNS ${pidsIn('gcB', 'pppd').length}`,
        `kernel sessions LAC ${kernelSessions('gcA')} LNS ${kernelSessions('gcB')}`, `load ${readFileSync('/proc/loadavg', 'utf8').trim()}`].join(' | ');
      appendFileSync(`${logDir}/${n}-timeline.txt`, `${line}\n`);
    }, 10_000);
    const saveLogs = () => {
      if (logDir === undefined) return;
      clearInterval(timeline);
      writeFileSync(`${logDir}/${n}-lns.log`, lns.log());
      writeFileSync(`${logDir}/${n}-lac.log`, lac.log());
    };
    let busyMs = 0;
    let firstBatch = true;
    let up = 0;
    for (;;) {
      const b0 = Date.now();
      // Under TCG on a loaded host a call (two pppd starts, LCP, CHAP, IPCP) took 10-15 s of the one vCPU.
      const bound = Math.min(scaled(120_000 + batch * 20_000), deadline - b0);
      while (Date.now() - b0 < bound && (up = pppAddresses('gcA').size) < target && lac.child.exitCode === null && lns.child.exitCode === null) await sleep(1000);
      const took = Date.now() - b0;
      if (up < target) break;
      // The first batch's time includes the LAC's start (node takes seconds in the guest): not counted in the rate.
      if (!firstBatch) busyMs += took;
      console.log(`  ${n}: ${up} calls up, batch in ${(took / 1000).toFixed(0)} s${firstBatch ? ' (with the LAC\'s start)' : ` (${(batch / (took / 1000)).toFixed(2)} calls/s)`}, guest memory in use ${usedMiB().toFixed(0)} MiB`);
      firstBatch = false;
      if (target >= n) break;
      target = Math.min(target + batch, n);
      lac.grow(target);
    }
    const allUp = Date.now();
    saveLogs();
    if (up < target) {
      console.log(`${n} | not all up: ${up} of ${target} calls held after ${((allUp - t0) / 1000).toFixed(0)} s; guest memory in use ${usedMiB().toFixed(0)} MiB`);
      const count = (log, re) => (log.match(re) ?? []).length;
      console.log(`LNS: ${count(lns.log(), /LNS call up/g)} calls up, ${count(lns.log(), /LNS call down/g)} down, ${count(lns.log(), /"refusal"/g)} refusals, ${count(lns.log(), /LNS tunnel down/g)} tunnels down; ` +
        `LAC: ${count(lac.log(), /session up/g)} sessions up, ${count(lac.log(), /pppd exited/g)} pppd exits, ${count(lac.log(), /LCP: timeout|LCP terminated/g)} LCP failures`);
      console.log(`--- LNS log tail\n${lns.log().slice(-2000)}\n--- LAC log tail\n${lac.log().slice(-2000)}`);
      process.exitCode = 1;
      break;
    }
    await sleep(2000); // the last pppds settle (their ip-up, the kernel's accounting) before memory is read
    const withCalls = usedMiB();
    const lnsRss = rssMiB([lns.child.pid]);
    const lacRss = rssMiB(pidsIn('gcA', 'node'));
    const pppd = rssMiB([...pidsIn('gcA', 'pppd'), ...pidsIn('gcB', 'pppd')]);
    const addrs = [...pppAddresses('gcA').keys()];
    const ping = (dev) => (/1 received/.test(trySh(`ip netns exec gcA ping -c 1 -W 5 -I ${dev} 10.60.0.1`)) ? 'ok' : 'FAIL');
    const rate = busyMs > 0 ? ((n - Math.min(batch, n)) / (busyMs / 1000)).toFixed(2) : '-';
    console.log([n, ((allUp - t0) / 1000).toFixed(0), rate, before.toFixed(0), withCalls.toFixed(0), ((withCalls - before) / n).toFixed(2),
      lnsRss.toFixed(1), lacRss.toFixed(1), pppd.toFixed(1), `${ping(addrs[0])}/${ping(addrs[addrs.length - 1])}`].join(' | '));
    // SIGTERM to both daemons: every call cleared, every pppd gone (each runs /etc/ppp/ip-down), every kernel tunnel deleted.
    const d0 = Date.now();
    lac.child.kill('SIGTERM');
    lns.child.kill('SIGTERM');
    const codes = await Promise.all([lac.exited, lns.exited]);
    const empty = () => pidsIn('gcA', 'pppd').length + pidsIn('gcB', 'pppd').length === 0 && trySh('ip -n gcB l2tp show tunnel') === '' && trySh('ip -n gcA l2tp show tunnel') === '';
    // The kernel deletes tunnels from a workqueue: wait for it before the next round counts memory.
    for (; !empty() && Date.now() - d0 < scaled(300_000);) await sleep(1000);
    const teardown = empty() ? ((Date.now() - d0) / 1000).toFixed(0) : `> ${((Date.now() - d0) / 1000).toFixed(0)} (pppd or tunnels left)`;
    console.log(`  ${n}: SIGTERM to both daemons → no pppd and no kernel tunnel left in ${teardown} s (LAC/LNS exit ${codes.join('/')})`);
    await emptyNamespace('gcA');
    await emptyNamespace('gcB');
  }
} finally {
  await cleanUp();
}
