/**
 * The AVP header (RFC 2661 §4.1, RFC 3931 §5.1) and the rules for receiving one, as a table:
 * ```
 *  |M|H| rsvd  |      Length       |           Vendor ID           |
 *  |         Attribute Type        |        Attribute Value...
 * ```
 * What the RFCs say, row by row (first match wins, {@link AVP_HEADER_RULES}):
 * 1. Length below 6, or past the end of the message: the rest cannot be parsed (RFC 2661 §4.1,
 *    "Length ... minimum of 6"); the message is refused with Result 2, Error 2 (wrong length).
 * 2. H set on an AVP that MUST NOT be hidden (Message Type, Random Vector, Result Code ...,
 *    RFC 2661 §4.3, §4.4.2; RFC 3931 §5.3): M set → refused, Error 3; M clear → ignored (an AVP
 *    that cannot be processed without M is ignored, RFC 2661 §4.1).
 * 3. L2TPv2 only: a reserved bit set makes the AVP unrecognized (RFC 2661 §4.1: "If any of the
 *    reserved bits are set, the AVP MUST be treated as unrecognized"). L2TPv3 ignores them on
 *    receipt (RFC 3931 §5.1).
 * 4. Unrecognized (a vendor id or attribute type we do not know): M set → the session or control
 *    connection is cleared, Error 8; M clear → the AVP is ignored (RFC 2661 §4.1, RFC 3931 §5.1).
 * 5. Hidden and recognized: it must be unhidden first (RFC 2661 §4.3). When it cannot be (no
 *    secret, no Random Vector before it, a corrupt Original Length) and M is clear it is ignored;
 *    with M set the message is refused (Error 6 without a secret, Error 3 otherwise).
 * 6. Recognized, value malformed: M set → refused (Error 2 for a fixed-length AVP, 3 otherwise);
 *    M clear → ignored like an unrecognized AVP.
 * Whether a refusal costs a session (CDN) or the control connection (StopCCN) is the message's
 * scope (message-spec.ts), not the AVP's.
 */
import { ErrorCode } from './result-codes.js';
import type { DecodeErrorCode } from './types.js';

/** Mandatory bit. */
export const M_BIT = 0x8000;
/** Hidden bit (RFC 2661 §4.3). */
export const H_BIT = 0x4000;
/** The four reserved bits. */
export const RESERVED_BITS = 0x3c00;
/** The 10-bit Length field: the whole AVP, header included, so at most 1023 bytes. */
export const LENGTH_MASK = 0x03ff;
/** Bytes of an AVP header. */
export const AVP_HEADER_LENGTH = 6;

/** What the decoder does with one AVP. */
export type AvpVerdict =
  | { readonly act: 'use' }
  /** Recognized and hidden: unhide, then apply the value rules. */
  | { readonly act: 'unhide' }
  /** Ignore the AVP (kept raw in `unknownAvps`). */
  | { readonly act: 'skip' }
  /** Refuse the message with Result 2 and this error code. */
  | { readonly act: 'refuse'; readonly code: DecodeErrorCode; readonly error: number };

/** The facts of an AVP header the rules read. */
export interface AvpHeaderFacts {
  readonly version: 2 | 3;
  readonly mandatory: boolean;
  readonly hidden: boolean;
  /** Any of the four reserved bits set. */
  readonly reserved: boolean;
  /** Length ≥ 6 and within the message. */
  readonly lengthOk: boolean;
  /** The (vendor id, attribute type) is in the AVP table. */
  readonly recognized: boolean;
  /** The table says this AVP MUST NOT be hidden. */
  readonly neverHidden: boolean;
}

const USE: AvpVerdict = { act: 'use' };
const UNHIDE: AvpVerdict = { act: 'unhide' };
const SKIP: AvpVerdict = { act: 'skip' };
const refuse = (code: DecodeErrorCode, error: number): AvpVerdict => ({ act: 'refuse', code, error });
const unrecognized = (f: AvpHeaderFacts): AvpVerdict =>
  (f.mandatory ? refuse('unknown-mandatory-avp', ErrorCode.UNKNOWN_MANDATORY_AVP) : SKIP);

