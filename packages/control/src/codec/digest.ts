/**
 * L2TPv3 control message authentication (RFC 3931 §4.3, §5.4.1). Both LCCEs put a Control Message
 * Authentication Nonce AVP (73) in SCCRQ/SCCRP; from then on every control message carries a
 * Message Digest AVP (59) right after Message Type:
 * ```
 *   shared_key = HMAC-MD5(secret, 0x02)
 *   digest     = HMAC-<hash>(shared_key, sender's nonce ‖ receiver's nonce ‖ control message)
 * ```
 * where the control message runs from the L2TP header (over IP: after the Session ID word) to its
 * Length, with the digest bytes zeroed (the Digest Type octet stays). An SCCRQ is digested without
 * nonces (only its sender's exists then); so is any message when either nonce is missing, which
 * makes the digest an integrity check only (Wireshark's dissector computes the same). Digest type 0
 * is HMAC-MD5 (16 bytes, MUST), 1 HMAC-SHA-1 (20 bytes, SHOULD); the RFC's sentence calling them
 * "type 1" and "type 2" contradicts its own type table, which we follow.
 *
 * Hashing is injected ({@link Hmac}); nothing here reads a clock or draws random bytes.
 */
import { sameBytes } from './auth.js';
import type { Hmac } from './types.js';

/** Message Digest types (RFC 3931 §5.4.1). */
export const DigestType = { 'hmac-md5': 0, 'hmac-sha1': 1 } as const;
/** A digest type we can compute. */
export type DigestTypeCode = (typeof DigestType)[keyof typeof DigestType];

/** HMAC algorithm per digest type. */
export const DIGEST_ALGORITHM = { 0: 'md5', 1: 'sha1' } as const;

/** Digest length in bytes per digest type. */
export const DIGEST_LENGTH = { 0: 16, 1: 20 } as const;

/**
 * The nonces of a control connection, from the point of view of the LCCE that holds them:
 * `local` is the one it sent, `remote` the one its peer sent (each 1..1017 bytes; RFC 3931 §5.4.3
 * recommends at least 16 random octets).
 */
export interface DigestNonces {
  readonly local?: Uint8Array;
  readonly remote?: Uint8Array;
}

/** Where a Message Digest AVP sits in an encoded control message. */
export interface DigestField {
  readonly digestType: number;
  /** Offset of the first digest byte (after the Digest Type octet), from the L2TP header. */
  readonly at: number;
  readonly length: number;
}

const MESSAGE_DIGEST = 59;
const HEADER = 12;
const SCCRQ = 1;

/** The key the digests are computed with: HMAC-MD5(secret, 0x02) (RFC 3931 §4.3). */
export function sharedKey(secret: Uint8Array, hmac: Hmac): Uint8Array {
  return hmac('md5', secret, new Uint8Array([2]));
}

/**
 * The Message Digest AVPs of `message` (an encoded control message starting at the L2TP header),
 * in order, and its Message Type; undefined when the bytes are not a control message with a Message
 * Type AVP (the decoder reports why). Never throws.
 */
export function findDigests(message: Uint8Array): { messageType: number; fields: DigestField[] } | undefined {
  if (message.length < HEADER + 8) return undefined;
  const length = (message[2]! << 8) | message[3]!;
  if (length > message.length || length < HEADER + 8) return undefined;
  const fields: DigestField[] = [];
  let messageType: number | undefined;
  for (let at = HEADER; at < length;) {
    if (at + 6 > length) return undefined;
    const avpLength = ((message[at]! << 8) | message[at + 1]!) & 0x03ff;
    if (avpLength < 6 || at + avpLength > length) return undefined;
    const vendorId = (message[at + 2]! << 8) | message[at + 3]!;
    const attrType = (message[at + 4]! << 8) | message[at + 5]!;
    if (messageType === undefined) {
      if (vendorId !== 0 || attrType !== 0 || avpLength !== 8) return undefined;
      messageType = (message[at + 6]! << 8) | message[at + 7]!;
    } else if (vendorId === 0 && attrType === MESSAGE_DIGEST && avpLength >= 7) {
      fields.push({ digestType: message[at + 6]!, at: at + 7, length: avpLength - 7 });
    }
    at += avpLength;
  }
  return messageType === undefined ? undefined : { messageType, fields };
}

