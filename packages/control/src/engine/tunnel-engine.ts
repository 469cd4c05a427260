/**
 * One L2TP control connection and its sessions (RFC 2661 §5, §7): composes the reliable transport
 * with the tunnel and session tables and carries out their actions.
 *
 * Contract (style.md §3.3): the engine does no I/O and reads no clock. Feed {@link Input}s in
 * non-decreasing `nowMs`; perform every returned {@link Output}; call `handle({ kind: 'timeout' })` at
 * or after `nextDeadlineMs()` (earlier is harmless). Peer behaviour never throws: it becomes a
 * `tunnel-down`/`session-down` event plus a StopCCN/CDN. Local misuse throws {@link L2tpUsageError}.
 *
 * Timers are data: the transport's retransmit and ack timers, the HELLO timer, and the StopCCN hold
 * (RFC 2661 §5.7). Every tunnel state change, quiescent `open` and the end of the hold included, is a
 * row of the tunnel table (fsm/tunnel.ts); this file only feeds it inputs and arms the timers its
 * states need. After the hold, or straight after a transport failure, `finished` is true; a tunnel we
 * cleared ourselves is finished as soon as our StopCCN is acknowledged (RFC 2661 §5.7 holds the receiver).
 */
import { INITIAL_TUNNEL, type TunnelContext, type TunnelData, type TunnelInput, stepTunnel } from '../fsm/tunnel.js';
import { type SessionData, type SessionInput, lacSession, lnsSession, stepSession } from '../fsm/session.js';
import { CdnResult, ErrorCode, type Inbound, type Outbound, type IgnoredReason, type ResultCode, type TunnelEvent } from '../fsm/types.js';
import { ReliableTransport, type TransportSink } from '../transport/reliable.js';
import type { SocketAddress } from '../api/dataplane.js';
import type { ControlOutput } from './control-engine.js';
import { challengeResponse } from '../codec/auth.js';
import { SESSION_MESSAGES } from '../codec/message-spec.js';
import { type EnginePorts, type TunnelEngineConfig, fullRetransmitCycleMs } from './config.js';
import { type Command, type Input, L2tpUsageError, type Output } from './io.js';
import type { EncodeContext, WireCodec, WireDecoded } from './wire.js';

/** Control-channel counters of one tunnel (status and metrics). */
export interface ControlCounters {
  readonly sent: number;
  readonly received: number;
  readonly retransmitted: number;
  readonly hellosSent: number;
  /** Messages acknowledged and not acted on (a call we do not hold, an unrecognized type; `message-ignored`). */
  readonly ignored: number;
}

interface Pending {
  readonly message: Outbound;
  readonly peerSessionId: number;
  bytes: Uint8Array | undefined;
}

type Sequenced = Exclude<WireDecoded, { kind: 'zlb' | 'drop' }>;

/** `out` between inputs handled `into` another list: nothing may be added to it. */
const IDLE = Object.freeze([]) as unknown as Output[];
type Rejected = Extract<WireDecoded, { kind: 'rejected' }>;

/** Protocol state for one control connection. See the file header for the contract. */
export class TunnelEngine {
  private tunnel: TunnelData;
  private readonly ctx: TunnelContext;
  private enc: EncodeContext;
  private readonly transport: ReliableTransport<Pending, Sequenced>;
  private readonly sessions = new Map<number, SessionData>();
  private helloDueMs: number | undefined;
  private holdUntilMs: number | undefined;
  private done = false;
  private hellosSent = 0;
  private ignoredCount = 0;
  /** A quiescent connection has heard from its peer (and adopted its sequence numbers). */
  private heard = false;
  private callSerial = 0;
  /** We sent a StopCCN, and the peer did not close first (its StopCCN makes us the §5.7 receiver). */
  private weClosed = false;
  /** Where the outputs of the input being handled go: a list of its own, or the multi-tunnel engine's (`handleInto`). */
  private out: Output[] = [];
  /** Set while `handleInto` runs: transmits are then the multi-tunnel engine's outputs, addressed to `to`. */
  private to: SocketAddress | undefined;
  /** Receives the transport's outputs (`flush`): one object for the tunnel's life, not a list per input. */
  private readonly sink: TransportSink<Pending>;
  /** The time of the `flush` running (the sink's `failed` steps the tunnel machine at it). */
  private flushAtMs = 0;
  /** Set while `handleDecoded` carries a policy refusal for the SCCRQ it delivers. */
  private refusal: ResultCode | undefined;

