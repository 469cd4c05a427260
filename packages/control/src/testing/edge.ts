/**
 * The I/O edge in virtual time: a {@link Clock} whose timers are SimNet deadlines, and a
 * {@link DataPlane} whose control sockets are SimNet nodes and whose kernel is a pair of maps. With
 * them an `L2tpContext` — and a whole daemon runtime on top of it — runs in SimNet's virtual time:
 * a 31 s StopCCN hold or a one-minute redial back-off costs microseconds, and tests assert exact
 * schedules with no sleeps. Async work between events (data-plane promises) is drained with one
 * `setImmediate` turn after every step: nothing here waits on real time.
 */
import type {
  ControlSocket, ControlSocketOptions, DataPlane, DataPlaneStats, KernelChange, SessionDataPlane, SessionSpec, SocketAddress, TunnelDataPlane, TunnelSpec,
} from '../api/dataplane.js';
import type { CancelTimer, Clock } from '../node/platform.js';
import { TimeHeap } from '../engine/time-heap.js';
import type { SimInput, SimNet } from './simnet.js';

interface Timer { readonly atMs: number; readonly seq: number; fire: (() => void) | undefined }

/** A kernel object the fake data plane holds: the spec it was created with. */
export interface SimKernel {
  readonly tunnels: Map<number, TunnelSpec>;
  /** By `tunnelId/sessionId`. */
  readonly sessions: Map<string, SessionSpec>;
  /** Every create and delete, in order (`+tunnel 5`, `-session 5/7`), for asserting what was touched. */
  readonly journal: string[];
  /** Data counters reported for sessions (by `tunnelId/sessionId`); zero when absent. */
  readonly stats: Map<string, DataPlaneStats>;
  /** Listeners of `DataPlane.watch`. */
  readonly watchers: Set<(change: KernelChange) => void>;
  /** Deletes an object as `ip l2tp del` would (a tunnel takes its sessions) and notifies the watchers. */
  deleteUnderUs(tunnelId: number, sessionId?: number): void;
}

const ZERO: DataPlaneStats = { txPackets: 0n, txBytes: 0n, txErrors: 0n, rxPackets: 0n, rxBytes: 0n, rxErrors: 0n };

/** Virtual clock, sockets and kernels over one {@link SimNet}. */
export class SimEdge {
  /** Timers armed through {@link SimEdge.clock}. */
  private readonly timers = new TimeHeap<Timer>();
  private seq = 0;
  private nextPort = 40000;
  private readonly bound = new Map<string, ControlSocket>();

  /** The clock: `nowMs` is SimNet's; timers fire as SimNet deadlines. */
  readonly clock: Clock = {
    nowMs: () => this.net.nowMs,
    schedule: (atMs: number, fire: () => void): CancelTimer => {
      const t: Timer = { atMs: Math.max(atMs, this.net.nowMs), seq: this.seq++, fire };
      this.timers.push(t);
      return () => { t.fire = undefined; };
    },
  };

  /** Adds the timer node to `net`. */
  constructor(readonly net: SimNet) {
    net.add('timers', {
      nextDeadlineMs: () => this.nextTimerMs(),
      handle: (input: SimInput) => {
        for (let t = this.timers.peek(); t !== undefined && t.atMs <= input.nowMs; t = this.timers.peek()) {
          this.timers.pop();
          const fire = t.fire;
          t.fire = undefined;
          fire?.();
        }
        return [];
      },
    }, { address: '0.0.0.0', port: 0, family: 4 });
  }

  private nextTimerMs(): number | undefined {
    for (let t = this.timers.peek(); t !== undefined; t = this.timers.peek()) {
      if (t.fire !== undefined) return t.atMs;
      this.timers.pop();
    }
    return undefined;
  }

  /**
   * A data plane on host `address`: UDP control sockets on SimNet (a second socket on a bound
   * address fails with EADDRINUSE, so an LNS keeps its tunnels on the listening socket) and a kernel
   * of maps. Pass `kernel` to share or inspect it.
   */
  dataPlane(address: string, kernel: SimKernel = simKernel()): DataPlane & { readonly kernel: SimKernel } {
    return {
      kernel,
      openControlSocket: async (o: ControlSocketOptions) => this.socket(address, o),
      createTunnel: async (spec: TunnelSpec) => fakeTunnel(kernel, spec),
      watch: (listener) => { kernel.watchers.add(listener); return () => kernel.watchers.delete(listener); },
      close: async () => undefined,
    };
  }

