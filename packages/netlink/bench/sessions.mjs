// Guest benchmark (needs L2TP): create and delete 1 000 sessions in one tunnel, PPP (no netdev)
// and Ethernet (one l2tpeth netdev each). Run: node scripts/vm/run.mjs -- node packages/netlink/bench/sessions.mjs
import { L2tpNetlink } from '../dist/index.js';

const N = 1000;
const nl = L2tpNetlink.open();
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
for (const pseudowire of ['ppp', 'eth']) {
  await nl.createTunnel({ tunnelId: 1, peerTunnelId: 2, version: 3, encap: 'ip', family: 4, local: { address: '127.0.0.1', port: 0 }, peer: { address: '127.0.0.2', port: 0 } });
  let t0 = process.hrtime.bigint();
  for (let i = 1; i <= N; i++) await nl.createSession({ tunnelId: 1, peerTunnelId: 2, sessionId: i, peerSessionId: i, version: 3, pseudowire });
  const create = ms(t0);
  t0 = process.hrtime.bigint();
  const dumped = (await nl.sessions()).length;
  const dump = ms(t0);
  t0 = process.hrtime.bigint();
  for (let i = 1; i <= N; i++) await nl.deleteSession(1, i);
  const del = ms(t0);
  await nl.deleteTunnel(1);
  console.log(`${N} ${pseudowire} sessions: create ${create.toFixed(0)} ms (${(create * 1000 / N).toFixed(0)} µs each), dump ${dumped} in ${dump.toFixed(1)} ms, delete ${del.toFixed(0)} ms (${(del * 1000 / N).toFixed(0)} µs each)`);
  await new Promise((r) => setTimeout(r, 500)); // the kernel frees the tunnel id from a workqueue
}
await nl.close();