  /** Creates the engine in `idle` (quiescent: ready to `open` straight into `established`). */
  constructor(readonly config: TunnelEngineConfig, private readonly ports: EnginePorts, private readonly wire: WireCodec) {
    const secret = config.secret;
    this.ctx = {
      role: config.role,
      tunnelId: config.tunnelId,
      challenge: secret ? ports.random.bytes(16) : undefined,
      respond: secret ? (id, challenge) => challengeResponse(id, secret, challenge, ports.md5) : undefined,
      quiescent: config.quiescent,
    };
    this.enc = {
      version: config.version, tunnelId: config.tunnelId, hostName: config.hostName,
      receiveWindowSize: config.transport.receiveWindowSize, framingCapabilities: config.framingCapabilities,
      secret, hideAvps: this.hiding && config.quiescent === true, ports,
    };
    this.tunnel = { ...INITIAL_TUNNEL, peerTunnelId: config.peerTunnelId };
    this.transport = new ReliableTransport(config.transport);
    this.sink = {
      ack: (ns, nr) => this.transmit(this.wire.ack(this.config.version, this.tunnel.peerTunnelId, ns, nr)),
      send: (ns, nr, p) => {
        p.bytes = p.bytes === undefined
          ? this.wire.encode(p.message, { peerTunnelId: this.tunnel.peerTunnelId, peerSessionId: p.peerSessionId, ns, nr }, this.enc)
          : this.wire.withNr(p.bytes, nr);
        this.transmit(p.bytes);
      },
      failed: (_ns, p) => {
        this.stepTunnel(this.flushAtMs, { type: 'transport-failed', messageType: p.message.type });
        if (this.tunnel.state === 'closing') this.transport.stop();
      },
    };
  }

  /** Whether `hide_avps` is configured and can be (a secret is set). */
  private get hiding(): boolean { return this.config.hideAvps && this.config.secret !== undefined; }

  /** Our tunnel id. */
  get tunnelId(): number { return this.config.tunnelId; }
  /** The peer's tunnel id (0 until learnt). */
  get peerTunnelId(): number { return this.tunnel.peerTunnelId; }
  /** The tunnel machine's state. */
  get state(): TunnelData['state'] { return this.tunnel.state; }
  /** The peer's Host Name AVP, once received. */
  get peerHostName(): string | undefined { return this.tunnel.peerHostName; }
  /** True once the tunnel is gone and its state may be dropped. */
  get finished(): boolean { return this.done; }
  /** True when every message we sent has been acknowledged (a StopCCN too). */
  get acknowledged(): boolean { return this.transport.idle; }
  /** True when nothing is owed either way right now: all we sent is acknowledged and we owe the peer no acknowledgement. */
  get settled(): boolean { return this.done || (this.transport.idle && !this.transport.ackOwed); }
  /**
   * True in the StopCCN hold once the StopCCN we sent is acknowledged and the peer sent none: the
   * peer has closed its end, and RFC 2661 §5.7 binds only the receiver of a StopCCN to hold.
   */
  get stopAcknowledged(): boolean {
    return this.tunnel.state === 'closing' && this.weClosed && !this.transport.failed && this.transport.idle;
  }
  /** The Nr we send: the next Ns expected from the peer (1 once its first message, SCCRQ or SCCRP, arrived). */
  get nr(): number { return this.transport.nr; }
  /** Sessions known to the tunnel (any state but closed). */
  get sessionCount(): number { return this.sessions.size; }

  /** Control-channel counters: first transmissions, retransmissions, messages delivered, HELLOs sent. */
  get counters(): ControlCounters {
    const c = this.transport.counters;
    return { sent: c.sent, received: c.received, retransmitted: c.retransmitted, hellosSent: this.hellosSent, ignored: this.ignoredCount };
  }
  /** Ids of the sessions known to the tunnel. */
  sessionIds(): number[] { return [...this.sessions.keys()]; }
  /** The state of one session, if it exists. */
  session(sessionId: number): SessionData | undefined { return this.sessions.get(sessionId); }
  /** Every session (any state but closed). */
  sessionList(): SessionData[] { return [...this.sessions.values()]; }

