/**
 * One configured L2TPv3 tunnel of ql2tpd, run by the supervisor table of `@l2tp/control` over the
 * daemon's `L2tpContext`. Static (no `hello_timeout`): an unmanaged kernel tunnel and its sessions,
 * no socket, no control traffic — interoperable with `ip l2tp`. Quiescent (`hello_timeout` set): a
 * quiescent control connection (HELLOs and acknowledgements) whose socket the kernel tunnel adopts.
 *
 * A HELLO failure (or the peer's StopCCN) removes the kernel objects and logs why; the supervisor
 * then probes: a quiescent control channel on the same addresses (`awaitPeer`) whose kernel tunnel is
 * made only when the peer is heard from, so the pseudowire returns when the peer does — even when
 * both ends restart (go-l2tp tears it down for good, and never completes its own HELLO). A probe
 * that goes unanswered is followed by the next at once, so one is always listening.
 */
import { type Clock, type ContextEvents, isOrderlyClose, type L2tpContext, type RecoveryPolicy, type SupervisorAction, type TunnelDownReason } from '@l2tp/control';
import type { DataCounters, LastResult, Logger, TunnelStatus } from '@l2tp/daemon';
import type { Ql2tpdSessionConfig, Ql2tpdTunnelConfig } from './config.js';
import { createPseudowires, type Pseudowires, type TunnelAddresses } from './pseudowire.js';
import { SupervisedRunner } from './supervised-runner.js';

/** How often an established tunnel's session counters are checked for a sublayer mismatch. */
export const SUBLAYER_CHECK_MS = 10_000;

/**
 * Frames arrived and were all dropped: the kernel counted receive errors and passed nothing up.
 * With an L2-Specific Sublayer mismatch the kernel rejects each data packet (RFC 3931 §4.6).
 */
export function framesDropped(s: { readonly rxPackets: bigint; readonly rxErrors: bigint }): boolean {
  return s.rxErrors > 0n && s.rxPackets === 0n;
}

/** Wait before retrying a probe that could not start (its socket could not be opened). */
export const PROBE_ERROR_DELAY_MS = 5_000;

/** What a runner needs from the daemon. */
export interface TunnelRunnerDeps {
  readonly context: Pick<L2tpContext, 'dial' | 'closeTunnel' | 'info' | 'holds' | 'addStaticTunnel' | 'removeStaticTunnel' | 'addStaticSession' | 'tunnelStats'>;
  readonly log: Logger;
  readonly clock: Clock;
  readonly wallMs: () => number;
  resolve(tunnel: Ql2tpdTunnelConfig): Promise<TunnelAddresses>;
  changed(): void;
}

/** Formats an engine down reason for the log. */
export function describeDown(r: TunnelDownReason): string {
  switch (r.type) {
    case 'retransmit-exhausted': return `no acknowledgement of our ${r.messageType}: the peer stopped answering`;
    case 'peer-stopccn': return `peer sent StopCCN result ${r.result.result}${r.result.message ? ` (${r.result.message})` : ''}`;
    default: return r.type;
  }
}

/** The kernel's data counters as `status` shows them. */
export const counters = (s: { txPackets: bigint; txBytes: bigint; txErrors: bigint; rxPackets: bigint; rxBytes: bigint; rxErrors: bigint } | undefined): DataCounters | undefined =>
  s && { txPackets: Number(s.txPackets), txBytes: Number(s.txBytes), txErrors: Number(s.txErrors),
    rxPackets: Number(s.rxPackets), rxBytes: Number(s.rxBytes), rxErrors: Number(s.rxErrors), rxSeqDiscards: 0, rxOosPackets: 0 };

/** Runs one `[tunnel.NAME]` (see the file header). */
export class TunnelRunner extends SupervisedRunner {
  private pw: Pseudowires | undefined;
  /** The control connection of a quiescent tunnel, while the context holds one of ours. */
  private connected = false;
  private upSinceMs: number | undefined;
  private lastResult: LastResult | undefined;
  private readonly log: Logger;
  protected readonly policy: RecoveryPolicy;
  private addrs: TunnelAddresses | undefined;
  /** A probe waiting for the previous control connection to be released. */
  private afterRelease: (() => void) | undefined;
  private sublayerTimer: (() => void) | undefined;
  private hinted = false;

  /** Prepares the runner; nothing is created until `start`. */
  constructor(public config: Ql2tpdTunnelConfig, private readonly deps: TunnelRunnerDeps) {
    super(deps);
    this.log = deps.log.child({ tunnel_name: config.name, tunnel_id: config.tunnelId });
    // A probe follows the last one at once: its own cycle (one HELLO interval and a full
    // retransmission cycle) is the pace, and a peer probing at its own pace always finds ours open.
    this.policy = this.quiescent ? { mode: 'probe', retryDelayMs: () => 0 } : { mode: 'redial', retryDelayMs: () => undefined };
  }

