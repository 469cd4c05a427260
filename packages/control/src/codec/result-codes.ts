/**
 * The Result Code AVP vocabulary (RFC 2661 §4.4.2; RFC 3931 §5.4.2 keeps the same numbers and adds
 * its own): StopCCN and CDN result codes and the General Error Codes, each with the RFC's wording.
 * ONE table: the codec answers decode failures with these codes, the state machines send them, and
 * the daemons' log lines spell them out with {@link describeResult}.
 */
import type { ResultCodeValue } from './types.js';

/** StopCCN result codes (RFC 2661 §4.4.2). */
export const StopCcnResult = {
  GENERAL_CLEAR: 1, GENERAL_ERROR: 2, CHANNEL_EXISTS: 3, NOT_AUTHORIZED: 4, UNSUPPORTED_VERSION: 5,
  SHUTTING_DOWN: 6, FSM_ERROR: 7,
} as const;

/** CDN result codes (RFC 2661 §4.4.2). */
export const CdnResult = {
  LOST_CARRIER: 1, GENERAL_ERROR: 2, ADMIN: 3, TEMPORARY_NO_FACILITIES: 4, PERMANENT_NO_FACILITIES: 5,
  INVALID_DESTINATION: 6, NO_CARRIER: 7, BUSY: 8, NO_DIAL_TONE: 9, TIMEOUT: 10, NO_FRAMING: 11,
} as const;

/** General Error Codes carried with result 2 (RFC 2661 §4.4.2). */
export const ErrorCode = {
  NO_ERROR: 0, NO_CONTROL_CONNECTION: 1, BAD_LENGTH: 2, BAD_VALUE: 3, NO_RESOURCES: 4, BAD_SESSION_ID: 5,
  VENDOR_SPECIFIC: 6, TRY_ANOTHER: 7, UNKNOWN_MANDATORY_AVP: 8,
} as const;

/** The RFC's text of each StopCCN result code. */
export const STOPCCN_RESULT_TEXT: Readonly<Record<number, string>> = {
  1: 'general request to clear control connection',
  2: 'general error',
  3: 'control channel already exists',
  4: 'requester is not authorized to establish a control channel',
  5: 'protocol version not supported',
  6: 'requester is being shut down',
  7: 'finite state machine error',
};

/** The RFC's text of each CDN result code. */
export const CDN_RESULT_TEXT: Readonly<Record<number, string>> = {
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

/** The RFC's text of each General Error Code. */
export const ERROR_CODE_TEXT: Readonly<Record<number, string>> = {
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

/**
 * One line for a Result Code AVP value: `result 4 (requester is not authorized ...), error 3 (...): "text"`.
 * `table` says which message carried it (the result numbers mean different things in StopCCN and CDN).
 */
export function describeResult(r: ResultCodeValue, table: 'stopccn' | 'cdn'): string {
  const names = table === 'stopccn' ? STOPCCN_RESULT_TEXT : CDN_RESULT_TEXT;
  let s = `result ${r.result} (${names[r.result] ?? 'unknown'})`;
  // RFC 2661 §4.4.2: with StopCCN result 5 the Error Code is the highest version the sender supports.
  if (table === 'stopccn' && r.result === 5 && r.error !== undefined) s += `, highest version supported ${r.error >> 8}.${r.error & 0xff}`;
  else if (r.error !== undefined && r.error !== 0) s += `, error ${r.error} (${ERROR_CODE_TEXT[r.error] ?? 'unknown'})`;
  if (r.message) s += `: ${JSON.stringify(r.message)}`;
  return s;
}
