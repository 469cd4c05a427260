/**
 * The I/O edge of the engine (style.md §3.9, quinn's `drive_timer`): one re-armed timer on a
 * {@link Clock} around a {@link ControlEngine}. Every engine call goes through `run` (or `input`,
 * `datagram`), which hands the outputs to the sink and makes sure the timer fires no later than
 * `nextDeadlineMs()`: an earlier deadline re-arms it, a later one leaves it to fire early and re-arm
 * then. The clock is a port, so the same driver runs on real time in the daemons and on virtual time
 * in tests.
 */
import type { ControlEngine, ControlInput, ControlOutput } from '../engine/control-engine.js';
import type { EngineTrace } from '../engine/trace.js';
import type { SocketAddress } from '../api/dataplane.js';
import { type CancelTimer, type Clock, monotonicClock } from './platform.js';

/** Drives a {@link ControlEngine} with a clock. */
export class EngineDriver {
  private cancel: CancelTimer | undefined;
  private armedAtMs: number | undefined;
  private stopped = false;

  /**
   * Creates the driver; `sink` performs the outputs (send datagrams, act on events); `trace` sees both
   * (`-verbose`). `gate`, when given, decides when a fired timer's work runs (`fire`), knowing how many
   * ms past its deadline it fired: the context runs it after the input already waiting (TurnBudget.afterInput).
   */
  constructor(
    private readonly engine: ControlEngine,
    private readonly sink: (outputs: readonly ControlOutput[]) => void,
    private readonly clock: Clock = monotonicClock,
    private readonly trace?: EngineTrace,
    private readonly gate?: (fire: () => void, lateMs: number) => void,
  ) {}

  /** Current time on the driver's clock. */
  nowMs(): number { return this.clock.nowMs(); }

  /** Feeds one input built at the current time; returns its outputs after the sink has seen them. */
  input(make: (nowMs: number) => ControlInput): readonly ControlOutput[] {
    if (this.stopped) return [];
    const input = make(this.clock.nowMs());
    if (this.trace && input.kind === 'datagram') this.trace.received(input.bytes, input.from, this.engine);
    return this.done(this.engine.handle(input));
  }

  /** Feeds one received datagram (the hot path: no closure per datagram). */
  datagram(bytes: Uint8Array, from: SocketAddress): readonly ControlOutput[] {
    if (this.stopped) return [];
    if (this.trace) this.trace.received(bytes, from, this.engine);
    return this.done(this.engine.handle({ kind: 'datagram', nowMs: this.clock.nowMs(), bytes, from }));
  }

  /** Runs any engine call at the current time, sinks its outputs and re-arms the timer. */
  run(fn: (nowMs: number) => readonly ControlOutput[]): readonly ControlOutput[] {
    if (this.stopped) return [];
    return this.done(fn(this.clock.nowMs()));
  }

  private done(out: readonly ControlOutput[]): readonly ControlOutput[] {
    this.trace?.produced(out, this.engine);
    this.sink(out);
    this.arm();
    return out;
  }

  private timeout(): void {
    this.input((nowMs) => ({ kind: 'timeout', nowMs }));
  }

  /** Stops the timer; later inputs are ignored. */
  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  private disarm(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.armedAtMs = undefined;
  }

  private arm(): void {
    if (this.stopped) return;
    const at = this.engine.nextDeadlineMs();
    if (at === undefined) return this.disarm();
    // A timer that fires a little early is harmless: the engine does nothing and we re-arm. So a
    // later deadline keeps the armed timer (most inputs move the earliest deadline a little later,
    // and a timer re-armed per datagram cost more than the early wake-ups); an earlier one re-arms.
    if (this.cancel !== undefined && this.armedAtMs !== undefined && this.armedAtMs <= at) return;
    this.disarm();
    this.armedAtMs = at;
    this.cancel = this.clock.schedule(at, () => {
      this.cancel = undefined;
      this.armedAtMs = undefined;
      if (this.gate === undefined) return void this.timeout();
      // Meanwhile an input may re-arm the timer: a second timeout is harmless (the engine does nothing).
      this.gate(() => this.timeout(), Math.max(0, this.clock.nowMs() - at));
    });
  }
}
