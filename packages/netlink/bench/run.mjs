// Benchmarks for @l2tp/netlink on the host (no L2TP needed); printed figures, no assertions.
// Needs `pnpm --filter @l2tp/netlink build` first. The kernel figures: bench/sessions.mjs in the guest.
import { GenlSocket, encodeRequest, sessionCreateRequest } from '../dist/index.js';

const sock = GenlSocket.open();
const N = 20_000;
for (let i = 0; i < 1000; i++) sock.resolveFamily('nlctrl'); // warm up
let t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) {
  sock.resolveFamily('nlctrl');
  if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
}
const reqUs = Number(process.hrtime.bigint() - t0) / 1000 / N;
console.log(`genl request + reply + ACK (nlctrl GETFAMILY, libc send/recv, TS framing): ${reqUs.toFixed(1)} µs/request (${Math.round(1e6 / reqUs)}/s)`);

const session = sessionCreateRequest({
  tunnelId: 1, peerTunnelId: 2, sessionId: 3, peerSessionId: 4, version: 3, pseudowire: 'eth',
  cookie: Uint8Array.of(1, 2, 3, 4), peerCookie: Uint8Array.of(5, 6, 7, 8), interfaceName: 'l2tpeth0', sendSeq: true, recvSeq: true,
});
t0 = process.hrtime.bigint();
for (let i = 0; i < 200_000; i++) encodeRequest(session, 0x20, i);
console.log(`SESSION_CREATE build + encode: ${(Number(process.hrtime.bigint() - t0) / 1000 / 200_000).toFixed(2)} µs/request`);
sock.close();
