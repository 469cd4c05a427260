/**
 * Log text for why a tunnel or session went down: the control package's one Result/Error Code table
 * (RFC 2661 §4.4.2) spelled out, shared by every daemon; and the warning for an ignored control message.
 */
import type { ContextEvents } from '@l2tp/control';
import type { Logger } from '@l2tp/daemon';

export { describeResult, describeSessionDown, describeTunnelDown } from '@l2tp/control';

const IGNORED: Readonly<Record<ContextEvents['message-ignored']['reason'], string>> = {
  'unknown-session': 'it is for a call this tunnel does not hold',
  'unreadable-session': 'its call id could not be read (a hidden AVP and no shared secret?)',
  'unrecognized-type': 'its message type is not recognized and its M bit is clear (RFC 2661 §4.4.1)',
};

/**
 * Logs a `message-ignored` event at warn. The engine raises it for the 1st, 2nd, 4th, 8th ...
 * such message of a tunnel, so a peer repeating one cannot flood the log; every one is counted
 * in the tunnel's `control.ignored` (status, `l2tp_tunnel_control_ignored_total`).
 */
export function logIgnored(log: Logger, e: ContextEvents['message-ignored']): void {
  log.warn({ session_id: e.sessionId, message_type: e.messageType, reason: e.reason, ignored: e.count, peer: `${e.tunnel.peer.address}:${e.tunnel.peer.port}` },
    `control message acknowledged and ignored: ${IGNORED[e.reason]} (${e.count} on this tunnel so far)`);
}
