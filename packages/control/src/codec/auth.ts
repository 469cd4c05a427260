/**
 * Control connection authentication.
 *
 * L2TPv2 Challenge Response (RFC 2661 §4.4.3, §5.1.1): MD5(Message Type octet + secret +
 * challenge), where the octet is the type of the message that carries the response (2 for SCCRP,
 * 3 for SCCCN).
 *
 * The L2TPv3 Message Digest (RFC 3931 §4.3, §5.4.1) is digest.ts.
 */
import type { Md5 } from './types.js';

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
