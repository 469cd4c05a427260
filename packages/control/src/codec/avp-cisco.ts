/**
 * Cisco's draft-era L2TPv3 AVPs (vendor id 9), which Cisco IOS sends beside the RFC 3931 ones,
 * several with the M bit set: a peer that did not recognise them would have to clear the control
 * connection or session (RFC 3931 §5.2), so they are decoded like IETF AVPs. Types and names as
 * Wireshark's L2TP dissector gives them; each mirrors the RFC 3931 AVP named beside it, with the same
 * value layout. We never send them (`mandatory` is only the bit we would send: false).
 */

/** Vendor id of Cisco Systems (SMI Network Management Private Enterprise Code 9). */
export const VENDOR_CISCO = 9;

const cisco = <K extends string>(kind: K, type: number, length?: number) =>
  ({ type, kind, mandatory: false, vendorId: VENDOR_CISCO, ...(length !== undefined && { length }) }) as const;

/** Cisco vendor-9 AVPs, keyed by the name used in decoded messages. */
export const CISCO_AVP = {
  /** Mirrors Assigned Control Connection ID (61). */
  ciscoAssignedConnectionId: cisco('u32', 1, 4),
  /** Mirrors Pseudowire Capabilities List (62). */
  ciscoPwCapabilityList: cisco('pw-list', 2),
  /** Mirrors Local Session ID (63). */
  ciscoLocalSessionId: cisco('u32', 3, 4),
  /** Mirrors Remote Session ID (64). */
  ciscoRemoteSessionId: cisco('u32', 4, 4),
  /** Mirrors Assigned Cookie (65). */
  ciscoAssignedCookie: cisco('cookie', 5),
  /** Mirrors Remote End ID (66). */
  ciscoRemoteEndId: cisco('bytes', 6),
  /** Mirrors Pseudowire Type (68). */
  ciscoPwType: cisco('u16', 7, 2),
  /** Mirrors Circuit Status (71). */
  ciscoCircuitStatus: cisco('circuit-status', 8, 2),
  /** Mirrors the Session Tie Breaker (5 in ICRQ/OCRQ). */
  ciscoSessionTieBreaker: cisco('bytes', 9, 8),
  /** The draft revision of the AVP set Cisco speaks (1 in the capture). */
  ciscoDraftAvpVersion: cisco('u16', 10, 2),
  /** Mirrors Message Digest (59); kept as bytes: the draft's layout is not documented. */
  ciscoMessageDigest: cisco('bytes', 12),
  /** Mirrors Control Message Authentication Nonce (73). */
  ciscoAuthNonce: cisco('bytes', 13),
  /** The attachment circuit's MTU (octets). */
  ciscoInterfaceMtu: cisco('u16', 14, 2),
} as const;
