/**
 * Log text for why a tunnel or session went down, with the RFC 2661 §4.4.2 result and error codes
 * spelled out, so an operator reading the journal knows whose fault it was.
 */
import type { ResultCode, SessionDownReason, TunnelDownReason } from '@l2tp/control';

/** StopCCN result codes (RFC 2661 §4.4.2). */
const STOPCCN_RESULT: Readonly<Record<number, string>> = {
  1: 'general request to clear control connection',
  2: 'general error',
  3: 'control channel already exists',
  4: 'requester is not authorized to establish a control channel',
  5: 'protocol version not supported',
  6: 'requester is being shut down',
  7: 'finite state machine error',
};

/** CDN result codes (RFC 2661 §4.4.2). */
const CDN_RESULT: Readonly<Record<number, string>> = {
  1: 'call disconnected due to loss of carrier',
  2: 'call disconnected for the reason indicated in error code',
  3: 'call disconnected for administrative reasons',
  4: 'call failed due to lack of appropriate facilities being available',
  5: 'call failed due to lack of appropriate facilities being available (permanent)',
  6: 'invalid destination',
  7: 'call failed due to no carrier detected',
  8: 'call failed due to detection of a busy signal',
  9: 'call failed due to lack of a dial tone',
  10: 'call was not established within time allotted by LAC',
  11: 'call was connected but no appropriate framing was detected',
};

/** General error codes (RFC 2661 §4.4.2). */
const ERROR_CODE: Readonly<Record<number, string>> = {
  0: 'no general error',
  1: 'no control connection exists yet for this LAC-LNS pair',
  2: 'length is wrong',
  3: 'one of the field values was out of range or reserved field was non-zero',
  4: 'insufficient resources to handle this operation now',
  5: 'the session ID is invalid in this context',
  6: 'a generic vendor-specific error occurred in the LAC',
  7: 'try another',
  8: 'session or tunnel was shutdown due to receipt of an unknown AVP with the M-bit set',
};

/** `result 4 (requester is not authorized ...), error 0 (...): "message"`. */
export function describeResult(r: ResultCode, table: 'stopccn' | 'cdn'): string {
  const names = table === 'stopccn' ? STOPCCN_RESULT : CDN_RESULT;
  let s = `result ${r.result} (${names[r.result] ?? 'unknown'})`;
  if (r.error !== undefined && r.error !== 0) s += `, error ${r.error} (${ERROR_CODE[r.error] ?? 'unknown'})`;
  if (r.message) s += `: ${JSON.stringify(r.message)}`;
  return s;
}

/** One line for a tunnel-down reason. */
export function describeTunnelDown(r: TunnelDownReason): string {
  switch (r.type) {
    case 'peer-stopccn': return `peer sent StopCCN ${describeResult(r.result, 'stopccn')}`;
    case 'local-close': return `closed by us with StopCCN ${describeResult(r.sent, 'stopccn')}`;
    case 'retransmit-exhausted': return `no acknowledgement from the peer: ${r.messageType} retransmissions exhausted`;
    case 'auth-failed': return `tunnel authentication failed, sent StopCCN ${describeResult(r.sent, 'stopccn')}`;
    case 'version-mismatch': return `peer speaks another protocol version, sent StopCCN ${describeResult(r.sent, 'stopccn')}`;
    case 'peer-violation': return `peer violated the protocol, sent StopCCN ${describeResult(r.sent, 'stopccn')}`;
  }
}

/** One line for a session-down reason. */
export function describeSessionDown(r: SessionDownReason): string {
  switch (r.type) {
    case 'peer-cdn': return `peer sent CDN ${describeResult(r.result, 'cdn')}`;
    case 'local-close': return `closed by us with CDN ${describeResult(r.sent, 'cdn')}`;
    case 'refused': return `peer's call refused, sent CDN ${describeResult(r.sent, 'cdn')}`;
    case 'peer-violation': return `peer violated the protocol, sent CDN ${describeResult(r.sent, 'cdn')}`;
    case 'tunnel-down': return 'its tunnel went down';
  }
}