  /** A random session id, non-zero and unused in this tunnel (RFC 2661 §4.4.4: 0 is reserved). */
  allocateSessionId(): number {
    for (;;) {
      const id = this.ports.random.uint32() & 0xffff;
      if (id !== 0 && !this.sessions.has(id)) return id;
    }
  }

  /** Processes one input and returns everything it caused. */
  handle(input: Input): Output[] {
    this.out = [];
    this.to = undefined;
    this.process(input);
    return this.out;
  }

  /**
   * `handle` for the multi-tunnel engine: the outputs are appended to `out` as its own (transmits
   * carry this tunnel's id and `to`), so a datagram costs no list or output objects here.
   */
  handleInto(input: Input, out: ControlOutput[], to: SocketAddress): void {
    this.out = out as Output[];
    this.to = to;
    try {
      this.process(input);
    } finally {
      this.out = IDLE;
      this.to = undefined;
    }
  }

  private process(input: Input): void {
    if (this.done) return;
    const nowMs = input.nowMs;
    if (input.kind === 'datagram') for (const d of this.wire.decode(input.bytes, this.config.secret, this.ports.md5)) this.receive(nowMs, d);
    else if (input.kind === 'command') this.command(nowMs, input.command);
    else this.timers(nowMs);
    this.flush(nowMs);
  }

  /**
   * Like `handle` for a datagram the caller already decoded (the multi-tunnel engine routes by it).
   * With `refusal`, an SCCRQ in it is acknowledged and refused with StopCCN `refusal` instead of
   * answered (an LNS's admission policy).
   */
  handleDecoded(nowMs: number, decoded: readonly WireDecoded[], refusal?: ResultCode): Output[] {
    this.out = [];
    this.to = undefined;
    if (this.done) return this.out;
    this.refusal = refusal;
    for (const d of decoded) this.receive(nowMs, d);
    this.refusal = undefined;
    this.flush(nowMs);
    return this.out;
  }

  /**
   * The peer restarted: its new SCCRQ came from this tunnel's address, port and Assigned Tunnel ID.
   * The tunnel and its calls are cleared without a StopCCN (which would reach the new tunnel).
   */
  supersede(nowMs: number): Output[] {
    this.out = [];
    this.to = undefined;
    if (this.done) return this.out;
    this.stepTunnel(nowMs, { type: 'superseded' });
    this.flush(nowMs);
    return this.out;
  }

  /**
   * Ends the StopCCN hold now when {@link stopAcknowledged}: a new SCCRQ on the held tunnel's
   * address, port and Assigned Tunnel ID is the peer's new attempt, not a retransmission. Otherwise nothing.
   */
  endHold(nowMs: number): Output[] {
    this.out = [];
    if (this.done || !this.stopAcknowledged) return this.out;
    this.stepTunnel(nowMs, { type: 'hold-expired' });
    this.flush(nowMs);
    return this.out;
  }

  /** Earliest time a `timeout` input is needed, or `undefined` when no timer is armed. */
  nextDeadlineMs(): number | undefined {
    if (this.done) return undefined;
    // Two comparisons, no array: this runs after every input of every tunnel.
    return earlier(earlier(this.transport.nextDeadlineMs(), this.helloDueMs), this.holdUntilMs);
  }

  private command(nowMs: number, c: Command): void {
    switch (c.type) {
      case 'open':
        return this.stepTunnel(nowMs, { type: 'open' });
      case 'close':
        return this.stepTunnel(nowMs, c.result ? { type: 'close', result: c.result } : { type: 'close' });
      case 'probe':
        if (this.tunnel.state === 'established' && this.transport.idle) {
          this.hellosSent++;
          this.send({ type: 'HELLO' }, 0);
        }
        return;
      case 'open-session': {
        if (this.config.role !== 'lac') throw new L2tpUsageError('only a LAC places incoming calls');
        if (this.config.quiescent) throw new L2tpUsageError('a quiescent tunnel has no call setup: its sessions are static');
        if (c.sessionId === 0 || this.sessions.has(c.sessionId)) throw new L2tpUsageError(`session id ${c.sessionId} is 0 or in use`);
        if (this.tunnel.state === 'closing' || this.tunnel.state === 'closed') throw new L2tpUsageError('tunnel is closed');
        this.callSerial = (this.callSerial + 1) >>> 0;
        this.sessions.set(c.sessionId, lacSession(c.sessionId, this.callSerial));
        if (this.tunnel.state === 'established') this.stepSession(c.sessionId, { type: 'tunnel-up' });
        return;
      }
      case 'close-session':
        if (this.sessions.has(c.sessionId)) this.stepSession(c.sessionId, c.result ? { type: 'close', result: c.result } : { type: 'close' });
        return;
    }
  }

