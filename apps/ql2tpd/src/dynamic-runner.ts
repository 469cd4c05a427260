/**
 * One `mode = "dynamic"` tunnel of ql2tpd: a full L2TPv3 control connection to the peer (RFC 3931
 * §3.3) with its pseudowires negotiated (ids, cookies, matched by Remote End ID), run by the
 * supervisor table of `@l2tp/control` over the daemon's `L2tpContext`, which makes the kernel
 * objects from the negotiation.
 *
 * Both ends may list each other: each listens on `local` and dials when it holds no connection; a
 * crossing SCCRQ is settled by the tie breakers and the connection that stays — ours or the one the
 * peer opened — is the tunnel's. A peer that does not answer is redialled with back-off (1 s
 * doubling to 60 s, for ever); a connection that dies (HELLO unanswered, the peer's StopCCN) is
 * redialled the same way, its sessions with it; a restarted peer's new connection replaces the
 * stale one. A message whose Message Digest does not verify is dropped and logged with the likely
 * cause (the secrets differ).
 */
import {
  type Clock, type ContextEvents, isOrderlyClose, type L2tpContext, type RecoveryPolicy, type SessionDataPlane, type SocketAddress,
  type SupervisorAction, type V3ConnectionDownReason, type V3ConnectionInfo, type V3ConnectionOptions, type V3DigestOptions,
} from '@l2tp/control';
import type { LastResult, Logger, TunnelStatus } from '@l2tp/daemon';
import { ipv4Number, type Ql2tpdTunnelConfig } from './config.js';
import { sessionMtu } from './mtu.js';
import type { TunnelAddresses } from './pseudowire.js';
import { SupervisedRunner } from './supervised-runner.js';
import { counters } from './tunnel-runner.js';

/** Redial back-off of a dynamic tunnel: 1 s, doubling, at most 60 s; never gives up. */
export function dynamicRedialDelayMs(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.min(attempt - 1, 6));
}

/** HELLO interval of a dynamic tunnel whose `hello_timeout` is 0: RFC 3931 §4.4's 60 s. */
export const DYNAMIC_HELLO_DEFAULT_MS = 60_000;

/** What a dynamic runner needs from the daemon. */
export interface DynamicRunnerDeps {
  readonly context: Pick<L2tpContext, 'listenV3' | 'dialV3' | 'closeConnection' | 'connection' | 'connections' | 'tunnelStats' | 'updateConnectionDigest'>;
  readonly log: Logger;
  readonly clock: Clock;
  readonly wallMs: () => number;
  resolve(tunnel: Ql2tpdTunnelConfig): Promise<TunnelAddresses>;
  changed(): void;
}

/** An address literal in one spelling (IPv6 compressed and lower-case), so a configured peer matches the socket's. */
export function canonicalAddress(address: string): string {
  if (!address.includes(':')) return address;
  try { return new URL(`http://[${address}]/`).hostname.slice(1, -1); } catch { return address.toLowerCase(); }
}

/** A tunnel's Message Digest settings (RFC 3931 §5.4.1): its secrets, and HMAC-SHA-1 (1) or HMAC-MD5 (0, default) to sign with. */
const digestOf = (t: Ql2tpdTunnelConfig): V3DigestOptions | undefined => {
  const secrets = t.ext.digestSecret;
  return secrets === undefined ? undefined : { secrets, digestType: t.ext.digest === 'sha1' ? 1 : 0 };
};

