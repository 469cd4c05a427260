/**
 * What every ql2tpd tunnel runner shares: it feeds the supervisor table of `@l2tp/control` its
 * inputs, performs the actions the table returns, keeps the one timer the table asks for, and
 * settles the promises of `start` (the first attempt) and `stop` (the supervisor stopped). The
 * subclasses (static/quiescent `TunnelRunner`, dynamic `DynamicTunnelRunner`) say how an action is done.
 */
import {
  type Clock, INITIAL_SUPERVISOR, type RecoveryPolicy, stepSupervisor, type SupervisorAction, type SupervisorInput, type TunnelSupervisor,
} from '@l2tp/control';

/** What the base needs of the daemon: the clock its timer runs on, and a hook for status changes. */
export interface SupervisedRunnerDeps {
  readonly clock: Clock;
  changed(): void;
}

/** The supervisor loop of one `[tunnel.NAME]` (see the file header). */
export abstract class SupervisedRunner {
  protected sup: TunnelSupervisor = INITIAL_SUPERVISOR;
  private cancelTimer: (() => void) | undefined;
  private readonly whenStopped: (() => void)[] = [];
  /** Settles when the first attempt to bring the tunnel up ends (start-up reports creation errors). */
  private first: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  /** Redial or probe, and the wait before the next attempt. */
  protected abstract readonly policy: RecoveryPolicy;

  constructor(private readonly loop: SupervisedRunnerDeps) {}

  /** Performs one action the supervisor returned. */
  protected abstract perform(a: SupervisorAction): void;

  /** Runs after every input (a subclass's periodic checks). */
  protected afterInput(): void {}

  /** The supervisor's state. */
  get state(): TunnelSupervisor['state'] { return this.sup.state; }

  /** Brings the tunnel up; resolves (or rejects with the failure) when the first attempt ends. */
  start(): Promise<void> {
    const p = new Promise<void>((resolve, reject) => { this.first = { resolve, reject }; });
    this.input({ type: 'start' });
    return p;
  }

  /** Feeds the supervisor one input and performs what it returns. */
  input(i: SupervisorInput): void {
    const before = this.sup.state;
    const step = stepSupervisor(this.sup, i, this.loop.clock.nowMs(), this.policy);
    this.sup = step.next;
    for (const a of step.actions) this.perform(a);
    this.cancelTimer?.();
    this.cancelTimer = this.sup.timerAtMs === undefined ? undefined : this.loop.clock.schedule(this.sup.timerAtMs, () => this.input({ type: 'timer' }));
    if (this.sup.state !== before) this.loop.changed();
    if (this.sup.state === 'stopped') for (const f of this.whenStopped.splice(0)) f();
    this.afterInput();
  }

  /** Settles `start`'s promise: resolved, or rejected with `error`. */
  protected settleFirst(error?: unknown): void {
    const f = this.first;
    this.first = undefined;
    if (error === undefined) f?.resolve();
    else f?.reject(error);
  }

  /** `ql2tpd down TUNNEL`: take it down (StopCCN for one with a control connection); it stays down until `up`. */
  down(): void { this.input({ type: 'admin-down' }); }

  /** `ql2tpd up TUNNEL`: bring it up again. */
  up(): void { this.input({ type: 'admin-up' }); }

  /**
   * Removes everything (shutdown, or SIGHUP removed or changed the tunnel: StopCCN result 6 or 1
   * where there is a control connection); no re-establishment. Resolves once the supervisor is stopped.
   */
  stop(purpose: 'remove' | 'shutdown' = 'shutdown'): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.whenStopped.push(resolve));
    this.input({ type: purpose });
    return stopped;
  }
}
