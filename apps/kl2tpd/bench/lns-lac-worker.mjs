// One LAC load process for bench/lns-daemon.mjs (argv: PORT TUNNELS SESSIONS [HOST [IN_FLIGHT]]),
// built on the library (L2tpContext, null data plane): prints `{"ready":true}` once loaded and
// waits for a line on stdin (so that process start is not timed), then dials TUNNELS tunnels to
// HOST:PORT and places SESSIONS calls in each at once (openSession queues every ICRQ; the transport
// sends them as the LNS's receive window allows, so ICRQs are pipelined, not one per round trip),
// or IN_FLIGHT at a time per tunnel (the next call placed as one comes up). Prints one JSON line
// when every call is up ({ up, ms, cpuMs }: ms from the first dial, cpuMs this process's CPU
// meanwhile) and holds the calls idle until SIGTERM (StopCCN, exit). Kept cheap: one context and no
// per-call work beyond counting.
import { codecWire, L2tpContext, nullDataPlane } from '@l2tp/control';

const [port, tunnels, sessions] = process.argv.slice(2, 5).map(Number);
const host = process.argv[5] ?? '127.0.0.1';
// Calls in setup per tunnel at a time (0: all at once).
const inFlight = Number(process.argv[6] ?? 0) || Infinity;
const opened = new Map();
const openNext = (id) => {
  const n = opened.get(id) ?? 0;
  if (n >= sessions) return;
  opened.set(id, n + 1);
  ctx.openSession(id);
};
const ctx = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
const want = tunnels * sessions;
let up = 0;
process.stdout.write('{"ready":true}\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
// Our parent gone (its end of stdin closed): no calls left behind.
process.stdin.once('end', () => process.exit(1));
const t0 = performance.now();
const cpu0 = process.cpuUsage();
ctx.on('session-up', ({ tunnel }) => {
  if (inFlight !== Infinity) openNext(tunnel.tunnelId);
  if (++up !== want) return;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${JSON.stringify({ up, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
});
ctx.on('session-down', ({ wasUp, reason }) => { if (!wasUp) process.stderr.write(`call refused: ${JSON.stringify(reason)}\n`); });
ctx.on('tunnel-down', ({ wasUp, reason }) => { if (!wasUp) process.stderr.write(`tunnel refused: ${JSON.stringify(reason)}\n`); });
for (let t = 0; t < tunnels; t++) {
  const id = await ctx.dial({ name: `t${t}`, peer: { address: host, port, family: 4 }, windowSize: 64, hostName: 'bench-lac' });
  for (let s = 0; s < Math.min(sessions, inFlight); s++) openNext(id);
}
process.once('SIGTERM', () => { void ctx.close(2000).then(() => process.exit(0)); });
setInterval(() => undefined, 1 << 30);