  private receive(nowMs: number, d: WireDecoded): void {
    if (d.kind === 'drop') return;
    const h = d.header;
    // The header names the recipient (RFC 2661 §3.1); only a first SCCRQ arrives with id 0.
    if (h.tunnelId !== this.tunnelId && !(h.tunnelId === 0 && this.acceptsIdZero(d))) return;
    if (this.config.quiescent && !this.heard) {
      // No setup exchange agreed on Ns/Nr 0 (RFC 3931 §4.2 starts them with SCCRQ): the peer may be a
      // new incarnation, or we are, so the first message heard sets both sequences (see resync).
      this.heard = true;
      // A renumbered message is encoded again: its cached bytes carry the old Ns.
      for (const p of this.transport.resync(nowMs, h.ns, h.nr)) p.bytes = undefined;
    }
    const r = this.transport.receive(nowMs, h.ns, h.nr, d.kind === 'zlb', d.kind === 'zlb' ? undefined : d);
    if (r.status !== 'bad-nr') this.touch(nowMs);
    for (const item of r.delivered) this.deliver(nowMs, item);
  }

  /**
   * Header tunnel id 0 is legal for the SCCRQ that opens the tunnel (and its retransmissions), and for
   * a StopCCN from a peer that never learnt our id (RFC 2661 §6.4: its Assigned Tunnel ID AVP names it).
   */
  private acceptsIdZero(d: WireDecoded): boolean {
    if (this.tunnel.state === 'idle') return true;
    // A retransmitted SCCRQ (our SCCRP or StopCCN, or its ack, was lost) is a duplicate to acknowledge
    // again; a refused one too, so that its held tunnel keeps answering it.
    if (d.kind === 'rejected') return d.messageType === 'SCCRQ' && d.assignedTunnelId === this.tunnel.peerTunnelId;
    if (d.kind !== 'message') return false;
    const m = d.message;
    return (m.type === 'StopCCN' || m.type === 'SCCRQ') && m.assignedTunnelId === this.tunnel.peerTunnelId;
  }

  private deliver(nowMs: number, d: Sequenced): void {
    if (this.done) return;
    if (d.kind === 'ignored') return this.ignore(d.header.sessionId, undefined, 'unrecognized-type');
    if (d.kind === 'message' && d.message.type === 'StopCCN') this.weClosed = false;
    if (this.config.quiescent) {
      // Quiescent mode: acknowledge everything, act on StopCCN only.
      if (d.kind === 'message' && d.message.type === 'StopCCN') this.stepTunnel(nowMs, { type: 'recv', message: d.message });
      return;
    }
    if (d.kind === 'rejected') {
      // RFC 2661 §4.1: a refused session message clears that call only; the tunnel and other calls stay.
      if (d.scope === 'session' && this.tunnel.state === 'established') return this.refuseSessionMessage(d);
      this.stepTunnel(nowMs, { type: 'bad-message', result: d.result, ...(d.assignedTunnelId !== undefined && { assignedTunnelId: d.assignedTunnelId }) });
      return;
    }
    const m = d.message;
    // RFC 2661 §4.3 leaves hiding optional: we start only once the peer has sent more than its SCCRQ.
    // Before that it may not know which secret is ours (xl2tpd finds it after the SCCRQ/SCCRP), so a
    // hidden Assigned Tunnel ID in a StopCCN refusing the SCCRQ, or closing before SCCRP, is unreadable.
    if (this.hiding && !this.enc.hideAvps && m.type !== 'SCCRQ') this.enc = { ...this.enc, hideAvps: true };
    if (m.type === 'SCCRQ' && this.refusal !== undefined) {
      this.stepTunnel(nowMs, { type: 'refuse', result: this.refusal, assignedTunnelId: m.assignedTunnelId });
      return;
    }
    if (!SESSION_MESSAGES.has(m.type) || this.tunnel.state !== 'established') {
      this.stepTunnel(nowMs, { type: 'recv', message: m });
      return;
    }
    this.deliverSession(m as Extract<Inbound, { sessionId: number }>);
  }

