// Real calls in the test guest (issue 14, "Scale and speed"): how many calls — each a kernel L2TP
// session with pppd on both ends, CHAP, an address from the pool — one guest holds, and how fast
// they come up. Not a test and not part of `pnpm bench`: it needs the guest's kernel, so run it
// through the VM (2 GiB as in the issue; the guest's default is 1 GiB):
//
//   node scripts/vm/run.mjs --mem 2048 --timeout 3000 -- node apps/kl2tpd/bench/guest-calls.mjs 50 100 200
//
// Each argument is one round with that many calls (default: 50): kl2tpd serving [lns.k] in
// namespace gcB (pppd server per call; `sccrq_limit = "off"`: every tunnel comes from one address)
// and kl2tpd as LAC in gcA, one tunnel per call (as L2TP/IPsec
// clients come) unless GUEST_BENCH_SESSIONS_PER_TUNNEL says otherwise, both started fresh per
// round. Printed per round: the time from the LAC's start to every client interface holding its
// address; the setup rate of the L2TP calls (the LNS's log, first to last call up) and of the PPP
// links (first to last client interface with its address, polled each second), process start excluded; the
// guest's memory in use before and with the calls up (MemTotal − MemAvailable), per call, the RSS
// of the two kl2tpd processes and of the pppds, and a ping across the first and the last call.
// A round that does not bring every call up in its bound prints how many it held and stops.
import { readFileSync } from 'node:fs';
import {
  chapSecrets, cleanUp, CHAP_SERVER_OPTIONS, emptyNamespace, kl2tpdLac, lnsDaemon, netnsPair, pidsIn, pppAddresses, trySh,
} from '../test/fixtures/guest-lns.mjs';
import { scaled } from '../../../scripts/vm/waits.mjs';

if (!/^l2tp_ppp /m.test(trySh('cat /proc/modules'))) {
  console.error('guest-calls: no l2tp_ppp module: run it in the guest (node scripts/vm/run.mjs --mem 2048 -- node apps/kl2tpd/bench/guest-calls.mjs N...)');
  process.exit(2);
}
const rounds = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (rounds.length === 0) rounds.push(50);
const perTunnel = Number(process.env.GUEST_BENCH_SESSIONS_PER_TUNNEL ?? 1);
// The whole run ends by then (seconds from start; keep it under run.mjs's --timeout), so that a round
// cut short still prints what it held instead of being killed with the guest.
const deadline = Date.now() + Number(process.env.GUEST_BENCH_DEADLINE_S ?? 3000) * 1000;

const meminfo = () => Object.fromEntries([...readFileSync('/proc/meminfo', 'utf8').matchAll(/^(\w+):\s+(\d+) kB/gm)].map((m) => [m[1], Number(m[2])]));
const usedMiB = () => { const m = meminfo(); return (m.MemTotal - m.MemAvailable) / 1024; };
const rssMiB = (pids) => pids.reduce((sum, pid) => sum + Number(/VmRSS:\s+(\d+)/.exec(trySh(`cat /proc/${pid}/status`))?.[1] ?? 0), 0) / 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Milliseconds of the JSON log line's `time` for the first and the last line matching `re`. */
function logSpan(log, re) {
  const times = log.split('\n').filter((l) => re.test(l)).map((l) => { try { return JSON.parse(l).time; } catch { return undefined; } }).filter((t) => typeof t === 'number');
  return times.length ? { first: times[0], last: times[times.length - 1], count: times.length } : undefined;
}

