/**
 * Fake kernels for unit tests (genltest's `Dial(fn)`): `fakeGenl` hands each request to a function;
 * `FakeL2tpKernel` keeps tunnels and sessions as the kernel does and answers with its errnos
 * (EEXIST on a duplicate id, ENODEV for an unknown tunnel or session). Both record every request.
 */
import { errnoNumber, NetlinkError } from './errors.js';
import { encodeL2tpAttr, L2tpAttr, L2tpCmd, L2tpStatsAttr, type L2tpAttrValue } from './l2tp/attrs.js';
import type { GenlReply, GenlRequest, GenlTransport } from './l2tp/request.js';
import { AttrMap, encodeAttrs, type RawAttr } from './netlink/wire.js';

/** Replies, or an errno name (`'EEXIST'`) to fail the request with. */
export type FakeAnswer = GenlReply[] | string;

/** A transport that records requests and answers each through `fn`. */
export interface FakeGenl extends GenlTransport {
  /** Every request, in order. */
  readonly requests: GenlRequest[];
  /** Whether `close()` was called. */
  readonly closed: boolean;
}

/** A transport whose "kernel" is `fn`. */
export function fakeGenl(fn: (request: GenlRequest) => FakeAnswer): FakeGenl {
  const requests: GenlRequest[] = [];
  let closed = false;
  return {
    requests,
    get closed() { return closed; },
    async execute(request: GenlRequest): Promise<GenlReply[]> {
      requests.push(request);
      const answer = fn(request);
      if (typeof answer === 'string') throw new NetlinkError(request.command, errnoNumber(answer));
      return answer;
    },
    async close(): Promise<void> { closed = true; },
  };
}

/** Counters to put in a fake reply's `L2TP_ATTR_STATS`. */
export type FakeStats = Partial<Record<keyof typeof L2tpStatsAttr, bigint>>;

/** Builds a reply message of `command` from typed attributes (plus statistics when given). */
export function fakeReply(command: keyof typeof L2tpCmd, attrs: readonly L2tpAttrValue[], stats?: FakeStats): GenlReply {
  const raw: RawAttr[] = attrs.map(encodeL2tpAttr);
  if (stats !== undefined) {
    const inner = Object.entries(stats).map(([k, v]): RawAttr => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(v);
      return { type: L2tpStatsAttr[k as keyof typeof L2tpStatsAttr], payload: b };
    });
    raw.push({ type: L2tpAttr.STATS, payload: encodeAttrs(inner), nested: true });
  }
  return { command: L2tpCmd[command], attrs: new AttrMap(encodeAttrs(raw)) };
}

type Attrs = ReadonlyMap<string, L2tpAttrValue['value']>;
const byName = (r: GenlRequest): Attrs => new Map(r.attrs.map((a) => [a.name, a.value]));

/** An in-memory l2tp family: what tunnels and sessions exist, answering as the kernel would. */
export class FakeL2tpKernel {
  /** Tunnels by id: the attributes they were created with. */
  readonly tunnels = new Map<number, Attrs>();
  /** Sessions by `tunnelId/sessionId`. */
  readonly sessions = new Map<string, Attrs>();
  /** Statistics returned by GET, by tunnel id or `tunnelId/sessionId`. */
  readonly stats = new Map<number | string, FakeStats>();
  /** The transport to hand to the code under test. */
  readonly transport: FakeGenl = fakeGenl((r) => this.#handle(r));
  #ifindex = 0;

  #handle(r: GenlRequest): FakeAnswer {
    const a = byName(r);
    const tid = a.get('CONN_ID') as number | undefined;
    const sid = a.get('SESSION_ID') as number | undefined;
    const key = `${tid}/${sid}`;
    switch (r.command) {
      case 'TUNNEL_CREATE':
        if (tid === undefined) return 'EINVAL';
        if (this.tunnels.has(tid)) return 'EEXIST';
        this.tunnels.set(tid, a);
        return [];
      case 'TUNNEL_DELETE':
      case 'TUNNEL_MODIFY':
        if (tid === undefined || !this.tunnels.has(tid)) return 'ENODEV';
        if (r.command === 'TUNNEL_DELETE') {
          this.tunnels.delete(tid);
          for (const k of [...this.sessions.keys()]) if (k.startsWith(`${tid}/`)) this.sessions.delete(k);
        }
        return [];
      case 'TUNNEL_GET': {
        const ids = r.dump ? [...this.tunnels.keys()] : tid !== undefined && this.tunnels.has(tid) ? [tid] : [];
        if (!r.dump && ids.length === 0) return 'ENODEV';
        return ids.map((id) => this.#tunnelReply(id));
      }
      case 'SESSION_CREATE': {
        if (tid === undefined || !this.tunnels.has(tid)) return 'ENODEV';
        if (this.sessions.has(key)) return 'EEXIST';
        const s = new Map(a);
        if (a.get('PW_TYPE') === 5 && !a.has('IFNAME')) s.set('IFNAME', `l2tpeth${this.#ifindex++}`);
        this.sessions.set(key, s);
        return [];
      }
      case 'SESSION_DELETE':
      case 'SESSION_MODIFY':
        if (!this.sessions.has(key)) return 'ENODEV';
        if (r.command === 'SESSION_DELETE') this.sessions.delete(key);
        else this.sessions.set(key, new Map([...this.sessions.get(key)!, ...a]));
        return [];
      case 'SESSION_GET': {
        const keys = r.dump ? [...this.sessions.keys()] : this.sessions.has(key) ? [key] : [];
        if (!r.dump && keys.length === 0) return 'ENODEV';
        return keys.map((k) => this.#sessionReply(k));
      }
    }
  }

  #tunnelReply(id: number): GenlReply {
    const t = this.tunnels.get(id)!;
    const keep = ['CONN_ID', 'PEER_CONN_ID', 'PROTO_VERSION', 'ENCAP_TYPE', 'IP_SADDR', 'IP_DADDR', 'IP6_SADDR', 'IP6_DADDR', 'UDP_SPORT', 'UDP_DPORT', 'UDP_CSUM'];
    return fakeReply('TUNNEL_GET', pick(t, keep), this.stats.get(id) ?? {});
  }

  #sessionReply(key: string): GenlReply {
    const s = this.sessions.get(key)!;
    const keep = ['CONN_ID', 'PEER_CONN_ID', 'SESSION_ID', 'PEER_SESSION_ID', 'PW_TYPE', 'IFNAME', 'COOKIE', 'PEER_COOKIE', 'SEND_SEQ', 'RECV_SEQ', 'LNS_MODE', 'RECV_TIMEOUT'];
    return fakeReply('SESSION_GET', pick(s, keep), this.stats.get(key) ?? {});
  }
}

function pick(a: Attrs, names: readonly string[]): L2tpAttrValue[] {
  const out: L2tpAttrValue[] = [];
  for (const n of names) {
    const v = a.get(n);
    if (v !== undefined) out.push({ name: n, value: v } as L2tpAttrValue);
  }
  return out;
}
