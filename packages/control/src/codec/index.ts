/**
 * The L2TP wire layer (RFC 2661, RFC 3931): pure functions from bytes to typed messages and back.
 * Imports nothing from `node:*`; MD5/HMAC and randomness are passed in by the caller.
 *
 * Entry points: {@link decodeDatagram} / {@link decodeMessage} (never throw: results carry a
 * {@link DecodeError} with the Result/Error Code to answer), {@link encodeMessage}, {@link encodeZlb},
 * {@link withNr} (retransmissions), {@link challengeResponse}, {@link hideAvpValue} /
 * {@link unhideAvpValue}, {@link signMessage} / {@link verifyMessage} (v3 Message Digest), and the {@link AVP} table.
 */
export * from './types.js';
export { AVP, AVP_BY_KEY, AVP_BY_TYPE, avpKey, type AvpKind, type AvpName, type AvpSpec } from './avp-table.js';
export { decodeValue, encodeValue, MalformedValue, type AvpKindValue, type MessageDigestValue } from './values.js';
export { CONTROL_HEADER_LENGTH, decodeHeader, encodeZlb, withNr, type DataPacketInfo, type HeaderRead } from './header.js';
export { hideAvpValue, unhideAvpValue } from './hidden.js';
export { challengeResponse, sameBytes } from './auth.js';
export {
  findDigests, sharedKey, signMessage, verifyMessage, DigestType, DIGEST_ALGORITHM, DIGEST_LENGTH,
  type DigestCheck, type DigestFailure, type DigestField, type DigestNonces, type DigestTypeCode,
} from './digest.js';
export { CISCO_AVP, VENDOR_CISCO } from './avp-cisco.js';
export { type WireAvp } from './layout.js';
export { REQUIRED_V2, REQUIRED_V3, SESSION_MESSAGES, NEVER_HIDE_IN } from './message-rules.js';
export {
  decodeDatagram, decodeMessage, encodeMessage,
  type AvpValues, type ControlMessage, type DecodeOptions, type EncodeOptions, type OutgoingMessage, type Packet,
} from './message.js';
