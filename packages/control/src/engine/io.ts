/**
 * The engine's inputs and outputs (style.md §3.3): inputs carry `nowMs`; every call returns all
 * the outputs it caused; `nextDeadlineMs()` says when the next `timeout` input is due.
 */
import type { ResultCode, TunnelEvent } from '../fsm/types.js';

/** A local request: daemon or library user decisions, never peer behaviour. */
export type Command =
  | { readonly type: 'open' }
  | { readonly type: 'close'; readonly result?: ResultCode }
  /**
   * Ask the peer whether it is still there: a HELLO now (RFC 2661 §6.5) when the tunnel is
   * established and nothing is unacknowledged (an unacknowledged message's retransmissions probe as
   * well). A dead peer then costs the tunnel within one retransmission cycle (§5.8), not a HELLO
   * interval plus the cycle. Ignored in any other state.
   */
  | { readonly type: 'probe' }
  /** LAC: place an incoming call with this session id (see `allocateSessionId`). */
  | { readonly type: 'open-session'; readonly sessionId: number }
  | { readonly type: 'close-session'; readonly sessionId: number; readonly result?: ResultCode };

/** An input to the engine. `nowMs` must not decrease from one input to the next. */
export type Input =
  | { readonly kind: 'datagram'; readonly nowMs: number; readonly bytes: Uint8Array }
  | { readonly kind: 'timeout'; readonly nowMs: number }
  | { readonly kind: 'command'; readonly nowMs: number; readonly command: Command };

/**
 * An output to perform. `transmit` has no address: a tunnel's socket is connected to its peer
 * (the multi-tunnel {@link ControlEngine} adds one).
 */
export type Output =
  | { readonly kind: 'transmit'; readonly bytes: Uint8Array }
  | { readonly kind: 'event'; readonly event: TunnelEvent };

/** Local misuse of the engine (a bug in the caller, not something the network did): thrown. */
export class L2tpUsageError extends Error {
  /** Creates the error; `name` is stable for checks across duplicate package installs. */
  constructor(message: string) {
    super(message);
    this.name = 'L2tpUsageError';
  }
}