  private deliverSession(m: Extract<Inbound, { sessionId: number }>): void {
    if (m.sessionId === 0 && (m.type === 'ICRQ' || m.type === 'OCRQ')) {
      if (m.type === 'ICRQ' && this.config.role !== 'lns') {
        const result = { result: CdnResult.GENERAL_ERROR, error: ErrorCode.NO_ERROR, message: 'a LAC does not accept incoming calls' };
        this.send({ type: 'CDN', sessionId: 0, peerSessionId: m.assignedSessionId, result }, m.assignedSessionId);
        this.emit({ type: 'session-down', tunnelId: this.tunnelId, sessionId: 0, peerSessionId: m.assignedSessionId, reason: { type: 'refused', sent: result }, wasUp: false });
        return;
      }
      const sessionId = this.allocateSessionId();
      this.sessions.set(sessionId, lnsSession(sessionId));
      this.stepSession(sessionId, { type: 'recv', message: m });
      return;
    }
    // A CDN from a peer that never learnt our session id carries 0 and names its own (RFC 2661 §6.11).
    const sessionId = m.sessionId === 0 && m.type === 'CDN' ? this.sessionByPeerId(m.assignedSessionId) : m.sessionId;
    // A message for a session we no longer know (closed, or never ours) is acknowledged and ignored.
    if (sessionId !== undefined && this.sessions.has(sessionId)) this.stepSession(sessionId, { type: 'recv', message: m });
    else this.ignore(m.sessionId, m.type, 'unknown-session');
  }

  /** Counts a message acknowledged and not acted on; reported on the 1st, 2nd, 4th ... (see `message-ignored`). */
  private ignore(sessionId: number, messageType: string | undefined, reason: IgnoredReason): void {
    const count = ++this.ignoredCount;
    if ((count & (count - 1)) === 0) this.emit({ type: 'message-ignored', tunnelId: this.tunnelId, sessionId, messageType, reason, count });
  }

  /**
   * A session message that failed decoding or validation: the call it names gets a CDN with the
   * codec's answer — ours by the header Session ID, or the peer's by its Assigned Session ID (a new
   * ICRQ/OCRQ, or a CDN from a peer that never learnt our id). A message naming no call at all is
   * acknowledged and dropped: there is nobody to answer.
   */
  private refuseSessionMessage(d: Rejected): void {
    const own = d.header.sessionId !== 0 ? d.header.sessionId
      : d.assignedSessionId !== undefined && d.assignedSessionId !== 0 && d.messageType !== 'ICRQ' && d.messageType !== 'OCRQ' ? this.sessionByPeerId(d.assignedSessionId) : undefined;
    if (own !== undefined) {
      if (this.sessions.has(own)) this.stepSession(own, { type: 'bad-message', result: d.result });
      else this.ignore(own, d.messageType, 'unknown-session');
      return;
    }
    // An Assigned Session ID of 0 (refused: ids are non-zero, RFC 2661 §4.4.4) still gets its CDN,
    // to header Session ID 0: the refusal is on the wire, not only in our log. So does a new call
    // whose Assigned Session ID could not be read (hidden, and no secret here: RFC 2661 §4.3): the
    // peer waits for an answer to its ICRQ/OCRQ, and the Error Message says why.
    const opens = d.messageType === 'ICRQ' || d.messageType === 'OCRQ';
    if (d.assignedSessionId === undefined && !opens) return this.ignore(0, d.messageType, 'unreadable-session');
    const peerSessionId = d.assignedSessionId ?? 0;
    this.send({ type: 'CDN', sessionId: 0, peerSessionId, result: d.result }, peerSessionId);
    this.emit({ type: 'session-down', tunnelId: this.tunnelId, sessionId: 0, peerSessionId, reason: { type: 'refused', sent: d.result }, wasUp: false });
  }

  private sessionByPeerId(peerSessionId: number): number | undefined {
    for (const s of this.sessions.values()) if (s.peerSessionId === peerSessionId) return s.sessionId;
    return undefined;
  }

