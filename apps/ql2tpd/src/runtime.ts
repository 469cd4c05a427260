/**
 * ql2tpd's runtime without the process around it: one `L2tpContext` (quiescent control channels,
 * static kernel tunnels, dynamic control connections), one `TunnelRunner` (static, quiescent) or
 * `DynamicTunnelRunner` (dynamic) per configured tunnel, `up`/`down`, SIGHUP reloads that
 * touch only what changed, status and shutdown. Timed on the injected `Clock`, so tests run it in
 * virtual time over SimNet sockets and a fake kernel; `daemon.ts` wires it to the process shell.
 */
import { type Clock, type DataPlane, type EngineTrace, type RandomSource, L2tpContext, monotonicClock, planReload, sameConfigValue, type WireCodec } from '@l2tp/control';
import type { DaemonStatus, Logger } from '@l2tp/daemon';
import type { Ql2tpdConfig, Ql2tpdTunnelConfig } from './config.js';
import type { TunnelAddresses } from './pseudowire.js';
import { type DynamicRunnerDeps, DynamicTunnelRunner } from './dynamic-runner.js';
import { TunnelRunner, type TunnelRunnerDeps } from './tunnel-runner.js';

type Runner = TunnelRunner | DynamicTunnelRunner;

/** Context events of dynamic connections, routed to their tunnel's runner by name. */
const V3_EVENTS = ['connection-up', 'connection-down', 'pseudowire-up', 'pseudowire-down', 'message-dropped', 'circuit-changed', 'pseudowire-circuit'] as const;
import { VERSION } from './version.js';

const withoutDigest = (t: Ql2tpdTunnelConfig) => ({ ...t, ext: { ...t.ext, digestSecret: undefined, digest: undefined } });

/**
 * True when `after` differs from `before` only in `digest_secret` and/or `digest`, both dynamic and
 * with a secret: the live connection takes the new secrets in place (RFC 3931 §5.4.1). Turning the
 * digest on or off is not such a change: the nonces are exchanged in SCCRQ/SCCRP, so it needs a new
 * connection.
 */
