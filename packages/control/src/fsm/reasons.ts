/**
 * Log text for why a tunnel or session went down, with the RFC 2661 §4.4.2 result and error codes
 * spelled out from the one table (codec/result-codes.ts), so an operator reading the journal knows
 * whose fault it was. Each line says what actually happened: a peer that answered with StopCCN is
 * never reported as silent.
 */
import { describeResult } from '../codec/result-codes.js';
import type { SessionDownReason, TunnelDownReason } from './types.js';

/** One line for a tunnel-down reason. */
export function describeTunnelDown(r: TunnelDownReason): string {
  switch (r.type) {
    case 'peer-stopccn': return `peer sent StopCCN ${describeResult(r.result, 'stopccn')}`;
    case 'local-close': return `closed by us with StopCCN ${describeResult(r.sent, 'stopccn')}`;
    case 'retransmit-exhausted': return `no acknowledgement from the peer: ${r.messageType} retransmissions exhausted`;
    case 'auth-failed': return `tunnel authentication failed, sent StopCCN ${describeResult(r.sent, 'stopccn')}`;
    case 'version-mismatch': return `peer speaks another protocol version, sent StopCCN ${describeResult(r.sent, 'stopccn')}`;
    case 'peer-violation': return `peer violated the protocol, sent StopCCN ${describeResult(r.sent, 'stopccn')}`;
    case 'refused': return `peer's SCCRQ refused, sent StopCCN ${describeResult(r.sent, 'stopccn')}`;
    case 'superseded': return 'the peer restarted and opened a new tunnel from the same address and tunnel id';
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
