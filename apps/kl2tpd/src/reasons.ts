/**
 * Log text for why a tunnel or session went down: the control package's one Result/Error Code table
 * (RFC 2661 §4.4.2) spelled out, shared by every daemon.
 */
export { describeResult, describeSessionDown, describeTunnelDown } from '@l2tp/control';