  private stepTunnel(nowMs: number, input: TunnelInput): void {
    const before = this.tunnel.state;
    const step = stepTunnel(this.tunnel, input, this.ctx);
    if (step.next.peerWindow !== undefined && step.next.peerWindow !== this.tunnel.peerWindow) this.transport.setPeerWindow(step.next.peerWindow);
    this.tunnel = step.next;
    for (const a of step.actions) {
      if (a.type === 'send') {
        this.weClosed ||= a.message.type === 'StopCCN';
        this.send(a.message, 0);
      } else if (a.type === 'abandon') this.transport.abandon();
      else this.emitTunnelAction(a.event);
    }
    if (before !== this.tunnel.state) this.entered(nowMs, before);
  }

  private emitTunnelAction(e: TunnelEvent): void {
    // Sessions go down before the tunnel reports itself down, so a daemon sees children first.
    if (e.type === 'tunnel-down') for (const id of [...this.sessions.keys()]) this.stepSession(id, { type: 'tunnel-down' });
    this.emit(e);
  }

  /** Arms or clears what the tunnel's new state needs (the state itself changed in the table). */
  private entered(nowMs: number, before: TunnelData['state']): void {
    const next = this.tunnel;
    if (next.state === 'established' && before !== 'established') {
      this.touch(nowMs);
      for (const id of [...this.sessions.keys()]) this.stepSession(id, { type: 'tunnel-up' });
    } else if (next.state === 'closing') {
      this.helloDueMs = undefined;
      this.holdUntilMs = nowMs + fullRetransmitCycleMs(this.config.transport);
    } else if (next.state === 'closed') {
      this.finish();
    }
  }

  private stepSession(sessionId: number, input: SessionInput): void {
    const step = stepSession(this.sessions.get(sessionId)!, input, this.tunnelId);
    if (step.next.state === 'closed') this.sessions.delete(sessionId);
    else this.sessions.set(sessionId, step.next);
    for (const a of step.actions) {
      if (a.type === 'send') this.send(a.message, step.next.peerSessionId);
      else this.emit(a.event);
    }
  }

  private send(message: Outbound, peerSessionId: number): void {
    if (this.transport.failed) return;
    this.transport.enqueue({ message, peerSessionId, bytes: undefined });
  }

  private emit(event: TunnelEvent): void { this.out.push({ kind: 'event', event }); }

  private transmit(bytes: Uint8Array): void {
    const to = this.to;
    this.out.push(to === undefined ? { kind: 'transmit', bytes } : { kind: 'transmit', tunnelId: this.config.tunnelId, to, bytes } as Output);
  }

  private touch(nowMs: number): void {
    if (this.tunnel.state === 'established' && this.config.helloIntervalMs > 0) this.helloDueMs = nowMs + this.helloDelayMs();
  }

  /** RFC 3931 §4.4: keepalive timers of several connections to one peer MUST be jittered (up to 10% early). */
  private helloDelayMs(): number {
    const interval = this.config.helloIntervalMs;
    if (this.config.version !== 3) return interval;
    return interval - Math.floor((this.ports.random.uint32() / 0x1_0000_0000) * interval * 0.1);
  }

  private timers(nowMs: number): void {
    if (this.holdUntilMs !== undefined && this.holdUntilMs <= nowMs) {
      this.holdUntilMs = undefined;
      this.stepTunnel(nowMs, { type: 'hold-expired' });
      return;
    }
    if (this.helloDueMs !== undefined && this.helloDueMs <= nowMs) {
      // RFC 2661 §5.5: HELLO is an ordinary reliable message; its acknowledgement completes it. When
      // something is already unacknowledged, its retransmissions probe the peer just as well.
      if (this.transport.idle) {
        this.hellosSent++;
        this.send({ type: 'HELLO' }, 0);
      }
      this.helloDueMs = nowMs + this.helloDelayMs();
    }
  }

  private flush(nowMs: number): void {
    if (this.done) return;
    this.flushAtMs = nowMs;
    this.transport.drive(nowMs, this.sink);
    // Our StopCCN acknowledged and nothing owed: the table ends a hold we owe nobody (fsm/tunnel.ts TunnelHold).
    if (this.tunnel.state === 'closing' && !this.transport.failed && this.transport.idle && !this.transport.ackOwed) {
      this.stepTunnel(nowMs, { type: 'stopccn-acknowledged' });
    }
  }

  private finish(): void {
    this.done = true;
    this.transport.stop();
    this.helloDueMs = undefined;
    this.holdUntilMs = undefined;
    this.sessions.clear();
  }
}

/** The earlier of two optional times. */
function earlier(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || (b !== undefined && b < a) ? b : a;
}
