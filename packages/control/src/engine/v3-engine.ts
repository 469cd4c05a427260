/**
 * One dynamic L2TPv3 control connection and its pseudowires (RFC 3931 §7): the v3 state machines
 * (fsm/v3) over the reliable transport, with the Message Digest gate ({@link MessageAuth}) on every
 * message both ways. Same contract as {@link TunnelEngine}: no I/O, no clock; feed inputs in
 * non-decreasing `nowMs`, perform every output, call `handle({ kind: 'timeout' })` at
 * `nextDeadlineMs()`. Peer behaviour never throws; local misuse throws {@link L2tpUsageError}.
 *
 * Receiving: the digest is checked before anything else (RFC 3931 §4.3: a message that does not
 * verify is discarded — not acknowledged, not sequenced — and counted, with a `message-dropped`
 * event); then Ns/Nr; then the connection or the session the Remote Session ID names. A new ICRQ is
 * matched to a configured pseudowire by Remote End ID; when we are waiting for an ICRP for the same
 * Remote End ID, the Session Tie Breaker decides (RFC 3931 §5.4.4). A StopCCN, sent or received,
 * holds the connection for a full retransmission cycle (RFC 3931 §4.2) before `finished`.
 */
import { type ControlHeader, type ControlMessage, type OutgoingMessage, decodeDatagram, decodeHeader, encodeMessage } from '../codec/index.js';
import {
  INITIAL_V3_CONNECTION, type PseudowireConfig, type V3ConnectionData, type V3ConnectionInput, type V3Inbound, type V3Outbound,
  type V3SessionData, type V3SessionInput, type V3SessionMessage, lostTieCdn, newV3Session, resolveSessionTie, stepV3Connection, stepV3Session,
} from '../fsm/v3/index.js';
import type { ResultCode, V3ConnectionAction, V3SessionAction } from '../fsm/v3/index.js';
import { ReliableTransport } from '../transport/reliable.js';
import { fullRetransmitCycleMs } from './config.js';
import { L2tpUsageError } from './io.js';
import { MessageAuth } from './message-auth.js';
import { type V3Command, type V3DigestOptions, type V3EngineEvent, type V3EnginePorts, type V3Output, type V3Pseudowire, type V3TunnelConfig, v3DigestConfig } from './v3-config.js';
import { v3Inbound, v3Outgoing } from './v3-wire.js';

type Out = V3Outbound | { readonly type: 'HELLO' };
/** A sequenced message for the machines: a v3 view, or a refusal the codec answered. */
type Received = { readonly m: V3Inbound } | { readonly refuse: { readonly scope: 'tunnel' | 'session'; readonly result: ResultCode; readonly local: number; readonly remote: number } } | undefined;

interface Session { data: V3SessionData; readonly config: PseudowireConfig | undefined }

const CONNECTION_MESSAGES = new Set(['SCCRQ', 'SCCRP', 'SCCCN', 'StopCCN', 'HELLO']);
const same = (a: Uint8Array, b: Uint8Array | undefined): boolean => b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

/** One v3 control connection. See the file header. */
export class V3TunnelEngine {
  private conn: V3ConnectionData = INITIAL_V3_CONNECTION;
  private readonly transport: ReliableTransport<Out, Received>;
  private readonly sessions = new Map<number, Session>();
  readonly auth: MessageAuth | undefined;
  /** Our Control Connection Tie Breaker (RFC 3931 §5.4.3), 8 random octets. */
  readonly tieBreaker: Uint8Array;
  private helloDueMs: number | undefined;
  private holdUntilMs: number | undefined;
  private done = false;
  private serial = 0;
  private hellos = 0;
  private out: V3Output[] = [];
  private nowMs = 0;

  private settings: V3TunnelConfig;

  /** Creates the connection in `idle`; throws {@link L2tpUsageError} for a digest without an HMAC port. */
  constructor(config: V3TunnelConfig, private readonly ports: V3EnginePorts) {
    this.settings = config;
    if (config.digest !== undefined) {
      if (ports.hmac === undefined) throw new L2tpUsageError('a Message Digest needs the hmac port');
      this.auth = new MessageAuth({ secrets: config.digest.secrets, digestType: config.digest.digestType, hmac: ports.hmac, localNonce: ports.random.bytes(16) });
    }
    this.tieBreaker = ports.random.bytes(8);
    this.transport = new ReliableTransport(config.transport);
  }

