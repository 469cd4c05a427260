// Guest benchmark (needs L2TP): create and delete 1 000 sessions in one tunnel, PPP (no netdev)
// and Ethernet (one l2tpeth netdev each); then full cycles (tunnel create, session create, session
// delete, tunnel delete) as ops/s, each cycle on a fresh tunnel id since a deleted id is freed late. Run: node scripts/vm/run.mjs -- node packages/netlink/bench/sessions.mjs
import { L2tpNetlink } from '../dist/index.js';

const N = 1000;
const nl = L2tpNetlink.open();
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
for (const pseudowire of /** @type {const} */ (['ppp', 'eth'])) {
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
const CYCLES = 300;
for (const [encap, pseudowire] of /** @type {const} */ ([['udp', 'ppp'], ['udp', 'eth'], ['ip', 'eth']])) {
  const t0 = process.hrtime.bigint();
  for (let i = 1; i <= CYCLES; i++) {
    const tunnelId = 1000 + i;
    const port = encap === 'udp' ? 20000 + i : 0;
    await nl.createTunnel({ tunnelId, peerTunnelId: tunnelId, version: 3, encap, family: 4, local: { address: '127.0.0.1', port }, peer: { address: '127.0.0.2', port } });
    await nl.createSession({ tunnelId, peerTunnelId: tunnelId, sessionId: 1, peerSessionId: 1, version: 3, pseudowire });
    await nl.deleteSession(tunnelId, 1);
    await nl.deleteTunnel(tunnelId);
  }
  const total = ms(t0);
  console.log(`${CYCLES} cycles (v3 ${encap} tunnel + ${pseudowire} session, create then delete both): ${total.toFixed(0)} ms, ${(CYCLES * 4 / total * 1000).toFixed(0)} netlink ops/s, ${(CYCLES / total * 1000).toFixed(0)} cycles/s`);
  await new Promise((r) => setTimeout(r, 500));
}
await nl.close();
