/**
 * Semantic drop filters for SimNet (pion's `dropNextCookieEchoChunk`): match datagrams by the L2TP
 * message type they carry, decoded with the real codec. Hidden AVPs do not matter: the Message Type
 * AVP is never hidden (RFC 2661 §4.3).
 */
import { MESSAGE_TYPE_NAME, decodeMessage, type MessageTypeName } from '../codec/index.js';

/** The message type of a control datagram, `'ZLB'` for an acknowledgement, `undefined` for anything else. */
export function messageTypeOf(bytes: Uint8Array): MessageTypeName | 'ZLB' | undefined {
  const p = decodeMessage(bytes);
  if (p.ok) return p.value.kind === 'control' ? p.value.message.type : p.value.kind === 'zlb' ? 'ZLB' : undefined;
  const code = p.error.messageType;
  return code === undefined ? undefined : MESSAGE_TYPE_NAME.get(code);
}

/** A SimNet drop predicate matching datagrams of these message types (`'ZLB'` for acknowledgements). */
export function matchMessageType(...types: (MessageTypeName | 'ZLB')[]): (bytes: Uint8Array) => boolean {
  const want = new Set(types);
  return (bytes) => {
    const t = messageTypeOf(bytes);
    return t !== undefined && want.has(t);
  };
}
