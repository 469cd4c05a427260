/**
 * kl2tpd as a process: the runtime (`runtime.ts`: one L2tpContext, one TunnelRunner per configured
 * tunnel) inside the shared daemon shell — the admin socket (status, up, down), metrics, systemd
 * notification, SIGTERM/SIGINT and SIGHUP (reload). Resolves with the exit status: 0 after a
 * signal-driven shutdown, 1 when no tunnel is left (see the runtime's exit rule).
 */
import { lookup } from 'node:dns/promises';
import type { DataPlane, EngineTrace, SocketAddress, WireCodec } from '@l2tp/control';
import { startShell, type DaemonStatus, type Logger, type Shell } from '@l2tp/daemon';
import type { Endpoint } from '@l2tp/config';
import type { Kl2tpdConfig } from './config.js';
import { spawnPppd } from './pppd.js';
import { Kl2tpdRuntime } from './runtime.js';
import type { PppoxIds } from './tunnel-runner.js';

/** The system services kl2tpd uses, injectable so tests can run it without root or a kernel. */
export interface Kl2tpdPlatform {
  readonly dataPlane: DataPlane;
  readonly wire: WireCodec;
  /** PPPoL2TP sockets (absent with `-null`: no pppd). */
  readonly pppox?: { open(ids: PppoxIds): Promise<number>; close(fd: number): void };
  /** sd_notify(3); a no-op outside systemd. */
  readonly notify: (state: string) => void;
  /** `-verbose`: every control message and state change to the log. */
  readonly trace?: EngineTrace | undefined;
}

/** Options of {@link runKl2tpd}. */
export interface Kl2tpdRunOptions {
  readonly log: Logger;
  readonly platform: Kl2tpdPlatform;
  /** Reads the config again on SIGHUP (absent: SIGHUP is ignored); `undefined` when it has problems (logged). */
  readonly reload?: () => Promise<Kl2tpdConfig | undefined>;
  /** Bound on the graceful shutdown (StopCCN acks, pppd exits). Default 5000 ms. */
  readonly shutdownTimeoutMs?: number;
  /** Handle SIGTERM/SIGINT/SIGHUP (default true; tests drive `stop` instead). */
  readonly signals?: boolean;
  /** Receives the running daemon, for tests. */
  readonly started?: (daemon: { stop(): void; status(): Promise<DaemonStatus>; reload(): Promise<void> }) => void;
}

/** Looks up an endpoint's host (literal addresses pass through). */
export async function resolveEndpoint(e: Endpoint, family?: 4 | 6): Promise<SocketAddress> {
  if (e.family !== undefined) return { address: e.host, port: e.port, family: e.family };
  const r = await lookup(e.host, family === undefined ? {} : { family });
  return { address: r.address, port: e.port, family: r.family === 6 ? 6 : 4 };
}

/** Runs kl2tpd until a signal or until no tunnel is left. */
export async function runKl2tpd(config: Kl2tpdConfig, o: Kl2tpdRunOptions): Promise<number> {
  const { log, platform } = o;
  // The shell handles signals from the start but opens the control socket one event-loop turn
  // later, after runtime.start() has dialled (startShell): the socket is no part of bringing a
  // tunnel up, and setting it up (node:net and its cluster hooks) cost the first SCCRQ several
  // milliseconds. systemd's READY=1 still waits for the shell, so that `kl2tpd status` works once
  // the unit is active; an exit the runtime asks for before then is carried out once it can be.
  let shell: Shell | undefined;
  let readyHeld = false;
  let exitHeld: number | undefined;
  let exitTo: (status: number) => void = (s) => { exitHeld ??= s; };
  const notify = (state: string) => {
    if (state === 'READY=1' && shell === undefined) readyHeld = true;
    else platform.notify(state);
  };
  const runtime = new Kl2tpdRuntime(config, {
    log, dataPlane: platform.dataPlane, wire: platform.wire, notify, trace: platform.trace, exit: (s) => exitTo(s),
    resolve: async (t) => {
      const peer = await resolveEndpoint(t.peer);
      return { peer, local: t.local === undefined ? undefined : await resolveEndpoint(t.local, peer.family) };
    },
    ppp: platform.pppox === undefined ? undefined : {
      pppdPath: config.ext.pppdPath, openPppox: platform.pppox.open, closeFd: platform.pppox.close, spawn: spawnPppd,
    },
  });
  const reload = async () => {
    const next = await o.reload?.();
    if (next === undefined) return void log.error('the new configuration has problems; keeping the running one');
    const r = await runtime.reload(next);
    log.info(r, 'configuration reloaded');
  };
  const bound = o.shutdownTimeoutMs ?? 5000;
  const starting = startShell({
    log, controlSocket: config.ext.controlSocket, metricsListen: config.ext.metricsListen, notify: platform.notify,
    status: (detail) => runtime.status(detail),
    command: async (op, target) => runtime.command(op, target),
    async shutdown() {
      await runtime.shutdown(bound);
      await platform.dataPlane.close().catch(() => undefined);
    },
    ...(o.reload && { reload }),
  }, { ...(o.shutdownTimeoutMs !== undefined && { shutdownTimeoutMs: o.shutdownTimeoutMs }), ...(o.signals !== undefined && { signals: o.signals }) });
  runtime.start();
  const up = await starting;
  shell = up;
  exitTo = (s) => up.stop(s);
  if (readyHeld) platform.notify('READY=1');
  if (exitHeld !== undefined) up.stop(exitHeld);
  o.started?.({ stop: () => up.stop(0), status: () => runtime.status(), reload });
  return up.exited;
}
