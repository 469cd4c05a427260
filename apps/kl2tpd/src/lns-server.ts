/**
 * One `[lns.NAME]` table served: its own `L2tpContext` listening on `listen` (an accepted tunnel
 * gets its own connected socket on that address when it comes up, which the kernel tunnel adopts),
 * the admission policy (allow, sccrq_limit, max_tunnels, the NAT same-5-tuple clash) answered with
 * StopCCN through the engine, and per call: max_sessions and the pool (CDN when refused), pppd with
 * the PPPoL2TP socket in LNS mode as fd 3 (`lnsPppdArgv`), pppd's exit → CDN result 3 and the
 * address back in the pool, tunnel loss → pppd SIGTERM then SIGKILL. Every refusal is answered
 * (StopCCN or CDN, lns/refusals.ts), logged and counted. With `-null` (no PppPort) calls come up
 * without pppd and still take their pool address, so status shows what a real LNS would hold.
 */
import { hostname } from 'node:os';
import {
  type Clock, type ContextEvents, type DataPlane, describeSessionDown, describeTunnelDown, L2tpContext, type ResultCode,
  type EngineTrace, type RandomSource, type SessionDataPlane, type SocketAddress, type WireCodec,
} from '@l2tp/control';
import type { ListenerStatus, Logger, SessionStatus, StatusDetail, TunnelStatus } from '@l2tp/daemon';
import type { Kl2tpdLnsConfig } from './config.js';
import { PeerAcl } from './lns/acl.js';
import { lnsPoolSpans } from './lns/config.js';
import { AddressPool } from './lns/pool.js';
import { lnsPppdArgv } from './lns/pppd-argv.js';
import { SccrqRateLimiter } from './lns/rate-limit.js';
import { LNS_REFUSAL_REASONS, LNS_REFUSALS, type LnsRefusalReason } from './lns/refusals.js';
import { PppCall, type PppPort } from './ppp-call.js';
import { logIgnored } from './reasons.js';

/** What a listener needs from the daemon (tests pass virtual time and a fake data plane). */
export interface LnsDeps {
  readonly log: Logger;
  readonly dataPlane: DataPlane;
  readonly wire?: WireCodec | undefined;
  readonly clock: Clock;
  /** Ids and challenges (default: the OS's CSPRNG); the virtual-time suites seed it. */
  readonly random?: RandomSource | undefined;
  readonly wallMs: () => number;
  /** `-verbose`: every control message and state change to the log. */
  readonly trace?: EngineTrace | undefined;
  /** PPP for calls; undefined with `-null`. `pppdPath` is the global `pppd_path` (a table's `pppd_path` wins). */
  readonly ppp: PppPort | undefined;
  /** Tunnel ids held by the daemon's other contexts (kernel tunnel ids are unique per namespace). */
  readonly tunnelIdInUse: (tunnelId: number) => boolean;
  /** Called when a listener or tunnel changes (not per call: nothing the daemon derives from it counts calls). */
  readonly changed: () => void;
}

interface LnsCall {
  readonly sessionId: number;
  readonly peerSessionId: number;
  readonly address: string | undefined;
  readonly upSinceMs: number;
  readonly dataPlane: SessionDataPlane;
  ppp: PppCall | undefined;
}

interface LnsTunnel {
  readonly tunnelId: number;
  readonly peerTunnelId: number;
  readonly peer: SocketAddress;
  /** `peer` as logs and status print it. */
  readonly peerText: string;
  /** The listener's logger with this tunnel's id and peer bound: made once, so a call's line serialises only its own fields. */
  readonly log: Logger;
  readonly upSinceMs: number;
  readonly calls: Map<number, LnsCall>;
}

