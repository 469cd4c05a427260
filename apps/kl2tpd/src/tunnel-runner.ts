/**
 * One configured tunnel of kl2tpd and its sessions, over the library's L2tpContext: dial, place
 * the configured calls, run pppd per session, react to every way a tunnel or session ends
 * (go-l2tp.md §3.4-3.6, without its bugs), redial with back-off when asked to.
 */
import { readFileSync } from 'node:fs';
import { parsePppdOptions } from '@l2tp/config';
import type { ContextEvents, L2tpContext, SessionDataPlane, SocketAddress } from '@l2tp/control';
import type { LastResult, Logger, SessionStatus, TunnelStatus } from '@l2tp/daemon';
import type { Kl2tpdSessionConfig, Kl2tpdTunnelConfig } from './config.js';
import type { Pppd, PppdSpec } from './pppd.js';
import { describeSessionDown, describeTunnelDown } from './reasons.js';
import { redialDelayMs } from './redial.js';

/** The ids a PPPoL2TP socket is connected with. */
export interface PppoxIds {
  readonly tunnelId: number;
  readonly sessionId: number;
  readonly peerTunnelId: number;
  readonly peerSessionId: number;
}

/** What a runner needs from the daemon around it (tests pass fakes). */
export interface RunnerDeps {
  readonly context: Pick<L2tpContext, 'dial' | 'openSession' | 'closeSession' | 'closeTunnel' | 'info'>;
  readonly log: Logger;
  /** Resolves the configured peer and local endpoints (host names looked up). */
  resolve(tunnel: Kl2tpdTunnelConfig): Promise<{ peer: SocketAddress; local: SocketAddress | undefined }>;
  /** PPP sessions: open a connected PPPoL2TP socket and spawn pppd on it; undefined with `-null`. */
  readonly ppp: {
    readonly pppdPath: string;
    openPppox(ids: PppoxIds): Promise<number>;
    closeFd(fd: number): void;
    spawn(spec: PppdSpec, log: Logger): Pppd;
  } | undefined;
  readonly nowMs: () => number;
  /** Called on every state change (status, READY=1, exit when nothing is left). */
  changed(): void;
}

interface SessionRun {
  readonly config: Kl2tpdSessionConfig;
  sessionId: number;
  peerSessionId: number;
  state: 'idle' | 'opening' | 'established' | 'down';
  upSinceMs: number | undefined;
  lastResult: LastResult | undefined;
  pppd: Pppd | undefined;
  fd: number | undefined;
  /** The kernel session (null data plane: a stand-in), for its counters. */
  dataPlane: SessionDataPlane | undefined;
  /** Taken down by `kl2tpd down TUNNEL/SESSION`: stays down, and does not close its tunnel. */
  adminDown: boolean;
}

/** Runs one `[tunnel.NAME]`; see the file header. */
export class TunnelRunner {
  /**
   * `final`: failed for good (redials used up or not configured); `admin-down`: taken down by the
   * `down` command, waiting for `up` (it does not make the daemon exit).
   */
  state: 'idle' | 'dialling' | 'up' | 'closing' | 'redial-wait' | 'final' | 'admin-down' = 'idle';
  tunnelId: number | undefined;
  private attempts = 0;
  private redialTimer: NodeJS.Timeout | undefined;
  private upSinceMs: number | undefined;
  private lastResult: LastResult | undefined;
  private peer = '';
  private readonly sessions: SessionRun[];
  private log: Logger;
  private stopping = false;

  /** Prepares the runner; nothing happens until `start`. */
  constructor(readonly config: Kl2tpdTunnelConfig, private readonly deps: RunnerDeps) {
    this.log = deps.log.child({ tunnel_name: config.name });
    this.sessions = config.sessions.map((s) => ({
      config: s, sessionId: 0, peerSessionId: 0, state: 'idle', upSinceMs: undefined, lastResult: undefined, pppd: undefined, fd: undefined,
      dataPlane: undefined, adminDown: false,
    }));
  }

