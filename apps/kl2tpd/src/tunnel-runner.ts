/**
 * One configured tunnel of kl2tpd and its sessions: the supervisor tables of `@l2tp/control`
 * (`stepSupervisor`, `stepSessionSupervisor`) performed over the library's `L2tpContext` — dial,
 * place the configured calls, run pppd per call, redial with back-off, admin down/up, reload and
 * shutdown. The runner keeps no state of its own beyond the tables' data: the protocol state of the
 * tunnel and its calls is read from the context (the engine), the retry timer is the supervisor's
 * `timerAtMs`, armed on the daemon's `Clock` (virtual in tests).
 */
import {
  type Clock, type ContextEvents, INITIAL_SUPERVISOR, isOrderlyClose, type TunnelOptions, type L2tpContext, type RecoveryPolicy, type SessionDataPlane,
  type SessionSupervisor, type SocketAddress, stepSessionSupervisor, stepSupervisor, type SupervisorAction,
  type SupervisorInput, type TunnelSupervisor,
} from '@l2tp/control';
import type { LastResult, Logger, SessionStatus, TunnelStatus } from '@l2tp/daemon';
import type { Kl2tpdSessionConfig, Kl2tpdTunnelConfig } from './config.js';
import { PppCall, type PppPort } from './ppp-call.js';
import { describeSessionDown, describeTunnelDown, logIgnored } from './reasons.js';
import { redialDelayMs } from './redial.js';

export type { PppoxIds, PppPort } from './ppp-call.js';

/** What a runner needs from the daemon around it (tests pass fakes or a virtual-time context). */
export interface RunnerDeps {
  readonly context: Pick<L2tpContext, 'dial' | 'openSession' | 'closeSession' | 'closeTunnel' | 'info' | 'closedHolderOf' | 'once'>;
  readonly log: Logger;
  /** Monotonic time and timers (the redial timer). */
  readonly clock: Clock;
  /** Wall-clock ms, for `upSinceMs` and `lastResult.atMs` in status. */
  readonly wallMs: () => number;
  /** Resolves the configured peer and local endpoints (host names looked up). */
  resolve(tunnel: Kl2tpdTunnelConfig): Promise<{ peer: SocketAddress; local: SocketAddress | undefined }>;
  /** PPP sessions; undefined with `-null`. */
  readonly ppp: PppPort | undefined;
  /** Called on every change (status line, READY=1, the exit rule). */
  changed(): void;
}

/** One configured session: the operator's wish plus what kl2tpd runs for it. */
interface SessionRun {
  config: Kl2tpdSessionConfig;
  sup: SessionSupervisor;
  /** The id of its current (or last) call; 0 before the first. */
  sessionId: number;
  upSinceMs: number | undefined;
  lastResult: LastResult | undefined;
  dataPlane: SessionDataPlane | undefined;
  call: PppCall | undefined;
}

/** Runs one `[tunnel.NAME]`; see the file header. */
export class TunnelRunner {
  private sup: TunnelSupervisor = INITIAL_SUPERVISOR;
  /** The id of the current control connection; undefined between connections. */
  tunnelId: number | undefined;
  /** Counts dials; a dial whose number is no longer current was overtaken (closed before it connected). */
  private attempt = 0;
  private cancelTimer: (() => void) | undefined;
  private upSinceMs: number | undefined;
  private lastResult: LastResult | undefined;
  private peer = '';
  private readonly sessions: SessionRun[];
  private log: Logger;
  private readonly policy: RecoveryPolicy;

  /** Prepares the runner; nothing happens until `start`. */
  constructor(public config: Kl2tpdTunnelConfig, private readonly deps: RunnerDeps) {
    this.log = deps.log.child({ tunnel_name: config.name });
    this.sessions = config.sessions.map((s) => this.newSession(s));
    this.policy = { mode: 'redial', retryDelayMs: (attempt) => redialDelayMs(attempt, config.ext) };
  }

  /** The supervisor's state (`established`, `redial-wait`, `admin-down`, `failed`, ...). */
  get state(): TunnelSupervisor['state'] { return this.sup.state; }

