/**
 * A test LCCE around the v3 state machines: connection and session tables, the Message Digest gate
 * and the codec, exchanging real encoded (and signed) bytes with another such LCCE in memory. It
 * models what the engine will do (dispatch by connection and session id, tie breakers, digest
 * drops), with the library's ReliableTransport per connection (Ns/Nr, retransmission, ACK; v3 sends
 * an explicit ACK message, which carries a digest when the digest is on) in virtual time.
 */
import { decodeDatagram, decodeHeader, encodeMessage } from '../../src/codec/index.js';
import { ReliableTransport, transportConfig } from '../../src/transport/index.js';
import { MessageAuth } from '../../src/engine/message-auth.js';
import { type V3EncodeContext, v3Inbound, v3Outgoing } from '../../src/engine/v3-wire.js';
import {
  INITIAL_V3_CONNECTION, type PseudowireConfig, type V3ConnectionAction, type V3ConnectionData, type V3ConnectionInput, type V3Event,
  type V3Inbound, type V3Outbound, type V3SessionAction, type V3SessionData, type V3SessionInput, lostTieCdn, newV3Session,
  resolveSessionTie, stepV3Connection, stepV3Session, tieWinner,
} from '../../src/fsm/v3/index.js';
import { hmac } from '../codec/helpers.js';

/** Deterministic bytes for nonces, cookies and tie breakers. */
export function counterRandom(seed: number): (n: number) => Uint8Array {
  let x = seed;
  return (n) => Uint8Array.from({ length: n }, () => { x = (x * 1103515245 + 12345) >>> 0; return x >>> 24; });
}

export interface LcceOptions {
  name: string;
  routerId: number;
  seed: number;
  secrets?: Uint8Array[];
  digestType?: 0 | 1;
  /** Pseudowires by Remote End ID; `initiate` ones are opened when the connection comes up. */
  pseudowires?: { endId: string; pwType: number; cookieLength: 0 | 4 | 8; initiate: boolean }[];
  /** Tie breaker override for the SCCRQ (8 bytes). */
  tieBreaker?: Uint8Array;
  /** Retransmissions before a connection is declared dead (default 10, RFC 3931 §4.2's suggestion). */
  maxRetries?: number;
}

interface Conn {
  data: V3ConnectionData; id: number; auth: MessageAuth | undefined; tieBreaker: Uint8Array; sessions: Map<number, Sess>;
  tx: ReliableTransport<V3Outbound, V3Inbound>;
}
interface Sess { data: V3SessionData; config: PseudowireConfig | undefined }

export class Lcce {
  readonly events: V3Event[] = [];
  readonly outbox: Uint8Array[] = [];
  readonly conns = new Map<number, Conn>();
  /** Messages dropped because their digest did not verify (before any connection existed for them too). */
  droppedDigest = 0;
  readonly random: (n: number) => Uint8Array;
  #nextId: number;
  #serial = 0;
  /** Virtual time of the step being run (set by {@link receive} and {@link pump}). */
  now = 0;

  constructor(readonly o: LcceOptions) {
    this.random = counterRandom(o.seed);
    this.#nextId = o.seed * 1000 + 1;
  }