  private socket(host: string, o: ControlSocketOptions): ControlSocket {
    const local: SocketAddress = { address: o.local?.address && o.local.address !== '0.0.0.0' && o.local.address !== '::' ? o.local.address : host, port: o.local?.port || this.nextPort++, family: o.family };
    const key = `${local.address}:${local.port}`;
    if (this.bound.has(key)) throw Object.assign(new Error(`bind ${key}: EADDRINUSE`), { code: 'EADDRINUSE' });
    let receiver: ((bytes: Uint8Array, from: SocketAddress) => void) | undefined;
    let peer: SocketAddress | undefined;
    let closed = false;
    const name = `${key}#${this.seq++}`;
    this.net.add(name, {
      nextDeadlineMs: () => undefined,
      handle: (input: SimInput) => {
        if (input.kind !== 'datagram' || closed) return [];
        // A connected UDP socket receives only from its peer (the kernel filters the rest).
        if (peer !== undefined && (peer.address !== input.from.address || peer.port !== input.from.port)) return [];
        receiver?.(input.bytes, input.from);
        return [];
      },
    }, local);
    const socket: ControlSocket = {
      fd: undefined, local,
      send: (bytes, to) => {
        const dest = to ?? peer;
        if (closed || dest === undefined) return;
        this.net.call(name, () => [{ kind: 'transmit', bytes: bytes.slice(), to: dest }]);
      },
      connect: async (p) => { peer = p; },
      onDatagram: (r) => { receiver = r; },
      close: () => {
        if (closed) return;
        closed = true;
        this.bound.delete(key);
      },
    };
    this.bound.set(key, socket);
    return socket;
  }

  /** Lets pending promise chains (data-plane calls, async handlers) run to completion. */
  async settle(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Runs the network and timers for `ms` of virtual time; `nowMs` ends exactly `ms` later. */
  async run(ms: number): Promise<number> {
    const until = this.net.nowMs + ms;
    await this.settle();
    while (this.net.step(until)) await this.settle();
    this.net.nowMs = until;
    await this.settle();
    return until;
  }

  /** Runs until `done()` holds (checked after every step) or `limitMs` pass; returns whether it held. */
  async runUntil(done: () => boolean, limitMs = 600_000): Promise<boolean> {
    const until = this.net.nowMs + limitMs;
    await this.settle();
    while (!done()) {
      if (!this.net.step(until)) return done();
      await this.settle();
    }
    return true;
  }
}

/** An empty fake kernel. */
export function simKernel(): SimKernel {
  const k: SimKernel = {
    tunnels: new Map(), sessions: new Map(), journal: [], stats: new Map(), watchers: new Set(),
    deleteUnderUs(tunnelId, sessionId) {
      if (sessionId === undefined) {
        k.tunnels.delete(tunnelId);
        for (const key of [...k.sessions.keys()]) if (key.startsWith(`${tunnelId}/`)) k.sessions.delete(key);
        k.journal.push(`-tunnel ${tunnelId} (under us)`);
      } else {
        k.sessions.delete(`${tunnelId}/${sessionId}`);
        k.journal.push(`-session ${tunnelId}/${sessionId} (under us)`);
      }
      const change: KernelChange = sessionId === undefined ? { kind: 'tunnel-deleted', tunnelId } : { kind: 'session-deleted', tunnelId, sessionId };
      for (const w of k.watchers) w(change);
    },
  };
  return k;
}

const gone = (what: string) => Object.assign(new Error(`${what}: ENOENT`), { name: 'NetlinkError', code: 'ENOENT' });

function fakeTunnel(k: SimKernel, spec: TunnelSpec): TunnelDataPlane {
  if (k.tunnels.has(spec.tunnelId)) throw Object.assign(new Error(`TUNNEL_CREATE: EEXIST`), { name: 'NetlinkError', code: 'EEXIST' });
  k.tunnels.set(spec.tunnelId, spec);
  k.journal.push(`+tunnel ${spec.tunnelId}`);
  return {
    async createSession(s: SessionSpec): Promise<SessionDataPlane> {
      const key = `${spec.tunnelId}/${s.sessionId}`;
      if (!k.tunnels.has(spec.tunnelId)) throw Object.assign(new Error('SESSION_CREATE: ENOENT'), { name: 'NetlinkError', code: 'ENOENT' });
      if (k.sessions.has(key)) throw Object.assign(new Error('SESSION_CREATE: EEXIST'), { name: 'NetlinkError', code: 'EEXIST' });
      k.sessions.set(key, s);
      k.journal.push(`+session ${key}`);
      return {
        interfaceName: s.interfaceName ?? (s.pseudowire === 'eth' ? `l2tpeth${s.sessionId}` : undefined),
        stats: async () => {
          if (!k.sessions.has(key)) throw gone('SESSION_GET');
          return k.stats.get(key) ?? ZERO;
        },
        down: async () => { if (k.sessions.delete(key)) k.journal.push(`-session ${key}`); },
      };
    },
    stats: async () => {
      if (!k.tunnels.has(spec.tunnelId)) throw gone('TUNNEL_GET');
      return ZERO;
    },
    down: async () => {
      if (!k.tunnels.delete(spec.tunnelId)) return;
      k.journal.push(`-tunnel ${spec.tunnelId}`);
      for (const key of [...k.sessions.keys()]) if (key.startsWith(`${spec.tunnelId}/`)) k.sessions.delete(key);
    },
  };
}