  /** True when the tunnel and every configured session are established (READY=1). */
  get ready(): boolean {
    return this.state === 'up' && this.sessions.every((s) => s.state === 'established');
  }

  /** Dials the tunnel and places every configured call. */
  async start(): Promise<void> {
    if (this.stopping || this.state === 'dialling' || this.state === 'up') return;
    clearTimeout(this.redialTimer);
    this.state = 'dialling';
    this.deps.changed();
    try {
      const { peer, local } = await this.deps.resolve(this.config);
      this.peer = peer.family === 6 ? `[${peer.address}]:${peer.port}` : `${peer.address}:${peer.port}`;
      const t = this.config;
      this.tunnelId = await this.deps.context.dial({
        name: t.name, peer, ...(local && { local }), version: 2, ...(t.tunnelId && { tunnelId: t.tunnelId }),
        hostName: t.hostName, ...(t.ext.secret !== undefined && { secret: t.ext.secret }), hideAvps: t.ext.hideAvps,
        helloIntervalMs: t.helloTimeoutMs, retryTimeoutMs: t.retryTimeoutMs, maxRetries: t.maxRetries, windowSize: t.windowSize,
      });
      // From here on every line carries the tunnel's id as well as its name.
      this.log = this.deps.log.child({ tunnel_name: t.name, tunnel_id: this.tunnelId });
      this.log.info({ peer: this.peer }, 'new dynamic tunnel: SCCRQ sent');
      for (const s of this.sessions) if (!s.adminDown) this.openSession(s);
    } catch (e) {
      this.failed(`cannot dial: ${(e as Error).message}`);
    }
  }

  private openSession(s: SessionRun): void {
    if (this.tunnelId === undefined) return;
    s.sessionId = this.deps.context.openSession(this.tunnelId, {
      name: s.config.name, ...(s.config.sessionId && { sessionId: s.config.sessionId }), pseudowire: 'ppp',
      seqnum: s.config.seqnum, reorderTimeoutMs: s.config.reorderTimeoutMs,
      ...(s.config.interfaceName !== undefined && { interfaceName: s.config.interfaceName }),
    });
    s.state = 'opening';
  }

  /** Handles a context event of this runner's tunnel. */
  onEvent<K extends keyof ContextEvents>(name: K, e: ContextEvents[K]): void {
    if (name === 'tunnel-up') return this.tunnelUp(e as ContextEvents['tunnel-up']);
    if (name === 'tunnel-down') return this.tunnelDown((e as ContextEvents['tunnel-down']).reason);
    if (name === 'session-up') return void this.sessionUp(e as ContextEvents['session-up']);
    if (name === 'session-down') return this.sessionDown(e as ContextEvents['session-down']);
    if (name === 'dataplane-error') {
      const d = e as ContextEvents['dataplane-error'];
      this.log.error({ session_id: d.sessionId, err: d.error.message }, 'kernel data plane failed; closing');
    }
  }

  private tunnelUp(e: ContextEvents['tunnel-up']): void {
    this.state = 'up';
    this.attempts = 0;
    this.upSinceMs = this.deps.nowMs();
    this.log.info({ tunnel_id: e.tunnel.tunnelId, peer_tunnel_id: e.tunnel.peerTunnelId, peer_host_name: e.tunnel.peerHostName },
      'tunnel up: data plane established');
    this.deps.changed();
  }

