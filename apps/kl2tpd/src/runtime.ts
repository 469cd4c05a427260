/**
 * kl2tpd's runtime without the process around it: one `L2tpContext`, one `TunnelRunner` per
 * configured tunnel, the `up`/`down` commands, SIGHUP reloads, status, graceful shutdown, and the
 * exit rule. Everything is timed on the injected `Clock`, so tests run the whole daemon in virtual
 * time (SimNet sockets, a fake data plane); `daemon.ts` wires it to the process shell.
 *
 * Exit rule: when every configured tunnel has failed for good (no redial, or redials used up) and
 * the engine has released them all — after the RFC 2661 §5.7 hold of a StopCCN, during which the
 * peer's retransmissions are still acknowledged — the daemon exits 1 so that NetworkManager and
 * systemd notice (go-l2tp idles forever). An administrative `down` never counts as failed.
 */
import { type Clock, type DataPlane, type RandomSource, L2tpContext, monotonicClock, planReload, type WireCodec } from '@l2tp/control';
import type { DaemonStatus, Logger } from '@l2tp/daemon';
import type { Kl2tpdConfig, Kl2tpdTunnelConfig } from './config.js';
import { type PppPort, type RunnerDeps, TunnelRunner } from './tunnel-runner.js';
import { VERSION } from './version.js';

const DAY_MS = 86_400_000;

/** What the runtime needs; the daemon passes the real ones, tests virtual ones. */
export interface RuntimeOptions {
  readonly log: Logger;
  readonly dataPlane: DataPlane;
  readonly wire?: WireCodec;
  readonly clock?: Clock;
  /** Randomness for ids and HELLO jitter (default: the OS's CSPRNG); tests pass a seeded one. */
  readonly random?: RandomSource;
  readonly wallMs?: () => number;
  readonly resolve: RunnerDeps['resolve'];
  readonly ppp: PppPort | undefined;
  /** sd_notify(3) (STATUS=, READY=1). */
  readonly notify: (state: string) => void;
  /** The exit rule fired: the daemon should exit with `status`. */
  readonly exit: (status: number) => void;
}

/** kl2tpd's tunnels over one context; see the file header. */
export class Kl2tpdRuntime {
  readonly context: L2tpContext;
  private readonly runners = new Map<string, TunnelRunner>();
  /** Runners a reload removed, kept until their tunnel is gone (its events still arrive). */
  private readonly retiring = new Set<TunnelRunner>();
  private readonly deps: RunnerDeps;
  private readySent = false;
  private lastStatusLine = '';
  private stopping = false;
  private exitPending = false;
  private readonly startedAtMs: number;

  /** Creates the context and one runner per configured tunnel; nothing is dialled until `start`. */
  constructor(private config: Kl2tpdConfig, private readonly o: RuntimeOptions) {
    const wallMs = o.wallMs ?? Date.now;
    this.startedAtMs = wallMs();
    this.context = new L2tpContext({ dataPlane: o.dataPlane, ...(o.wire && { wire: o.wire }), ...(o.clock && { clock: o.clock }), ...(o.random && { random: o.random }) });
    this.deps = {
      context: this.context, log: o.log, wallMs, resolve: o.resolve, ppp: o.ppp, changed: () => this.changed(),
      clock: o.clock ?? monotonicClock,
    };
    for (const t of config.tunnels) this.runners.set(t.name, new TunnelRunner(t, this.deps));
    for (const name of ['tunnel-up', 'tunnel-down', 'session-up', 'session-down', 'dataplane-error'] as const) {
      this.context.on(name, (e) => this.byTunnelId('tunnel' in e ? e.tunnel.tunnelId : e.tunnelId)?.onEvent(name, e));
    }
    this.context.on('tunnel-released', () => this.changed());
    this.context.on('kernel-lost', (e) => o.log.warn({ tunnel_id: e.tunnelId, session_id: e.sessionId, ...(e.error && { err: e.error }) },
      e.sessionId === undefined ? 'kernel tunnel deleted by someone else: closing the tunnel' : 'kernel session deleted by someone else: clearing the call'));
  }

  /** Dials every configured tunnel. */
  start(): void {
    if (this.runners.size === 0) this.o.log.warn('no tunnels configured');
    for (const r of this.runners.values()) r.start();
  }

  /** The runner of a configured tunnel, by name. */
  runner(name: string): TunnelRunner | undefined { return this.runners.get(name); }

  private byTunnelId(id: number): TunnelRunner | undefined {
    for (const r of this.runners.values()) if (r.tunnelId === id) return r;
    for (const r of this.retiring) if (r.tunnelId === id) return r;
    return undefined;
  }

