// Benchmarks for @l2tp/config: parse time and heap for large generated configs. Printed figures, no assertions.
import { parseConfig } from '../dist/index.js';

function v3Config(tunnels, sessionsPerTunnel) {
  const out = [];
  let sid = 1;
  for (let t = 1; t <= tunnels; t++) {
    out.push(`[tunnel.t${t}]`, 'version = "l2tpv3"', 'encap = "udp"', `local = "192.0.2.1:${10000 + t}"`,
      `peer = "192.0.2.2:${10000 + t}"`, `tid = ${t}`, `ptid = ${t}`, '');
    for (let s = 1; s <= sessionsPerTunnel; s++, sid++) {
      out.push(`[tunnel.t${t}.session.s${s}]`, 'pseudowire = "eth"', `sid = ${sid}`, `psid = ${sid}`,
        'cookie = [ 0x12, 0xe9, 0x54, 0x0f ]', `interface_name = "l2tpeth${sid}"`, '');
    }
  }
  return out.join('\n');
}

function measure(label, text, runs) {
  parseConfig(text, { hostName: 'bench' }); // warm-up
  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  let r;
  for (let i = 0; i < runs; i++) r = parseConfig(text, { hostName: 'bench' });
  const ms = (performance.now() - t0) / runs;
  const heapMiB = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  if (r.ok === false) throw new Error(`${label}: ${r.issues.length} issues`);
  console.log(`@l2tp/config ${label}: ${(text.length / 1024).toFixed(0)} KiB, ${ms.toFixed(1)} ms per parse, heap +${heapMiB.toFixed(1)} MiB after ${runs}`);
}

measure('1 tunnel x 1 session', v3Config(1, 1), 200);
measure('10 tunnels x 100 sessions', v3Config(10, 100), 10);
measure('1000 tunnels x 1 session', v3Config(1000, 1), 10);
measure('1 tunnel x 10000 sessions', v3Config(1, 10000), 3);
