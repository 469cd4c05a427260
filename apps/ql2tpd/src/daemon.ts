/**
 * ql2tpd as a process: one TunnelRun per configured tunnel, one ControlEngine (quiescent L2TPv3:
 * HELLO and acknowledgements) driven by one timer for every quiescent tunnel, the shared daemon
 * shell (control socket, metrics, signals), and SIGHUP reloads that touch only what changed.
 * Creation failing halfway removes what was created and exits 1 with the netlink error logged.
 */
import { lookup } from 'node:dns/promises';
import {
  ControlEngine, cryptoRandom, EngineDriver, md5, type ControlOutput, type ControlSocket, type DataPlane, type SocketAddress,
  type EngineTrace, type TunnelDownReason, type WireCodec,
} from '@l2tp/control';
import { startShell, type DaemonStatus, type Logger } from '@l2tp/daemon';
import type { Endpoint } from '@l2tp/config';
import type { Ql2tpdConfig, Ql2tpdTunnelConfig } from './config.js';
import { planReload } from './reload.js';
import { TunnelRun } from './tunnel-run.js';
import { VERSION } from './version.js';

/** The system ql2tpd runs on (tests pass a fake or the null data plane). */
export interface Ql2tpdPlatform {
  readonly dataPlane: DataPlane;
  readonly wire: WireCodec;
  readonly notify: (state: string) => void;
  /** `-verbose`: every control message and state change to the log. */
  readonly trace?: EngineTrace;
}

/** Options of {@link runQl2tpd}. */
export interface Ql2tpdRunOptions {
  readonly log: Logger;
  readonly platform: Ql2tpdPlatform;
  /** Reads the config again on SIGHUP (absent: SIGHUP is ignored). */
  readonly reload?: () => Promise<Ql2tpdConfig | undefined>;
  readonly signals?: boolean;
  readonly started?: (d: { stop(): void; status(): Promise<DaemonStatus>; reload(): Promise<void> }) => void;
}

async function address(e: Endpoint, family?: 4 | 6): Promise<SocketAddress> {
  if (e.family !== undefined) return { address: e.host, port: e.port, family: e.family };
  const r = await lookup(e.host, family === undefined ? {} : { family });
  return { address: r.address, port: e.port, family: r.family === 6 ? 6 : 4 };
}

const describe = (r: TunnelDownReason): string => {
  switch (r.type) {
    case 'retransmit-exhausted': return `no acknowledgement of our ${r.messageType}: the peer stopped answering`;
    case 'peer-stopccn': return `peer sent StopCCN result ${r.result.result}${r.result.message ? ` (${r.result.message})` : ''}`;
    default: return r.type;
  }
};

