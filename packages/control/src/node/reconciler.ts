/**
 * The data-plane reconciler: the kernel objects the context wants (static tunnels and the static
 * sessions in them, with the specs they were made from) against what the kernel has. When the
 * kernel reports a deletion (the l2tp multicast group, `DataPlane.watch`), the reconciler checks
 * whether the object is really gone — a notification of our own deletion arrives too, possibly after
 * the object was made again — and makes it again; `resync` checks everything. Idempotent: an object
 * found present is left alone, one made meanwhile by someone else (EEXIST) counts as present.
 * Objects that belong to a control connection (dynamic calls, managed tunnels) are not remade here:
 * the context hears of them through `lost` and ends the call or the connection, as the protocol says.
 */
import type { DataPlane, KernelChange, SessionDataPlane, SessionSpec, TunnelDataPlane, TunnelSpec } from '../api/dataplane.js';

/** A kernel session the reconciler keeps made. */
interface WantedSession {
  readonly spec: SessionSpec;
  handle: SessionDataPlane;
}

/** A kernel tunnel the reconciler keeps made, with its sessions. */
interface WantedTunnel {
  readonly spec: TunnelSpec;
  handle: TunnelDataPlane;
  readonly sessions: Map<number, WantedSession>;
}

/** What the reconciler reports. */
export interface ReconcileReport {
  /** An object was found deleted and made again. */
  repaired(what: { tunnelId: number; sessionId?: number }): void;
  /** Making it again failed (it stays wanted; the next change or resync tries again). */
  failed(what: { tunnelId: number; sessionId?: number }, error: Error): void;
  /** A deletion of an object the reconciler does not keep (a control connection's): the owner decides. */
  lost(change: Extract<KernelChange, { kind: 'tunnel-deleted' | 'session-deleted' }>): void;
}

/** True for a data-plane error saying the object does not exist (ENOENT/ENODEV, by name across installs). */
export function isNotExist(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return code === 'ENOENT' || code === 'ENODEV';
}

const isExist = (e: unknown) => (e as { code?: unknown } | undefined)?.code === 'EEXIST';

/** Desired kernel objects vs actual ones; see the file header. */
export class KernelReconciler {
  private readonly wanted = new Map<number, WantedTunnel>();
  private readonly stop: (() => void) | undefined;
  /** Serialises repairs, so two notifications never remake one object twice at once. */
  private queue: Promise<void> = Promise.resolve();

  /** Subscribes to the data plane's changes when it offers them. */
  constructor(private readonly dataPlane: DataPlane, private readonly report: ReconcileReport) {
    let stop: (() => void) | undefined;
    try {
      stop = dataPlane.watch?.((c) => { this.queue = this.queue.then(() => this.onChange(c)); });
    } catch {
      // No notifications (the multicast group unavailable): objects are still made and deleted, not repaired.
    }
    this.stop = stop;
  }

  /** Makes a kernel tunnel and keeps it made. */
  async addTunnel(spec: TunnelSpec): Promise<TunnelDataPlane> {
    const handle = await this.dataPlane.createTunnel(spec);
    this.wanted.set(spec.tunnelId, { spec, handle, sessions: new Map() });
    return handle;
  }

  /** Makes a session in a kept tunnel and keeps it made. */
  async addSession(spec: SessionSpec): Promise<SessionDataPlane> {
    const t = this.wanted.get(spec.tunnelId);
    if (t === undefined) throw new RangeError(`tunnel ${spec.tunnelId} is not kept by the reconciler`);
    const handle = await t.handle.createSession(spec);
    t.sessions.set(spec.sessionId, { spec, handle });
    // The caller's handle stays valid across a repair: it acts on the current kernel object.
    return { get interfaceName() { return handle.interfaceName; }, stats: () => t.sessions.get(spec.sessionId)?.handle.stats() ?? handle.stats(),
      down: async () => {
        const current = t.sessions.get(spec.sessionId)?.handle ?? handle;
        t.sessions.delete(spec.sessionId);
        await current.down();
      } };
  }

  /** Stops keeping a tunnel and deletes it (with its sessions). */
  async removeTunnel(tunnelId: number): Promise<void> {
    const t = this.wanted.get(tunnelId);
    this.wanted.delete(tunnelId);
    await t?.handle.down();
  }

  /** True when the reconciler keeps this tunnel. */
  keeps(tunnelId: number): boolean { return this.wanted.has(tunnelId); }

  /** The kept tunnel's handle (its counters). */
  tunnel(tunnelId: number): TunnelDataPlane | undefined { return this.wanted.get(tunnelId)?.handle; }

  /** Stops watching; kernel objects stay. */
  close(): void { this.stop?.(); }

  /** Resolves once every repair started so far is done (tests, shutdown). */
  settled(): Promise<void> { return this.queue; }

  private async onChange(c: KernelChange): Promise<void> {
    if (c.kind === 'resync') {
      for (const id of [...this.wanted.keys()]) await this.checkTunnel(id);
      return;
    }
    const t = this.wanted.get(c.tunnelId);
    if (t === undefined) return this.report.lost(c);
    if (c.kind === 'tunnel-deleted') return this.checkTunnel(c.tunnelId);
    if (!t.sessions.has(c.sessionId)) return this.report.lost(c);
    return this.checkSession(t, c.sessionId);
  }

  private async gone(probe: () => Promise<unknown>): Promise<boolean> {
    try {
      await probe();
      return false;
    } catch (e) {
      return isNotExist(e);
    }
  }

  private async checkTunnel(tunnelId: number): Promise<void> {
    const t = this.wanted.get(tunnelId);
    if (t === undefined || !(await this.gone(() => t.handle.stats()))) {
      if (t !== undefined) for (const id of [...t.sessions.keys()]) await this.checkSession(t, id);
      return;
    }
    try {
      t.handle = await this.dataPlane.createTunnel(t.spec);
      this.report.repaired({ tunnelId });
    } catch (e) {
      if (!isExist(e)) return this.report.failed({ tunnelId }, e as Error);
    }
    // Deleting a tunnel deletes its sessions: make every one again.
    for (const [sessionId, s] of t.sessions) await this.remakeSession(t, sessionId, s);
  }

  private async checkSession(t: WantedTunnel, sessionId: number): Promise<void> {
    const s = t.sessions.get(sessionId);
    if (s === undefined || !(await this.gone(() => s.handle.stats()))) return;
    await this.remakeSession(t, sessionId, s);
  }

  private async remakeSession(t: WantedTunnel, sessionId: number, s: WantedSession): Promise<void> {
    try {
      s.handle = await t.handle.createSession(s.spec);
      this.report.repaired({ tunnelId: t.spec.tunnelId, sessionId });
    } catch (e) {
      if (!isExist(e)) this.report.failed({ tunnelId: t.spec.tunnelId, sessionId }, e as Error);
    }
  }
}
