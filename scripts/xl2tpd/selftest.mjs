#!/usr/bin/env node
/**
 * Self-test of the xl2tpd harness: an xl2tpd LNS and an xl2tpd LAC (stub pppd) on loopback bring a tunnel
 * and a session up, the LAC hangs up the call (CDN), disconnects the tunnel (StopCCN), and both stop with no
 * process left behind. Prints PASS/FAIL lines and the bring-up time; exit code 1 on any FAIL.
 * Usage: node scripts/xl2tpd/selftest.mjs
 */
import { startXl2tpd, xl2tpdAvailable, xl2tpdVersion } from './harness.mjs';

let failed = 0;
const check = (ok, what) => { console.log(`${ok ? 'PASS' : 'FAIL'} ${what}`); if (!ok) failed++; };
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

const avail = xl2tpdAvailable();
if (!avail.ok) { console.log(`SKIP xl2tpd harness self-test: ${avail.reason}`); process.exit(0); }
console.log(`# ${xl2tpdVersion()}`);

const t0 = performance.now();
const lns = await startXl2tpd({ role: 'lns' });
const tStart = performance.now();
const lac = await startXl2tpd({ role: 'lac', peer: { port: lns.port }, name: 'selftest' });
try {
  await Promise.all([lns.waitForLog(/Call established/), lac.waitForLog(/Call established/)]);
  const up = performance.now() - tStart;
  check(true, `tunnel + session up on both sides ${up.toFixed(0)} ms after starting the LAC (ports lns ${lns.port}, lac ${lac.port})`);
  check(/L2TP kernel support not detected/.test(lns.logs()), 'xl2tpd runs in userspace mode (no kernel L2TP on this host)');
  const [call] = lac.calls();
  check(call !== undefined && lns.calls()[0]?.remote === call.local, `call ids agree: ${JSON.stringify(call)}`);
  const argv = (await lac.waitForPppd(1))[0] ?? [];
  check(argv.includes('passive') && argv.includes('nodetach'), `stub pppd argv recorded: ${argv.join(' ')}`);
  const r1 = await lac.hangup(call.local);
  check(r1.startsWith('00'), `hangup ${call.local} answered ${JSON.stringify(r1)}`);
  await lns.waitForLog(/Call-Disconnect-Notify/);
  check(true, 'LNS received CDN');
  const r2 = await lac.disconnect();
  check(r2.startsWith('00'), `disconnect answered ${JSON.stringify(r2)}`);
  await lns.waitForLog(/Stop-Control-Connection-Notification/);
  check(true, 'LNS received StopCCN');
  await lns.waitForLog(/Connection closed to .*Goodbye/);
  check(true, 'LNS closed the tunnel');
} catch (e) {
  check(false, String(e instanceof Error ? e.message : e).split('\n')[0]);
  console.log(`--- lns log ---\n${lns.logs()}\n--- lac log ---\n${lac.logs()}`);
} finally {
  const ours = [lns.pid, lac.pid, ...lns.pppdPids(), ...lac.pppdPids()];
  await lac.stop();
  await lns.stop();
  const left = ours.filter(alive);
  check(left.length === 0, `no xl2tpd or stub pppd left after stop (checked ${ours.join(' ')}; alive: ${left.join(' ') || 'none'})`);
}
console.log(`# total ${(performance.now() - t0).toFixed(0)} ms`);
process.exit(failed ? 1 : 0);