  /** Static tunnels have no control channel. */
  get quiescent(): boolean { return this.config.helloTimeoutMs > 0; }

  /** The kernel objects, while up (SIGHUP adds and removes sessions through them). */
  get pseudowires(): Pseudowires | undefined { return this.pw; }

  /**
   * RFC 3931 §4.6: both ends must agree on the L2-Specific Sublayer. ql2tpd's default is "none"
   * (go-l2tp's), `ip l2tp add session` without `l2spec_type` uses the default 4-byte sublayer, and
   * a mismatch drops every frame silently. While established, look at the sessions' counters every
   * 10 s and say so once when frames arrive and none gets through.
   */
  protected override afterInput(): void { this.checkSublayerSoon(); }

  private checkSublayerSoon(): void {
    if (this.sup.state !== 'established' || this.sublayerTimer !== undefined || this.hinted) return;
    this.sublayerTimer = this.deps.clock.schedule(this.deps.clock.nowMs() + SUBLAYER_CHECK_MS, () => {
      this.sublayerTimer = undefined;
      void this.checkSublayer().finally(() => this.checkSublayerSoon());
    });
  }

  private async checkSublayer(): Promise<void> {
    for (const [name, k] of this.pw?.sessions ?? []) {
      const s = await k.stats().catch(() => undefined);
      if (s === undefined || !framesDropped(s) || this.hinted) continue;
      this.hinted = true;
      const c = this.config.sessions.find((x) => x.name === name);
      this.log.warn({ session_name: name, l2spec_type: c?.l2specType, rx_packets: Number(s.rxPackets), rx_errors: Number(s.rxErrors) },
        `session ${name}: frames arrive but none gets through; check that both ends use the same l2spec_type (ql2tpd's default is "none"; ip l2tp add session without l2spec_type uses "default")`);
    }
  }

  protected perform(a: SupervisorAction): void {
    switch (a.type) {
      case 'dial': return void this.establish(false);
      case 'probe': return void this.probe();
      case 'close': return void this.close(a.result);
      case 'log': return void this.log[a.level](a.retryInMs === undefined ? {} : { retry_in_ms: a.retryInMs }, a.message);
    }
  }

  /** Probes once the last control connection is released (after the §5.7 hold of a StopCCN the peer sent). */
  private probe(): void {
    if (this.deps.context.info(this.config.tunnelId) === undefined) return void this.establish(true);
    this.afterRelease = () => void this.establish(true);
  }

  private async establish(probe: boolean): Promise<void> {
    // Taken down (or shut down) while this attempt was waiting.
    if (this.sup.state !== (probe ? 'probing' : 'dialling')) return;
    const t = this.config;
    // Our previous connection with this id (closed by `down`, or by a reload that replaced this
    // tunnel) is released once its StopCCN is acknowledged: dial then, not into "id in use".
    if (this.quiescent && this.deps.context.holds(t.tunnelId)) {
      this.afterRelease = () => void this.establish(probe);
      return;
    }
    try {
      this.addrs ??= await this.deps.resolve(t);
      if (!this.quiescent) {
        this.pw = await createPseudowires(this.deps.context, t, this.addrs, this.log);
        return this.established();
      }
      await this.deps.context.dial({
        name: t.name, peer: this.addrs.peer, local: this.addrs.local, version: 3, quiescent: true, encap: t.encap, awaitPeer: probe,
        tunnelId: t.tunnelId, peerTunnelId: t.peerTunnelId, hostName: t.hostName,
        helloIntervalMs: t.helloTimeoutMs, retryTimeoutMs: t.retryTimeoutMs, maxRetries: t.maxRetries, windowSize: t.windowSize,
      });
      this.connected = true;
    } catch (e) {
      this.log.error({ err: e }, 'creating the tunnel failed');
      this.settleFirst(e);
      const down = () => this.input({ type: 'down', reason: `cannot create: ${(e as Error).message}` });
      // A probe that cannot even start (its address taken) is retried at the pace of a failed one.
      if (probe) this.deps.clock.schedule(this.deps.clock.nowMs() + PROBE_ERROR_DELAY_MS, down);
      else down();
    }
  }

  private established(): void {
    this.upSinceMs = this.deps.wallMs();
    this.log.info({ mode: this.quiescent ? `quiescent, HELLO every ${this.config.helloTimeoutMs} ms` : 'static' }, 'tunnel up');
    this.input({ type: 'up' });
    this.settleFirst();
  }

