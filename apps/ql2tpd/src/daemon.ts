/**
 * ql2tpd as a process: the runtime (`runtime.ts`: one L2tpContext, one TunnelRunner per configured
 * tunnel) inside the shared daemon shell — the admin socket (status, up, down), metrics, signals,
 * SIGHUP reloads that touch only what changed. Creation failing at start removes what was created
 * and exits 1 with the netlink error logged.
 */
import { lookup } from 'node:dns/promises';
import type { DataPlane, EngineTrace, SocketAddress, WireCodec } from '@l2tp/control';
import { startShell, type DaemonStatus, type Logger } from '@l2tp/daemon';
import type { Endpoint } from '@l2tp/config';
import type { Ql2tpdConfig, Ql2tpdTunnelConfig } from './config.js';
import { Ql2tpdRuntime } from './runtime.js';

/** The system ql2tpd runs on (tests pass a fake or the null data plane). */
export interface Ql2tpdPlatform {
  readonly dataPlane: DataPlane;
  readonly wire: WireCodec;
  readonly notify: (state: string) => void;
  /** `-verbose`: every control message and state change to the log. */
  readonly trace?: EngineTrace | undefined;
}

/** Options of {@link runQl2tpd}. */
export interface Ql2tpdRunOptions {
  readonly log: Logger;
  readonly platform: Ql2tpdPlatform;
  /** Reads the config again on SIGHUP (absent: SIGHUP is ignored). */
  readonly reload?: () => Promise<Ql2tpdConfig | undefined>;
  readonly signals?: boolean;
  /** Bound on the graceful shutdown. Default 5000 ms. */
  readonly shutdownTimeoutMs?: number;
  readonly started?: (d: { stop(): void; status(): Promise<DaemonStatus>; reload(): Promise<void> }) => void;
}

async function address(e: Endpoint, family?: 4 | 6): Promise<SocketAddress> {
  if (e.family !== undefined) return { address: e.host, port: e.port, family: e.family };
  const r = await lookup(e.host, family === undefined ? {} : { family });
  return { address: r.address, port: e.port, family: r.family === 6 ? 6 : 4 };
}

/** Resolves a tunnel's endpoints (wildcard local address and ephemeral port when `local` is absent). */
export async function resolveTunnel(t: Ql2tpdTunnelConfig): Promise<{ peer: SocketAddress; local: SocketAddress }> {
  const peer = await address(t.peer);
  const local = t.local ? await address(t.local, peer.family) : { address: peer.family === 6 ? '::' : '0.0.0.0', port: 0, family: peer.family };
  return { peer, local };
}

/** Runs ql2tpd until a signal; resolves with the exit status. */
export async function runQl2tpd(config: Ql2tpdConfig, o: Ql2tpdRunOptions): Promise<number> {
  const { log, platform } = o;
  const runtime = new Ql2tpdRuntime(config, { log, dataPlane: platform.dataPlane, wire: platform.wire, notify: platform.notify, trace: platform.trace, resolve: resolveTunnel });
  try {
    await runtime.start();
  } catch (e) {
    log.error({ err: e }, 'creating the configured tunnels failed; removed what was created');
    await platform.dataPlane.close().catch(() => undefined);
    return 1;
  }
  const reload = async () => {
    const next = await o.reload?.();
    if (next === undefined) return void log.error('the new configuration has problems; keeping the running one');
    log.info(await runtime.reload(next), 'configuration reloaded');
  };
  const bound = o.shutdownTimeoutMs ?? 5000;
  const shell = await startShell({
    log, controlSocket: config.ext.controlSocket, metricsListen: config.ext.metricsListen, notify: platform.notify,
    status: () => runtime.status(),
    command: async (op, target) => runtime.command(op, target),
    async shutdown() {
      await runtime.shutdown(Math.max(0, bound - 500));
      await platform.dataPlane.close().catch(() => undefined);
    },
    ...(o.reload && { reload }),
  }, { ...(o.signals !== undefined && { signals: o.signals }), ...(o.shutdownTimeoutMs !== undefined && { shutdownTimeoutMs: o.shutdownTimeoutMs }) });
  platform.notify('READY=1');
  // Static tunnels are made by now; quiescent and dynamic ones are up only once their peer answers.
  const up = (await runtime.status()).tunnels.filter((t) => t.state === 'established' || t.state === 'static').length;
  log.info({ tunnels: config.tunnels.length, up }, `started: ${up} of ${config.tunnels.length} tunnels up${up < config.tunnels.length ? '; the others come up when their peer answers' : ''}`);
  o.started?.({ stop: () => shell.stop(0), status: () => runtime.status(), reload });
  return shell.exited;
}
