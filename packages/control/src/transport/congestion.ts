/**
 * Slow start and congestion avoidance of the control channel (RFC 2661 Appendix A).
 *
 * "CWND is initialized to 1 ... SSTHRESH is initialized to the peer's Receive Window Size. While
 * CWND is less than SSTHRESH, CWND is incremented by 1 for each acknowledgement; above SSTHRESH it is
 * incremented by 1 for every CWND acknowledgements. CWND never exceeds the peer's Receive Window
 * Size. On retransmission SSTHRESH is set to half of CWND and CWND is reset to 1."
 */

/** Congestion state: window, threshold, and acknowledgements counted in congestion avoidance. */
export interface Congestion {
  readonly cwnd: number;
  readonly ssthresh: number;
  readonly acksInAvoidance: number;
  /** The peer's Receive Window Size: the ceiling of `cwnd`. */
  readonly peerWindow: number;
}

/** The state before any message is sent to a peer whose Receive Window Size is `peerWindow`. */
export function initialCongestion(peerWindow: number): Congestion {
  return { cwnd: 1, ssthresh: peerWindow, acksInAvoidance: 0, peerWindow };
}

/**
 * The state after one message is acknowledged. Whole literals, not `{ ...c, x }`: this runs per
 * acknowledged message, and the spread copies cost ~10 % of session setup time (bench/ab.mjs --engine).
 */
export function onAcked(c: Congestion): Congestion {
  // At the peer's window in congestion avoidance nothing can change until a retransmission resets
  // the count: the same state, not a new object per acknowledgement.
  if (c.cwnd >= c.peerWindow && c.cwnd >= c.ssthresh) return c;
  const grown = Math.min(c.cwnd + 1, c.peerWindow);
  if (c.cwnd < c.ssthresh) return { cwnd: grown, ssthresh: c.ssthresh, acksInAvoidance: 0, peerWindow: c.peerWindow };
  const acks = c.acksInAvoidance + 1;
  if (acks >= c.cwnd) return { cwnd: grown, ssthresh: c.ssthresh, acksInAvoidance: 0, peerWindow: c.peerWindow };
  return { cwnd: c.cwnd, ssthresh: c.ssthresh, acksInAvoidance: acks, peerWindow: c.peerWindow };
}

/** The state after a retransmission timeout. */
export function onRetransmit(c: Congestion): Congestion {
  return { ...c, ssthresh: Math.max(1, Math.floor(c.cwnd / 2)), cwnd: 1, acksInAvoidance: 0 };
}

/** The state once the peer's Receive Window Size is known (from SCCRQ or SCCRP). */
export function withPeerWindow(c: Congestion, peerWindow: number): Congestion {
  return { ...c, peerWindow, ssthresh: peerWindow, cwnd: Math.min(c.cwnd, peerWindow) };
}
