/**
 * One configured L2TPv3 tunnel of ql2tpd. Static (no `hello_timeout`): an unmanaged kernel tunnel
 * and its sessions, no socket, no control traffic — interoperable with `ip l2tp`. Quiescent
 * (`hello_timeout` set): our control socket (the kernel tunnel is managed by it), HELLOs and
 * acknowledgements through a control engine. A HELLO failure removes the kernel objects and logs
 * why; the tunnel then probes: a control socket on the same address whose engine sends HELLOs and
 * acknowledges the peer's. The first control message from the peer proves it is back, and the
 * pseudowire is recreated on a fresh socket (the kernel refuses to adopt a socket twice). So the
 * pseudowire returns when the peer does, even when both ends restart (go-l2tp tears it down for
 * good, and never completes its own HELLO).
 */
import type { ControlCounters, ControlSocket, DataPlane, SocketAddress, TunnelDownReason } from '@l2tp/control';
import type { LastResult, Logger, TunnelStatus } from '@l2tp/daemon';
import type { Ql2tpdTunnelConfig } from './config.js';
import { createPseudowires, type Pseudowires, type TunnelAddresses } from './pseudowire.js';

/** Longest wait between two re-establishment attempts. */
export const MAX_REESTABLISH_DELAY_MS = 60_000;

/** What a tunnel run needs from the daemon. */
export interface TunnelRunDeps {
  readonly dataPlane: DataPlane;
  readonly log: Logger;
  resolve(tunnel: Ql2tpdTunnelConfig): Promise<TunnelAddresses>;
  /**
   * Quiescent tunnels: start a control engine on the socket; its tunnel-down comes back through
   * `down`. Returns how to stop it (after a StopCCN when `stopccn`) and read its counters.
   */
  attach(tunnel: Ql2tpdTunnelConfig, peer: SocketAddress, socket: ControlSocket, down: (r: TunnelDownReason) => void,
    heard?: () => void): { detach(stopccn: boolean): void; counters(): ControlCounters | undefined };
  readonly nowMs: () => number;
  changed(): void;
  /** Formats an engine down reason for the log. */
  describe(reason: TunnelDownReason): string;
}

/** Runs one `[tunnel.NAME]` (see the file header). */
export class TunnelRun {
  state: 'idle' | 'creating' | 'up' | 'probing' | 'stopped' = 'idle';
  private probe: { socket: ControlSocket; detach: (stopccn: boolean) => void } | undefined;
  private pw: Pseudowires | undefined;
  private socket: ControlSocket | undefined;
  private engine: { detach(stopccn: boolean): void; counters(): ControlCounters | undefined } | undefined;
  private upSinceMs: number | undefined;
  private lastResult: LastResult | undefined;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  /** Prepares the run; nothing is created until `start`. */
  constructor(readonly config: Ql2tpdTunnelConfig, private readonly deps: TunnelRunDeps) {
    this.log = deps.log.child({ tunnel_name: config.name, tunnel_id: config.tunnelId });
  }

  /** Static tunnels have no control channel. */
  get quiescent(): boolean { return this.config.helloTimeoutMs > 0; }

  /** The kernel objects, while up (SIGHUP adds and removes sessions through them). */
  get pseudowires(): Pseudowires | undefined { return this.pw; }

  /** Creates the kernel objects (and, quiescent, the control socket); rejects with the netlink error. */
  async start(): Promise<void> {
    this.state = 'creating';
    const addrs = await this.deps.resolve(this.config);
    let socket: ControlSocket | undefined;
    try {
      if (this.quiescent) {
        socket = await this.deps.dataPlane.openControlSocket({
          family: addrs.peer.family, encap: this.config.encap, local: addrs.local, tunnelId: this.config.tunnelId,
        });
        await socket.connect(addrs.peer);
      }
      this.pw = await createPseudowires(this.deps.dataPlane, this.config, addrs, this.log, socket);
    } catch (e) {
      socket?.close();
      this.state = 'idle';
      throw e;
    }
    this.socket = socket;
    if (socket) this.engine = this.deps.attach(this.config, addrs.peer, socket, (r) => void this.engineDown(r));
    this.state = 'up';
    this.upSinceMs = this.deps.nowMs();
    this.log.info({ mode: this.quiescent ? `quiescent, HELLO every ${this.config.helloTimeoutMs} ms` : 'static' }, 'tunnel up');
    this.deps.changed();
  }

