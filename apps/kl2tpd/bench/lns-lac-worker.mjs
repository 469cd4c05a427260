// One LAC load process for bench/lns-daemon.mjs, built on the library (L2tpContext, null data
// plane): prints `{"ready":true}` once loaded and waits for a line on stdin (so that process start
// is not timed), then dials TUNNELS tunnels to 127.0.0.1:PORT, opens SESSIONS calls in each, prints
// one JSON line when every call is up ({ up, ms }), and holds them idle until SIGTERM (StopCCN, exit).
import { codecWire, L2tpContext, nullDataPlane } from '@l2tp/control';

const [port, tunnels, sessions] = process.argv.slice(2).map(Number);
const ctx = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
const want = tunnels * sessions;
let up = 0;
process.stdout.write('{"ready":true}\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
const t0 = performance.now();
ctx.on('session-up', () => {
  if (++up === want) process.stdout.write(`${JSON.stringify({ up, ms: performance.now() - t0 })}\n`);
});
ctx.on('session-down', ({ wasUp, reason }) => { if (!wasUp) process.stderr.write(`call refused: ${JSON.stringify(reason)}\n`); });
for (let t = 0; t < tunnels; t++) {
  const id = await ctx.dial({ name: `t${t}`, peer: { address: '127.0.0.1', port, family: 4 }, windowSize: 64, hostName: 'bench-lac' });
  for (let s = 0; s < sessions; s++) ctx.openSession(id);
}
process.once('SIGTERM', () => { void ctx.close(2000).then(() => process.exit(0)); });
setInterval(() => undefined, 1 << 30);
