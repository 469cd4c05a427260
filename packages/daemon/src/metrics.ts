/**
 * `--metrics-listen` / `metrics_listen`: Prometheus metrics on `GET /metrics`, served with
 * prom-client: its default process and Node.js metrics (`process_start_time_seconds`,
 * `process_cpu_seconds_total`, `nodejs_heap_size_used_bytes`, ...), `l2tp_build_info`, and the
 * status snapshot as `l2tp_*` families labelled by daemon, tunnel and session, refreshed per
 * scrape. Off unless configured; nothing is sent anywhere. prom-client is loaded only when
 * metrics are served, so a daemon without them starts without it.
 */
import { createServer, type Server } from 'node:http';
import type { Counter, Gauge, Registry } from 'prom-client';
import type { DaemonStatus, DataCounters, TunnelStatus } from './status.js';

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
  ['ignored', 'control_ignored_total', 'Control messages acknowledged and not acted on (a call not held, an unrecognized type; L2TPv2)'],
];

const TUNNEL = ['daemon', 'tunnel'] as const;
const SESSION = ['daemon', 'tunnel', 'session'] as const;
/** Per listener only: an LNS may hold 100 000 calls, too many for per-call series. */
const LISTENER = ['daemon', 'listener', 'listen'] as const;

/** The l2tp_* families of one registry, refreshed from a snapshot per scrape. */
export class DaemonMetrics {
  /** The registry served on `/metrics` (prom-client's text format 0.0.4). */
  readonly registry: Registry;
  private readonly gauges: Record<string, Gauge<string>> = {};
  private readonly counters: Record<string, Counter<string>> = {};

  private constructor(prom: typeof import('prom-client'), defaultMetrics: boolean) {
    this.registry = new prom.Registry();
    if (defaultMetrics) prom.collectDefaultMetrics({ register: this.registry });
    const gauge = (name: string, help: string, labelNames: readonly string[]) => {
      this.gauges[name] = new prom.Gauge({ name: `l2tp_${name}`, help, labelNames, registers: [this.registry] });
    };
    const counter = (name: string, help: string, labelNames: readonly string[]) => {
      this.counters[name] = new prom.Counter({ name: `l2tp_${name}`, help, labelNames, registers: [this.registry] });
    };
    gauge('build_info', 'The daemon and its version; always 1', ['daemon', 'version', 'nodejs']);
    gauge('start_time_seconds', 'When the daemon started, in seconds since the Unix epoch', ['daemon']);
    gauge('up_seconds', 'Seconds since the daemon started', ['daemon']);
    gauge('tunnel_up', 'Whether the tunnel is established (1) or not (0)', TUNNEL);
    for (const [, name, help] of CONTROL) counter(`tunnel_${name}`, help, TUNNEL);
    for (const [, name, help] of DATA) counter(`tunnel_${name}`, help, TUNNEL);
    counter('tunnel_digest_verified_total', 'L2TPv3 control messages whose Message Digest verified', TUNNEL);
    counter('tunnel_digest_dropped_total', 'L2TPv3 control messages dropped: Message Digest missing or wrong (RFC 3931 §4.3)', TUNNEL);
    gauge('session_up', 'Whether the session is established (1) or not (0)', SESSION);
    gauge('session_cookie_bytes', 'Length of the L2TPv3 cookie we assigned (0, 4 or 8)', SESSION);
    gauge('session_peer_cookie_bytes', 'Length of the L2TPv3 cookie the peer assigned (0, 4 or 8)', SESSION);
    for (const [, name, help] of DATA) counter(`session_${name}`, help, SESSION);
    gauge('event_loop_delay_p99_seconds', '99th percentile of the event loop delay since start', ['daemon']);
    gauge('lns_tunnels', 'Established tunnels of an LNS listener', LISTENER);
    gauge('lns_sessions', 'Established calls of an LNS listener', LISTENER);
    gauge('lns_pool_used', 'Addresses of the pool held by calls', LISTENER);
    gauge('lns_pool_free', 'Free addresses of the pool', LISTENER);
    counter('lns_refusals_total', 'SCCRQs and calls refused, by reason', [...LISTENER, 'reason']);
  }

  /** Loads prom-client and creates the families; `defaultMetrics` adds prom-client's process metrics. */
  static async create(defaultMetrics = true): Promise<DaemonMetrics> {
    return new DaemonMetrics(await import('prom-client'), defaultMetrics);
  }

