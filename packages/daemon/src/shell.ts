/**
 * The process shell both daemons run in: control socket and metrics listeners, SIGTERM/SIGINT
 * (bounded graceful shutdown, a second signal exits at once), SIGHUP (reload), and the systemd
 * STOPPING=1 notification, SIGUSR1 (the status table to the log, as xl2tpd does; never Node's
 * inspector). The daemon supplies its status, its up/down/reload actions and how to
 * shut down; the shell owns the process-level rules.
 */
import type { ControlRequest, ControlResponse } from './control-socket.js';
import { onReloadSignal } from './sighup.js';
import { onStatusSignal } from './sigusr1.js';
import type { DaemonStatus, StatusDetail } from './status.js';
import type { Logger } from 'pino';

/** What a daemon plugs into the shell. */
export interface ShellDaemon {
  readonly log: Logger;
  /** Control socket path (mode 0600). */
  readonly controlSocket: string;
  /** `metrics_listen`, when configured. */
  readonly metricsListen: { readonly host: string; readonly port: number } | undefined;
  /** sd_notify(3) (a no-op outside systemd). */
  notify(state: string): void;
  /** The status snapshot (async: kernel counters come from netlink); /metrics asks for `counts` only. */
  status(detail?: StatusDetail): DaemonStatus | Promise<DaemonStatus>;
  /** `up` / `down` of one configured object; rejects with a message for the client. */
  command(op: 'up' | 'down', target: string): Promise<string>;
  /** Graceful shutdown work (StopCCN, pppd, kernel objects); the shell bounds it. */
  shutdown(): Promise<void>;
  /** SIGHUP; absent: SIGHUP is logged and ignored. */
  reload?(): Promise<void>;
}

/** A running shell. */
export interface Shell {
  /** Starts the graceful shutdown (as SIGTERM does) and resolves `exited` with `status`. */
  stop(status: number): void;
  /** Resolves with the exit status once the shutdown finished (or its bound passed). */
  readonly exited: Promise<number>;
}

/** Options of {@link startShell}. */
export interface ShellOptions {
  /** Bound on the graceful shutdown. Default 5000 ms. */
  readonly shutdownTimeoutMs?: number;
  /** Install signal handlers (default true; tests call `stop`). */
  readonly signals?: boolean;
}

/**
 * Starts handling SIGTERM and SIGINT for `d` at once (before this returns its promise: a daemon that
 * goes on to dial is never ended by a signal's default action), then, one turn of the event loop
 * later, its control socket and metrics listeners (a daemon that dials right after calling this gets
 * its first message out before node:net loads), then SIGHUP and SIGUSR1. Resolves when the
 * listeners are up (or have failed, logged).
 */