netnsPair('gcA', 'gcB', '10.42.0.1/24', '10.42.0.2/24');
chapSecrets();
const total = meminfo().MemTotal / 1024;
console.log(`guest: ${total.toFixed(0)} MiB, ${trySh('nproc').trim()} vCPU; node -e 0 took ${process.env.L2TP_GUEST_NODE_START_MS ?? '?'} ms at boot; ${perTunnel} call(s) per tunnel`);
console.log('calls | LAC start→all ppp up s | L2TP calls/s (LNS first→last call up) | ppp up/s (first→last client address) | mem before MiB | mem with calls MiB | per call MiB | LNS RSS MiB | LAC RSS MiB | pppd RSS MiB (both sides) | ping first/last');
try {
  for (const n of rounds) {
    const before = usedMiB();
    const lns = await lnsDaemon({ ns: 'gcB', listen: '10.42.0.2:1701', ipRange: ['10.60.0.10-10.60.3.250'], pppOptions: CHAP_SERVER_OPTIONS, extra: [`sccrq_limit = "off"`] });
    const t0 = Date.now();
    const lac = kl2tpdLac({ ns: 'gcA', peer: '10.42.0.2:1701', tunnels: Math.ceil(n / perTunnel), sessions: perTunnel });
    // Under TCG on a loaded host a call (two pppd starts, LCP, CHAP, IPCP) took 10-15 s of the one vCPU.
    const bound = Math.min(scaled(120_000 + n * 20_000), deadline - t0);
    let up = 0;
    let firstUp;
    let report = t0 + 60_000;
    while (Date.now() - t0 < bound && (up = pppAddresses('gcA').size) < n) {
      if (up > 0 && firstUp === undefined) firstUp = Date.now();
      if (lac.child.exitCode !== null || lns.child.exitCode !== null) break;
      if (Date.now() > report) {
        console.log(`  ${n}: ${((Date.now() - t0) / 1000).toFixed(0)} s after the LAC's start: ${up} calls up, guest memory in use ${usedMiB().toFixed(0)} MiB (${before.toFixed(0)} before)`);
        report += 60_000;
      }
      await sleep(1000);
    }
    const allUp = Date.now();
    firstUp ??= allUp;
    if (up < n) {
      console.log(`${n} | not all up: ${up} calls held after ${((allUp - t0) / 1000).toFixed(0)} s (bound ${(bound / 1000).toFixed(0)} s); guest memory in use ${usedMiB().toFixed(0)} MiB`);
      console.log(`--- LNS log tail\n${lns.log().slice(-3000)}\n--- LAC log tail\n${lac.log().slice(-3000)}`);
      process.exitCode = 1;
      break;
    }
    await sleep(2000); // the last pppds settle (their ip-up, the kernel's accounting) before memory is read
    const span = logSpan(lns.log(), /LNS call up/);
    const rate = span && span.count > 1 ? ((span.count - 1) / ((span.last - span.first) / 1000)).toFixed(1) : '-';
    const withCalls = usedMiB();
    const lnsRss = rssMiB([lns.child.pid]);
    const lacRss = rssMiB(pidsIn('gcA', 'node'));
    const pppd = rssMiB([...pidsIn('gcA', 'pppd'), ...pidsIn('gcB', 'pppd')]);
    const addrs = [...pppAddresses('gcA').keys()];
    const ping = (dev) => (/1 received/.test(trySh(`ip netns exec gcA ping -c 1 -W 5 -I ${dev} 10.60.0.1`)) ? 'ok' : 'FAIL');
    const pppRate = allUp > firstUp ? ((n - 1) / ((allUp - firstUp) / 1000)).toFixed(1) : '-';
    console.log([n, ((allUp - t0) / 1000).toFixed(1), rate, pppRate, before.toFixed(0), withCalls.toFixed(0),
      ((withCalls - before) / n).toFixed(2), lnsRss.toFixed(1), lacRss.toFixed(1), pppd.toFixed(1), `${ping(addrs[0])}/${ping(addrs[addrs.length - 1])}`].join(' | '));
    lac.child.kill('SIGTERM');
    lns.child.kill('SIGTERM');
    await Promise.all([lac.exited, lns.exited]);
    await emptyNamespace('gcA');
    await emptyNamespace('gcB');
    // The kernel deletes tunnels from a workqueue: wait for it before the next round counts memory.
    for (const t0d = Date.now(); trySh('ip -n gcB l2tp show tunnel') !== '' && Date.now() - t0d < scaled(60_000);) await sleep(500);
  }
} finally {
  await cleanUp();
}