  private changed(): void {
    const runners = [...this.runners.values()];
    const up = runners.filter((r) => r.ready).length;
    const line = `${up}/${runners.length} tunnels fully up`;
    if (line !== this.lastStatusLine) this.o.notify(`STATUS=${(this.lastStatusLine = line)}`);
    if (!this.readySent && runners.length > 0 && up === runners.length) {
      this.readySent = true;
      this.o.notify('READY=1');
      this.o.log.info('every configured tunnel and session is up');
    }
    for (const r of this.retiring) if (r.state === 'stopped' && r.tunnelId === undefined) this.retiring.delete(r);
    if (this.allFailed() && !this.exitPending) void this.exitWhenDrained();
  }

  private allFailed(): boolean {
    const runners = [...this.runners.values()];
    return !this.stopping && runners.length > 0 && runners.every((r) => r.state === 'failed');
  }

  /**
   * Nothing left: every tunnel failed for good. Exit once the context is drained — a tunnel the
   * peer closed stays held (and acknowledging) through its §5.7 hold — unless `up` revived one.
   */
  private async exitWhenDrained(): Promise<void> {
    this.exitPending = true;
    await this.context.until(() => !this.allFailed() || this.context.drained(), DAY_MS);
    this.exitPending = false;
    if (!this.allFailed() || !this.context.drained()) return;
    this.stopping = true;
    this.o.log.error('no tunnel left; exiting');
    this.o.exit(1);
  }

  /** `up`/`down` of `TUNNEL` or `TUNNEL/SESSION`; rejects with a message for the client. */
  command(op: 'up' | 'down', target: string): string {
    const [tunnelName, sessionName] = target.split('/');
    const runner = this.runners.get(tunnelName!);
    if (runner === undefined) throw new Error(`no tunnel named ${tunnelName} in the configuration`);
    this.o.log.info({ tunnel_name: tunnelName, ...(sessionName !== undefined && { session_name: sessionName }) }, `administratively ${op}`);
    if (sessionName !== undefined) {
      if (op === 'down') runner.downSession(sessionName);
      else runner.upSession(sessionName);
    } else if (op === 'down') {
      runner.down();
    } else {
      runner.up();
    }
    return `${op} ${target}`;
  }

  /** SIGHUP: applies what changed between the running and the new configuration; untouched objects keep running. */
  async reload(next: Kl2tpdConfig): Promise<{ added: number; removed: number; unchanged: number }> {
    const plan = planReload<Kl2tpdTunnelConfig>(this.config.tunnels, next.tunnels);
    const removing: Promise<void>[] = [];
    for (const t of plan.removeTunnels) {
      const r = this.runners.get(t.name);
      if (r === undefined) continue;
      this.runners.delete(t.name);
      this.retiring.add(r);
      removing.push(r.remove());
    }
    for (const { tunnel, session } of plan.removeSessions) this.runners.get(tunnel.name)?.removeSession(session.name);
    for (const t of plan.addTunnels) {
      const r = new TunnelRunner(t, this.deps);
      this.runners.set(t.name, r);
      r.start();
    }
    for (const { tunnel, session } of plan.addSessions) {
      const r = this.runners.get(tunnel.name);
      if (r === undefined) continue;
      r.config = tunnel;
      r.addSession(session);
    }
    this.config = next;
    await Promise.all(removing);
    this.changed();
    return { added: plan.addTunnels.length + plan.addSessions.length, removed: plan.removeTunnels.length + plan.removeSessions.length, unchanged: plan.unchanged.length };
  }

  /** The status snapshot. */
  async status(): Promise<DaemonStatus> {
    return {
      daemon: 'kl2tpd', version: VERSION, pid: process.pid, startedAtMs: this.startedAtMs, nowMs: (this.o.wallMs ?? Date.now)(),
      tunnels: await Promise.all([...this.runners.values()].map((r) => r.status())),
    };
  }

  /**
   * Graceful shutdown: StopCCN on every tunnel while pppd instances stop; waits (at most `boundMs`)
   * until every StopCCN is acknowledged and no acknowledgement is owed, then deletes kernel objects.
   */
  async shutdown(boundMs: number): Promise<void> {
    this.stopping = true;
    const all = [...this.runners.values(), ...this.retiring];
    await Promise.all([...all.map((r) => r.stop(Math.min(3000, boundMs))), this.context.close(Math.max(0, boundMs - 500))]);
  }
}