  /** The engine declared the control channel dead (HELLO unacknowledged) or the peer sent StopCCN. */
  async engineDown(reason: TunnelDownReason): Promise<void> {
    if (this.state === 'probing') return this.probeAgain();
    if (this.state !== 'up') return;
    const why = this.deps.describe(reason);
    this.lastResult = { atMs: this.deps.nowMs(), reason: why };
    this.log.error(`tunnel down: ${why}; removing its kernel objects and probing for the peer`);
    await this.teardown(false);
    await this.startProbe();
  }

  private async startProbe(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'probing';
    this.deps.changed();
    try {
      const addrs = await this.deps.resolve(this.config);
      const socket = await this.deps.dataPlane.openControlSocket({ family: addrs.peer.family, encap: this.config.encap, local: addrs.local, tunnelId: this.config.tunnelId });
      await socket.connect(addrs.peer);
      const { detach } = this.deps.attach(this.config, addrs.peer, socket, () => void this.engineDown({ type: 'retransmit-exhausted', messageType: 'HELLO' }), () => void this.revive());
      this.probe = { socket, detach };
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'cannot open the probing socket');
      this.probeAgain();
    }
  }

  /** The probe's own HELLO went unanswered: a fresh probe engine after a back-off. */
  private probeAgain(): void {
    this.stopProbe();
    const delay = Math.min(1000 * 2 ** Math.min(this.failures++, 16), MAX_REESTABLISH_DELAY_MS);
    this.log.debug({ retry_in_ms: delay }, 'peer still silent');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.startProbe(), delay);
  }

  private stopProbe(): void {
    this.probe?.detach(false);
    this.probe?.socket.close();
    this.probe = undefined;
  }

  /** The peer spoke: recreate the pseudowire. */
  private async revive(): Promise<void> {
    if (this.state !== 'probing' || this.probe === undefined) return;
    this.stopProbe();
    this.log.info('peer is back: re-establishing the tunnel');
    try {
      await this.start();
      this.failures = 0;
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 're-establishing failed');
      this.state = 'probing';
      this.probeAgain();
    }
  }

  private async teardown(stopccn: boolean): Promise<void> {
    this.engine?.detach(stopccn);
    this.engine = undefined;
    const pw = this.pw;
    this.pw = undefined;
    this.upSinceMs = undefined;
    await pw?.down().catch((e: unknown) => this.log.error({ err: (e as Error).message }, 'deleting the kernel tunnel failed'));
    this.socket?.close();
    this.socket = undefined;
    this.deps.changed();
  }

  /** Removes everything (shutdown, or SIGHUP removed/changed the tunnel); no re-establishment. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.stopProbe();
    const wasUp = this.state === 'up';
    this.state = 'stopped';
    if (wasUp || this.pw) await this.teardown(true);
  }

  /** This tunnel as `status` shows it, with the kernel's counters when it is up. */
  async status(): Promise<TunnelStatus> {
    const t = this.config;
    const host = (e: { host: string; port: number; family: 4 | 6 | undefined }) => (e.family === 6 ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`);
    const pw = this.pw;
    const count = async (p: { stats(): Promise<{ txPackets: bigint; txBytes: bigint; txErrors: bigint; rxPackets: bigint; rxBytes: bigint; rxErrors: bigint }> } | undefined) => {
      const s = await p?.stats().catch(() => undefined);
      return s && { txPackets: Number(s.txPackets), txBytes: Number(s.txBytes), txErrors: Number(s.txErrors),
        rxPackets: Number(s.rxPackets), rxBytes: Number(s.rxBytes), rxErrors: Number(s.rxErrors), rxSeqDiscards: 0, rxOosPackets: 0 };
    };
    const sessions = await Promise.all(t.sessions.map(async (s) => {
      const k = pw?.sessions.get(s.name);
      return {
        name: s.name, sessionId: s.sessionId, peerSessionId: s.peerSessionId, state: k ? 'established' : this.state,
        upSinceMs: k ? this.upSinceMs : undefined, interfaceName: k?.interfaceName, data: await count(k),
      };
    }));
    return {
      name: t.name, tunnelId: t.tunnelId, peerTunnelId: t.peerTunnelId, peer: host(t.peer), local: t.local && host(t.local),
      state: this.state === 'up' ? (this.quiescent ? 'established' : 'static') : this.state, upSinceMs: this.upSinceMs,
      lastResult: this.lastResult, control: this.quiescent ? (this.engine?.counters() ?? { sent: 0, received: 0, retransmitted: 0, hellosSent: 0 }) : undefined,
      data: await count(pw?.dataPlane), sessions,
    };
  }
}
