/**
 * ql2tpd's runtime without the process around it: one `L2tpContext` (quiescent control channels,
 * static kernel tunnels), one `TunnelRunner` per configured tunnel, `up`/`down`, SIGHUP reloads that
 * touch only what changed, status and shutdown. Timed on the injected `Clock`, so tests run it in
 * virtual time over SimNet sockets and a fake kernel; `daemon.ts` wires it to the process shell.
 */
import { type Clock, type DataPlane, type EngineTrace, type RandomSource, L2tpContext, monotonicClock, planReload, type WireCodec } from '@l2tp/control';
import type { DaemonStatus, Logger } from '@l2tp/daemon';
import type { Ql2tpdConfig, Ql2tpdTunnelConfig } from './config.js';
import type { TunnelAddresses } from './pseudowire.js';
import { TunnelRunner, type TunnelRunnerDeps } from './tunnel-runner.js';
import { VERSION } from './version.js';

/** What the runtime needs; the daemon passes the real ones, tests virtual ones. */
export interface Ql2tpdRuntimeOptions {
  readonly log: Logger;
  readonly dataPlane: DataPlane;
  readonly wire?: WireCodec;
  readonly clock?: Clock;
  /** Randomness for ids and HELLO jitter (default: the OS's CSPRNG); tests pass a seeded one. */
  readonly random?: RandomSource;
  readonly wallMs?: () => number;
  /** `-verbose`: every control message and state change to the log. */
  readonly trace?: EngineTrace | undefined;
  resolve(tunnel: Ql2tpdTunnelConfig): Promise<TunnelAddresses>;
  readonly notify: (state: string) => void;
}

/** ql2tpd's tunnels over one context; see the file header. */
export class Ql2tpdRuntime {
  readonly context: L2tpContext;
  private readonly runners = new Map<string, TunnelRunner>();
  private readonly deps: TunnelRunnerDeps;
  private readonly startedAtMs: number;

  /** Creates the context; nothing is created until `start`. */
  constructor(private config: Ql2tpdConfig, private readonly o: Ql2tpdRuntimeOptions) {
    const wallMs = o.wallMs ?? Date.now;
    this.startedAtMs = wallMs();
    this.context = new L2tpContext({ dataPlane: o.dataPlane, ...(o.wire && { wire: o.wire }), ...(o.clock && { clock: o.clock }), ...(o.random && { random: o.random }), ...(o.trace && { trace: o.trace }) });
    this.deps = {
      context: this.context, log: o.log, clock: o.clock ?? monotonicClock, wallMs, resolve: (t) => o.resolve(t),
      changed: () => o.notify(`STATUS=${[...this.runners.values()].filter((r) => r.state === 'established').length}/${this.runners.size} tunnels up`),
    };
    for (const name of ['tunnel-up', 'tunnel-down', 'tunnel-released'] as const) {
      this.context.on(name, (e) => this.byTunnelId('tunnel' in e ? e.tunnel.tunnelId : e.tunnelId)?.onEvent(name, e));
    }
    this.context.on('kernel-repaired', (e) => o.log.warn({ tunnel_id: e.tunnelId, session_id: e.sessionId }, 'kernel object deleted by someone else: made again'));
    this.context.on('kernel-lost', (e) => {
      if (e.error) return void o.log.error({ tunnel_id: e.tunnelId, session_id: e.sessionId, err: e.error }, 'kernel object deleted by someone else and cannot be made again');
      o.log.warn({ tunnel_id: e.tunnelId, session_id: e.sessionId }, 'kernel object deleted by someone else');
      if (e.sessionId !== undefined) void this.byTunnelId(e.tunnelId)?.remakeSession(e.sessionId);
    });
  }

  private byTunnelId(id: number): TunnelRunner | undefined {
    for (const r of this.runners.values()) if (r.config.tunnelId === id && r.quiescent) return r;
    return undefined;
  }

  /** Creates every configured tunnel; rejects with the first failure (after removing what was made). */
  async start(): Promise<void> {
    try {
      for (const t of this.config.tunnels) await this.create(t);
    } catch (e) {
      await this.shutdown(2000);
      throw e;
    }
  }

  private create(t: Ql2tpdTunnelConfig): Promise<void> {
    const r = new TunnelRunner(t, this.deps);
    this.runners.set(t.name, r);
    return r.start();
  }

  /** The runner of a configured tunnel, by name. */
  runner(name: string): TunnelRunner | undefined { return this.runners.get(name); }

  /** `up`/`down` of `TUNNEL`; rejects with a message for the client. */
  command(op: 'up' | 'down', target: string): string {
    const [name, session] = target.split('/');
    const run = this.runners.get(name!);
    if (run === undefined) throw new Error(`no tunnel named ${name} is running`);
    if (session !== undefined) throw new Error('ql2tpd brings sessions up and down with their tunnel: name the tunnel');
    this.o.log.info({ tunnel_name: name }, `administratively ${op}`);
    if (op === 'down') run.down();
    else run.up();
    return `${op} ${target}`;
  }

  /** SIGHUP: applies what changed; untouched tunnels and sessions keep passing traffic. */
  async reload(next: Ql2tpdConfig): Promise<{ unchanged: number; removed: number; added: number }> {
    const plan = planReload(this.config.tunnels, next.tunnels);
    const log = this.o.log;
    for (const t of plan.removeTunnels) {
      await this.runners.get(t.name)?.stop('remove');
      this.runners.delete(t.name);
    }
    for (const { tunnel, session } of plan.removeSessions) await this.runners.get(tunnel.name)?.removeSession(session.name);
    for (const t of plan.addTunnels) await this.create(t).catch((e: unknown) => log.error({ tunnel_name: t.name, err: e }, 'cannot create tunnel'));
    for (const { tunnel, session } of plan.addSessions) {
      const r = this.runners.get(tunnel.name);
      if (r !== undefined) r.config = tunnel;
      await r?.addSession(session).catch((e: unknown) => log.error({ tunnel_name: tunnel.name, session_name: session.name, err: e }, 'cannot create session'));
    }
    this.config = next;
    return { unchanged: plan.unchanged.length, removed: plan.removeTunnels.length + plan.removeSessions.length, added: plan.addTunnels.length + plan.addSessions.length };
  }

  /** The status snapshot. */
  async status(): Promise<DaemonStatus> {
    return {
      daemon: 'ql2tpd', version: VERSION, pid: process.pid, startedAtMs: this.startedAtMs, nowMs: (this.o.wallMs ?? Date.now)(),
      tunnels: await Promise.all([...this.runners.values()].map((r) => r.status())),
    };
  }

  /** Removes every tunnel (StopCCN result 6 on quiescent ones, waited for at most `boundMs`). */
  async shutdown(boundMs: number): Promise<void> {
    const runners = [...this.runners.values()];
    await Promise.all([...runners.map((r) => r.stop()), this.context.close(boundMs)]);
    this.runners.clear();
  }
}