export async function startShell(d: ShellDaemon, options: ShellOptions = {}): Promise<Shell> {
  const { log } = d;
  const bound = options.shutdownTimeoutMs ?? 5000;
  let stopping = false;
  /** Set once the shutdown closed the listeners: one that comes up later is closed at once. */
  let closed = false;
  let done: (status: number) => void = () => undefined;
  const exited = new Promise<number>((r) => { done = r; });
  const closers: { close(): unknown }[] = [];
  const keep = (c: { close(): unknown }) => (closed ? void c.close() : void closers.push(c));

  const handle = async (req: ControlRequest): Promise<ControlResponse> => {
    if (req.op === 'status') return { ok: true, status: await d.status() };
    if (stopping) return { ok: false, error: 'shutting down' };
    try {
      return { ok: true, message: await d.command(req.op, req.target) };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  };

  const stop = (status: number) => {
    if (stopping) return;
    stopping = true;
    d.notify('STOPPING=1');
    log.info({ timeout_ms: bound }, 'shutting down');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => { timer = setTimeout(() => r('late'), bound); });
    void Promise.race([d.shutdown().then(() => 'done' as const, (e: unknown) => {
      log.error({ err: (e as Error).message }, 'shutdown failed');
      return 'done' as const;
    }), late]).then((how) => {
      clearTimeout(timer);
      if (how === 'late') log.warn(`shutdown did not finish within ${bound} ms; exiting anyway`);
      closed = true;
      for (const c of closers) c.close();
      removeSignals();
      log.info('shutdown complete');
      done(status);
    });
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) {
      log.warn(`second ${sig}: exiting at once`);
      process.exit(1);
    }
    log.info(`received ${sig}`);
    stop(0);
  };
  const onHup = () => {
    if (d.reload === undefined) return void log.info('SIGHUP ignored: this daemon has nothing to reload');
    log.info('received SIGHUP: reloading the configuration');
    d.notify('RELOADING=1');
    void d.reload().then(() => d.notify('READY=1'), (e: unknown) => log.error({ err: (e as Error).message }, 'reload failed'));
  };
  const onUsr1 = () => {
    void Promise.all([Promise.resolve().then(() => d.status()), import('./status.js')]).then(([status, { renderStatusTable }]) => {
      log.info('received SIGUSR1: status follows');
      for (const line of renderStatusTable(status).trimEnd().split('\n')) log.info(line);
    }, (e: unknown) => log.error({ err: (e as Error).message }, 'status for SIGUSR1 failed'));
  };
  let clearUsr1: () => void = () => undefined;
  let clearHup: () => void = () => undefined;
  const removeSignals = () => {
    clearInterval(watchdog);
    clearUsr1();
    clearHup();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  // systemd watchdog (WatchdogSec=): ping at half the interval systemd expects.
  const watchdogUsec = Number(process.env['WATCHDOG_USEC'] ?? 0);
  const watchdogPid = process.env['WATCHDOG_PID'];
  const watchdog = watchdogUsec > 0 && (watchdogPid === undefined || Number(watchdogPid) === process.pid)
    ? setInterval(() => d.notify('WATCHDOG=1'), Math.max(1, Math.floor(watchdogUsec / 2000))) : undefined;
  watchdog?.unref();
  if (options.signals !== false) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  await new Promise<void>((resolve) => setImmediate(resolve));
  // Imported here, not at the top: the daemons' bundles then load node:net, node:http and the
  // metrics code only when a daemon runs, never for --version or --check-config.
  const { ControlSocketPathError, listenControlSocket } = await import('./control-socket.js');
  try {
    keep(await listenControlSocket(d.controlSocket, handle));
  } catch (e) {
    if (e instanceof ControlSocketPathError) {
      // runDaemonMain checked before the daemon dialled; this is a second daemon that started at the
      // same moment (or a file put there since). Two daemons on one socket fight over their tunnels.
      log.error({ control_socket: e.path }, `${e.message}: stopping`);
      stop(1);
    } else log.warn({ err: (e as Error).message }, 'control socket unavailable: status, up and down will not work');
  }
  if (d.metricsListen !== undefined) {
    // runDaemonMain bound the port before the daemon started (a busy port exits 2 there); a
    // library user that did not gets the reason logged and runs on without metrics.
    try {
      const { listenMetrics } = await import('./metrics.js');
      keep(await listenMetrics(d.metricsListen.host, d.metricsListen.port, () => d.status('counts')));
      log.info({ metrics_listen: `${d.metricsListen.host}:${d.metricsListen.port}` }, 'serving /metrics');
    } catch (e) {
      log.error({ err: (e as Error).message }, 'metrics unavailable: /metrics will not be served');
    }
  }
  if (options.signals !== false && !stopping) {
    // Reload and status once the listeners are up. SIGHUP stays claimed (sighup.ts): one that came
    // while the daemon was starting runs now; SIGUSR1 was ignored until now (sigusr1.ts).
    clearHup = onReloadSignal(onHup);
    clearUsr1 = onStatusSignal(onUsr1);
  }
  return { stop, exited };
}
