/**
 * Hidden AVPs (RFC 2661 §4.3): the value becomes Original Length (2) + Original Value + padding,
 * XORed with an MD5 keystream: b1 = MD5(Attribute Type + secret + Random Vector), then
 * bi = MD5(secret + c(i-1)) over 16-byte chunks. The Random Vector is the message's most recent
 * Random Vector AVP before the hidden one. MD5 and padding bytes are passed in (no node:crypto here).
 */
import type { Md5 } from './types.js';

const CHUNK = 16;

function keystreamXor(input: Uint8Array, attrType: number, secret: Uint8Array, randomVector: Uint8Array, md5: Md5, decrypt: boolean): Uint8Array {
  const out = new Uint8Array(input.length);
  const at = new Uint8Array([attrType >> 8, attrType & 0xff]);
  let prevCipher: Uint8Array | undefined;
  for (let i = 0; i < input.length; i += CHUNK) {
    const b = prevCipher === undefined ? md5(at, secret, randomVector) : md5(secret, prevCipher);
    const end = Math.min(i + CHUNK, input.length);
    for (let j = i; j < end; j++) out[j] = input[j]! ^ b[j - i]!;
    // The next key block chains on the ciphertext, which is the input when decrypting.
    prevCipher = decrypt ? input.subarray(i, end) : out.subarray(i, end);
  }
  return out;
}

/**
 * Hides `value` of AVP type `attrType`. `padding` (any length, e.g. random bytes up to the next
 * 16-byte boundary) is appended to obscure the real length.
 */
export function hideAvpValue(value: Uint8Array, attrType: number, secret: Uint8Array, randomVector: Uint8Array, md5: Md5, padding: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (value.length > 0xffff) throw new RangeError('hidden AVP value longer than 65535 bytes');
  const plain = new Uint8Array(2 + value.length + padding.length);
  plain[0] = value.length >> 8;
  plain[1] = value.length & 0xff;
  plain.set(value, 2);
  plain.set(padding, 2 + value.length);
  return keystreamXor(plain, attrType, secret, randomVector, md5, false);
}

/**
 * Recovers a hidden value, or a reason it is malformed. The Original Length is bounded by what
 * the AVP carries (a lying length must not read past it); trailing bytes are padding.
 */
export function unhideAvpValue(hidden: Uint8Array, attrType: number, secret: Uint8Array, randomVector: Uint8Array, md5: Md5): Uint8Array | string {
  if (hidden.length < 2) return `hidden value of ${hidden.length} bytes has no Original Length`;
  const plain = keystreamXor(hidden, attrType, secret, randomVector, md5, true);
  const length = (plain[0]! << 8) | plain[1]!;
  if (length > plain.length - 2) return `Original Length ${length} exceeds the ${plain.length - 2} bytes hidden (wrong secret?)`;
  return plain.slice(2, 2 + length);
}