  #config(endId: string): PseudowireConfig | undefined {
    const p = this.o.pseudowires?.find((x) => x.endId === endId);
    if (p === undefined) return undefined;
    return { pwType: p.pwType, remoteEndId: new TextEncoder().encode(endId), cookie: this.random(p.cookieLength), l2SpecificSublayer: 0, dataSequencing: 0, tieBreaker: this.random(8) };
  }

  #newConn(): Conn {
    const auth = this.o.secrets ? new MessageAuth({ secrets: this.o.secrets, digestType: this.o.digestType ?? 0, hmac, localNonce: this.random(16) }) : undefined;
    const c: Conn = {
      data: INITIAL_V3_CONNECTION, id: this.#nextId++, auth, tieBreaker: this.o.tieBreaker ?? this.random(8), sessions: new Map(),
      tx: new ReliableTransport(transportConfig({ maxRetries: this.o.maxRetries ?? 10 })),
    };
    this.conns.set(c.id, c);
    return c;
  }

  /** Opens a control connection (initiator). */
  open(): void {
    this.#stepConn(this.#newConn(), { type: 'open' });
  }

  /** The attachment circuit of the pseudowire `endId` changed. */
  circuit(endId: string, active: boolean): void {
    for (const c of this.conns.values()) for (const s of c.sessions.values()) {
      if (s.config && new TextDecoder().decode(s.config.remoteEndId) === endId) this.#stepSess(c, s, { type: 'circuit', active });
    }
  }

  live(): Conn[] {
    return [...this.conns.values()].filter((c) => c.data.state !== 'closed' && c.data.state !== 'closing');
  }

  #send(c: Conn, m: V3Outbound): void {
    c.tx.enqueue(m);
  }

  /** Hands what the transports release (messages, retransmissions, ACKs) to the outbox; timeouts fail connections. */
  pump(now: number): void {
    this.now = now;
    for (const c of [...this.conns.values()]) {
      if (c.data.state === 'closed') continue;
      for (const out of c.tx.poll(now)) {
        if (out.kind === 'failed') { this.#stepConn(c, { type: 'transport-failed' }); continue; }
        const header = { version: 3 as const, tunnelId: out.kind === 'send' && out.item.type === 'SCCRQ' ? 0 : c.data.peerConnectionId, sessionId: 0, ns: out.ns, nr: out.nr };
        const ctx: V3EncodeContext = {
          connectionId: c.id, hostName: this.o.name, routerId: this.o.routerId, pwCapabilities: [5, 4], tieBreaker: c.tieBreaker,
          ...(c.auth && { auth: { nonce: c.auth.config.localNonce, placeholder: c.auth.placeholder() } }),
        };
        // RFC 3931 §5.3: with the digest on, an acknowledgement is an ACK message carrying one; else a ZLB.
        const bytes = out.kind === 'send' ? encodeMessage(v3Outgoing(out.item, ctx), header)
          : encodeMessage({ type: 'ACK', avps: c.auth ? { messageDigest: c.auth.placeholder() } : {} }, header);
        this.outbox.push(c.auth ? c.auth.sign(bytes) : bytes);
      }
    }
  }

  /** When {@link pump} next has work, or undefined. */
  nextDeadline(): number | undefined {
    let t: number | undefined;
    for (const c of this.conns.values()) {
      const d = c.data.state === 'closed' ? undefined : c.tx.nextDeadlineMs();
      if (d !== undefined && (t === undefined || d < t)) t = d;
    }
    return t;
  }

  #act(c: Conn, actions: readonly (V3ConnectionAction | V3SessionAction)[]): void {
    for (const a of actions) {
      if (a.type === 'send') this.#send(c, a.message);
      else {
        this.events.push(a.event);
        if (a.event.type === 'connection-up') {
          for (const p of this.o.pseudowires ?? []) if (p.initiate) this.#openSession(c, p.endId);
        }
        if (a.event.type === 'connection-down') for (const s of c.sessions.values()) this.#stepSess(c, s, { type: 'connection-down' });
      }
    }
  }

  #stepConn(c: Conn, input: V3ConnectionInput): void {
    const r = stepV3Connection(c.data, input, { connectionId: c.id, authRequired: c.auth !== undefined });
    c.data = r.next;
    this.#act(c, r.actions);
  }

  #stepSess(c: Conn, s: Sess, input: V3SessionInput): void {
    const r = stepV3Session(s.data, input, { connectionId: c.id, config: s.config });
    s.data = r.next;
    this.#act(c, r.actions);
  }

  #openSession(c: Conn, endId: string): void {
    const s: Sess = { data: newV3Session(this.#nextId++, ++this.#serial), config: this.#config(endId) };
    c.sessions.set(s.data.localSessionId, s);
    this.#stepSess(c, s, { type: 'open' });
  }

  /** Takes one datagram from the peer at virtual time `now`. */
  receive(bytes: Uint8Array, now = this.now): void {
    this.now = now;
    const h = decodeHeader(bytes, 0);
    if (!h.ok || h.value.kind !== 'control') return;
    const { ns, nr, tunnelId } = h.value.header;
    const r = decodeDatagram(bytes)[0]!;
    if (!r.ok) return;
    if (r.value.kind === 'zlb' || (r.value.kind === 'control' && r.value.message.type === 'ACK')) {
      const c = this.conns.get(tunnelId);
      if (c !== undefined && (c.auth === undefined || c.auth.check(bytes))) c.tx.receive(now, ns, nr, true);
      else if (c?.auth) this.droppedDigest++;
      return;
    }
    if (r.value.kind !== 'control') return;
    const m = v3Inbound(r.value.message);
    if (m === undefined) return;
    let c = this.conns.get(tunnelId);
    if (m.type === 'SCCRQ') {
      // A retransmitted SCCRQ belongs to the connection it already made: its transport acknowledges it.
      const known = [...this.conns.values()].find((x) => x.data.peerConnectionId === m.assignedConnectionId && x.data.state !== 'wait-ctl-reply');
      if (known !== undefined) { if (!known.auth || known.auth.check(bytes)) this.#deliver(known, ns, nr, m); return; }
      const pending = this.live().find((x) => x.data.state === 'wait-ctl-reply');
      const w = pending ? tieWinner(pending.tieBreaker, m.tieBreaker) : 'none';
      if (w === 'ours' || w === 'both-lose') { if (w === 'both-lose') this.#stepConn(pending!, { type: 'lost-tie' }); return; }
      c = this.#newConn();
      // Without a nonce the peer does not do the digest at all: the machine refuses it (StopCCN 4).
      if (c.auth && m.nonce !== undefined) {
        c.auth.learnPeerNonce(m.nonce);
        if (!c.auth.check(bytes)) { this.droppedDigest++; this.conns.delete(c.id); return; }
      }
      if (w === 'theirs') this.#stepConn(pending!, { type: 'lost-tie' });
      this.#deliver(c, ns, nr, m);
      return;
    }
    if (c === undefined || c.data.state === 'closed') return;
    if (c.auth) {
      if (m.type === 'SCCRP' && m.nonce !== undefined) c.auth.learnPeerNonce(m.nonce);
      if (!c.auth.check(bytes)) { this.droppedDigest++; return; }
    }
    this.#deliver(c, ns, nr, m);
  }

  #deliver(c: Conn, ns: number, nr: number, m: V3Inbound): void {
    for (const d of c.tx.receive(this.now, ns, nr, false, m).delivered) {
      if (c.data.state === 'closed') return;
      if (d.type === 'SCCRQ' || d.type === 'SCCRP' || d.type === 'SCCCN' || d.type === 'StopCCN' || d.type === 'HELLO') this.#stepConn(c, { type: 'recv', message: d });
      else this.#session(c, d);
    }
  }

  #session(c: Conn, m: Exclude<V3Inbound, { type: 'SCCRQ' | 'SCCRP' | 'SCCCN' | 'StopCCN' | 'HELLO' }>): void {
    if (m.type !== 'ICRQ') {
      const s = c.sessions.get(m.remoteSessionId);
      if (s !== undefined) this.#stepSess(c, s, { type: 'recv', message: m });
      return;
    }
    const endId = new TextDecoder().decode(m.remoteEndId);
    const pending = [...c.sessions.values()].find((s) => s.data.state === 'wait-reply' && s.config && new TextDecoder().decode(s.config.remoteEndId) === endId);
    if (pending) {
      const t = resolveSessionTie(pending.config!.tieBreaker, m);
      if (!t.keepOurs) this.#stepSess(c, pending, { type: 'lost-tie' });
      if (!t.acceptTheirs) return this.#send(c, lostTieCdn(m));
    }
    const s: Sess = { data: newV3Session(this.#nextId++, 0), config: this.#config(endId) };
    c.sessions.set(s.data.localSessionId, s);
    this.#stepSess(c, s, { type: 'recv', message: m });
  }
}

/** How the in-memory network treats a datagram: deliver it (possibly changed) or lose it. */
export interface NetOptions {
  tamper?: (bytes: Uint8Array, from: Lcce) => Uint8Array;
  /** Probability each datagram is lost, with the generator to draw it. */
  loss?: { p: number; random: () => number };
  /** One-way delay, ms. */
  delayMs?: number;
}

/**
 * Runs both LCCEs in virtual time until nothing is in flight and no timer is armed (or `untilMs`):
 * datagrams take `delayMs`, each may be lost. Returns the datagrams delivered.
 */
export function exchange(a: Lcce, b: Lcce, net: NetOptions = {}, untilMs = 600_000): number {
  const delay = net.delayMs ?? 10;
  let now = Math.max(a.now, b.now);
  const wire: { at: number; to: Lcce; from: Lcce; bytes: Uint8Array }[] = [];
  let n = 0;
  for (;;) {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      x.pump(now);
      for (const d of x.outbox.splice(0)) {
        if (net.loss && net.loss.random() < net.loss.p) continue;
        wire.push({ at: now + delay, to: y, from: x, bytes: net.tamper ? net.tamper(d, x) : d });
      }
    }
    const next = Math.min(wire.length > 0 ? Math.min(...wire.map((w) => w.at)) : Infinity, a.nextDeadline() ?? Infinity, b.nextDeadline() ?? Infinity);
    if (next === Infinity || next > untilMs) return n;
    now = Math.max(now, next);
    for (const w of wire.filter((x) => x.at <= now)) { w.to.receive(w.bytes, now); n++; }
    wire.splice(0, wire.length, ...wire.filter((x) => x.at > now));
  }
}
