/**
 * A bound on the datagrams one turn of the event loop handles. libuv reads every readable socket in
 * one poll phase (up to 32 datagrams a socket), and each datagram runs the engine, its sends and
 * its events synchronously: an LNS with a hundred busy tunnels spent 30-70 ms in one turn, and its
 * timers (retransmissions, HELLOs, the status socket, /metrics) waited that long. Past the budget,
 * datagrams wait in arrival order and are handled `perTurn` at a time on later turns
 * (`setImmediate`), with timers and I/O served in between. Under the budget nothing is deferred: a
 * datagram is handled as it arrives, exactly as without the bound.
 *
 * The engine's timer goes through here too (`afterInput`): a retransmission timer that fires while
 * the peer's acknowledgement waits unread (queued here, or still in a socket because the loop was
 * blocked) would count a retry the peer never caused. In the test guest (one emulated CPU, 50 calls
 * dialled at once) pppd spawns and CPU contention left datagrams waiting 20-60 s; timers ran first
 * on every turn, used up `max_retries` and tore down tunnels whose peer had acknowledged everything.
 */

/** Handles one datagram (the receiver a socket was given). */
export type DatagramHandler = (bytes: Uint8Array, from: unknown, local: unknown) => void;

/**
 * Datagrams handled per event-loop turn by default: about a millisecond of work at 10-40 µs each.
 * Measured with 100 000 calls from 100 tunnels (apps/kl2tpd/bench/lns-daemon.mjs): no bound and 256
 * gave a p99 loop delay of 57-64 ms, 64 gave 16-40 ms, 32 and 16 gave 14-17 ms, at no measurable
 * cost per call (a turn costs a few microseconds more than the datagrams it handles).
 */
export const DEFAULT_DATAGRAMS_PER_TURN = 32;

/**
 * A timer this late (ms past its deadline) means the event loop was blocked: datagrams may sit unread
 * in the sockets, so its work waits for one poll of I/O first. On time, only what is queued here goes first.
 */
export const LATE_TIMER_MS = 50;

/** A queued timer's work, stored in the datagram queue's handler slot with the function as its "bytes". */
const runTask: DatagramHandler = (fn) => (fn as unknown as () => void)();

/** See the file header. One per context: every socket of the context shares its turn. */
export class TurnBudget {
  private handled = 0;
  private turnScheduled = false;
  /** Waiting datagrams, flat (handler, bytes, from, local): no object per queued datagram. */
  private readonly queue: unknown[] = [];
  private head = 0;

  /** `perTurn` ≥ 1 (Infinity: no bound); `defer` runs a function on a later turn of the event loop. */
  constructor(
    private readonly perTurn: number = DEFAULT_DATAGRAMS_PER_TURN,
    private readonly defer: (fn: () => void) => void = (fn) => void setImmediate(fn),
  ) {
    if (!(perTurn >= 1)) throw new RangeError(`datagrams per turn must be at least 1, not ${perTurn}`);
  }

  /** Datagrams waiting for a later turn. */
  get waiting(): number { return (this.queue.length - this.head) / 4; }

  /** Handles the datagram now when this turn has budget left and none is waiting; queues it otherwise. */
  offer(handle: DatagramHandler, bytes: Uint8Array, from: unknown, local: unknown): void {
    if (this.head === this.queue.length && this.handled < this.perTurn) {
      if (++this.handled === 1) this.scheduleTurn();
      handle(bytes, from, local);
      return;
    }
    this.queue.push(handle, bytes, from, local);
    this.scheduleTurn();
  }

  /**
   * Runs a timer's work (`fn`, `lateMs` past its deadline) after the input that was waiting when it
   * fired: behind the datagrams queued here, and when it is {@link LATE_TIMER_MS} late or more, after
   * one more poll of the sockets too. On time with nothing queued it runs at once.
   */
  afterInput(fn: () => void, lateMs: number): void {
    if (lateMs >= LATE_TIMER_MS) return this.defer(() => this.enqueueTask(fn));
    this.enqueueTask(fn);
  }

  private enqueueTask(fn: () => void): void {
    if (this.head === this.queue.length) return fn();
    this.queue.push(runTask, fn, undefined, undefined);
    this.scheduleTurn();
  }

  private scheduleTurn(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    this.defer(this.turn);
  }

  /** A new turn: the budget is whole again and spent first on what waited. */
  private readonly turn = (): void => {
    this.turnScheduled = false;
    this.handled = 0;
    const q = this.queue;
    while (this.head < q.length && this.handled < this.perTurn) {
      const i = this.head;
      this.head += 4;
      this.handled++;
      const handle = q[i] as DatagramHandler;
      const bytes = q[i + 1] as Uint8Array;
      const from = q[i + 2];
      const local = q[i + 3];
      q[i] = q[i + 1] = q[i + 2] = q[i + 3] = undefined;
      handle(bytes, from, local);
    }
    if (this.head === q.length) {
      q.length = 0;
      this.head = 0;
    } else if (this.head >= 4096 && this.head * 2 >= q.length) {
      // Under a backlog that never empties, drop the handled front now and then.
      q.splice(0, this.head);
      this.head = 0;
    }
    // More waiting, or datagrams handled this turn: the next turn resets the count.
    if (this.handled > 0) this.scheduleTurn();
  };
}
