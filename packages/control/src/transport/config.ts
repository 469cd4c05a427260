/**
 * Settings of the reliable control transport (RFC 2661 §5.8 and Appendix A, RFC 3931 §4.2), with
 * the RFC's defaults, and the retransmission schedule as a pure function of the attempt number.
 */

/** Settings of one control connection's reliable transport. Durations are milliseconds. */
export interface TransportConfig {
  /** First retransmission timeout (`retry_timeout`). Default 1000 ms (RFC 2661 §5.8 recommends 1 s). */
  readonly retryTimeoutMs: number;
  /** Cap of the doubling back-off. Default 8000 ms; RFC 2661 §5.8 requires any cap to be at least 8 s. */
  readonly maxRetryTimeoutMs: number;
  /** Retransmissions before the connection is declared dead (`max_retries`). Default 5 (RFC 2661 §5.8). */
  readonly maxRetries: number;
  /** Our Receive Window Size, advertised to the peer and the span of out-of-order messages held. Default 4. */
  readonly receiveWindowSize: number;
  /** How long an acknowledgement may wait for a message to ride on before a ZLB/ACK is sent. Default 100 ms. */
  readonly ackDelayMs: number;
}

/** The defaults of {@link TransportConfig}. */
export const DEFAULT_TRANSPORT_CONFIG: TransportConfig = Object.freeze({
  retryTimeoutMs: 1000,
  maxRetryTimeoutMs: 8000,
  maxRetries: 5,
  receiveWindowSize: 4,
  ackDelayMs: 100,
});

/** RFC 2661 §5.8: "a Receive Window Size of 4 is assumed" when the peer sends no Receive Window Size AVP. */
export const DEFAULT_PEER_RECEIVE_WINDOW = 4;

/**
 * Delay before retransmission `attempt + 1` of a message sent `attempt` times before (0 for the first
 * send): doubling from the initial timeout, capped (RFC 2661 §5.8). With the defaults a message that is
 * never acknowledged goes out at 0, 1, 3, 7, 15 and 23 s and the connection fails at 31 s.
 */
export function retransmitDelayMs(attempt: number, config: TransportConfig): number {
  return Math.min(config.retryTimeoutMs * 2 ** attempt, config.maxRetryTimeoutMs);
}

/**
 * Completes a partial transport configuration with {@link DEFAULT_TRANSPORT_CONFIG}. An ack delay
 * not given is kept under a quarter of the retry timeout: a peer that delays its ZLB/ACK as long as
 * we wait before retransmitting makes every message go out twice (seen with retry_timeout = 100).
 */
export function transportConfig(partial: Partial<TransportConfig> = {}): TransportConfig {
  const c = { ...DEFAULT_TRANSPORT_CONFIG, ...partial };
  return partial.ackDelayMs === undefined ? { ...c, ackDelayMs: Math.min(c.ackDelayMs, Math.floor(c.retryTimeoutMs / 4)) } : c;
}