  private async sessionUp(e: ContextEvents['session-up']): Promise<void> {
    const s = this.sessions.find((x) => x.sessionId === e.session.sessionId);
    if (s === undefined) return;
    s.state = 'established';
    s.peerSessionId = e.session.peerSessionId;
    s.upSinceMs = this.deps.nowMs();
    s.dataPlane = e.dataPlane;
    const log = this.log.child({ session_name: s.config.name, session_id: s.sessionId, peer_session_id: s.peerSessionId });
    log.info({ interface_name: e.dataPlane.interfaceName }, 'session up');
    this.deps.changed();
    const ppp = this.deps.ppp;
    if (ppp === undefined) return;
    try {
      s.fd = await ppp.openPppox({ tunnelId: e.tunnel.tunnelId, sessionId: s.sessionId, peerTunnelId: e.tunnel.peerTunnelId, peerSessionId: s.peerSessionId });
      const args = s.config.ext.pppdArgs === undefined ? [] : wordsOf(s.config.ext.pppdArgs);
      const pppd = ppp.spawn({ path: ppp.pppdPath, tunnelId: e.tunnel.tunnelId, sessionId: s.sessionId, pppoxFd: s.fd, args }, log);
      s.pppd = pppd;
      void pppd.exited.then((exit) => {
        if (s.pppd !== pppd) return;
        s.pppd = undefined;
        this.releaseFd(s);
        log.info({ pppd_status: exit.code, pppd_signal: exit.signal }, `pppd exited: ${exit.description}`);
        // RFC 2661 §4.4.2 result 3: the call is cleared for administrative reasons (our pppd ended).
        if (s.state === 'established' && this.tunnelId !== undefined) this.deps.context.closeSession(this.tunnelId, s.sessionId, { result: 3, message: `pppd exited: ${exit.description}` });
      });
    } catch (err) {
      log.error({ err: (err as Error).message }, 'cannot start pppd; clearing the call');
      this.releaseFd(s);
      if (this.tunnelId !== undefined) this.deps.context.closeSession(this.tunnelId, s.sessionId, { result: 2, error: 6, message: 'cannot start pppd' });
    }
  }

  private sessionDown(e: ContextEvents['session-down']): void {
    const s = this.sessions.find((x) => x.sessionId === e.session.sessionId);
    if (s === undefined) return;
    const reason = describeSessionDown(e.reason);
    s.state = 'down';
    s.upSinceMs = undefined;
    s.dataPlane = undefined;
    s.lastResult = { atMs: this.deps.nowMs(), reason };
    this.log.info({ session_name: s.config.name, session_id: s.sessionId }, `session down: ${reason}`);
    this.stopPppd(s);
    this.deps.changed();
    const live = this.sessions.some((x) => x.state === 'opening' || x.state === 'established');
    if (!live && !s.adminDown && this.state === 'up' && !this.config.ext.stayUp && !this.stopping && this.tunnelId !== undefined) {
      this.log.info('last session gone: closing the tunnel (stay_up = false)');
      this.state = 'closing';
      this.deps.context.closeTunnel(this.tunnelId, { result: 1 });
    }
  }

  private tunnelDown(reason: Parameters<typeof describeTunnelDown>[0]): void {
    for (const s of this.sessions) {
      if (s.state === 'opening' || s.state === 'established') s.state = 'down';
      this.stopPppd(s);
    }
    this.failed(describeTunnelDown(reason));
  }

  private failed(reason: string): void {
    this.upSinceMs = undefined;
    this.lastResult = { atMs: this.deps.nowMs(), reason };
    this.tunnelId = undefined;
    if (this.state === 'admin-down' || this.stopping) {
      // Our own doing (the `down` command or shutdown): worth a line, not an error.
      this.log.info(`tunnel down: ${reason}`);
      if (this.stopping) this.state = 'final';
      return this.deps.changed();
    }
    const delay = this.stopping || this.state === 'final' ? undefined : redialDelayMs(++this.attempts, this.config.ext);
    if (delay === undefined) {
      this.log.error(`tunnel down: ${reason}${this.config.ext.redial && !this.stopping ? ' (no redials left)' : ''}`);
      this.state = 'final';
    } else {
      this.log.warn({ redial_in_ms: delay, redial: this.attempts }, `tunnel down: ${reason}; redialling`);
      this.state = 'redial-wait';
      this.redialTimer = setTimeout(() => void this.start(), delay);
    }
    this.deps.changed();
  }

