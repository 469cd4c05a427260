/**
 * The AVP table: ONE row per AVP of RFC 2661 §4.4 (types 0-39) and RFC 3931 §5.4 (types 58-75),
 * IETF vendor id 0. Encoding, decoding, hiding and message validation are all derived from it; no
 * AVP is special-cased elsewhere. `mandatory` is the M bit we send (RFC 2661 §4.4 per AVP);
 * `hide` marks the AVPs `hide_avps` hides (call-identifying data, RFC 2661 §4.3); `neverHidden`
 * the ones that MUST NOT be hidden (Message Type and Random Vector, §4.3; Result Code, §4.4.2;
 * Receive Window Size and Tie Breaker, whose hiding breaks interoperability; v3 Message Digest and
 * Nonce, RFC 3931 §5.3). Cisco's vendor-9 AVPs (avp-cisco.ts) are rows too, with their `vendorId`.
 */
import { CISCO_AVP } from './avp-cisco.js';

/** How an AVP's value is laid out. */
export type AvpKind =
  | 'u16' | 'u32' | 'u64' | 'string' | 'bytes' | 'empty' | 'result-code' | 'protocol-version' | 'q931-cause'
  | 'call-errors' | 'accm' | 'proxy-authen-id' | 'pw-list' | 'circuit-status' | 'message-digest' | 'cookie';

/** One row of the table. */
export interface AvpSpec {
  readonly type: number;
  /** Vendor id (RFC 2661 §4.1); absent for the IETF's 0. */
  readonly vendorId?: number;
  readonly kind: AvpKind;
  readonly mandatory: boolean;
  /** Fixed value length in bytes, when the RFC fixes one. */
  readonly length?: number;
  readonly hide?: true;
  readonly neverHidden?: true;
}

type Extra = Partial<Omit<AvpSpec, 'kind' | 'type'>>;
const row = <K extends AvpKind>(kind: K, type: number, mandatory: boolean, extra: Extra) => ({ ...extra, type, kind, mandatory });
const u16 = (type: number, mandatory = true, extra: Extra = {}) => row('u16', type, mandatory, { length: 2, ...extra });
const u32 = (type: number, mandatory = true, extra: Extra = {}) => row('u32', type, mandatory, { length: 4, ...extra });
const str = (type: number, mandatory = true, extra: Extra = {}) => row('string', type, mandatory, extra);
const bytes = (type: number, mandatory = true, extra: Extra = {}) => row('bytes', type, mandatory, extra);