  /** Replaces every l2tp_* sample with the snapshot's (a tunnel that is gone loses its series). */
  update(status: DaemonStatus): void {
    for (const g of Object.values(this.gauges)) g.reset();
    for (const c of Object.values(this.counters)) c.reset();
    const d = { daemon: status.daemon };
    this.gauges['build_info']!.set({ ...d, version: status.version, nodejs: process.version }, 1);
    this.gauges['start_time_seconds']!.set(d, Math.floor(status.startedAtMs / 1000));
    this.gauges['up_seconds']!.set(d, Math.floor((status.nowMs - status.startedAtMs) / 1000));
    if (status.eventLoopDelayP99Ms !== undefined) this.gauges['event_loop_delay_p99_seconds']!.set(d, status.eventLoopDelayP99Ms / 1000);
    for (const l of status.listeners ?? []) {
      const ll = { ...d, listener: l.name, listen: l.listen };
      this.gauges['lns_tunnels']!.set(ll, l.tunnelCount);
      this.gauges['lns_sessions']!.set(ll, l.sessionCount);
      if (l.pool !== undefined) {
        this.gauges['lns_pool_used']!.set(ll, l.pool.used);
        this.gauges['lns_pool_free']!.set(ll, l.pool.free);
      }
      for (const [reason, n] of Object.entries(l.refusals)) this.counters['lns_refusals_total']!.inc({ ...ll, reason }, n);
    }
    for (const t of status.tunnels) {
      const tl = { ...d, tunnel: t.name };
      this.gauges['tunnel_up']!.set(tl, t.upSinceMs === undefined ? 0 : 1);
      for (const [k, name] of CONTROL) if (t.control?.[k] !== undefined) this.counters[`tunnel_${name}`]!.inc(tl, t.control[k]);
      for (const [k, name] of DATA) if (t.data) this.counters[`tunnel_${name}`]!.inc(tl, t.data[k]);
      if (t.digest) {
        this.counters['tunnel_digest_verified_total']!.inc(tl, t.digest.verified);
        this.counters['tunnel_digest_dropped_total']!.inc(tl, t.digest.dropped);
      }
      for (const s of t.sessions) {
        const sl = { ...tl, session: s.name };
        this.gauges['session_up']!.set(sl, s.upSinceMs === undefined ? 0 : 1);
        if (s.cookieLength !== undefined) this.gauges['session_cookie_bytes']!.set(sl, s.cookieLength);
        if (s.peerCookieLength !== undefined) this.gauges['session_peer_cookie_bytes']!.set(sl, s.peerCookieLength);
        for (const [k, name] of DATA) if (s.data) this.counters[`session_${name}`]!.inc(sl, s.data[k]);
      }
    }
  }

  /** Refreshes from `status` and renders the registry in the text exposition format. */
  async render(status: DaemonStatus): Promise<string> {
    this.update(status);
    return this.registry.metrics();
  }
}

/** Renders one snapshot's l2tp_* families alone (no process metrics), as `/metrics` shows them. */
export async function renderMetrics(status: DaemonStatus): Promise<string> {
  return (await DaemonMetrics.create(false)).render(status);
}

/** A metrics listener bound before the daemon starts (see {@link reserveMetricsListener}). */
const reserved = new Map<string, Server>();
const key = (host: string, port: number) => `${host}|${port}`;

/** Why a listen failed, in one line (no stack): `address already in use (EADDRINUSE)`. */
function listenError(host: string, port: number, e: NodeJS.ErrnoException): Error {
  const why = e.code === 'EADDRINUSE' ? 'address already in use; another process holds the port'
    : e.code === 'EADDRNOTAVAIL' ? 'no interface has this address'
      : e.code === 'EACCES' ? 'permission denied' : e.message;
  const where = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return Object.assign(new Error(`cannot listen on ${where}: ${why}${e.code ? ` (${e.code})` : ''}`), { code: e.code });
}

async function bind(host: string, port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(listenError(host, port, e)));
    server.listen(port, host, () => { server.removeAllListeners('error'); resolve(); });
  });
  // A late error on the listening socket must not take the daemon down.
  server.on('error', () => undefined);
  return server;
}

/**
 * Binds host:port now, before the daemon creates anything, so that a busy port is a start-up
 * error (exit 2, as for a config problem) rather than a failure halfway through. The next
 * {@link listenMetrics} on the same address takes this server over. Rejects with a one-line Error.
 * Returns a release function that closes the listener if nobody took it.
 */
export async function reserveMetricsListener(host: string, port: number): Promise<() => void> {
  const server = await bind(host, port);
  const k = key(host, port);
  reserved.set(k, server);
  return () => {
    if (reserved.get(k) === server) {
      reserved.delete(k);
      server.close();
    }
  };
}

/**
 * Serves `GET /metrics` on host:port from a fresh snapshot per scrape, with prom-client's default
 * process metrics. Rejects with a one-line Error (e.g. `cannot listen on 127.0.0.1:9101: address
 * already in use; another process holds the port (EADDRINUSE)`) when the address cannot be bound.
 */
export async function listenMetrics(host: string, port: number, snapshot: () => Promise<DaemonStatus> | DaemonStatus): Promise<Server> {
  const metrics = await DaemonMetrics.create();
  const k = key(host, port);
  const server = reserved.get(k) ?? await bind(host, port);
  reserved.delete(k);
  server.on('request', (req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    Promise.resolve().then(snapshot).then((s) => metrics.render(s)).then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(e)}\n`),
    );
  });
  return server;
}