  /** The connection's settings (the digest as last {@link updateDigest} left it). */
  get config(): V3TunnelConfig { return this.settings; }

  /**
   * Replaces the Message Digest secrets and the type we sign with on this live connection (a
   * rollover, RFC 3931 §5.4.1): the nonces exchanged in SCCRQ/SCCRP stay, nothing is sent, the
   * state and sessions are untouched; the next message out is signed with the first new secret and
   * the next one in may verify with any. Throws {@link L2tpUsageError} when the connection runs
   * without a digest (turning it on or off needs a new connection: the nonces are exchanged at
   * setup) and RangeError without a non-empty secret.
   */
  updateDigest(digest: V3DigestOptions): void {
    if (this.auth === undefined) throw new L2tpUsageError('this control connection runs without a Message Digest: turning it on needs a new connection');
    const d = v3DigestConfig(digest);
    this.auth.rekey(d);
    this.settings = { ...this.settings, digest: d };
  }

  /** Our Assigned Control Connection ID. */
  get connectionId(): number { return this.config.connectionId; }
  /** The peer's Assigned Control Connection ID, 0 until learnt. */
  get peerConnectionId(): number { return this.conn.peerConnectionId; }
  /** The connection machine's state (RFC 3931 §7.2). */
  get state(): V3ConnectionData['state'] { return this.conn.state; }
  /** What the machine learnt of the peer (host name, router id, capabilities). */
  get peer(): V3ConnectionData { return this.conn; }
  /** True once the connection is gone (StopCCN hold over, lost tie, superseded, transport failed). */
  get finished(): boolean { return this.done; }
  /** The Nr we send: the next Ns expected from the peer. */
  get nr(): number { return this.transport.nr; }
  /** Nothing owed either way right now: all we sent acknowledged, no acknowledgement owed. */
  get settled(): boolean { return this.done || (this.transport.idle && !this.transport.ackOwed); }
  /** Control-channel counters: first transmissions, messages delivered, retransmissions, HELLOs sent. */
  get counters(): { sent: number; received: number; retransmitted: number; hellosSent: number } {
    const c = this.transport.counters;
    return { sent: c.sent, received: c.received, retransmitted: c.retransmitted, hellosSent: this.hellos };
  }
  /** Every pseudowire session (any state but closed). */
  sessionList(): V3SessionData[] { return [...this.sessions.values()].map((s) => s.data); }

  /** Processes one input and returns everything it caused. */
  handle(input: { readonly kind: 'datagram'; readonly nowMs: number; readonly bytes: Uint8Array } | { readonly kind: 'timeout'; readonly nowMs: number } | { readonly kind: 'command'; readonly nowMs: number; readonly command: V3Command }): V3Output[] {
    this.out = [];
    if (this.done) return this.out;
    this.nowMs = input.nowMs;
    if (input.kind === 'datagram') this.receive(input.bytes);
    else if (input.kind === 'command') this.command(input.command);
    else this.timers();
    this.flush();
    return this.out;
  }

  /** A restarted peer's new SCCRQ replaces this connection: cleared without a StopCCN. */
  supersede(nowMs: number): V3Output[] { return this.input(nowMs, { type: 'superseded' }); }

  /** The peer's simultaneous SCCRQ won the Control Connection Tie Breaker (RFC 3931 §5.4.3): discarded silently. */
  loseTie(nowMs: number): V3Output[] { return this.input(nowMs, { type: 'lost-tie' }); }

  /** Earliest time a `timeout` input is needed, or `undefined`. */
  nextDeadlineMs(): number | undefined {
    if (this.done) return undefined;
    let at = this.transport.nextDeadlineMs();
    for (const t of [this.helloDueMs, this.holdUntilMs]) if (t !== undefined && (at === undefined || t < at)) at = t;
    return at;
  }

  private input(nowMs: number, i: V3ConnectionInput): V3Output[] {
    this.out = [];
    if (this.done) return this.out;
    this.nowMs = nowMs;
    this.stepConn(i);
    this.flush();
    return this.out;
  }