const peerText = (p: SocketAddress) => (p.family === 6 ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`);
const peerKey = (address: string, port: number, peerTunnelId: number) => `${address}|${port}|${peerTunnelId}`;

/** One listener; see the file header. */
export class LnsServer {
  readonly context: L2tpContext;
  private pool: AddressPool | undefined;
  private acl: PeerAcl | undefined;
  private limiter: SccrqRateLimiter | undefined;
  private readonly refusals = Object.fromEntries(LNS_REFUSAL_REASONS.map((r) => [r, 0])) as Record<LnsRefusalReason, number>;
  private readonly tunnels = new Map<number, LnsTunnel>();
  /** SCCRQs admitted whose tunnel is not up yet (max_tunnels counts them), by peer address, port and tunnel id. */
  private readonly admitted = new Set<string>();
  private sessionCount = 0;
  private bound: SocketAddress | undefined;
  private readonly log: Logger;

  /** Builds the listener's policy and context; nothing is bound until `start`. */
  constructor(public config: Kl2tpdLnsConfig, private readonly deps: LnsDeps) {
    this.log = deps.log.child({ lns: config.name });
    this.applyPolicy(config);
    this.context = new L2tpContext({
      dataPlane: deps.dataPlane, clock: deps.clock, tunnelIdInUse: deps.tunnelIdInUse, ...(deps.wire && { wire: deps.wire }),
      ...(deps.random && { random: deps.random }), ...(deps.trace && { trace: deps.trace }),
    });
    this.context.on('tunnel-up', (e) => this.tunnelUp(e));
    this.context.on('tunnel-down', (e) => this.tunnelDown(e));
    this.context.on('session-up', (e) => this.sessionUp(e));
    this.context.on('session-down', (e) => this.sessionDown(e));
    this.context.on('dataplane-error', (e) => this.log.error({ tunnel_id: e.tunnelId, session_id: e.sessionId, err: e.error }, 'kernel data plane failed; closing'));
    this.context.on('message-ignored', (e) => logIgnored(this.tunnels.get(e.tunnel.tunnelId)?.log ?? this.log.child({ tunnel_id: e.tunnel.tunnelId }), e));
  }

  /** True once bound. */
  get listening(): boolean { return this.bound !== undefined; }

  /** Binds `listen` and answers SCCRQs; rejects when the address cannot be bound. */
  async start(): Promise<SocketAddress> {
    const c = this.config;
    const local: SocketAddress = { address: c.listen.host, port: c.listen.port, family: c.listen.family ?? 4 };
    this.bound = await this.context.listen({
      local, hostName: c.hostName ?? hostname(), ...(c.secret !== undefined && { secret: c.secret }), hideAvps: c.hideAvps,
      helloIntervalMs: c.helloTimeoutMs, retryTimeoutMs: c.retryTimeoutMs, maxRetries: c.maxRetries, windowSize: c.windowSize,
      admit: (peer, sccrq) => this.admit(peer, sccrq.assignedTunnelId),
    });
    this.log.info({ listen: peerText(this.bound), pool_size: this.pool?.size, challenge: c.secret !== undefined }, 'LNS listening');
    this.deps.changed();
    return this.bound;
  }

  /**
   * SIGHUP with this table changed. Policy keys (allow, limits, pool, pppd and PPP keys) apply at
   * once and established calls stay; `restart` is true when a key of the listening socket or the
   * control connection changed (listen, host_name, secret, hide_avps, timers, window_size): the caller then
   * replaces this listener, which clears its tunnels.
   */
  reconfigure(next: Kl2tpdLnsConfig): { restart: boolean } {
    const keys = ['listen', 'hostName', 'secret', 'hideAvps', 'helloTimeoutMs', 'retryTimeoutMs', 'maxRetries', 'windowSize'] as const;
    if (keys.some((k) => JSON.stringify(this.config[k]) !== JSON.stringify(next[k]))) return { restart: true };
    this.config = next;
    this.applyPolicy(next);
    this.log.info({ pool_size: this.pool?.size }, 'LNS policy reloaded; established calls kept');
    this.deps.changed();
    return { restart: false };
  }

  private applyPolicy(c: Kl2tpdLnsConfig): void {
    this.acl = c.allow === undefined ? undefined : new PeerAcl(c.allow);
    this.limiter = c.sccrqLimit === undefined ? undefined : new SccrqRateLimiter({ rate: c.sccrqLimit, burst: c.sccrqBurst });
    const spans = lnsPoolSpans(c);
    const pool = spans.ranges.length === 0 ? undefined : new AddressPool(spans.ranges, spans.exclude);
    // Calls keep their addresses across a reload; those still inside the new pool stay taken there.
    for (const t of this.tunnels.values()) for (const call of t.calls.values()) if (call.address !== undefined) pool?.claim(call.address);
    this.pool = pool;
  }

  /** The admission policy (ControlEngine AcceptOptions.admit): a Result Code refuses the SCCRQ with StopCCN. */
  private admit(peer: SocketAddress, peerTunnelId: number): ResultCode | undefined {
    const c = this.config;
    let reason: LnsRefusalReason | undefined;
    if (this.acl !== undefined && !this.acl.allows(peer.address)) reason = 'not-allowed';
    else if (this.limiter !== undefined && !this.limiter.take(peer.address, this.deps.clock.nowMs())) reason = 'rate-limited';
    else if (c.maxTunnels > 0 && this.tunnels.size + this.admitted.size >= c.maxTunnels) reason = 'max-tunnels';
    else {
      const clash = this.clashes(peer, peerTunnelId);
      if (clash !== undefined) {
        reason = 'nat-clash';
        // The tunnel kept may be a client that vanished without StopCCN and now redials with a new
        // tunnel id: a HELLO now clears it within one retransmission cycle if nobody answers, instead
        // of after the HELLO interval, so the client's next attempt is accepted. A live client just
        // acknowledges it. (Queued: this runs inside the engine's handling of the SCCRQ.)
        if (clash !== 0) queueMicrotask(() => this.context.probeTunnel(clash));
      }
    }
    if (reason === undefined) {
      this.admitted.add(peerKey(peer.address, peer.port, peerTunnelId));
      return undefined;
    }
    return this.refuse(reason, { peer: peerText(peer), peer_tunnel_id: peerTunnelId });
  }

  /**
   * Another tunnel already comes from this address and port (a restarted peer reuses its tunnel id
   * and is superseded by the engine instead). The kernel cannot hold two tunnel sockets connected
   * to one 5-tuple, so the second is refused and the first kept. Returns the established tunnel's id,
   * 0 for one still being set up, undefined when nothing clashes.
   */
  private clashes(peer: SocketAddress, peerTunnelId: number): number | undefined {
    for (const t of this.tunnels.values()) {
      if (t.peer.address === peer.address && t.peer.port === peer.port && t.peerTunnelId !== peerTunnelId) return t.tunnelId;
    }
    const prefix = `${peer.address}|${peer.port}|`;
    for (const k of this.admitted) if (k.startsWith(prefix) && k !== `${prefix}${peerTunnelId}`) return 0;
    return undefined;
  }

  private refuse(reason: LnsRefusalReason, fields: Record<string, unknown>): ResultCode {
    this.refusals[reason]++;
    const r = LNS_REFUSALS[reason];
    // `fields` may carry the codes actually sent (the engine's own refusals choose them).
    this.log.warn({ refusal: reason, result: r.result.result, error: r.result.error ?? 0, ...fields }, r.log);
    this.deps.changed();
    return r.result;
  }

  private tunnelUp(e: ContextEvents['tunnel-up']): void {
    const t = e.tunnel;
    this.admitted.delete(peerKey(t.peer.address, t.peer.port, t.peerTunnelId));
    const peer = peerText(t.peer);
    this.tunnels.set(t.tunnelId, {
      tunnelId: t.tunnelId, peerTunnelId: t.peerTunnelId, peer: t.peer, peerText: peer, log: this.log.child({ tunnel_id: t.tunnelId, peer }),
      upSinceMs: this.deps.wallMs(), calls: new Map(),
    });
    this.log.info({ tunnel_id: t.tunnelId, peer_tunnel_id: t.peerTunnelId, peer, peer_host_name: t.peerHostName }, 'LNS tunnel up');
    this.deps.changed();
  }

  private tunnelDown(e: ContextEvents['tunnel-down']): void {
    const t = e.tunnel;
    this.admitted.delete(peerKey(t.peer.address, t.peer.port, t.peerTunnelId));
    // The id learnt at tunnel-up: a superseded tunnel's view no longer carries it.
    const fields = { tunnel_id: t.tunnelId, peer_tunnel_id: this.tunnels.get(t.tunnelId)?.peerTunnelId ?? t.peerTunnelId, peer: peerText(t.peer) };
    // A refusal by admit() was logged and counted there; a failed challenge is one more refusal.
    if (!e.wasUp && e.reason.type === 'auth-failed') return void this.refuse('challenge-failed', fields);
    const rec = this.tunnels.get(t.tunnelId);
    // The engine refused the SCCRQ itself (a malformed or unsupported one): answered, now logged and counted.
    if (rec === undefined && !e.wasUp && (e.reason.type === 'peer-violation' || e.reason.type === 'version-mismatch')) {
      return void this.refuse('bad-sccrq', { ...fields, result: e.reason.sent.result, error: e.reason.sent.error ?? 0, reason: describeTunnelDown(e.reason) });
    }
    if (rec === undefined) {
      // The peer gave up before the tunnel came up (its StopCCN, e.g. 4 when our challenge or its
      // secret did not match, or our SCCRP never acknowledged): nothing to refuse, but the operator
      // debugging a secret mismatch needs a line. A refusal of ours was logged where it was made.
      if (e.reason.type === 'peer-stopccn' || e.reason.type === 'retransmit-exhausted') {
        const hint = e.reason.type === 'peer-stopccn' && e.reason.result.result === 4 ? ' (check that both ends have the same secret)' : '';
        this.log.warn(fields, `LNS tunnel not established: ${describeTunnelDown(e.reason)}${hint}`);
      }
      return;
    }
    this.tunnels.delete(t.tunnelId);
    // Calls whose session-down did not come first: pppd SIGTERM, then SIGKILL, address back.
    for (const call of rec.calls.values()) this.endCall(call);
    this.log.info(fields, `LNS tunnel down: ${describeTunnelDown(e.reason)}`);
    this.deps.changed();
  }

  private sessionUp(e: ContextEvents['session-up']): void {
    const t = this.tunnels.get(e.tunnel.tunnelId);
    const { tunnelId, sessionId, peerSessionId } = e.session;
    if (t === undefined) return;
    if (this.config.maxSessions > 0 && this.sessionCount >= this.config.maxSessions) return this.refuseCall(t, sessionId, peerSessionId, 'max-sessions');
    let address: string | undefined;
    if (this.pool !== undefined) {
      address = this.pool.allocate();
      if (address === undefined) return this.refuseCall(t, sessionId, peerSessionId, 'pool-exhausted');
    }
    const call: LnsCall = { sessionId, peerSessionId, address, upSinceMs: this.deps.wallMs(), dataPlane: e.dataPlane, ppp: undefined };
    t.calls.set(sessionId, call);
    this.sessionCount++;
    // The tunnel's logger has its id and peer: only the call's own fields are serialised here. One
    // object literal: `{ ...fields, more }` cost ~2 µs a line (V8 makes a new hidden class for each).
    t.log.info({ session_id: sessionId, peer_session_id: peerSessionId, assigned_address: address, interface_name: e.dataPlane.interfaceName }, 'LNS call up');
    // No changed(): nothing it derives (STATUS, READY) counts calls, and calls come by the thousand.
    const ppp = this.deps.ppp;
    if (ppp === undefined) return;
    const log = t.log.child({ session_id: sessionId, peer_session_id: peerSessionId });
    const c = this.config;
    const argv = lnsPppdArgv({
      tunnelId, sessionId, localIp: c.localIp, remoteIp: address, pppName: c.pppName, optionsFile: c.pppdArgs, peerAddress: t.peer.address,
    });
    call.ppp = new PppCall(ppp, log);
    const pppCall = call.ppp;
    pppCall.startLns({ tunnelId, sessionId, peerTunnelId: t.peerTunnelId, peerSessionId }, c.pppdPath ?? ppp.pppdPath, argv, (description) => {
      // RFC 2661 §4.4.2 CDN result 3: cleared for administrative reasons (our pppd ended).
      if (call.ppp === pppCall) this.context.closeSession(tunnelId, sessionId, { result: 3, message: `pppd exited: ${description}` });
    }).catch((err: unknown) => {
      log.error({ err }, 'cannot start pppd; clearing the call');
      this.context.closeSession(tunnelId, sessionId, { result: 2, error: 6, message: 'cannot start pppd' });
    });
  }

  /** A call refused once up (max_sessions reached, no free address): CDN with the refusal's result, logged and counted. */
  private refuseCall(t: LnsTunnel, sessionId: number, peerSessionId: number, reason: LnsRefusalReason): void {
    const fields = { tunnel_id: t.tunnelId, session_id: sessionId, peer_session_id: peerSessionId, peer: t.peerText };
    this.context.closeSession(t.tunnelId, sessionId, this.refuse(reason, fields));
  }

  private sessionDown(e: ContextEvents['session-down']): void {
    const t = this.tunnels.get(e.tunnel.tunnelId);
    const call = t?.calls.get(e.session.sessionId);
    // A call refused by the protocol checks (a malformed ICRQ/ICCN answered with CDN) never came up: a refusal, logged and counted.
    if (t !== undefined && call === undefined && !e.wasUp && (e.reason.type === 'refused' || e.reason.type === 'peer-violation')) {
      const sent = e.reason.sent;
      return void this.refuse('bad-call', {
        tunnel_id: t.tunnelId, session_id: e.session.sessionId, peer_session_id: e.session.peerSessionId, peer: t.peerText,
        result: sent.result, error: sent.error ?? 0, reason: describeSessionDown(e.reason),
      });
    }
    if (t === undefined || call === undefined) return;
    t.calls.delete(call.sessionId);
    this.endCall(call);
    t.log.info({ session_id: call.sessionId, assigned_address: call.address }, `LNS call down: ${describeSessionDown(e.reason)}`);
  }

  /** pppd stopped (SIGTERM, SIGKILL after 3 s) and the address back in the pool. */
  private endCall(call: LnsCall, graceMs = 3000): Promise<void> {
    this.sessionCount--;
    if (call.address !== undefined) this.pool?.release(call.address);
    const ppp = call.ppp;
    call.ppp = undefined;
    return ppp?.stop(graceMs) ?? Promise.resolve();
  }

  /** True when this listener holds tunnel `tunnelId` (up). */
  hasTunnel(tunnelId: number): boolean { return this.tunnels.has(tunnelId); }

  /** Throws the refusal of `down ID[/SESSION]` (an unknown tunnel or call), before anything is done or logged. */
  check(tunnelId: number, sessionId?: number): void {
    const t = this.tunnels.get(tunnelId);
    if (t === undefined) throw new Error(`no LNS tunnel ${tunnelId} on ${this.config.name}`);
    if (sessionId !== undefined && !t.calls.has(sessionId)) throw new Error(`no call ${sessionId} in LNS tunnel ${tunnelId}`);
  }

  /** `kl2tpd down ID` (StopCCN result 1) or `down ID/SESSION` (CDN result 3); throws for an unknown id. */
  down(tunnelId: number, sessionId?: number): void {
    this.check(tunnelId, sessionId);
    if (sessionId === undefined) return this.context.closeTunnel(tunnelId, { result: 1, message: 'administratively down' });
    this.context.closeSession(tunnelId, sessionId, { result: 3, message: 'administratively down' });
  }

  /** StopCCN on every tunnel, pppd stopped; the socket closed. */
  async stop(boundMs: number): Promise<void> {
    const calls = [...this.tunnels.values()].flatMap((t) => [...t.calls.values()]);
    await Promise.all([...calls.map((c) => c.ppp?.stop(Math.min(3000, boundMs))), this.context.close(boundMs)]);
  }

  /**
   * The listener, its counts and every tunnel and call, as `status` shows them; `counts` (/metrics)
   * leaves the tunnels out. Calls are listed {@link STATUS_CHUNK} at a time with the event loop
   * turning in between: at 100 000 calls one pass took seconds, and the tunnels must be served meanwhile.
   */
  async status(detail: StatusDetail = 'full'): Promise<ListenerStatus> {
    const tunnels: TunnelStatus[] = [];
    if (detail === 'full') {
      let listed = 0;
      for (const t of [...this.tunnels.values()]) {
        const calls = [...t.calls.values()];
        const sessions: SessionStatus[] = [];
        for (let i = 0; i < calls.length; i += STATUS_CHUNK) {
          if (listed > 0) await new Promise((resolve) => setImmediate(resolve));
          const chunk = calls.slice(i, i + STATUS_CHUNK);
          listed += chunk.length;
          sessions.push(...await Promise.all(chunk.map(callStatus)));
        }
        const info = this.context.info(t.tunnelId);
        tunnels.push({
          name: `${this.config.name}/${t.tunnelId}`, tunnelId: t.tunnelId, peerTunnelId: t.peerTunnelId, peer: t.peerText,
          state: info?.state ?? 'closed', upSinceMs: t.upSinceMs, control: info?.control, sessions,
        });
      }
    }
    return {
      name: this.config.name, listen: this.bound === undefined ? '-' : peerText(this.bound), tunnelCount: this.tunnels.size,
      sessionCount: this.sessionCount, pool: this.pool?.counts(), refusals: { ...this.refusals }, tunnels,
    };
  }
}

/** Calls listed per turn of the event loop by {@link LnsServer.status}. */
const STATUS_CHUNK = 1000;

/** One call as `status` shows it, with its kernel counters (none when they cannot be read). */
async function callStatus(c: LnsCall): Promise<SessionStatus> {
  const k = await c.dataPlane.stats().catch(() => undefined);
  return {
    name: String(c.sessionId), sessionId: c.sessionId, peerSessionId: c.peerSessionId, state: 'established', upSinceMs: c.upSinceMs,
    assignedAddress: c.address, interfaceName: c.dataPlane.interfaceName, pppdPid: c.ppp?.pid,
    data: k && { txPackets: Number(k.txPackets), txBytes: Number(k.txBytes), txErrors: Number(k.txErrors),
      rxPackets: Number(k.rxPackets), rxBytes: Number(k.rxBytes), rxErrors: Number(k.rxErrors), rxSeqDiscards: 0, rxOosPackets: 0 },
  };
}
