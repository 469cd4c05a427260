/**
 * What `kl2tpd status` / `ql2tpd status` show and `/metrics` exports: one snapshot of every
 * configured tunnel and session, taken by the daemon and sent as JSON over the control socket.
 * Counters are plain numbers (exact to 2^53, far beyond any link's lifetime) so JSON carries them.
 */

/** Control-channel counters of one tunnel (RFC 2661 §5.8 transport). */
export interface ControlCounters {
  /** Control messages sent, first transmissions only (ZLB acks not counted). */
  readonly sent: number;
  /** Control messages received and delivered (duplicates not counted). */
  readonly received: number;
  /** Retransmissions of unacknowledged messages. */
  readonly retransmitted: number;
  /** HELLOs sent (RFC 2661 §6.5 keepalive). */
  readonly hellosSent: number;
  /** L2TPv2: messages acknowledged and not acted on (a call the tunnel does not hold, an unrecognized type). */
  readonly ignored?: number;
}

/** The kernel's data-plane counters (L2TP_ATTR_STATS of TUNNEL_GET / SESSION_GET). */
export interface DataCounters {
  readonly txPackets: number;
  readonly txBytes: number;
  readonly txErrors: number;
  readonly rxPackets: number;
  readonly rxBytes: number;
  readonly rxErrors: number;
  /** Packets dropped for arriving out of sequence (seqnum on). */
  readonly rxSeqDiscards: number;
  /** Packets dropped for arriving too late to reorder. */
  readonly rxOosPackets: number;
}

/** Why an object last went down or failed to come up, as the log said it. */
export interface LastResult {
  readonly atMs: number;
  /** Human-readable reason, e.g. `peer StopCCN result 2 error 6: ...` or `retransmit exhausted`. */
  readonly reason: string;
}

/** One session in a status snapshot. */
export interface SessionStatus {
  readonly name: string;
  readonly sessionId: number;
  /** Zero until the peer assigned its id. */
  readonly peerSessionId: number;
  /** `idle`, `wait-reply`, `established`, `down`, ... (RFC 2661 §7 state names). */
  readonly state: string;
  /** Wall-clock ms when it came up, while it is up. */
  readonly upSinceMs?: number | undefined;
  readonly interfaceName?: string | undefined;
  /** pppd's pid for kl2tpd sessions. */
  readonly pppdPid?: number | undefined;
  /** The PPP address an LNS gave the client from its pool (pppd's REMOTE). */
  readonly assignedAddress?: string | undefined;
  readonly lastResult?: LastResult | undefined;
  readonly data?: DataCounters | undefined;
  /** Dynamic L2TPv3: the Remote End ID the pseudowire was matched by (RFC 3931 §5.4.4). */
  readonly remoteEndId?: string | undefined;
  /** Dynamic L2TPv3: the length of the cookie we assigned (0, 4 or 8; never the value). */
  readonly cookieLength?: number | undefined;
  /** Dynamic L2TPv3: the length of the cookie the peer assigned. */
  readonly peerCookieLength?: number | undefined;
}

/** The Message Digest of a dynamic L2TPv3 connection (RFC 3931 §4.3). */
export interface DigestStatus {
  readonly type: 'md5' | 'sha1';
  /** Messages whose digest verified. */
  readonly verified: number;
  /** Of those, verified with the older of two secrets (a rollover in progress). */
  readonly verifiedWithOlderSecret: number;
  /** Messages dropped because their digest did not verify (or was missing, or malformed). */
  readonly dropped: number;
}

/** One tunnel in a status snapshot. */
export interface TunnelStatus {
  readonly name: string;
  readonly tunnelId: number;
  /** Zero until the peer assigned its id. */
  readonly peerTunnelId: number;
  /** Peer address as `host:port` (`[v6]:port`). */
  readonly peer: string;
  readonly local?: string | undefined;
  readonly state: string;
  readonly upSinceMs?: number | undefined;
  readonly lastResult?: LastResult | undefined;
  /** Undefined for static tunnels, which have no control channel. */
  readonly control?: ControlCounters | undefined;
  readonly data?: DataCounters | undefined;
  readonly sessions: readonly SessionStatus[];
  /** `static`, `quiescent` or `dynamic` (ql2tpd). */
  readonly mode?: string | undefined;
  /** Dynamic L2TPv3: the peer's Router ID as a dotted quad, once learnt. */
  readonly peerRouterId?: string | undefined;
  /** Dynamic L2TPv3 with a `digest_secret`; absent when the digest is off. */
  readonly digest?: DigestStatus | undefined;
}

/** An address pool's counts. */
export interface PoolStatus {
  readonly size: number;
  readonly used: number;
  readonly free: number;
}

/** One LNS listener (`[lns.NAME]`) and the tunnels it accepted. */
export interface ListenerStatus {
  readonly name: string;
  /** The bound address as `host:port` (`[v6]:port`). */
  readonly listen: string;
  /** Established tunnels. */
  readonly tunnelCount: number;
  /** Established calls. */
  readonly sessionCount: number;
  /** Undefined without `ip_range`. */
  readonly pool?: PoolStatus | undefined;
  /** Refusals since start, by reason (`not-allowed`, `rate-limited`, `max-tunnels`, ...). */
  readonly refusals: Readonly<Record<string, number>>;
  /**
   * Every tunnel held (established or not); their names are `NAME/TUNNEL_ID`. Empty in a `counts`
   * snapshot ({@link StatusDetail}): /metrics has per-listener series only.
   */
  readonly tunnels: readonly TunnelStatus[];
}