  private command(c: V3Command): void {
    switch (c.type) {
      case 'open': return this.stepConn({ type: 'open' });
      case 'close': return this.stepConn(c.result ? { type: 'close', result: c.result } : { type: 'close' });
      case 'open-pseudowire': {
        const pw = this.pseudowire(typeof c.remoteEndId === 'string' ? new TextEncoder().encode(c.remoteEndId) : c.remoteEndId);
        if (pw === undefined) throw new L2tpUsageError('no pseudowire with this Remote End ID is configured');
        if (this.conn.state !== 'established') throw new L2tpUsageError('the control connection is not established');
        return this.openSession(pw);
      }
      case 'close-session': {
        const s = this.sessions.get(c.sessionId);
        if (s !== undefined) this.stepSess(s, c.result ? { type: 'close', result: c.result } : { type: 'close' });
        return;
      }
      case 'circuit': {
        const id = typeof c.remoteEndId === 'string' ? new TextEncoder().encode(c.remoteEndId) : c.remoteEndId;
        for (const s of [...this.sessions.values()]) if (same(id, s.config?.remoteEndId)) this.stepSess(s, { type: 'circuit', active: c.active });
        return;
      }
    }
  }

  private pseudowire(endId: Uint8Array | undefined): V3Pseudowire | undefined {
    return this.config.pseudowires.find((p) => same(p.remoteEndId, endId));
  }

  private pwConfig(p: V3Pseudowire | undefined): PseudowireConfig | undefined {
    if (p === undefined) return undefined;
    return { pwType: p.pwType, remoteEndId: p.remoteEndId, cookie: this.ports.random.bytes(p.cookieLength), l2SpecificSublayer: p.l2SpecificSublayer, dataSequencing: p.dataSequencing, tieBreaker: this.ports.random.bytes(8) };
  }

  private allocateSessionId(): number {
    for (;;) {
      const id = this.ports.random.uint32() >>> 0;
      if (id !== 0 && !this.sessions.has(id)) return id;
    }
  }

  private openSession(p: V3Pseudowire): void {
    for (const s of this.sessions.values()) if (same(p.remoteEndId, s.config?.remoteEndId)) return;
    const s: Session = { data: newV3Session(this.allocateSessionId(), (this.serial = (this.serial + 1) >>> 0)), config: this.pwConfig(p) };
    this.sessions.set(s.data.localSessionId, s);
    this.stepSess(s, { type: 'open' });
  }

  private receive(bytes: Uint8Array): void {
    const ip = this.config.encap === 'ip';
    const h = decodeHeader(bytes, 0, ip);
    if (!h.ok || h.value.kind !== 'control' || h.value.header.version !== 3) return;
    const { ns, nr } = h.value.header;
    const d = decodeDatagram(bytes, { ipEncap: ip })[0]!;
    const message: ControlMessage | undefined = d.ok ? (d.value.kind === 'control' ? d.value.message : undefined) : d.error.message;
    if (this.auth !== undefined && !this.verify(ip ? bytes.subarray(4) : bytes, message)) return;
    if (d.ok && (d.value.kind === 'zlb' || (d.value.kind === 'control' && d.value.message.type === 'ACK'))) {
      this.transport.receive(this.nowMs, ns, nr, true);
      return;
    }
    let item: Received;
    if (d.ok) {
      item = d.value.kind === 'control' ? (() => { const m = v3Inbound(d.value.message); return m === undefined ? undefined : { m }; })() : undefined;
    } else if (d.error.header !== undefined && d.error.answer !== undefined) {
      const v = d.error.message === undefined ? undefined : v3Inbound(d.error.message);
      const ids = v !== undefined && 'localSessionId' in v ? { local: v.localSessionId, remote: v.remoteSessionId } : { local: 0, remote: 0 };
      item = { refuse: { scope: d.error.scope ?? 'tunnel', result: d.error.answer, ...ids } };
    } else if (d.error.header === undefined) {
      return; // No readable header: not ours to acknowledge (RFC 3931 §4.2 needs an Ns).
    }
    const r = this.transport.receive(this.nowMs, ns, nr, false, item);
    if (r.status !== 'bad-nr') this.touch();
    for (const x of r.delivered) if (!this.done) this.deliver(x);
  }

