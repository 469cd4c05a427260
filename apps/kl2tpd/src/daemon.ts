/**
 * kl2tpd as a process: one TunnelRunner per configured tunnel over one L2tpContext, the control
 * socket (status, up, down), metrics, systemd notification, and signals. Resolves with the exit
 * status: 0 after a signal-driven shutdown, 1 when no tunnel is left (so NetworkManager and systemd
 * notice; go-l2tp idles forever).
 */
import { lookup } from 'node:dns/promises';
import type { DataPlane, EngineTrace, SocketAddress, WireCodec } from '@l2tp/control';
import { L2tpContext } from '@l2tp/control';
import { startShell, type DaemonStatus, type Logger } from '@l2tp/daemon';
import type { Endpoint } from '@l2tp/config';
import type { Kl2tpdConfig } from './config.js';
import { spawnPppd } from './pppd.js';
import { type PppoxIds, type RunnerDeps, TunnelRunner } from './tunnel-runner.js';
import { VERSION } from './version.js';

/** The system services kl2tpd uses, injectable so tests can run it without root or a kernel. */
export interface Kl2tpdPlatform {
  readonly dataPlane: DataPlane;
  readonly wire: WireCodec;
  /** PPPoL2TP sockets (absent with `-null`: no pppd). */
  readonly pppox?: { open(ids: PppoxIds): Promise<number>; close(fd: number): void };
  /** sd_notify(3); a no-op outside systemd. */
  readonly notify: (state: string) => void;
  /** `-verbose`: every control message and state change to the log. */
  readonly trace?: EngineTrace;
}

/** Options of {@link runKl2tpd}. */
export interface Kl2tpdRunOptions {
  readonly log: Logger;
  readonly platform: Kl2tpdPlatform;
  /** Bound on the graceful shutdown (StopCCN acks, pppd exits). Default 5000 ms. */
  readonly shutdownTimeoutMs?: number;
  /** Handle SIGTERM/SIGINT (default true; tests drive `stop` instead). */
  readonly signals?: boolean;
  /** Receives the running daemon, for tests. */
  readonly started?: (daemon: { stop(): void; status(): Promise<DaemonStatus> }) => void;
}

/** Looks up an endpoint's host (literal addresses pass through). */
async function resolveEndpoint(e: Endpoint, family?: 4 | 6): Promise<SocketAddress> {
  if (e.family !== undefined) return { address: e.host, port: e.port, family: e.family };
  const r = await lookup(e.host, family === undefined ? {} : { family });
  return { address: r.address, port: e.port, family: r.family === 6 ? 6 : 4 };
}

/** Runs kl2tpd until a signal or until no tunnel is left. */
export async function runKl2tpd(config: Kl2tpdConfig, o: Kl2tpdRunOptions): Promise<number> {
  const { log, platform } = o;
  const startedAtMs = Date.now();
  const context = new L2tpContext({ dataPlane: platform.dataPlane, wire: platform.wire, ...(platform.trace && { trace: platform.trace }) });
  let shutdownTo: (status: number) => void = () => undefined;
  let stopping = false;
  let readySent = false;
  let lastStatusLine = '';

  const changed = () => {
    const up = runners.filter((r) => r.ready).length;
    const line = `${up}/${runners.length} tunnels fully up`;
    if (line !== lastStatusLine) platform.notify(`STATUS=${(lastStatusLine = line)}`);
    if (!readySent && runners.length > 0 && up === runners.length) {
      readySent = true;
      platform.notify('READY=1');
      log.info('every configured tunnel and session is up');
    }
    if (!stopping && runners.every((r) => r.state === 'final')) {
      log.error('no tunnel left; exiting');
      shutdownTo(1);
    }
  };
  const deps: RunnerDeps = {
    context, log, nowMs: () => Date.now(), changed,
    resolve: async (t) => {
      const peer = await resolveEndpoint(t.peer);
      return { peer, local: t.local === undefined ? undefined : await resolveEndpoint(t.local, peer.family) };
    },
    ppp: platform.pppox === undefined ? undefined : {
      pppdPath: config.ext.pppdPath, openPppox: platform.pppox.open, closeFd: platform.pppox.close, spawn: spawnPppd,
    },
  };
  const runners = config.tunnels.map((t) => new TunnelRunner(t, deps));
  const byTunnelId = (id: number) => runners.find((r) => r.tunnelId === id);
  for (const name of ['tunnel-up', 'tunnel-down', 'session-up', 'session-down', 'dataplane-error'] as const) {
    context.on(name, (e) => {
      const id = 'tunnel' in e ? e.tunnel.tunnelId : e.tunnelId;
      byTunnelId(id)?.onEvent(name, e);
    });
  }

  const status = async (): Promise<DaemonStatus> => ({
    daemon: 'kl2tpd', version: VERSION, pid: process.pid, startedAtMs, nowMs: Date.now(), tunnels: await Promise.all(runners.map((r) => r.status())),
  });
  const shell = await startShell({
    log, controlSocket: config.ext.controlSocket, metricsListen: config.ext.metricsListen, notify: platform.notify, status,
    async command(op, target) {
      const [tunnelName, sessionName] = target.split('/');
      const runner = runners.find((r) => r.config.name === tunnelName);
      if (runner === undefined) throw new Error(`no tunnel named ${tunnelName} in the configuration`);
      if (sessionName !== undefined) {
        if (op === 'down') runner.downSession(sessionName);
        else runner.upSession(sessionName);
        return `${op} ${target}`;
      }
      if (op === 'down') runner.down();
      else await runner.up();
      return `${op} ${target}`;
    },
    async shutdown() {
      stopping = true;
      const bound = o.shutdownTimeoutMs ?? 5000;
      // StopCCN on every tunnel (acks awaited within the bound) while pppd instances stop.
      await Promise.all([...runners.map((r) => r.stop(Math.min(3000, bound))), context.close(Math.max(0, bound - 500))]);
      await platform.dataPlane.close().catch(() => undefined);
    },
  }, { ...(o.shutdownTimeoutMs !== undefined && { shutdownTimeoutMs: o.shutdownTimeoutMs }), ...(o.signals !== undefined && { signals: o.signals }) });
  shutdownTo = (s) => shell.stop(s);

  if (runners.length === 0) log.warn('no tunnels configured');
  for (const r of runners) void r.start();
  o.started?.({ stop: () => shell.stop(0), status });
  const exitStatus = await shell.exited;
  return exitStatus;
}
