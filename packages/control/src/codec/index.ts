/**
 * The L2TP wire layer (RFC 2661, RFC 3931): pure functions from bytes to typed messages and back.
 * Imports nothing from `node:*`; MD5/HMAC and randomness are passed in by the caller.
 *
 * Entry points: {@link decodeDatagram} / {@link decodeMessage} (never throw: results carry a
 * {@link DecodeError} with the Result/Error Code to answer), {@link encodeMessage}, {@link encodeZlb},
 * {@link withNr} (retransmissions), {@link challengeResponse}, {@link hideAvpValue} /
 * {@link unhideAvpValue}, {@link signMessage} / {@link verifyMessage} (v3 Message Digest); the tables: {@link AVP}
 * (one row per AVP, Cisco's vendor-9 ones included), {@link MESSAGES} (one entry per message type), {@link AVP_HEADER_RULES} and the
 * Result/Error Codes ({@link StopCcnResult}, {@link CdnResult}, {@link ErrorCode}, {@link describeResult}).
 */
export * from './types.js';
export { AVP, AVP_BY_KEY, AVP_BY_TYPE, avpKey, type AvpKind, type AvpName, type AvpSpec } from './avp-table.js';
export {
  AVP_HEADER_RULES, AVP_HEADER_LENGTH, H_BIT, LENGTH_MASK, M_BIT, RESERVED_BITS, avpHeaderVerdict, avpValueVerdict,
  type AvpHeaderFacts, type AvpVerdict,
} from './avp-header.js';
export { decodeValue, encodeValue, MalformedValue, type AvpKindValue, type MessageDigestValue } from './values.js';
export { CONTROL_HEADER_LENGTH, decodeHeader, encodeZlb, withNr, type DataPacketInfo, type HeaderRead } from './header.js';
export { hideAvpValue, unhideAvpValue } from './hidden.js';
export { challengeResponse, sameBytes } from './auth.js';
export {
  findDigests, sharedKey, signMessage, verifyMessage, DigestType, DIGEST_ALGORITHM, DIGEST_LENGTH,
  type DigestCheck, type DigestFailure, type DigestField, type DigestNonces, type DigestTypeCode,
} from './digest.js';
export { CISCO_AVP, VENDOR_CISCO } from './avp-cisco.js';
export type { WireAvp } from './layout.js';
export {
  MESSAGES, REQUIRED_V2, REQUIRED_V3, SESSION_MESSAGES, NEVER_HIDE_IN, fieldAvps, messageFields, messageSpec,
  type FieldSpec, type MessageSpec,
} from './message-spec.js';
export {
  CDN_RESULT_TEXT, CdnResult, ERROR_CODE_TEXT, ErrorCode, STOPCCN_RESULT_TEXT, StopCcnResult, describeResult,
} from './result-codes.js';
export {
  decodeDatagram, decodeMessage, encodeMessage,
  type AvpValues, type ControlMessage, type DecodeOptions, type EncodeOptions, type OutgoingMessage, type Packet,
} from './message.js';