  /** The digest gate: learns the peer's nonce from SCCRQ/SCCRP, then verifies; false drops the message. */
  private verify(body: Uint8Array, m: ControlMessage | undefined): boolean {
    const auth = this.auth!;
    const nonce = m?.avps.controlMessageAuthNonce ?? m?.avps.ciscoAuthNonce;
    if ((m?.type === 'SCCRQ' || m?.type === 'SCCRP') && nonce !== undefined && auth.remoteNonce === undefined) auth.learnPeerNonce(nonce);
    const before = { ...auth.counters.dropped };
    if (auth.check(body)) return true;
    const reason = (Object.keys(before) as (keyof typeof before)[]).find((k) => auth.counters.dropped[k] !== before[k]) ?? 'mismatch';
    this.emit({ type: 'message-dropped', connectionId: this.connectionId, reason, ...(m !== undefined && { messageType: m.type }) });
    return false;
  }

  private deliver(x: Received): void {
    if (x === undefined) return;
    if ('refuse' in x) {
      const r = x.refuse;
      // RFC 3931 §5.4.4 (RFC 2661 §4.1 kept): a refused session message clears that session only.
      if (r.scope === 'session' && this.conn.state === 'established') {
        const s = this.sessions.get(r.remote);
        if (s !== undefined) return this.stepSess(s, { type: 'bad-message', result: r.result });
        // A new call (ICRQ) refused, or a message for a call we do not hold: the CDN names the peer's
        // Local Session ID as our Remote Session ID — 0 when that was the fault (RFC 3931 §5.4.4) —
        // so the refusal is on the wire, and the event is what a daemon logs and counts.
        this.send({ type: 'CDN', localSessionId: 0, remoteSessionId: r.local, result: r.result });
        this.emit({ type: 'pw-down', connectionId: this.connectionId, localSessionId: 0, remoteSessionId: r.local, upBefore: false, reason: { type: 'refused', sent: r.result } });
        return;
      }
      return this.stepConn({ type: 'bad-message', result: r.result });
    }
    const m = x.m;
    if (CONNECTION_MESSAGES.has(m.type) || this.conn.state !== 'established') {
      if (!CONNECTION_MESSAGES.has(m.type)) return this.stepConn({ type: 'bad-message', result: { result: 2, error: 0, message: `${m.type} before the control connection is up` } });
      return this.stepConn({ type: 'recv', message: m as Extract<V3ConnectionInput, { type: 'recv' }>['message'] });
    }
    this.session(m as V3SessionMessage);
  }

  private session(m: V3SessionMessage): void {
    if (m.type !== 'ICRQ') {
      // Remote Session ID is ours (RFC 3931 §5.4.4); a CDN from a peer that never learnt it names only its own.
      const s = m.remoteSessionId !== 0 ? this.sessions.get(m.remoteSessionId)
        : m.type === 'CDN' ? [...this.sessions.values()].find((x) => x.data.remoteSessionId === m.localSessionId) : undefined;
      if (s !== undefined) this.stepSess(s, { type: 'recv', message: m });
      return;
    }
    const pw = this.pseudowire(m.remoteEndId);
    const pending = pw === undefined ? undefined : [...this.sessions.values()].find((s) => s.data.state === 'wait-reply' && same(pw.remoteEndId, s.config?.remoteEndId));
    if (pending !== undefined) {
      const t = resolveSessionTie(pending.config!.tieBreaker, m);
      if (!t.keepOurs) this.stepSess(pending, { type: 'lost-tie' });
      if (!t.acceptTheirs) return this.send(lostTieCdn(m));
    }
    const s: Session = { data: newV3Session(this.allocateSessionId(), 0), config: this.pwConfig(pw) };
    this.sessions.set(s.data.localSessionId, s);
    this.stepSess(s, { type: 'recv', message: m });
  }

  private stepConn(i: V3ConnectionInput): void {
    const before = this.conn.state;
    const r = stepV3Connection(this.conn, i, { connectionId: this.connectionId, authRequired: this.auth !== undefined });
    if (r.next.peerNonce !== undefined && this.auth !== undefined && this.auth.remoteNonce === undefined) this.auth.learnPeerNonce(r.next.peerNonce);
    this.conn = r.next;
    this.act(r.actions);
    if (before !== this.conn.state) this.entered();
  }

  private stepSess(s: Session, i: V3SessionInput): void {
    const r = stepV3Session(s.data, i, { connectionId: this.connectionId, config: s.config });
    s.data = r.next;
    if (s.data.state === 'closed') this.sessions.delete(s.data.localSessionId);
    this.act(r.actions);
  }