/** The digest of `message` with `field` zeroed; the nonces only when both exist (see above). */
function compute(
  hmac: Hmac, alg: 'md5' | 'sha1', key: Uint8Array, message: Uint8Array, field: DigestField, first?: Uint8Array, second?: Uint8Array,
): Uint8Array {
  const length = (message[2]! << 8) | message[3]!;
  const zeroed = message.slice(0, length);
  zeroed.fill(0, field.at, field.at + field.length);
  return first !== undefined && second !== undefined ? hmac(alg, key, first, second, zeroed) : hmac(alg, key, zeroed);
}

/**
 * Fills the first Message Digest AVP of `message` (encoded with a zero digest of the right length
 * in place, e.g. `{ digestType: 0, digest: new Uint8Array(16) }`) and returns the signed copy.
 * Throws RangeError when the message has no such AVP or the digest type is not 0 or 1 (our misuse).
 */
export function signMessage(message: Uint8Array, secret: Uint8Array, hmac: Hmac, nonces: DigestNonces = {}): Uint8Array {
  const found = findDigests(message);
  const field = found?.fields[0];
  if (found === undefined || field === undefined) throw new RangeError('signMessage: the message has no Message Digest AVP');
  const alg = DIGEST_ALGORITHM[field.digestType as DigestTypeCode];
  if (alg === undefined || field.length !== DIGEST_LENGTH[field.digestType as DigestTypeCode]) {
    throw new RangeError(`signMessage: digest type ${field.digestType} with ${field.length} bytes`);
  }
  const withNonces = found.messageType !== SCCRQ;
  const digest = compute(hmac, alg, sharedKey(secret, hmac), message, field, withNonces ? nonces.local : undefined, withNonces ? nonces.remote : undefined);
  const out = message.slice();
  out.set(digest, field.at);
  return out;
}

/** Why a received message's digest does not verify. */
export type DigestFailure = 'malformed' | 'no-digest' | 'unsupported-type' | 'mismatch';

/** The outcome of {@link verifyMessage}: which secret verified (its index), or why none did. */
export type DigestCheck = { readonly ok: true; readonly secretIndex: number } | { readonly ok: false; readonly reason: DigestFailure };

/**
 * Verifies a received control message (bytes from the L2TP header) against each of `secrets` in
 * turn, so that a secret can be rolled over without losing the control connection (RFC 3931 §4.3:
 * several shared secrets may be configured). `nonces` are the receiver's own: the sender's nonce
 * (our `remote`) goes first in the hash. The message verifies when any of its Message Digest AVPs
 * of a type we compute matches under any secret; each is computed with its own field zeroed.
 * Never throws; compares in constant time.
 */
export function verifyMessage(message: Uint8Array, secrets: readonly Uint8Array[], hmac: Hmac, nonces: DigestNonces = {}): DigestCheck {
  const found = findDigests(message);
  if (found === undefined) return { ok: false, reason: 'malformed' };
  if (found.fields.length === 0) return { ok: false, reason: 'no-digest' };
  const usable = found.fields.filter((f) => DIGEST_LENGTH[f.digestType as DigestTypeCode] === f.length);
  if (usable.length === 0) return { ok: false, reason: 'unsupported-type' };
  const withNonces = found.messageType !== SCCRQ;
  for (let i = 0; i < secrets.length; i++) {
    const key = sharedKey(secrets[i]!, hmac);
    for (const f of usable) {
      const expected = compute(hmac, DIGEST_ALGORITHM[f.digestType as DigestTypeCode], key, message, f,
        withNonces ? nonces.remote : undefined, withNonces ? nonces.local : undefined);
      if (sameBytes(expected, message.subarray(f.at, f.at + f.length))) return { ok: true, secretIndex: i };
    }
  }
  return { ok: false, reason: 'mismatch' };
}
