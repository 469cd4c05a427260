/**
 * Control connection authentication.
 *
 * L2TPv2 Challenge Response (RFC 2661 §4.4.3, §5.1.1): MD5(Message Type octet + secret +
 * challenge), where the octet is the type of the message that carries the response (2 for SCCRP,
 * 3 for SCCCN).
 *
 * L2TPv3 Message Digest (RFC 3931 §4.3, §5.4.1): shared_key = HMAC-MD5(secret, 0x02); digest =
 * HMAC(shared_key, local nonce + remote nonce + whole message with the digest field zeroed). Digest
 * type 0 is HMAC-MD5 (16 bytes, MUST), 1 is HMAC-SHA-1 (20 bytes); the RFC's prose that says
 * "type 1 (HMAC-MD5)" contradicts its own type definitions, which we follow.
 */
import type { Hmac, Md5 } from './types.js';

/** The Challenge Response value for a challenge, sent in the message of type `messageType`. */
export function challengeResponse(messageType: number, secret: Uint8Array, challenge: Uint8Array, md5: Md5): Uint8Array {
  return md5(new Uint8Array([messageType & 0xff]), secret, challenge);
}

/** Constant-time comparison of two byte strings of equal length. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** HMAC algorithm of a Message Digest AVP's digest type (RFC 3931 §5.4.1). */
export const DIGEST_ALGORITHM = { 0: 'md5', 1: 'sha1' } as const;

/** Digest length in bytes per digest type. */
export const DIGEST_LENGTH = { 0: 16, 1: 20 } as const;

/** The key the digests are computed with: HMAC-MD5(secret, 0x02) (RFC 3931 §4.3). */
export function sharedKey(secret: Uint8Array, hmac: Hmac): Uint8Array {
  return hmac('md5', secret, new Uint8Array([2]));
}

/**
 * The v3 Message Digest of `message` (the encoded control message, its digest field zeroed):
 * HMAC(shared_key(secret), localNonce + remoteNonce + message). An SCCRQ has no nonces yet.
 */
export function messageDigest(
  digestType: 0 | 1, secret: Uint8Array, message: Uint8Array, hmac: Hmac, nonces: { local?: Uint8Array; peer?: Uint8Array } = {},
): Uint8Array {
  const key = sharedKey(secret, hmac);
  return hmac(DIGEST_ALGORITHM[digestType], key, nonces.local ?? new Uint8Array(0), nonces.peer ?? new Uint8Array(0), message);
}

/**
 * Checks a received v3 digest, accepting either of two secrets so that a secret can be rolled
 * over without dropping the tunnel (RFC 3931 §4.3 allows several shared secrets).
 */
export function verifyMessageDigest(
  digestType: 0 | 1, digest: Uint8Array, zeroedMessage: Uint8Array, secrets: readonly Uint8Array[], hmac: Hmac,
  nonces: { local?: Uint8Array; peer?: Uint8Array } = {},
): boolean {
  return secrets.some((s) => sameBytes(messageDigest(digestType, s, zeroedMessage, hmac, nonces), digest));
}