  /** `kl2tpd down`: StopCCN now, no redial. */
  down(): void {
    clearTimeout(this.redialTimer);
    if (this.tunnelId !== undefined && (this.state === 'up' || this.state === 'dialling')) this.deps.context.closeTunnel(this.tunnelId, { result: 1, message: 'administratively down' });
    this.state = 'admin-down';
    this.deps.changed();
  }

  /** `kl2tpd down TUNNEL/SESSION`: CDN (result 3) for one session; it stays down until `up`. */
  downSession(name: string): void {
    const s = this.session(name);
    s.adminDown = true;
    if (this.tunnelId !== undefined && (s.state === 'opening' || s.state === 'established')) {
      this.deps.context.closeSession(this.tunnelId, s.sessionId, { result: 3, message: 'administratively down' });
    }
  }

  /** `kl2tpd up TUNNEL/SESSION`: place the call again (the tunnel must be up). */
  upSession(name: string): void {
    const s = this.session(name);
    s.adminDown = false;
    if (this.state !== 'up') throw new Error(`tunnel ${this.config.name} is not up (${this.state})`);
    if (s.state !== 'opening' && s.state !== 'established') this.openSession(s);
  }

  private session(name: string): SessionRun {
    const s = this.sessions.find((x) => x.config.name === name);
    if (s === undefined) throw new Error(`no session named ${name} in tunnel ${this.config.name}`);
    return s;
  }

  /** `kl2tpd up`: dial again now (a down or failed tunnel). */
  async up(): Promise<void> {
    if (this.state !== 'final' && this.state !== 'redial-wait' && this.state !== 'admin-down') return;
    this.attempts = 0;
    this.state = 'idle';
    await this.start();
  }

  /** Shutdown: no more redials; pppd stopped (the context sends StopCCN and deletes kernel objects). */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.redialTimer);
    await Promise.all(this.sessions.map((s) => this.stopPppd(s, graceMs)));
  }

  private stopPppd(s: SessionRun, graceMs = 3000): Promise<unknown> {
    const pppd = s.pppd;
    s.pppd = undefined;
    const done = pppd?.stop(graceMs).then(() => this.releaseFd(s)) ?? Promise.resolve(this.releaseFd(s));
    return done;
  }

  private releaseFd(s: SessionRun): void {
    if (s.fd !== undefined) this.deps.ppp?.closeFd(s.fd);
    s.fd = undefined;
  }

  /** This tunnel as `status` shows it, with the kernel's counters of each session. */
  async status(): Promise<TunnelStatus> {
    const info = this.tunnelId === undefined ? undefined : this.deps.context.info(this.tunnelId);
    const sessions: SessionStatus[] = await Promise.all(this.sessions.map(async (s) => {
      const k = await s.dataPlane?.stats().catch(() => undefined);
      return {
        name: s.config.name, sessionId: s.sessionId, peerSessionId: s.peerSessionId, state: s.adminDown && s.state === 'down' ? 'admin-down' : s.state,
        upSinceMs: s.upSinceMs, pppdPid: s.pppd?.pid, lastResult: s.lastResult, interfaceName: s.dataPlane?.interfaceName,
        data: k && { txPackets: Number(k.txPackets), txBytes: Number(k.txBytes), txErrors: Number(k.txErrors),
          rxPackets: Number(k.rxPackets), rxBytes: Number(k.rxBytes), rxErrors: Number(k.rxErrors), rxSeqDiscards: 0, rxOosPackets: 0 },
      };
    }));
    return {
      name: this.config.name, tunnelId: this.tunnelId ?? 0, peerTunnelId: info?.peerTunnelId ?? 0, peer: this.peer,
      state: this.state === 'up' || this.state === 'dialling' ? (info?.state ?? this.state) : this.state,
      upSinceMs: this.upSinceMs, lastResult: this.lastResult, control: info?.control, sessions,
    };
  }
}

/** Words of a `pppd_args` file (validated at load time; a file broken since then yields none). */
function wordsOf(path: string): string[] {
  const r = parsePppdOptions(readFileSync(path, 'utf8'));
  return r.ok ? [...r.words] : [];
}
