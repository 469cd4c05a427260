// LNS building blocks (printed figures, no assertions): address pool allocate/release rate and the
// memory a /8 pool costs after 100 000 calls; peer ACL matches per second; SCCRQ token bucket
// decisions per second over 100 000 addresses.
import { AddressPool } from '../dist/lns/pool.js';
import { PeerAcl } from '../dist/lns/acl.js';
import { SccrqRateLimiter } from '../dist/lns/rate-limit.js';
import { formatIpv4 } from '../dist/lns/ip.js';

const gc = globalThis.gc ?? (() => {});
const heap = () => { gc(); gc(); return process.memoryUsage().heapUsed; };
const rate = (n, ms) => `${(n / (ms / 1000) / 1e6).toFixed(2)} M/s`;

const N = 100_000;
{
  const before = heap();
  const pool = new AddressPool([{ first: 0x0a000001, last: 0x0affffff }]);
  const empty = heap() - before;
  let t0 = performance.now();
  const got = [];
  for (let i = 0; i < N; i++) got.push(pool.allocate());
  const tAlloc = performance.now() - t0;
  const held = heap() - before;
  t0 = performance.now();
  for (let i = 0; i < N; i += 2) pool.release(got[i]);
  for (let i = 0; i < N / 2; i++) pool.allocate();
  const tChurn = performance.now() - t0;
  console.log(`lns pool (/8, ${pool.size} addresses): empty ${(empty / 1024).toFixed(1)} KiB; ${N} allocations ${rate(N, tAlloc)}; ` +
    `heap with ${N} in use ${(held / 1024 / 1024).toFixed(2)} MiB (the address strings included); release+reallocate of half ${rate(N, tChurn)}`);
}
{
  const acl = new PeerAcl(['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32', '10.0.0.0/8']);
  const peers = Array.from({ length: 1000 }, (_, i) => (i % 4 === 0 ? `2001:db8::${i.toString(16)}` : formatIpv4(0x0a000000 + i * 7919)));
  const t0 = performance.now();
  let n = 0;
  for (let r = 0; r < 200; r++) for (const p of peers) if (acl.allows(p)) n++;
  console.log(`lns acl (5 entries): ${rate(200 * peers.length, performance.now() - t0)} matches (${n} allowed)`);
}
{
  const l = new SccrqRateLimiter({ rate: { count: 10, intervalMs: 60_000 }, burst: 3, maxPeers: 65_536 });
  const before = heap();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) l.take(formatIpv4(0xc6336400 + i), i);
  const ms = performance.now() - t0;
  console.log(`lns sccrq limiter: ${rate(N, ms)} decisions over ${N} addresses; ${l.size} remembered, heap ${((heap() - before) / 1024 / 1024).toFixed(2)} MiB`);
}