  private act(actions: readonly (V3ConnectionAction | V3SessionAction)[]): void {
    for (const a of actions) {
      if (a.type === 'send') { this.send(a.message); continue; }
      const e = a.event;
      // Sessions go down before their connection reports itself down.
      if (e.type === 'connection-down') for (const s of [...this.sessions.values()]) this.stepSess(s, { type: 'connection-down' });
      this.emit(e);
      if (e.type === 'connection-up') for (const p of this.config.pseudowires) if (p.initiate) this.openSession(p);
    }
  }

  private entered(): void {
    const s = this.conn.state;
    if (s === 'established') this.touch();
    if (s === 'closing') {
      this.helloDueMs = undefined;
      this.holdUntilMs = this.nowMs + fullRetransmitCycleMs(this.config.transport);
    }
    if (s === 'closed') this.finish();
  }

  private send(m: Out): void {
    if (!this.transport.failed) this.transport.enqueue(m);
  }

  private emit(event: V3EngineEvent): void { this.out.push({ kind: 'v3-event', event }); }

  private touch(): void {
    const interval = this.config.helloIntervalMs;
    // RFC 3931 §4.4: keepalives of several connections to one peer MUST be jittered (up to 10 % early).
    if (this.conn.state === 'established' && interval > 0) this.helloDueMs = this.nowMs + interval - Math.floor((this.ports.random.uint32() / 0x1_0000_0000) * interval * 0.1);
  }

  private timers(): void {
    if (this.holdUntilMs !== undefined && this.holdUntilMs <= this.nowMs) {
      this.holdUntilMs = undefined;
      this.conn = { ...this.conn, state: 'closed' };
      return this.finish();
    }
    if (this.helloDueMs !== undefined && this.helloDueMs <= this.nowMs) {
      if (this.transport.idle) { this.hellos++; this.send({ type: 'HELLO' }); }
      this.touch();
    }
  }

  private flush(): void {
    if (this.done) return;
    for (const o of this.transport.poll(this.nowMs)) {
      if (o.kind === 'failed') {
        this.stepConn({ type: 'transport-failed' });
        if (this.conn.state === 'closing') { this.transport.stop(); this.finish(); }
        continue;
      }
      // A first SCCRQ goes to connection 0: the peer has not assigned one yet (RFC 3931 §5.1).
      const peer = o.kind === 'send' && o.item.type === 'SCCRQ' ? 0 : this.conn.peerConnectionId;
      const header: ControlHeader = { version: 3, tunnelId: peer, sessionId: 0, ns: o.ns, nr: o.nr };
      // Every transmission is encoded afresh: the digest covers the header, whose Nr changes (RFC 3931 §5.4.1).
      this.out.push({ kind: 'transmit', bytes: this.encode(o.kind === 'send' ? o.item : { type: 'ACK' }, header) });
      if (this.done) return;
    }
  }

  private encode(m: Out | { readonly type: 'ACK' }, header: ControlHeader): Uint8Array {
    const auth = this.auth;
    const ctx = {
      connectionId: this.connectionId, hostName: this.config.hostName, routerId: this.config.routerId, pwCapabilities: this.config.pwCapabilities,
      receiveWindowSize: this.config.transport.receiveWindowSize, tieBreaker: this.tieBreaker,
      ...(auth !== undefined && { auth: { nonce: auth.config.localNonce, placeholder: auth.placeholder() } }),
    };
    // RFC 3931 §5.3: with the digest on, an acknowledgement is an ACK message carrying one.
    const msg: OutgoingMessage = m.type === 'ACK' || m.type === 'HELLO' ? { type: m.type, avps: auth ? { messageDigest: auth.placeholder() } : {} } : v3Outgoing(m, ctx);
    let bytes = encodeMessage(msg, header);
    if (auth !== undefined) bytes = auth.sign(bytes);
    if (this.config.encap !== 'ip') return bytes;
    const framed = new Uint8Array(bytes.length + 4);
    framed.set(bytes, 4);
    return framed;
  }

  private finish(): void {
    this.done = true;
    this.transport.stop();
    this.helloDueMs = undefined;
    this.holdUntilMs = undefined;
    this.sessions.clear();
  }
}