/** Every IETF AVP, keyed by the camelCase name used in decoded messages. */
export const AVP = {
  // RFC 2661 §4.4.1 (and RFC 3931 §5.4.1)
  messageType: u16(0, true, { neverHidden: true }),
  randomVector: bytes(36, true, { neverHidden: true }),
  // RFC 2661 §4.4.2 - §4.4.3: result and control connection management
  resultCode: { type: 1, kind: 'result-code', mandatory: true, neverHidden: true },
  protocolVersion: { type: 2, kind: 'protocol-version', mandatory: true, length: 2 },
  framingCapabilities: u32(3),
  bearerCapabilities: u32(4),
  tieBreaker: bytes(5, false, { length: 8, neverHidden: true }),
  firmwareRevision: u16(6, false),
  hostName: str(7),
  vendorName: str(8, false),
  assignedTunnelId: u16(9, true, { hide: true }),
  receiveWindowSize: u16(10, true, { neverHidden: true }),
  challenge: bytes(11),
  challengeResponse: bytes(13, true, { length: 16 }),
  // RFC 2661 §4.4.4 - §4.4.5: call management and proxy LCP/authentication
  q931CauseCode: { type: 12, kind: 'q931-cause', mandatory: true },
  assignedSessionId: u16(14, true, { hide: true }),
  callSerialNumber: u32(15, true, { hide: true }),
  minimumBps: u32(16),
  maximumBps: u32(17),
  bearerType: u32(18),
  framingType: u32(19),
  calledNumber: str(21, true, { hide: true }),
  callingNumber: str(22, true, { hide: true }),
  subAddress: str(23, true, { hide: true }),
  txConnectSpeed: u32(24),
  physicalChannelId: u32(25, false, { hide: true }),
  initialReceivedLcpConfreq: bytes(26, false, { hide: true }),
  lastSentLcpConfreq: bytes(27, false, { hide: true }),
  lastReceivedLcpConfreq: bytes(28, false, { hide: true }),
  proxyAuthenType: u16(29, false, { hide: true }),
  proxyAuthenName: str(30, false, { hide: true }),
  proxyAuthenChallenge: bytes(31, false, { hide: true }),
  proxyAuthenId: { type: 32, kind: 'proxy-authen-id', mandatory: false, length: 2, hide: true },
  proxyAuthenResponse: bytes(33, false, { hide: true }),
  // RFC 2661 §4.4.6: call status
  callErrors: { type: 34, kind: 'call-errors', mandatory: true, length: 26 },
  accm: { type: 35, kind: 'accm', mandatory: true, length: 10 },
  privateGroupId: bytes(37, false, { hide: true }),
  rxConnectSpeed: u32(38, false),
  sequencingRequired: { type: 39, kind: 'empty', mandatory: true, length: 0 },
  // RFC 3931 §5.4. Type 5 (tieBreaker) is the Control Connection Tie Breaker in a v3 SCCRQ and the
  // Session Tie Breaker in ICRQ/OCRQ (§5.4.3, §5.4.4): 8 octets, the lower value wins.
  extendedVendorId: u32(58, false),
  messageDigest: { type: 59, kind: 'message-digest', mandatory: true, neverHidden: true },
  routerId: u32(60),
  assignedConnectionId: u32(61, true, { hide: true }),
  pwCapabilityList: { type: 62, kind: 'pw-list', mandatory: true },
  localSessionId: u32(63, true, { hide: true }),
  remoteSessionId: u32(64, true, { hide: true }),
  assignedCookie: { type: 65, kind: 'cookie', mandatory: true, hide: true },
  remoteEndId: bytes(66, true, { hide: true }),
  pwType: u16(68),
  l2SpecificSublayer: u16(69),
  dataSequencing: u16(70),
  circuitStatus: { type: 71, kind: 'circuit-status', mandatory: true, length: 2 },
  preferredLanguage: str(72, false),
  controlMessageAuthNonce: bytes(73, true, { neverHidden: true }),
  txConnectSpeedV3: { type: 74, kind: 'u64', mandatory: false, length: 8 },
  rxConnectSpeedV3: { type: 75, kind: 'u64', mandatory: false, length: 8 },
  ...CISCO_AVP,
} as const satisfies Record<string, AvpSpec>;

/** An AVP name (`'hostName'`). */
export type AvpName = keyof typeof AVP;

/** Table rows by IETF attribute type (vendor id 0). */
export const AVP_BY_TYPE: ReadonlyMap<number, readonly [AvpName, AvpSpec]> = new Map(
  (Object.entries(AVP) as [AvpName, AvpSpec][]).filter(([, spec]) => (spec.vendorId ?? 0) === 0)
    .map(([name, spec]) => [spec.type, [name, spec] as const]),
);

/** The key of {@link AVP_BY_KEY}: vendor id and attribute type in one number. */
export const avpKey = (vendorId: number, attrType: number): number => vendorId * 0x10000 + attrType;

/** Table rows of every vendor by {@link avpKey}. */
export const AVP_BY_KEY: ReadonlyMap<number, readonly [AvpName, AvpSpec]> = new Map(
  (Object.entries(AVP) as [AvpName, AvpSpec][]).map(([name, spec]) => [avpKey(spec.vendorId ?? 0, spec.type), [name, spec] as const]),
);