export function digestOnlyChange(before: Ql2tpdTunnelConfig, after: Ql2tpdTunnelConfig): boolean {
  return before.mode === 'dynamic' && after.mode === 'dynamic' && before.ext.digestSecret !== undefined && after.ext.digestSecret !== undefined &&
    !sameConfigValue(before, after) && sameConfigValue(withoutDigest(before), withoutDigest(after));
}

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
  private readonly runners = new Map<string, Runner>();
  private readonly deps: TunnelRunnerDeps & DynamicRunnerDeps;
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
    for (const name of V3_EVENTS) {
      this.context.on(name, (e) => {
        const tunnel = 'connection' in e ? e.connection.name : e.name;
        const r = tunnel === undefined ? undefined : this.runners.get(tunnel);
        if (r instanceof DynamicTunnelRunner) return r.onEvent(name, e);
        if (name === 'message-dropped' && 'peer' in e) o.log.warn({ peer: e.peer?.address, message_type: e.messageType, reason: e.reason }, 'control message from an unconfigured peer dropped: its Message Digest did not verify');
      });
    }
    // A dynamic tunnel's peer may dial first (both ends list each other): answer it with that tunnel's settings.
    this.context.acceptV3((peer) => {
      for (const r of this.runners.values()) {
        const options = r instanceof DynamicTunnelRunner ? r.acceptFor(peer) : undefined;
        if (options !== undefined) return options;
      }
      return undefined;
    });
    this.context.on('dataplane-error', (e) => o.log.error({ tunnel_id: e.tunnelId, session_id: e.sessionId, err: e.error }, `kernel object could not be made: ${e.result.message ?? 'closing'}`));
    this.context.on('kernel-repaired', (e) => o.log.warn({ tunnel_id: e.tunnelId, session_id: e.sessionId }, 'kernel object deleted by someone else: made again'));
    this.context.on('kernel-lost', (e) => {
      if (e.error) return void o.log.error({ tunnel_id: e.tunnelId, session_id: e.sessionId, err: e.error }, 'kernel object deleted by someone else and cannot be made again');
      o.log.warn({ tunnel_id: e.tunnelId, session_id: e.sessionId }, 'kernel object deleted by someone else');
      if (e.sessionId !== undefined) void this.byTunnelId(e.tunnelId)?.remakeSession(e.sessionId);
    });
  }

  private byTunnelId(id: number): TunnelRunner | undefined {
    for (const r of this.runners.values()) if (r instanceof TunnelRunner && r.config.tunnelId === id && r.quiescent) return r;
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
    const r = t.mode === 'dynamic' ? new DynamicTunnelRunner(t, this.deps) : new TunnelRunner(t, this.deps);
    this.runners.set(t.name, r);
    return r.start();
  }

  /** The runner of a configured tunnel, by name. */
  runner(name: string): Runner | undefined { return this.runners.get(name); }

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
  async reload(next: Ql2tpdConfig): Promise<{ unchanged: number; removed: number; added: number; updated: number }> {
    // A dynamic tunnel whose only change is its Message Digest secrets or type keeps its control
    // connection (a rollover without a drop): planned as unchanged, its runner updates it in place.
    const rekeyed = next.tunnels.filter((t) => {
      const old = this.config.tunnels.find((o) => o.name === t.name);
      return old !== undefined && digestOnlyChange(old, t);
    });
    const before = this.config.tunnels.map((t) => rekeyed.find((r) => r.name === t.name) ?? t);
    const raw = planReload(before, next.tunnels);
    // A dynamic tunnel's pseudowires are part of its control connection's settings: a session
    // added, changed or removed re-establishes that tunnel (its peer sees StopCCN, then a new SCCRQ).
    const dynamicChanged = new Set([...raw.addSessions, ...raw.removeSessions].filter((x) => x.tunnel.mode === 'dynamic').map((x) => x.tunnel.name));
    const plan = {
      ...raw,
      removeTunnels: [...raw.removeTunnels, ...this.config.tunnels.filter((t) => dynamicChanged.has(t.name))],
      addTunnels: [...raw.addTunnels, ...next.tunnels.filter((t) => dynamicChanged.has(t.name))],
      removeSessions: raw.removeSessions.filter((x) => !dynamicChanged.has(x.tunnel.name)),
      addSessions: raw.addSessions.filter((x) => !dynamicChanged.has(x.tunnel.name)),
    };
    const log = this.o.log;
    for (const t of rekeyed) {
      const r = this.runners.get(t.name);
      if (r instanceof DynamicTunnelRunner) r.updateDigest(t);
    }
    for (const t of plan.removeTunnels) {
      await this.runners.get(t.name)?.stop('remove');
      this.runners.delete(t.name);
    }
    for (const { tunnel, session } of plan.removeSessions) {
      const r = this.runners.get(tunnel.name);
      if (r instanceof TunnelRunner) await r.removeSession(session.name);
    }
    for (const t of plan.addTunnels) await this.create(t).catch((e: unknown) => log.error({ tunnel_name: t.name, err: e }, 'cannot create tunnel'));
    for (const { tunnel, session } of plan.addSessions) {
      const r = this.runners.get(tunnel.name);
      if (!(r instanceof TunnelRunner)) continue;
      r.config = tunnel;
      await r.addSession(session).catch((e: unknown) => log.error({ tunnel_name: tunnel.name, session_name: session.name, err: e }, 'cannot create session'));
    }
    this.config = next;
    return {
      unchanged: plan.unchanged.length - rekeyed.length, removed: plan.removeTunnels.length + plan.removeSessions.length,
      added: plan.addTunnels.length + plan.addSessions.length, updated: rekeyed.length,
    };
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