/**
 * How much a status snapshot lists: `full` (the `status` command, SIGUSR1) or `counts` (/metrics,
 * scraped every few seconds: LNS listeners with their counts but without their tunnels and calls,
 * which at 100 000 calls cost a second or more of the event loop per snapshot).
 */
export type StatusDetail = 'full' | 'counts';

/** Everything `status` prints. */
export interface DaemonStatus {
  readonly daemon: string;
  readonly version: string;
  readonly pid: number;
  readonly startedAtMs: number;
  /** When the snapshot was taken (wall clock ms); uptimes are relative to it. */
  readonly nowMs: number;
  readonly tunnels: readonly TunnelStatus[];
  /** The 99th percentile of the event loop's delay since start, in ms (how late timers and I/O run). */
  readonly eventLoopDelayP99Ms?: number | undefined;
  /** LNS listeners (kl2tpd `[lns.*]`); absent when there are none. */
  readonly listeners?: readonly ListenerStatus[] | undefined;
}

/** Formats a duration in ms as `1d2h`, `3h4m`, `5m6s` or `7s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${s % 60}s`;
  return `${s}s`;
}

/** Renders a snapshot as the table `status` prints for people (sessions indented under tunnels). */
export function renderStatusTable(status: DaemonStatus): string {
  const rows: string[][] = [['NAME', 'IDS', 'PEER', 'STATE', 'UP', 'CTL TX/RX/RETX/HELLO', 'DATA RX', 'DATA TX', 'LAST RESULT']];
  const up = (since: number | undefined) => (since === undefined ? '-' : formatDuration(status.nowMs - since));
  // The last result is history (the object may be up again since): its age says so.
  const last = (r: LastResult | undefined) => (r === undefined ? '-' : `${r.reason} (${formatDuration(status.nowMs - r.atMs)} ago)`);
  const data = (d: DataCounters | undefined, dir: 'rx' | 'tx') =>
    d === undefined ? '-' : `${d[`${dir}Packets`]}p/${d[`${dir}Bytes`]}B`;
  for (const t of status.tunnels) {
    const c = t.control;
    const digest = t.digest === undefined ? '' : ` digest ${t.digest.type} ${t.digest.verified} ok/${t.digest.dropped} dropped`;
    rows.push([t.name, `${t.tunnelId}/${t.peerTunnelId}`, t.peer, `${t.state}${digest}`, up(t.upSinceMs),
      c === undefined ? 'static' : `${c.sent}/${c.received}/${c.retransmitted}/${c.hellosSent}`,
      data(t.data, 'rx'), data(t.data, 'tx'), last(t.lastResult)]);
    for (const s of t.sessions) {
      const cookies = s.cookieLength === undefined ? '' : ` cookies ${s.cookieLength}/${s.peerCookieLength ?? 0}B`;
      rows.push([`  ${s.name}`, `${s.sessionId}/${s.peerSessionId}`, s.interfaceName ?? '-', `${s.state}${cookies}`, up(s.upSinceMs), '',
        data(s.data, 'rx'), data(s.data, 'tx'), last(s.lastResult)]);
    }
  }
  for (const l of status.listeners ?? []) {
    // Each listener, then its tunnels (named listener/id) with the calls under them.
    rows.push([`lns ${l.name}`, '', l.listen, 'listening', '', `${l.tunnelCount} tunnels`, `${l.sessionCount} calls`,
      l.pool === undefined ? 'no pool' : `pool ${l.pool.used}/${l.pool.size}`, refusalText(l.refusals)]);
    for (const t of l.tunnels) {
      const c = t.control;
      rows.push([`  ${t.name}`, `${t.tunnelId}/${t.peerTunnelId}`, t.peer, t.state, up(t.upSinceMs),
        c === undefined ? '-' : `${c.sent}/${c.received}/${c.retransmitted}/${c.hellosSent}`,
        data(t.data, 'rx'), data(t.data, 'tx'), last(t.lastResult)]);
      for (const s of t.sessions) {
        const ppp = [s.assignedAddress, s.interfaceName, s.pppdPid === undefined ? undefined : `pppd ${s.pppdPid}`].filter((x) => x !== undefined).join(' ');
        rows.push([`    ${s.name}`, `${s.sessionId}/${s.peerSessionId}`, ppp || '-', s.state, up(s.upSinceMs), '',
          data(s.data, 'rx'), data(s.data, 'tx'), last(s.lastResult)]);
      }
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const head = `${status.daemon} ${status.version}, pid ${status.pid}, up ${formatDuration(status.nowMs - status.startedAtMs)}`;
  return `${[head, ...rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd())].join('\n')}\n`;
}

/** `refused 3 (not-allowed 2, max-tunnels 1)`, or `-` when nothing was refused. */
function refusalText(refusals: Readonly<Record<string, number>>): string {
  const by = Object.entries(refusals).filter(([, n]) => n > 0);
  if (by.length === 0) return '-';
  return `refused ${by.reduce((a, [, n]) => a + n, 0)} (${by.map(([r, n]) => `${r} ${n}`).join(', ')})`;
}