/** Runs ql2tpd until a signal; resolves with the exit status. */
export async function runQl2tpd(initial: Ql2tpdConfig, o: Ql2tpdRunOptions): Promise<number> {
  const { log, platform } = o;
  const startedAtMs = Date.now();
  let config = initial;
  const runs = new Map<string, TunnelRun>();
  const deps = {
    dataPlane: platform.dataPlane, log, nowMs: () => Date.now(), describe,
    changed: () => platform.notify(`STATUS=${[...runs.values()].filter((r) => r.state === 'up').length}/${runs.size} tunnels up`),
    resolve: async (t: Ql2tpdTunnelConfig) => {
      const peer = await address(t.peer);
      const local = t.local ? await address(t.local, peer.family) : { address: peer.family === 6 ? '::' : '0.0.0.0', port: 0, family: peer.family };
      return { peer, local };
    },
    // One engine and timer per quiescent tunnel: a re-established tunnel reuses its configured
    // id, which a shared engine would still hold after a failure.
    attach(t: Ql2tpdTunnelConfig, peer: SocketAddress, socket: ControlSocket, down: (r: TunnelDownReason) => void, heard?: () => void) {
      const engine = new ControlEngine({}, { random: cryptoRandom, md5 }, platform.wire);
      const driver = new EngineDriver(engine, (outs: readonly ControlOutput[]) => {
        for (const out of outs) {
          if (out.kind === 'transmit') socket.send(out.bytes);
          else if (out.kind === 'event' && out.event.type === 'tunnel-down') down(out.event.reason);
        }
      }, undefined, platform.trace);
      engine.addTunnel({
        role: 'lac', version: 3, quiescent: true, tunnelId: t.tunnelId, peerTunnelId: t.peerTunnelId, hostName: t.hostName,
        helloIntervalMs: t.helloTimeoutMs, transport: { retryTimeoutMs: t.retryTimeoutMs, maxRetries: t.maxRetries, receiveWindowSize: t.windowSize },
      }, peer);
      socket.onDatagram((bytes, from) => {
        driver.input((nowMs) => ({ kind: 'datagram', nowMs, bytes, from }));
        heard?.();
      });
      driver.input((nowMs) => ({ kind: 'command', nowMs, tunnelId: t.tunnelId, command: { type: 'open' } }));
      return {
        detach(stopccn: boolean) {
          // RFC 3931 StopCCN result 6: we are shutting down (sent once, not waited for).
          if (stopccn && engine.tunnel(t.tunnelId)?.state === 'established') {
            driver.input((nowMs) => ({ kind: 'command', nowMs, tunnelId: t.tunnelId, command: { type: 'close', result: { result: 6 } } }));
          }
          driver.stop();
        },
        counters: () => engine.tunnel(t.tunnelId)?.counters,
      };
    },
  };

  async function create(t: Ql2tpdTunnelConfig): Promise<void> {
    const run = new TunnelRun(t, deps);
    runs.set(t.name, run);
    await run.start();
  }
  async function stopAll(): Promise<void> {
    await Promise.all([...runs.values()].map((r) => r.stop()));
    runs.clear();
  }

  try {
    for (const t of config.tunnels) await create(t);
  } catch (e) {
    log.error({ err: (e as Error).message }, 'creating the configured tunnels failed; removing what was created');
    await stopAll();
    await platform.dataPlane.close().catch(() => undefined);
    return 1;
  }

  const status = async (): Promise<DaemonStatus> => ({
    daemon: 'ql2tpd', version: VERSION, pid: process.pid, startedAtMs, nowMs: Date.now(),
    tunnels: await Promise.all([...runs.values()].map((r) => r.status())),
  });
  const reload = async () => {
    const next = await o.reload?.();
    if (next === undefined) return log.error('the new configuration has problems; keeping the running one');
    const plan = planReload(config, next);
    for (const t of plan.removeTunnels) { await runs.get(t.name)?.stop(); runs.delete(t.name); }
    for (const { tunnel, session } of plan.removeSessions) await runs.get(tunnel.name)?.pseudowires?.removeSession(session.name);
    for (const t of plan.addTunnels) await create(t).catch((e: unknown) => log.error({ tunnel_name: t.name, err: (e as Error).message }, 'cannot create tunnel'));
    for (const { tunnel, session } of plan.addSessions) {
      await runs.get(tunnel.name)?.pseudowires?.addSession(session).catch((e: unknown) => log.error({ tunnel_name: tunnel.name, session_name: session.name, err: (e as Error).message }, 'cannot create session'));
    }
    config = next;
    log.info({ unchanged: plan.unchanged.length, removed: plan.removeTunnels.length + plan.removeSessions.length,
      added: plan.addTunnels.length + plan.addSessions.length }, 'configuration reloaded');
  };
  const shell = await startShell({
    log, controlSocket: config.ext.controlSocket, metricsListen: config.ext.metricsListen, notify: platform.notify, status,
    async command(op, target) {
      const run = runs.get(target.split('/')[0]!);
      if (run === undefined) throw new Error(`no tunnel named ${target.split('/')[0]} is running`);
      if (target.includes('/')) throw new Error('ql2tpd brings sessions up and down with their tunnel: name the tunnel');
      if (op === 'down') await run.stop();
      else if (run.state === 'stopped') await run.start();
      return `${op} ${target}`;
    },
    async shutdown() {
      await stopAll();
      await platform.dataPlane.close().catch(() => undefined);
    },
    ...(o.reload && { reload }),
  }, o.signals === undefined ? {} : { signals: o.signals });
  platform.notify('READY=1');
  log.info({ tunnels: runs.size }, 'every configured tunnel is up');
  o.started?.({ stop: () => shell.stop(0), status, reload });
  return shell.exited;
}
