/**
 * Why the LNS refuses a tunnel or a call, and what it answers on the wire: a StopCCN for a
 * control connection, a CDN for a call, with the RFC 2661 §4.4.2 result and error codes and a
 * message naming the reason (the Error Message of the Result Code AVP, which the peer logs).
 * Every refusal is answered, logged with this text and counted under its `reason` label.
 */
import { CdnResult, ErrorCode, StopCcnResult, type ResultCode } from '@l2tp/control';

/** A refusal reason: the metrics label and the key of {@link LNS_REFUSALS}. */
export type LnsRefusalReason =
  | 'not-allowed' | 'rate-limited' | 'max-tunnels' | 'nat-clash' | 'challenge-failed' | 'bad-sccrq'
  | 'bad-call' | 'max-sessions' | 'pool-exhausted';

/** How one refusal is answered and logged. */
export interface LnsRefusal {
  /** StopCCN refuses the control connection; CDN refuses one call. */
  readonly answer: 'StopCCN' | 'CDN';
  /** Result Code AVP contents (RFC 2661 §4.4.2); `message` is the Error Message the peer sees. */
  readonly result: ResultCode;
  /** The log line's explanation for the operator (the peer's address and names are added by the caller). */
  readonly log: string;
}

/**
 * The refusals. Result codes (RFC 2661 §4.4.2): StopCCN 4 "requester is not authorized" for a
 * peer outside `allow` and a failed challenge (RFC 2661 §5.1.1); StopCCN 2 "general error" with
 * error 4 "insufficient resources to handle this operation now" for limits that pass; CDN 4 "lack
 * of appropriate facilities (temporary)" for a call the LNS cannot take now.
 */
export const LNS_REFUSALS: { readonly [R in LnsRefusalReason]: LnsRefusal } = {
  'not-allowed': {
    answer: 'StopCCN',
    result: { result: StopCcnResult.NOT_AUTHORIZED, error: ErrorCode.NO_ERROR, message: 'peer address not allowed' },
    log: 'peer address is outside allow: refused with StopCCN',
  },
  'rate-limited': {
    answer: 'StopCCN',
    result: { result: StopCcnResult.GENERAL_ERROR, error: ErrorCode.NO_RESOURCES, message: 'too many SCCRQs from this address; try again later' },
    log: 'too many SCCRQs from this address (sccrq_limit/sccrq_burst): refused with StopCCN',
  },
  'max-tunnels': {
    answer: 'StopCCN',
    result: { result: StopCcnResult.GENERAL_ERROR, error: ErrorCode.NO_RESOURCES, message: 'tunnel limit reached' },
    log: 'max_tunnels reached: refused with StopCCN',
  },
  'nat-clash': {
    answer: 'StopCCN',
    result: { result: StopCcnResult.GENERAL_ERROR, error: ErrorCode.NO_RESOURCES, message: 'another tunnel uses this address and port; use IKEv2' },
    log: 'another tunnel already comes from this address and port: several L2TP/IPsec clients behind one NAT all arrive as ' +
      '(NAT address, 1701) and the kernel cannot hold two tunnel sockets with one 5-tuple; the first tunnel is kept ' +
      'and probed with a HELLO (if its client has gone, it is cleared within the retransmission cycle and a redial succeeds). ' +
      'Clients behind one NAT need IKEv2 (or plain L2TP without IPsec, where their ports differ)',
  },
  'challenge-failed': {
    answer: 'StopCCN',
    result: { result: StopCcnResult.NOT_AUTHORIZED, error: ErrorCode.NO_ERROR, message: 'challenge response failed' },
    log: 'tunnel authentication failed (wrong Challenge Response: the secrets differ, RFC 2661 §5.1.1): refused with StopCCN',
  },
  // Answered by the engine with the code the protocol checks chose (2/2, 2/3, 2/6, 2/8, 5, 7); this row is what is logged and counted.
  'bad-sccrq': {
    answer: 'StopCCN',
    result: { result: StopCcnResult.GENERAL_ERROR, error: ErrorCode.BAD_VALUE, message: 'malformed SCCRQ' },
    log: 'SCCRQ refused by the protocol checks (RFC 2661 §4.1, §4.4.2): refused with StopCCN',
  },
  // Likewise: a malformed ICRQ/ICCN/session message the engine answered with CDN (RFC 2661 §4.1: that call only, the tunnel stays).
  'bad-call': {
    answer: 'CDN',
    result: { result: CdnResult.GENERAL_ERROR, error: ErrorCode.BAD_VALUE, message: 'malformed call message' },
    log: 'call message refused by the protocol checks (RFC 2661 §4.1, §4.4.2): call refused with CDN',
  },
  'max-sessions': {
    answer: 'CDN',
    result: { result: CdnResult.TEMPORARY_NO_FACILITIES, error: ErrorCode.NO_ERROR, message: 'session limit reached' },
    log: 'max_sessions reached: call refused with CDN',
  },
  'pool-exhausted': {
    answer: 'CDN',
    result: { result: CdnResult.TEMPORARY_NO_FACILITIES, error: ErrorCode.NO_ERROR, message: 'address pool exhausted' },
    log: 'no free address in ip_range: call refused with CDN',
  },
};

/** Every reason, in the order status and metrics list them. */
export const LNS_REFUSAL_REASONS = Object.keys(LNS_REFUSALS) as readonly LnsRefusalReason[];