  /** True when the tunnel and every configured session wanted up are established (READY=1). */
  get ready(): boolean {
    if (this.sup.state !== 'established') return false;
    const info = this.info();
    return this.sessions.every((s) => s.sup.want === 'down' || info?.sessions.find((x) => x.sessionId === s.sessionId)?.state === 'established');
  }

  /** Dials the tunnel; the configured calls are placed with it. */
  start(): void { this.input({ type: 'start' }); }

  /**
   * Reload: starts a replacement for a tunnel the operator had taken down (or some of whose sessions
   * were), keeping what was down down: `down` holds `TUNNEL` and `TUNNEL/SESSION` names.
   */
  startKeeping(down: ReadonlySet<string>): void {
    for (const s of this.sessions) if (down.has(`${this.config.name}/${s.config.name}`)) s.sup = { want: 'down' };
    if (!down.has(this.config.name)) return this.start();
    this.log.info('reload: the tunnel stays administratively down');
    this.input({ type: 'admin-down' });
  }

  /** What the operator took down here, as `TUNNEL` and `TUNNEL/SESSION` names (a reload keeps them down). */
  adminDownNames(): string[] {
    const names = this.sup.state === 'admin-down' ? [this.config.name] : [];
    for (const s of this.sessions) if (s.sup.want === 'down') names.push(`${this.config.name}/${s.config.name}`);
    return names;
  }

  /** Feeds the supervisor table one input and performs what it returns. */
  input(i: SupervisorInput): void {
    const before = this.sup.state;
    const step = stepSupervisor(this.sup, i, this.deps.clock.nowMs(), this.policy);
    this.sup = step.next;
    for (const a of step.actions) this.perform(a);
    this.armTimer();
    if (this.sup.state !== before) this.deps.changed();
  }

  private perform(a: SupervisorAction): void {
    switch (a.type) {
      case 'dial': return void this.dial();
      case 'close':
        if (this.tunnelId !== undefined) return this.deps.context.closeTunnel(this.tunnelId, a.result);
        // No connection yet (the dial resolves names or waits for the local address): abandon the
        // dial; there is nothing to wait for, so the close is over at once.
        this.attempt++;
        return queueMicrotask(() => this.input({ type: 'down', reason: 'closed before the tunnel was dialled' }));
      case 'log': {
        const fields = a.retryInMs === undefined ? {} : { redial_in_ms: a.retryInMs, redial: a.attempt };
        return void this.log[a.level](fields, a.message);
      }
      case 'probe': return; // LAC tunnels redial; they never probe.
    }
  }