const PW_TYPE = { eth: 0x0005, eth_vlan: 0x0004, ppp: 0x0007 } as const;
const dotted = (n: number | undefined) => (n === undefined ? undefined : [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.'));

/** Formats why a dynamic connection went down, for the log and `status`. */
export function describeV3Down(r: V3ConnectionDownReason): string {
  switch (r.type) {
    case 'peer-stopccn': return `peer sent StopCCN result ${r.result.result}${r.result.message ? ` (${r.result.message})` : ''}`;
    case 'local-close': return 'closed by us';
    case 'retransmit-exhausted': return 'the peer stopped answering (no acknowledgement)';
    case 'auth-failed': return `Message Digest refused: ${r.sent.message ?? `result ${r.sent.result}`}`;
    case 'peer-violation': return `protocol error: ${r.sent.message ?? `result ${r.sent.result}`}`;
    case 'lost-tie': return 'the peer\'s simultaneous connection won the tie breaker';
    case 'superseded': return 'replaced by the restarted peer\'s new connection';
    default: return (r as { type: string }).type;
  }
}

/** Runs one dynamic `[tunnel.NAME]` (see the file header). */
export class DynamicTunnelRunner extends SupervisedRunner {
  protected readonly policy: RecoveryPolicy = { mode: 'redial', retryDelayMs: dynamicRedialDelayMs };
  private addrs: TunnelAddresses | undefined;
  /** The connection that is the tunnel while it is up (dialled, or accepted from the peer). */
  private current: number | undefined;
  private upSinceMs: number | undefined;
  private lastResult: LastResult | undefined;
  private readonly sessions = new Map<string, { dataPlane: SessionDataPlane; upSinceMs: number }>();
  private drops = 0;
  private readonly log: Logger;
  /** Dynamic tunnels have a full control connection. */
  readonly quiescent = false;

  /** Prepares the runner; nothing is opened until `start`. */
  constructor(public config: Ql2tpdTunnelConfig, private readonly deps: DynamicRunnerDeps) {
    super(deps);
    this.log = deps.log.child({ tunnel_name: config.name });
  }

  protected perform(a: SupervisorAction): void {
    switch (a.type) {
      case 'dial': return void this.dial();
      case 'close': return this.close(a.result);
      case 'probe': return;
      case 'log': return void this.log[a.level](a.retryInMs === undefined ? {} : { retry_in_ms: a.retryInMs }, a.message);
    }
  }

  /** Connections of this tunnel the context holds and that are not on their way out. */
  private held(except?: number): V3ConnectionInfo[] {
    return this.deps.context.connections().filter((c) => c.name === this.config.name && c.connectionId !== except && c.state !== 'closing' && c.state !== 'closed');
  }

  private async dial(): Promise<void> {
    const t = this.config;
    try {
      this.addrs ??= await this.deps.resolve(t);
      await this.deps.context.listenV3(t.encap, this.addrs.local);
      if (this.sup.state !== 'dialling') return;
      const up = this.held().find((c) => c.state === 'established');
      // The peer's connection came up while we waited: it is the tunnel.
      if (up !== undefined) return this.connectionUp(up);
      // One of ours is already being set up (the peer's SCCRQ, answered): let it finish.
      if (this.held().length === 0) await this.deps.context.dialV3(this.options());
      this.settleFirst();
    } catch (e) {
      this.log.error({ err: e }, 'cannot open the control connection');
      this.settleFirst(e);
      this.input({ type: 'down', reason: `cannot open: ${(e as Error).message}` });
    }
  }

  /** The settings of this tunnel's connections; `undefined` until the addresses are resolved. */
  options(): V3ConnectionOptions {
    const t = this.config;
    const a = this.addrs!;
    const digest = digestOf(t);
    return {
      name: t.name, encap: t.encap, local: a.local, peer: a.peer, hostName: t.hostName,
      routerId: t.ext.routerId ?? ipv4Number(a.local.address) ?? 0,
      ...(digest !== undefined && { digest }),
      helloIntervalMs: t.helloTimeoutMs || DYNAMIC_HELLO_DEFAULT_MS, retryTimeoutMs: t.retryTimeoutMs, maxRetries: t.maxRetries, windowSize: t.windowSize,
      pseudowires: t.sessions.map((s) => ({
        name: s.name, remoteEndId: s.ext.remoteEndId ?? s.name, pwType: PW_TYPE[s.pseudowire as keyof typeof PW_TYPE] ?? PW_TYPE.eth,
        cookieLength: s.ext.cookieLength ?? 0, l2SpecificSublayer: s.l2specType === 'default' ? 1 : 0, dataSequencing: s.seqnum ? 2 : 0,
        reorderTimeoutMs: s.reorderTimeoutMs, mtu: sessionMtu(t, s, 1500, a.peer.family),
        ...(s.interfaceName !== undefined && { interfaceName: s.interfaceName }),
      })),
    };
  }

  /**
   * SIGHUP changed only `digest_secret` and/or `digest` of this tunnel, which has a secret before and
   * after: the live connections take the new secrets and signing type in place (a rollover, RFC 3931
   * §5.4.1; no StopCCN, the pseudowires keep passing), and later connections (a redial, the peer's
   * SCCRQ) are made with them through {@link options}.
   */
  updateDigest(config: Ql2tpdTunnelConfig): void {
    this.config = config;
    const digest = digestOf(config);
    if (digest === undefined) throw new Error(`tunnel ${config.name} has no digest_secret: turning the digest off needs a new connection`);
    const live = this.deps.context.connections().filter((c) => c.name === config.name && c.state !== 'closed');
    for (const c of live) this.deps.context.updateConnectionDigest(c.connectionId, digest);
    this.log.info({ digest: config.ext.digest ?? 'md5', secrets: digest.secrets.length, connections: live.length }, 'Message Digest secrets updated in place');
  }

  /** The settings to answer `peer`'s SCCRQ with, when it is this tunnel's peer and the tunnel is wanted. */
  acceptFor(peer: SocketAddress): V3ConnectionOptions | undefined {
    const a = this.addrs;
    if (a === undefined) return undefined;
    // L2TP/IP has no ports (0 here); over UDP the peer's port is part of its address.
    const port = this.config.encap === 'ip' ? 0 : a.peer.port;
    if (canonicalAddress(peer.address) !== canonicalAddress(a.peer.address) || peer.port !== port) return undefined;
    const s = this.sup.state;
    return s === 'dialling' || s === 'established' || s === 'redial-wait' ? this.options() : undefined;
  }

  private close(result: { result: number }): void {
    const live = this.deps.context.connections().filter((c) => c.name === this.config.name && c.state !== 'closed');
    for (const c of live) this.deps.context.closeConnection(c.connectionId, result);
    if (live.every((c) => c.state === 'closing')) queueMicrotask(() => this.input({ type: 'down', reason: 'closed' }));
  }

  /** Handles a context event for this tunnel (routed by name). */
  onEvent<K extends keyof ContextEvents>(name: K, e: ContextEvents[K]): void {
    switch (name) {
      case 'connection-up': return this.connectionUp((e as ContextEvents['connection-up']).connection);
      case 'connection-down': return this.connectionDown(e as ContextEvents['connection-down']);
      case 'pseudowire-up': {
        const { pseudowire: p, dataPlane } = e as ContextEvents['pseudowire-up'];
        const name = p.name ?? p.remoteEndId;
        this.sessions.set(name, { dataPlane, upSinceMs: this.deps.wallMs() });
        this.log.info({ session_name: name, session_id: p.localSessionId, peer_session_id: p.remoteSessionId, remote_end_id: p.remoteEndId,
          cookie_length: p.cookieLength, peer_cookie_length: p.peerCookieLength, interface_name: p.interfaceName }, 'session up');
        return;
      }
      case 'pseudowire-down': {
        const d = e as ContextEvents['pseudowire-down'];
        // A call the peer opened for a Remote End ID we do not have carries no name: it is logged by id.
        const who = d.name === undefined ? { session_id: d.localSessionId } : { session_name: d.name, session_id: d.localSessionId };
        if (d.name !== undefined) this.sessions.delete(d.name);
        if (d.wasUp) this.log.info({ ...who, reason: d.reason.type }, 'session down');
        // Both ends open each pseudowire; the one losing the Session Tie Breaker (RFC 3931 §5.4.4) is expected.
        else if (d.reason.type === 'lost-tie' || d.reason.type === 'cancelled' || d.reason.type === 'connection-down') this.log.debug({ session_id: d.localSessionId, reason: d.reason.type }, 'session attempt ended');
        else this.log.warn({ ...who, reason: d.reason }, 'session not established');
        return;
      }
      case 'circuit-changed': {
        const c = e as ContextEvents['circuit-changed'];
        return void this.log.info({ session_name: c.name, interface_name: c.interfaceName }, `attachment circuit ${c.active ? 'up' : 'down'}: told the peer (SLI)`);
      }
      case 'pseudowire-circuit': {
        const c = e as ContextEvents['pseudowire-circuit'];
        const pw = c.connection.pseudowires.find((p) => p.localSessionId === c.localSessionId);
        return void this.log.info({ session_name: pw?.name, session_id: c.localSessionId }, `the peer's attachment circuit is ${c.active ? 'up' : 'down'} (SLI)`);
      }
      case 'message-dropped': {
        const d = e as ContextEvents['message-dropped'];
        this.drops++;
        // Every retransmission is dropped too: say it at warn on the 1st, 2nd, 4th, 8th ... drop.
        const level = (this.drops & (this.drops - 1)) === 0 ? 'warn' : 'debug';
        this.log[level]({ peer: d.peer?.address, message_type: d.messageType, reason: d.reason, drops: this.drops },
          `control message dropped: its Message Digest did not verify (${d.reason}); digest_secret must be the same on both ends`);
        return;
      }
      default: return;
    }
  }

  private connectionUp(c: V3ConnectionInfo): void {
    const first = this.current === undefined;
    this.current = c.connectionId;
    this.upSinceMs ??= this.deps.wallMs();
    if (first) {
      this.log.info({ connection_id: c.connectionId, peer_connection_id: c.peerConnectionId, role: c.role, peer_host_name: c.peerHostName,
        peer_router_id: dotted(c.peerRouterId), digest: c.digest === undefined ? 'off' : (this.config.ext.digest ?? 'md5') }, 'control connection up');
    }
    this.input({ type: 'up' });
    this.settleFirst();
  }

  private connectionDown(d: ContextEvents['connection-down']): void {
    const id = d.connection.connectionId;
    const why = describeV3Down(d.reason);
    if (id === this.current) {
      this.current = undefined;
      this.upSinceMs = undefined;
      this.sessions.clear();
    }
    // Another connection of this tunnel stands (the tie's winner, the restarted peer's new one).
    const other = this.held(id);
    if (other.length > 0) {
      const up = other.find((c) => c.state === 'established');
      if (up !== undefined && this.current === undefined) this.connectionUp(up);
      return void this.log.debug({ connection_id: id }, `connection ended (${why}); another stands`);
    }
    if (d.wasUp || d.reason.type === 'auth-failed') this.lastResult = { atMs: this.deps.wallMs(), reason: why };
    this.input({ type: 'down', reason: why, orderly: isOrderlyClose(d.reason) });
  }

  /** This tunnel as `status` shows it: negotiated ids, cookie lengths, digest state, counters. */
  async status(): Promise<TunnelStatus> {
    const t = this.config;
    const c = this.current === undefined ? this.held()[0] : this.deps.context.connection(this.current);
    const host = (e: { host: string; port: number; family: 4 | 6 | undefined }) => (e.family === 6 ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`);
    const up = this.sup.state === 'established';
    const state = up ? 'established' : this.sup.state;
    const sessions = await Promise.all(t.sessions.map(async (s) => {
      const pw = c?.pseudowires.find((p) => p.name === s.name);
      const k = this.sessions.get(s.name);
      return {
        name: s.name, sessionId: pw?.localSessionId ?? 0, peerSessionId: pw?.remoteSessionId ?? 0, state: pw?.state ?? (up ? 'negotiating' : state),
        upSinceMs: k?.upSinceMs, interfaceName: pw?.interfaceName, data: counters(await k?.dataPlane.stats().catch(() => undefined)),
        remoteEndId: s.ext.remoteEndId, cookieLength: pw?.cookieLength, peerCookieLength: pw?.peerCookieLength,
      };
    }));
    const dg = c?.digest;
    const secret = t.ext.digestSecret !== undefined;
    return {
      name: t.name, tunnelId: c?.connectionId ?? 0, peerTunnelId: c?.peerConnectionId ?? 0, peer: host(t.peer), local: t.local && host(t.local),
      state, mode: 'dynamic', upSinceMs: this.upSinceMs, lastResult: this.lastResult, peerRouterId: dotted(c?.peerRouterId),
      control: c?.control ?? { sent: 0, received: 0, retransmitted: 0, hellosSent: 0 },
      data: c === undefined ? undefined : counters(await this.deps.context.tunnelStats(c.connectionId)),
      // Drops are counted since start (every drop is reported here); verifications per connection.
      digest: !secret ? undefined : { type: t.ext.digest ?? 'md5', verified: dg?.verified ?? 0, verifiedWithOlderSecret: dg?.verifiedWithOlderSecret ?? 0, dropped: this.drops },
      sessions,
    };
  }
}
