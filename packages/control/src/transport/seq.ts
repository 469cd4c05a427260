/**
 * 16-bit serial-number arithmetic for the control channel's Ns and Nr (RFC 2661 §5.8, RFC 3931 §4.2).
 *
 * Ns and Nr wrap modulo 2^16. RFC 2661 §5.8: "less than or equal" means the value lies within the
 * previous 32767 values, so with a last value of 15, both 0..15 and 32784..65535 count as before it.
 */

/** The modulus of Ns and Nr. */
export const SEQ_MOD = 0x1_0000;

/** The sequence number that follows `seq`, wrapping at 2^16. */
export const seqNext = (seq: number): number => (seq + 1) & 0xffff;

/** How far `to` is ahead of `from` in serial order, in 0..65535 (`to - from` modulo 2^16). */
export const seqDistance = (from: number, to: number): number => (to - from) & 0xffff;

/** True when `a` precedes `b` in 16-bit serial order (the difference `b - a` is in 1..32767). */
export const seqBefore = (a: number, b: number): boolean => {
  const delta = seqDistance(a, b);
  return delta !== 0 && delta < 0x8000;
};
