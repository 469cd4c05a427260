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
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { type Clock, type DataPlane, type EngineTrace, type RandomSource, L2tpContext, monotonicClock, planReload, type WireCodec } from '@l2tp/control';
import type { DaemonStatus, Logger, StatusDetail } from '@l2tp/daemon';
import type { Kl2tpdConfig, Kl2tpdLnsConfig, Kl2tpdTunnelConfig } from './config.js';
import { LnsServer } from './lns-server.js';
import { listenOverlaps, listenText, lnsIpv6Only } from './lns/config.js';
import { probeListenAddress } from './lns/port-probe.js';
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
  /** `-verbose`: every control message and state change to the log. */
  readonly trace?: EngineTrace | undefined;
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
  /**
   * How late the event loop runs (status and metrics: an LNS holding many calls must stay
   * responsive), measured from a second after start: node:perf_hooks is no part of bringing the
   * tunnels up, and loading it cost the first SCCRQ a millisecond and more.
   */
  private loopDelay: IntervalHistogram | undefined;
  /** One server per `[lns.NAME]`, by name. */
  private readonly lns = new Map<string, LnsServer>();

  /** Creates the context and one runner per configured tunnel; nothing is dialled until `start`. */
  constructor(private config: Kl2tpdConfig, private readonly o: RuntimeOptions) {
    const wallMs = o.wallMs ?? Date.now;
    this.startedAtMs = wallMs();
    this.context = new L2tpContext({ dataPlane: o.dataPlane, ...(o.wire && { wire: o.wire }), ...(o.clock && { clock: o.clock }), ...(o.random && { random: o.random }), ...(o.trace && { trace: o.trace }) });
    this.deps = {
      context: this.context, log: o.log, wallMs, resolve: o.resolve, ppp: o.ppp, changed: () => this.changed(),
      clock: o.clock ?? monotonicClock,
    };
    for (const t of config.tunnels) this.runners.set(t.name, new TunnelRunner(t, this.deps));
    for (const l of config.ext.lns) this.lns.set(l.name, this.newLns(l));
    for (const name of ['tunnel-up', 'tunnel-down', 'session-up', 'session-down', 'dataplane-error', 'message-ignored'] as const) {
      this.context.on(name, (e) => this.byTunnelId('tunnel' in e ? e.tunnel.tunnelId : e.tunnelId)?.onEvent(name, e));
    }
    this.context.on('tunnel-released', () => this.changed());
    this.context.on('kernel-lost', (e) => o.log.warn({ tunnel_id: e.tunnelId, session_id: e.sessionId, ...(e.error && { err: e.error }) },
      e.sessionId === undefined ? 'kernel tunnel deleted by someone else: closing the tunnel' : 'kernel session deleted by someone else: clearing the call'));
  }

  /** Dials every configured tunnel and binds every LNS listener (one that cannot bind stops the daemon: exit 1). */
  start(): void {
    if (this.runners.size === 0 && this.lns.size === 0) this.o.log.warn('no tunnels configured');
    for (const r of this.runners.values()) r.start();
    void this.startAllLns();
    setTimeout(() => {
      if (this.stopping) return;
      this.loopDelay = monitorEventLoopDelay({ resolution: 10 });
      this.loopDelay.enable();
    }, 1000).unref();
  }

  private newLns(config: Kl2tpdLnsConfig): LnsServer {
    return new LnsServer(config, {
      log: this.o.log, dataPlane: this.o.dataPlane, wire: this.o.wire, clock: this.deps.clock, random: this.o.random, wallMs: this.deps.wallMs, trace: this.o.trace,
      ppp: this.o.ppp, changed: () => this.changed(),
      // Kernel tunnel ids are unique per network namespace: no two contexts may pick the same one.
      tunnelIdInUse: (id) => this.context.holds(id) || [...this.lns.values()].some((s) => s.context.holds(id)),
    });
  }

  /**
   * Binds every listener of the start. First each address is probed (lns/port-probe.ts), all
   * before any is bound (our own dual-stack `[::]` would fail the probe of `0.0.0.0` on its port):
   * another process on one of them is exit 1, as a bind failure is, not a shared port.
   */
  private async startAllLns(): Promise<void> {
    const all = [...this.lns.values()];
    for (const s of all) if (!(await this.probeFree(s, all))) return;
    for (const s of all) this.startLns(s);
  }

  /**
   * False (and exit 1 started) when another process holds `s`'s listen address. `ours`: the
   * listeners of this daemon that will or do run beside it; on a reload an address one of them
   * holds or covers (a wildcard) is not probed: the probe cannot tell their sockets from another's.
   */
  private async probeFree(s: LnsServer, ours: readonly LnsServer[], reload = false): Promise<boolean> {
    const l = s.config.listen;
    if (reload && ours.some((o) => o !== s && listenOverlaps(o.config.listen, l))) return true;
    const i = ours.indexOf(s);
    const code = await probeListenAddress(l, i >= 0 && lnsIpv6Only(ours.map((x) => x.config), i));
    if (this.stopping) return false;
    // Any other probe error: the real bind reports it.
    if (code !== 'EADDRINUSE') return true;
    this.cannotListen(s, code);
    return false;
  }

  private startLns(s: LnsServer): void {
    s.start().catch((err: unknown) => this.cannotListen(s, (err as { code?: unknown }).code, err));
  }

  /** A listener that cannot have its address: logged (naming another process for EADDRINUSE), exit 1. */
  private cannotListen(s: LnsServer, code: unknown, err?: unknown): void {
    const at = listenText(s.config.listen);
    const why = code === 'EADDRINUSE' ? `: ${at} is already in use by another process (another kl2tpd or xl2tpd?)` : '';
    this.o.log.error({ lns: s.config.name, listen: at, ...(err !== undefined && { err }) }, `cannot listen for [lns.${s.config.name}]${why}; exiting`);
    this.stopping = true;
    this.o.exit(1);
  }

  /** The LNS server of `[lns.NAME]`. */
  lnsServer(name: string): LnsServer | undefined { return this.lns.get(name); }

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
    const listening = [...this.lns.values()].filter((s) => s.listening).length;
    // Counts of LNS calls stay out of STATUS: they change thousands of times a second under load.
    const line = `${up}/${runners.length} tunnels fully up${this.lns.size > 0 ? `, ${listening}/${this.lns.size} LNS listening` : ''}`;
    if (line !== this.lastStatusLine) this.o.notify(`STATUS=${(this.lastStatusLine = line)}`);
    if (!this.readySent && runners.length + this.lns.size > 0 && up === runners.length && listening === this.lns.size) {
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
    if (runner === undefined && /^\d+$/.test(tunnelName!)) return this.lnsCommand(op, target);
    // `LNS/ID[/SESSION_ID]`, the name status shows for a tunnel the [lns.LNS] listener accepted.
    const parts = target.split('/');
    const lns = runner === undefined ? this.lns.get(tunnelName!) : undefined;
    if (lns !== undefined && parts.length > 1) return this.lnsCommand(op, parts.slice(1).join('/'), lns);
    if (parts.length > 2) throw new Error(`bad target ${target}: TUNNEL/SESSION, or LNS/ID/SESSION_ID for a call an LNS accepted`);
    if (runner === undefined) throw new Error(`no tunnel named ${tunnelName} in the configuration`);
    // A refusal is the client's answer only: nothing was done, so nothing is logged as done.
    runner.check(op, sessionName);
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

  /** `down ID` / `down ID/SESSION_ID` of a tunnel an LNS accepted (they have ids, not names); `only`: of that listener. */
  private lnsCommand(op: 'up' | 'down', target: string, only?: LnsServer): string {
    // Decimal ids as status prints them: Number() would also take "0x1f", "1e3" or "-1".
    if (!/^\d{1,10}(\/\d{1,10})?$/.test(target)) throw new Error(`bad LNS target ${target}: ID or ID/SESSION_ID, decimal ids as status shows them`);
    const [tunnelId, sessionId] = target.split('/').map(Number) as [number, number | undefined];
    const server = (only === undefined ? [...this.lns.values()] : [only]).find((s) => s.hasTunnel(tunnelId));
    if (server === undefined && only !== undefined) throw new Error(`no tunnel ${tunnelId} on [lns.${only.config.name}]`);
    if (server === undefined) throw new Error(`no tunnel named ${target.split('/')[0]} in the configuration and no LNS tunnel with that id`);
    if (op === 'up') throw new Error('an LNS tunnel is the peer\'s to set up: only down works on it');
    server.check(tunnelId, sessionId);
    this.o.log.info({ lns: server.config.name, tunnel_id: tunnelId, ...(sessionId !== undefined && { session_id: sessionId }) }, 'administratively down');
    server.down(tunnelId, sessionId);
    return `down ${target}`;
  }

  /** SIGHUP: applies what changed between the running and the new configuration; untouched objects keep running. */
  async reload(next: Kl2tpdConfig): Promise<{ added: number; removed: number; unchanged: number }> {
    const plan = planReload<Kl2tpdTunnelConfig>(this.config.tunnels, next.tunnels);
    // What the operator took down stays down in the replacement (a changed tunnel or session).
    const keptDown = new Set([...this.runners.values()].flatMap((r) => r.adminDownNames()));
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
      r.startKeeping(keptDown);
    }
    for (const { tunnel, session } of plan.addSessions) {
      const r = this.runners.get(tunnel.name);
      if (r === undefined) continue;
      r.config = tunnel;
      r.addSession(session, keptDown.has(`${tunnel.name}/${session.name}`));
    }
    const lnsChanges = this.reloadLns(next.ext.lns);
    removing.push(...lnsChanges.removing);
    this.config = next;
    await Promise.all(removing);
    this.changed();
    return {
      added: plan.addTunnels.length + plan.addSessions.length + lnsChanges.added,
      removed: plan.removeTunnels.length + plan.removeSessions.length + lnsChanges.removed, unchanged: plan.unchanged.length + lnsChanges.unchanged,
    };
  }

  /**
   * `[lns.*]` on SIGHUP: removed tables stop (their tunnels cleared), new ones start, changed ones
   * take policy changes in place (calls kept) or are replaced when their socket or control
   * settings changed (their tunnels cleared: a new listener cannot inherit them).
   */
  private reloadLns(next: readonly Kl2tpdLnsConfig[]): { removing: Promise<void>[]; added: number; removed: number; unchanged: number } {
    const removing: Promise<void>[] = [];
    let added = 0;
    let removed = 0;
    let unchanged = 0;
    const names = new Set(next.map((l) => l.name));
    // Every listener this daemon held before the reload: an address one of them covered is not probed.
    const before = [...this.lns.values()];
    const probed = (fresh: LnsServer) => this.probeFree(fresh, [...before, ...this.lns.values()], true);
    for (const [name, s] of this.lns) {
      if (names.has(name)) continue;
      this.lns.delete(name);
      removing.push(s.stop(2000));
      removed++;
    }
    for (const l of next) {
      const s = this.lns.get(l.name);
      if (s !== undefined && JSON.stringify(s.config) === JSON.stringify(l)) { unchanged++; continue; }
      if (s !== undefined && !s.reconfigure(l).restart) { unchanged++; continue; }
      if (s !== undefined) {
        this.o.log.warn({ lns: l.name }, 'listen, host_name, secret, hide_avps or timers changed: the listener is replaced and its tunnels cleared');
        removed++;
        // The old socket must be closed before the new one binds the same address.
        const fresh = this.newLns(l);
        this.lns.set(l.name, fresh);
        const moved = JSON.stringify(s.config.listen) !== JSON.stringify(l.listen);
        removing.push(s.stop(2000).then(async () => { if (!moved || await probed(fresh)) this.startLns(fresh); }));
      } else {
        const fresh = this.newLns(l);
        this.lns.set(l.name, fresh);
        void probed(fresh).then((free) => { if (free) this.startLns(fresh); });
      }
      added++;
    }
    return { removing, added, removed, unchanged };
  }

  /** The status snapshot; `counts` (/metrics) leaves out the tunnels and calls of LNS listeners. */
  async status(detail: StatusDetail = 'full'): Promise<DaemonStatus> {
    return {
      daemon: 'kl2tpd', version: VERSION, pid: process.pid, startedAtMs: this.startedAtMs, nowMs: (this.o.wallMs ?? Date.now)(),
      ...(this.loopDelay !== undefined && this.loopDelay.count > 0 && { eventLoopDelayP99Ms: this.loopDelay.percentile(99) / 1e6 }),
      tunnels: await Promise.all([...this.runners.values()].map((r) => r.status())),
      ...(this.lns.size > 0 && { listeners: await Promise.all([...this.lns.values()].map((s) => s.status(detail))) }),
    };
  }

  /**
   * Graceful shutdown: StopCCN on every tunnel while pppd instances stop; waits (at most `boundMs`)
   * until every StopCCN is acknowledged and no acknowledgement is owed, then deletes kernel objects.
   */
  async shutdown(boundMs: number): Promise<void> {
    this.stopping = true;
    this.loopDelay?.disable();
    const all = [...this.runners.values(), ...this.retiring];
    await Promise.all([
      ...all.map((r) => r.stop(Math.min(3000, boundMs))), this.context.close(Math.max(0, boundMs - 500)),
      ...[...this.lns.values()].map((s) => s.stop(Math.max(0, boundMs - 500))),
    ]);
  }
}