/** The header rules in RFC order (see the file header); the first row whose `when` holds decides. */
export const AVP_HEADER_RULES: readonly { readonly rfc: string; readonly when: (f: AvpHeaderFacts) => boolean; readonly verdict: (f: AvpHeaderFacts) => AvpVerdict }[] = [
  { rfc: 'RFC 2661 §4.1 Length', when: (f) => !f.lengthOk, verdict: () => refuse('bad-avp-length', ErrorCode.BAD_LENGTH) },
  // With M clear it is an AVP we cannot process: ignored like any other (RFC 2661 §4.1), not a reason to clear.
  { rfc: 'RFC 2661 §4.3', when: (f) => f.hidden && f.recognized && f.neverHidden, verdict: (f) => (f.mandatory ? refuse('bad-hidden-avp', ErrorCode.BAD_VALUE) : SKIP) },
  { rfc: 'RFC 2661 §4.1 Reserved', when: (f) => f.version === 2 && f.reserved, verdict: unrecognized },
  { rfc: 'RFC 2661 §4.1 M bit, RFC 3931 §5.1', when: (f) => !f.recognized, verdict: unrecognized },
  { rfc: 'RFC 2661 §4.3 H bit', when: (f) => f.hidden, verdict: () => UNHIDE },
  { rfc: 'RFC 2661 §4.1', when: () => true, verdict: () => USE },
];

function rule(f: AvpHeaderFacts): AvpVerdict {
  for (const r of AVP_HEADER_RULES) if (r.when(f)) return r.verdict(f);
  return USE;
}

/** Every combination of the facts, precomputed once: the decoder looks its verdict up by bits. */
const TABLE: readonly AvpVerdict[] = Array.from({ length: 128 }, (_, i) => rule({
  version: i & 1 ? 3 : 2, mandatory: (i & 2) !== 0, hidden: (i & 4) !== 0, reserved: (i & 8) !== 0,
  lengthOk: (i & 16) !== 0, recognized: (i & 32) !== 0, neverHidden: (i & 64) !== 0,
}));

/** The verdict for an AVP header (the rules of the file header, by table lookup). */
export function avpHeaderVerdict(f: AvpHeaderFacts): AvpVerdict {
  return TABLE[(f.version === 3 ? 1 : 0) | (f.mandatory ? 2 : 0) | (f.hidden ? 4 : 0) | (f.reserved ? 8 : 0)
    | (f.lengthOk ? 16 : 0) | (f.recognized ? 32 : 0) | (f.neverHidden ? 64 : 0)]!;
}

/** The verdict from raw header bits (the decoder's fast path; same table). */
export function avpVerdictOf(version: 2 | 3, flags: number, lengthOk: boolean, recognized: boolean, neverHidden: boolean): AvpVerdict {
  return TABLE[(version === 3 ? 1 : 0) | ((flags & M_BIT) !== 0 ? 2 : 0) | ((flags & H_BIT) !== 0 ? 4 : 0)
    | ((flags & RESERVED_BITS) !== 0 ? 8 : 0) | (lengthOk ? 16 : 0) | (recognized ? 32 : 0) | (neverHidden ? 64 : 0)]!;
}

/**
 * The verdict after a recognized AVP's value could not be used (rules 5 and 6): `unhide` failures
 * and malformed values are ignored without M, refused with it.
 */
export function avpValueVerdict(mandatory: boolean, failure: 'no-secret' | 'no-random-vector' | 'bad-hidden' | 'malformed', fixedLength: boolean): AvpVerdict {
  if (!mandatory) return SKIP;
  switch (failure) {
    case 'no-secret': return refuse('hidden-without-secret', ErrorCode.VENDOR_SPECIFIC);
    case 'no-random-vector': return refuse('hidden-without-random-vector', ErrorCode.BAD_VALUE);
    case 'bad-hidden': return refuse('bad-hidden-avp', ErrorCode.BAD_VALUE);
    case 'malformed': return refuse('bad-avp-value', fixedLength ? ErrorCode.BAD_LENGTH : ErrorCode.BAD_VALUE);
  }
}

/** Writes an AVP header at `out[at]`. */
export function writeAvpHeader(out: Uint8Array, at: number, mandatory: boolean, hidden: boolean, length: number, vendorId: number, type: number, reserved = 0): void {
  const flags = (mandatory ? M_BIT : 0) | (hidden ? H_BIT : 0) | (reserved & RESERVED_BITS) | length;
  out[at] = flags >> 8; out[at + 1] = flags & 0xff;
  out[at + 2] = vendorId >> 8; out[at + 3] = vendorId & 0xff;
  out[at + 4] = type >> 8; out[at + 5] = type & 0xff;
}
