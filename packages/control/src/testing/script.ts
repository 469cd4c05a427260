/**
 * Scripted peers for SimNet (nltest's `Func`, style.md §3.7): a function from each received
 * datagram to the datagrams to answer with. No timers, no retransmission: exactly what the script says.
 */
import type { SimEndpoint, SimInput, SimOutput } from './simnet.js';

/** A reply function: datagram in, datagrams out (the receive time is given for scripts that care). */
export type PeerScript = (bytes: Uint8Array, nowMs: number) => readonly Uint8Array[];

/** A SimNet endpoint that answers according to `script` and records what it received. */
export class ScriptedPeer implements SimEndpoint {
  /** Every datagram received, in order. */
  readonly received: Uint8Array[] = [];

  /** Wraps `script`. */
  constructor(private readonly script: PeerScript) {}

  /** SimNet input: runs the script on datagrams; timeouts never happen (no deadline). */
  handle(input: SimInput): SimOutput[] {
    if (input.kind !== 'datagram') return [];
    this.received.push(input.bytes);
    return this.script(input.bytes, input.nowMs).map((bytes) => ({ kind: 'transmit', bytes }));
  }

  /** A script keeps no timers. */
  nextDeadlineMs(): number | undefined { return undefined; }
}

/** A peer that never answers (for retransmission-exhaustion tests). */
export function silentPeer(): ScriptedPeer {
  return new ScriptedPeer(() => []);
}
