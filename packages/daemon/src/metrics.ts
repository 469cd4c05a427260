/**
 * `--metrics-listen`: the status snapshot in Prometheus text exposition format (version 0.0.4),
 * served on `GET /metrics`. Off unless configured; nothing is sent anywhere.
 */
import { createServer, type Server } from 'node:http';
import type { DaemonStatus, DataCounters, TunnelStatus } from './status.js';

/** Escapes a label value per the exposition format. */
const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labels = (l: Record<string, string>) => `{${Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}`;

const DATA: readonly [keyof DataCounters, string, string][] = [
  ['rxPackets', 'rx_packets_total', 'Data packets received (kernel)'],
  ['rxBytes', 'rx_bytes_total', 'Data bytes received (kernel)'],
  ['rxErrors', 'rx_errors_total', 'Data receive errors (kernel)'],
  ['txPackets', 'tx_packets_total', 'Data packets sent (kernel)'],
  ['txBytes', 'tx_bytes_total', 'Data bytes sent (kernel)'],
  ['txErrors', 'tx_errors_total', 'Data send errors (kernel)'],
];
const CONTROL: readonly [keyof NonNullable<TunnelStatus['control']>, string, string][] = [
  ['sent', 'control_sent_total', 'Control messages sent (first transmissions)'],
  ['received', 'control_received_total', 'Control messages received'],
  ['retransmitted', 'control_retransmitted_total', 'Control message retransmissions'],
  ['hellosSent', 'hellos_sent_total', 'HELLO keepalives sent'],
];

/** Renders a snapshot as Prometheus text; metric names are `l2tp_*`, labelled by daemon, tunnel, session. */
export function renderMetrics(status: DaemonStatus): string {
  const families = new Map<string, { help: string; type: string; samples: string[] }>();
  const add = (name: string, help: string, type: 'gauge' | 'counter', l: Record<string, string>, value: number) => {
    const f = families.get(name) ?? { help, type, samples: [] };
    f.samples.push(`l2tp_${name}${labels(l)} ${value}`);
    families.set(name, f);
  };
  const d = { daemon: status.daemon };
  add('up_seconds', 'Seconds since the daemon started', 'gauge', d, Math.floor((status.nowMs - status.startedAtMs) / 1000));
  if (status.eventLoopDelayP99Ms !== undefined) {
    add('event_loop_delay_p99_seconds', '99th percentile of the event loop delay since start', 'gauge', d, status.eventLoopDelayP99Ms / 1000);
  }
  for (const t of status.tunnels) {
    const tl = { ...d, tunnel: t.name };
    add('tunnel_up', 'Whether the tunnel is established (1) or not (0)', 'gauge', tl, t.upSinceMs === undefined ? 0 : 1);
    for (const [k, name, help] of CONTROL) if (t.control) add(`tunnel_${name}`, help, 'counter', tl, t.control[k]);
    for (const [k, name, help] of DATA) if (t.data) add(`tunnel_${name}`, help, 'counter', tl, t.data[k]);
    for (const s of t.sessions) {
      const sl = { ...tl, session: s.name };
      add('session_up', 'Whether the session is established (1) or not (0)', 'gauge', sl, s.upSinceMs === undefined ? 0 : 1);
      for (const [k, name, help] of DATA) if (s.data) add(`session_${name}`, help, 'counter', sl, s.data[k]);
    }
  }
  for (const l of status.listeners ?? []) {
    // Per listener only: an LNS may hold 100 000 calls, too many for per-call series.
    const ll = { ...d, listener: l.name, listen: l.listen };
    add('lns_tunnels', 'Established tunnels of an LNS listener', 'gauge', ll, l.tunnelCount);
    add('lns_sessions', 'Established calls of an LNS listener', 'gauge', ll, l.sessionCount);
    if (l.pool !== undefined) {
      add('lns_pool_used', 'Addresses of the pool held by calls', 'gauge', ll, l.pool.used);
      add('lns_pool_free', 'Free addresses of the pool', 'gauge', ll, l.pool.free);
    }
    for (const [reason, n] of Object.entries(l.refusals)) add('lns_refusals_total', 'SCCRQs and calls refused, by reason', 'counter', { ...ll, reason }, n);
  }
  const out: string[] = [];
  for (const [name, f] of families) out.push(`# HELP l2tp_${name} ${f.help}`, `# TYPE l2tp_${name} ${f.type}`, ...f.samples);
  return `${out.join('\n')}\n`;
}

/** Serves `GET /metrics` on host:port from a fresh snapshot per scrape. */
export async function listenMetrics(host: string, port: number, snapshot: () => Promise<DaemonStatus> | DaemonStatus): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    Promise.resolve().then(snapshot).then(
      (s) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(renderMetrics(s)),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(e)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  return server;
}