  private async close(result: { result: number }): Promise<void> {
    if (this.quiescent) {
      if (this.connected) this.deps.context.closeTunnel(this.config.tunnelId, result);
      // No control connection of ours (a probe waiting for the last one's release): nothing to close.
      else queueMicrotask(() => this.input({ type: 'down', reason: 'closed' }));
      return;
    }
    await this.teardown();
    this.input({ type: 'down', reason: 'kernel objects removed' });
  }

  /** Handles a context event of this runner's (quiescent) tunnel. */
  onEvent<K extends keyof ContextEvents>(name: K, e: ContextEvents[K]): void {
    if (name === 'tunnel-up') return void this.kernelUp();
    if (name === 'tunnel-down') return void this.controlDown((e as ContextEvents['tunnel-down']).reason);
    if (name === 'tunnel-released') {
      this.connected = false;
      const next = this.afterRelease;
      this.afterRelease = undefined;
      next?.();
    }
  }

  private async kernelUp(): Promise<void> {
    try {
      this.pw = await createPseudowires(this.deps.context, this.config, this.addrs!, this.log, true);
      this.established();
    } catch (e) {
      this.log.error({ err: e }, 'creating the sessions failed; closing the tunnel');
      this.settleFirst(e);
      this.deps.context.closeTunnel(this.config.tunnelId, { result: 2 });
    }
  }

  /** The control channel ended: HELLO unacknowledged, the peer's StopCCN, or our own close. */
  private async controlDown(reason: TunnelDownReason): Promise<void> {
    const why = describeDown(reason);
    if (this.sup.state === 'established') this.lastResult = { atMs: this.deps.wallMs(), reason: why };
    // The kernel tunnel (and its sessions) went with the control connection.
    this.pw = undefined;
    this.upSinceMs = undefined;
    this.input({ type: 'down', reason: why, orderly: isOrderlyClose(reason) });
  }

  private async teardown(): Promise<void> {
    const pw = this.pw;
    this.pw = undefined;
    this.upSinceMs = undefined;
    await pw?.down().catch((e: unknown) => this.log.error({ err: e }, 'deleting the kernel tunnel failed'));
  }

  /** Reload: one more session in this (unchanged) tunnel. */
  async addSession(s: Ql2tpdSessionConfig): Promise<void> { await this.pw?.addSession(s); }

  /** A session of this (quiescent) tunnel's kernel tunnel was deleted under us: make it again. */
  async remakeSession(sessionId: number): Promise<void> {
    const c = this.config.sessions.find((s) => s.sessionId === sessionId);
    const k = c === undefined ? undefined : this.pw?.sessions.get(c.name);
    if (c === undefined || this.pw === undefined || k === undefined) return;
    // Our own deletions are announced too: act only when it is really gone.
    if (await k.stats().then(() => true, () => false)) return;
    await this.pw.removeSession(c.name).catch(() => undefined);
    await this.pw.addSession(c).catch((e: unknown) => this.log.error({ session_name: c.name, err: e }, 'cannot make the session again'));
  }

  /** Reload: one session less. */
  async removeSession(name: string): Promise<void> { await this.pw?.removeSession(name); }

  /** This tunnel as `status` shows it, with the kernel's counters when it is up. */
  async status(): Promise<TunnelStatus> {
    const t = this.config;
    const host = (e: { host: string; port: number; family: 4 | 6 | undefined }) => (e.family === 6 ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`);
    const pw = this.pw;
    const up = this.sup.state === 'established';
    const state = up ? (this.quiescent ? 'established' : 'static') : this.sup.state === 'probe-wait' ? 'probing' : this.sup.state;
    const sessions = await Promise.all(t.sessions.map(async (s) => {
      const k = pw?.sessions.get(s.name);
      return {
        name: s.name, sessionId: s.sessionId, peerSessionId: s.peerSessionId, state: k ? 'established' : state,
        upSinceMs: k ? this.upSinceMs : undefined, interfaceName: k?.interfaceName, data: counters(await k?.stats().catch(() => undefined)),
      };
    }));
    const control = this.quiescent ? (this.deps.context.info(t.tunnelId)?.control ?? { sent: 0, received: 0, retransmitted: 0, hellosSent: 0 }) : undefined;
    return {
      name: t.name, tunnelId: t.tunnelId, peerTunnelId: t.peerTunnelId, peer: host(t.peer), local: t.local && host(t.local),
      state, upSinceMs: this.upSinceMs, lastResult: this.lastResult, control, data: counters(await pw?.stats()), sessions,
    };
  }
}