  private armTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const at = this.sup.timerAtMs;
    if (at !== undefined) this.cancelTimer = this.deps.clock.schedule(at, () => this.input({ type: 'timer' }));
  }

  private async dial(): Promise<void> {
    const t = this.config;
    const attempt = ++this.attempt;
    const current = () => attempt === this.attempt && this.sup.state === 'dialling';
    try {
      const { peer, local } = await this.deps.resolve(t);
      this.peer = formatAddress(peer);
      if (!current()) return;
      const tunnelId = await this.connect({
        name: t.name, peer, ...(local && { local }), version: 2, ...(t.tunnelId && { tunnelId: t.tunnelId }),
        hostName: t.hostName, ...(t.ext.secret !== undefined && { secret: t.ext.secret }), hideAvps: t.ext.hideAvps,
        helloIntervalMs: t.helloTimeoutMs, retryTimeoutMs: t.retryTimeoutMs, maxRetries: t.maxRetries, windowSize: t.windowSize,
      }, current);
      if (tunnelId === undefined) return;
      this.tunnelId = tunnelId;
    } catch (e) {
      if (!current()) return;
      this.log.error({ err: e }, 'cannot dial');
      return this.input({ type: 'down', reason: `cannot dial: ${(e as Error).message}` });
    }
    // From here on every line carries the tunnel's id as well as its name (once: bindings are not repeated).
    this.log = this.deps.log.child({ tunnel_name: t.name, tunnel_id: this.tunnelId });
    this.log.info({ peer: this.peer }, 'new dynamic tunnel: SCCRQ sent');
    // The calls are placed now and go out with the tunnel (ICRQ once it is up).
    for (const s of this.sessions) this.session(s, { type: 'tunnel-up', live: false });
  }

  /**
   * Opens the control connection. A fixed `local` address still bound by a connection of ours that
   * is over — this tunnel's last one, or that of the tunnel a reload replaced — is held through its
   * StopCCN hold (RFC 2661 §5.7: until our StopCCN is acknowledged, or a full retransmission cycle
   * after the peer's): wait for its release instead of failing with EADDRINUSE. Resolves with
   * undefined when the attempt was overtaken (taken down, removed, shut down) meanwhile.
   */
  private async connect(o: TunnelOptions, current: () => boolean): Promise<number | undefined> {
    let waitedFor: number | undefined;
    for (;;) {
      const holder = o.local === undefined ? undefined : this.deps.context.closedHolderOf(o.local);
      if (holder !== undefined) {
        if (holder !== waitedFor) this.log.info({ local: formatAddress(o.local!), held_by_tunnel_id: holder }, 'local address held by a closed tunnel (StopCCN hold): dialling once it is released');
        waitedFor = holder;
        await this.deps.context.once('tunnel-released', (e) => e.tunnelId === holder);
        if (!current()) return undefined;
        continue;
      }
      let tunnelId: number;
      try {
        tunnelId = await this.deps.context.dial(o);
      } catch (e) {
        // Another connection of ours took the address between the check and the bind: wait for it too.
        if ((e as { code?: unknown }).code === 'EADDRINUSE' && o.local !== undefined && this.deps.context.closedHolderOf(o.local) !== undefined) continue;
        throw e;
      }
      if (current()) return tunnelId;
      this.deps.context.closeTunnel(tunnelId, { result: 1, message: 'dial overtaken' });
      return undefined;
    }
  }

  private session(s: SessionRun, i: Parameters<typeof stepSessionSupervisor>[1]): void {
    const step = stepSessionSupervisor(s.sup, i);
    s.sup = step.next;
    for (const a of step.actions) {
      if (this.tunnelId === undefined) continue;
      if (a.type === 'close') this.deps.context.closeSession(this.tunnelId, s.sessionId, a.result);
      else s.sessionId = this.deps.context.openSession(this.tunnelId, this.sessionOptions(s.config));
    }
  }

  private sessionOptions(c: Kl2tpdSessionConfig) {
    return {
      name: c.name, ...(c.sessionId && { sessionId: c.sessionId }), pseudowire: 'ppp' as const,
      seqnum: c.seqnum, reorderTimeoutMs: c.reorderTimeoutMs, ...(c.interfaceName !== undefined && { interfaceName: c.interfaceName }),
    };
  }

  /** Handles a context event of this runner's tunnel. */
  onEvent<K extends keyof ContextEvents>(name: K, e: ContextEvents[K]): void {
    if (name === 'tunnel-up') return this.tunnelUp(e as ContextEvents['tunnel-up']);
    if (name === 'tunnel-down') return this.tunnelDown((e as ContextEvents['tunnel-down']).reason);
    if (name === 'session-up') return void this.sessionUp(e as ContextEvents['session-up']);
    if (name === 'session-down') return this.sessionDown(e as ContextEvents['session-down']);
    if (name === 'dataplane-error') {
      const d = e as ContextEvents['dataplane-error'];
      this.log.error({ session_id: d.sessionId, err: d.error }, 'kernel data plane failed; closing');
    }
    if (name === 'message-ignored') logIgnored(this.log, e as ContextEvents['message-ignored']);
  }

  private tunnelUp(e: ContextEvents['tunnel-up']): void {
    this.upSinceMs = this.deps.wallMs();
    // tunnel_id is a binding of this.log already: name only what it does not carry.
    this.log.info({ peer_tunnel_id: e.tunnel.peerTunnelId, peer_host_name: e.tunnel.peerHostName }, 'tunnel up: data plane established');
    this.input({ type: 'up' });
  }

  private async sessionUp(e: ContextEvents['session-up']): Promise<void> {
    const s = this.sessions.find((x) => x.sessionId === e.session.sessionId);
    if (s === undefined) return;
    s.upSinceMs = this.deps.wallMs();
    s.dataPlane = e.dataPlane;
    const log = this.log.child({ session_name: s.config.name, session_id: s.sessionId, peer_session_id: e.session.peerSessionId });
    log.info({ interface_name: e.dataPlane.interfaceName }, 'session up');
    this.deps.changed();
    if (this.deps.ppp === undefined) return;
    const call = new PppCall(this.deps.ppp, log);
    s.call = call;
    const tunnelId = e.tunnel.tunnelId;
    try {
      await call.start({ tunnelId, sessionId: s.sessionId, peerTunnelId: e.tunnel.peerTunnelId, peerSessionId: e.session.peerSessionId }, s.config, (description) => {
        // RFC 2661 §4.4.2 result 3: the call is cleared for administrative reasons (our pppd ended).
        if (s.call === call) this.deps.context.closeSession(tunnelId, s.sessionId, { result: 3, message: `pppd exited: ${description}` });
      });
    } catch (err) {
      log.error({ err }, 'cannot start pppd; clearing the call');
      this.deps.context.closeSession(tunnelId, s.sessionId, { result: 2, error: 6, message: 'cannot start pppd' });
    }
  }

  private sessionDown(e: ContextEvents['session-down']): void {
    const s = this.sessions.find((x) => x.sessionId === e.session.sessionId);
    if (s === undefined) return;
    const reason = describeSessionDown(e.reason);
    s.upSinceMs = undefined;
    s.dataPlane = undefined;
    s.lastResult = { atMs: this.deps.wallMs(), reason };
    // A call still waiting for its tunnel (refused at SCCRQ, say) was never up: the tunnel's own line says why.
    if (e.wasUp === false && e.reason.type === 'tunnel-down') this.log.debug({ session_name: s.config.name, session_id: s.sessionId }, `session not established: ${reason}`);
    else this.log.info({ session_name: s.config.name, session_id: s.sessionId }, `session down: ${reason}`);
    void this.stopCall(s);
    this.deps.changed();
    const live = (this.info()?.sessions ?? []).some((x) => x.state !== 'closed');
    // Not when the whole tunnel is going (its sessions go down first): only a call ending by itself.
    if (!live && s.sup.want === 'up' && this.info()?.state === 'established' && !this.config.ext.stayUp) {
      this.log.info('last session gone: closing the tunnel (stay_up = false)');
      this.input({ type: 'idle' });
    }
  }

  private tunnelDown(reason: Parameters<typeof describeTunnelDown>[0]): void {
    for (const s of this.sessions) void this.stopCall(s);
    this.upSinceMs = undefined;
    const why = describeTunnelDown(reason);
    this.lastResult = { atMs: this.deps.wallMs(), reason: why };
    this.tunnelId = undefined;
    this.input({ type: 'down', reason: why, orderly: isOrderlyClose(reason) });
  }

  /** `kl2tpd down TUNNEL`: StopCCN now, no redial; the daemon keeps running. */
  down(): void { this.input({ type: 'admin-down' }); }

  /** `kl2tpd up TUNNEL`: dial again now (a down, failed or waiting tunnel). */
  up(): void { this.input({ type: 'admin-up' }); }

  /**
   * Throws the refusal of `op` on this tunnel (`session` undefined) or one of its sessions, for the
   * operator, before anything is done or logged: an unknown session, or `up` of a session while the
   * tunnel is not up.
   */
  check(op: 'up' | 'down', session?: string): void {
    if (session === undefined) return;
    this.named(session);
    if (op === 'up' && this.sup.state !== 'established') throw new Error(`tunnel ${this.config.name} is not up (${this.sup.state})`);
  }

  /** `kl2tpd down TUNNEL/SESSION`: CDN (result 3) for one session; it stays down until `up`. */
  downSession(name: string): void {
    this.check('down', name);
    const s = this.named(name);
    this.session(s, { type: 'admin-down', live: this.live(s) });
  }

  /** `kl2tpd up TUNNEL/SESSION`: place the call again; throws when the tunnel is not up. */
  upSession(name: string): void {
    this.check('up', name);
    const s = this.named(name);
    this.session(s, { type: 'admin-up', live: this.live(s), tunnelUp: true });
  }

  /** Reload: a session added to this tunnel's configuration (placed now when the tunnel is up, unless `down`). */
  addSession(config: Kl2tpdSessionConfig, down = false): void {
    const s = this.newSession(config);
    if (down) s.sup = { want: 'down' };
    this.sessions.push(s);
    if (this.sup.state === 'established') this.session(s, { type: 'tunnel-up', live: false });
  }

  /** Reload: a session removed from the configuration (cleared with CDN result 3, then forgotten). */
  removeSession(name: string): void {
    const s = this.named(name);
    this.session(s, { type: 'admin-down', live: this.live(s) });
    this.sessions.splice(this.sessions.indexOf(s), 1);
    void this.stopCall(s);
  }

  /** Reload removed or changed this tunnel: StopCCN result 1, no redial. */
  remove(): Promise<void> {
    this.input({ type: 'remove' });
    return this.stopCalls();
  }

  /** Shutdown: no more redials; StopCCN (result 6) and pppd stopped. */
  stop(graceMs: number): Promise<void> {
    this.input({ type: 'shutdown' });
    return this.stopCalls(graceMs);
  }

  private async stopCalls(graceMs?: number): Promise<void> {
    this.cancelTimer?.();
    await Promise.all(this.sessions.map((s) => this.stopCall(s, graceMs)));
  }

  private stopCall(s: SessionRun, graceMs?: number): Promise<void> {
    const call = s.call;
    s.call = undefined;
    return call?.stop(graceMs) ?? Promise.resolve();
  }

  private newSession(config: Kl2tpdSessionConfig): SessionRun {
    return { config, sup: { want: 'up' }, sessionId: 0, upSinceMs: undefined, lastResult: undefined, dataPlane: undefined, call: undefined };
  }

  private named(name: string): SessionRun {
    const s = this.sessions.find((x) => x.config.name === name);
    if (s === undefined) throw new Error(`no session named ${name} in tunnel ${this.config.name}`);
    return s;
  }

  private info() { return this.tunnelId === undefined ? undefined : this.deps.context.info(this.tunnelId); }

  private live(s: SessionRun): boolean {
    return (this.info()?.sessions ?? []).some((x) => x.sessionId === s.sessionId && x.state !== 'closed');
  }

  /** This tunnel as `status` shows it: the engine's states, the supervisor's where the engine has none. */
  async status(): Promise<TunnelStatus> {
    const info = this.info();
    const sessions: SessionStatus[] = await Promise.all(this.sessions.map(async (s) => {
      const k = await s.dataPlane?.stats().catch(() => undefined);
      const engine = info?.sessions.find((x) => x.sessionId === s.sessionId);
      return {
        name: s.config.name, sessionId: s.sessionId, peerSessionId: engine?.peerSessionId ?? 0,
        state: engine?.state ?? (s.sup.want === 'down' ? 'admin-down' : 'down'),
        upSinceMs: s.upSinceMs, pppdPid: s.call?.pid, lastResult: s.lastResult, interfaceName: s.dataPlane?.interfaceName,
        data: k && { txPackets: Number(k.txPackets), txBytes: Number(k.txBytes), txErrors: Number(k.txErrors),
          rxPackets: Number(k.rxPackets), rxBytes: Number(k.rxBytes), rxErrors: Number(k.rxErrors), rxSeqDiscards: 0, rxOosPackets: 0 },
      };
    }));
    const live = this.sup.state === 'established' || this.sup.state === 'dialling';
    return {
      // The peer address in use: an LNS may answer from another port than the one dialled (RFC 2661 §8.1).
      name: this.config.name, tunnelId: this.tunnelId ?? 0, peerTunnelId: info?.peerTunnelId ?? 0, peer: info?.peer ? formatAddress(info.peer) : this.peer,
      state: live ? (info?.state ?? this.sup.state) : this.sup.state,
      upSinceMs: this.upSinceMs, lastResult: this.lastResult, control: info?.control, sessions,
    };
  }
}

function formatAddress(a: SocketAddress): string {
  return a.family === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
