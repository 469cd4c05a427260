/**
 * The message specification: ONE entry per control message type (RFC 2661 §6.1-6.15, RFC 3931
 * §6.1-6.15; research/anchors.md §3.2). Everything the codec and the engine know about a message
 * derives from its entry:
 *
 * - `code`: the Message Type AVP value (RFC 2661 §3.2, RFC 3931 §3.1); {@link MessageType} is built from it.
 * - `scope`: whether a failure in the message clears one session (CDN) or the control connection
 *   (StopCCN) (RFC 2661 §4.1 on the M bit, §4.2).
 * - `required`: the AVPs the message MUST carry, per version; validation refuses a message without
 *   one (Result 2, Error 3, RFC 2661 §4.4.2). Optional AVPs are always accepted (§6: "MAY").
 * - `nonZero`: the fields assigning the sender's id, which MUST NOT be 0 — in L2TPv2 the Assigned
 *   Tunnel ID (RFC 2661 §4.4.3) and Assigned Session ID (§4.4.4) AVPs, in L2TPv3 the Assigned
 *   Control Connection ID (RFC 3931 §5.4.3) and Local Session ID (§5.4.4) AVPs, the AVP per version
 *   being the field's (below). 0 is reserved: it means "not yet known" in the header (RFC 2661
 *   §3.1, RFC 3931 §3.2.1) and, for a v3 session, the control channel (RFC 3931 §4.1). Validation
 *   refuses a message carrying 0 (Result 2, Error 3: a field value out of range).
 * - `fields`: the typed fields the state machines read and write, each with the AVP that carries it
 *   per version. Decoding fills them from AVPs ({@link messageFields}); encoding writes the AVPs
 *   from them ({@link fieldAvps}), in the order listed.
 *
 * A new message type (an L2TPv3 one, say) is one more entry here.
 */
import type { AvpName } from './avp-table.js';

/** The AVP carrying a typed field, per protocol version (absent: the field has no AVP in that version). */
export interface FieldSpec {
  readonly 2?: AvpName;
  readonly 3?: AvpName;
}

/** One message type. See the file header. */
export interface MessageSpec {
  readonly code: number;
  readonly scope: 'tunnel' | 'session';
  readonly required: { readonly 2: readonly AvpName[]; readonly 3: readonly AvpName[] };
  /** Fields (of `fields`) whose AVP MUST NOT be 0, in either version (see the file header). */
  readonly nonZero?: readonly string[];
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /**
   * We never hide AVPs in this message when sending (RFC 2661 §4.3 makes hiding optional). SCCRQ and
   * SCCRP: the receiver may pick the shared secret by the Host Name in the same message and only
   * after reading all of it; xl2tpd 1.3.x (aaa.c `decrypt_avp`) unhides with a secret it looks up
   * after the AVPs are handled, so a hidden AVP in either fails as "Invalid Hidden AVP" (interop:
   * xl2tpd, OpenL2TP, Cisco; anchors §3.8).
   */
  readonly neverHide?: true;
}

const same = (name: AvpName): FieldSpec => ({ 2: name, 3: name });
const tunnelId: FieldSpec = { 2: 'assignedTunnelId', 3: 'assignedConnectionId' };
const sessionId: FieldSpec = { 2: 'assignedSessionId', 3: 'localSessionId' };
const result = same('resultCode');

// Field order is the order AVPs are sent in (after Message Type, RFC 2661 §4.1).
const setupFields = {
  protocolVersion: { 2: 'protocolVersion' }, hostName: same('hostName'), framingCapabilities: { 2: 'framingCapabilities' },
  assignedTunnelId: tunnelId, receiveWindowSize: same('receiveWindowSize'), vendorName: same('vendorName'),
  routerId: { 3: 'routerId' }, pwCapabilityList: { 3: 'pwCapabilityList' }, challenge: { 2: 'challenge' },
} as const satisfies Record<string, FieldSpec>;
const v3CallIds = ['localSessionId', 'remoteSessionId'] as const;
const callRequestV3 = [...v3CallIds, 'callSerialNumber', 'pwType', 'remoteEndId', 'circuitStatus'] as const;

/** Every message type. See the file header. */
export const MESSAGES = {
  SCCRQ: {
    code: 1, scope: 'tunnel', neverHide: true, fields: setupFields, nonZero: ['assignedTunnelId'],
    required: { 2: ['protocolVersion', 'hostName', 'framingCapabilities', 'assignedTunnelId'], 3: ['hostName', 'routerId', 'assignedConnectionId', 'pwCapabilityList'] },
  },
  SCCRP: {
    code: 2, scope: 'tunnel', neverHide: true, fields: { ...setupFields, challengeResponse: { 2: 'challengeResponse' } }, nonZero: ['assignedTunnelId'],
    required: { 2: ['protocolVersion', 'hostName', 'framingCapabilities', 'assignedTunnelId'], 3: ['hostName', 'routerId', 'assignedConnectionId', 'pwCapabilityList'] },
  },
  SCCCN: { code: 3, scope: 'tunnel', fields: { challengeResponse: { 2: 'challengeResponse' } }, required: { 2: [], 3: [] } },
  StopCCN: { code: 4, scope: 'tunnel', fields: { assignedTunnelId: tunnelId, result }, required: { 2: ['assignedTunnelId', 'resultCode'], 3: ['resultCode'] } },
  HELLO: { code: 6, scope: 'tunnel', fields: {}, required: { 2: [], 3: [] } },
  OCRQ: {
    code: 7, scope: 'session', fields: { assignedSessionId: sessionId, callSerialNumber: same('callSerialNumber') }, nonZero: ['assignedSessionId'],
    required: { 2: ['assignedSessionId', 'callSerialNumber', 'minimumBps', 'maximumBps', 'bearerType', 'framingType', 'calledNumber'], 3: [...callRequestV3] },
  },
  OCRP: { code: 8, scope: 'session', fields: { assignedSessionId: sessionId }, nonZero: ['assignedSessionId'], required: { 2: ['assignedSessionId'], 3: [...v3CallIds, 'circuitStatus'] } },
  OCCN: {
    code: 9, scope: 'session', fields: { txConnectSpeed: { 2: 'txConnectSpeed' }, framingType: { 2: 'framingType' } },
    required: { 2: ['txConnectSpeed', 'framingType'], 3: [...v3CallIds] },
  },
  ICRQ: {
    code: 10, scope: 'session', fields: { assignedSessionId: sessionId, callSerialNumber: same('callSerialNumber') }, nonZero: ['assignedSessionId'],
    required: { 2: ['assignedSessionId', 'callSerialNumber'], 3: [...callRequestV3] },
  },
  ICRP: { code: 11, scope: 'session', fields: { assignedSessionId: sessionId }, nonZero: ['assignedSessionId'], required: { 2: ['assignedSessionId'], 3: [...v3CallIds, 'circuitStatus'] } },
  ICCN: {
    code: 12, scope: 'session', fields: { txConnectSpeed: { 2: 'txConnectSpeed' }, framingType: { 2: 'framingType' } },
    required: { 2: ['txConnectSpeed', 'framingType'], 3: [...v3CallIds] },
  },
  CDN: { code: 14, scope: 'session', fields: { result, assignedSessionId: sessionId }, required: { 2: ['resultCode', 'assignedSessionId'], 3: ['resultCode', ...v3CallIds] } },
  WEN: { code: 15, scope: 'session', fields: { callErrors: same('callErrors') }, required: { 2: ['callErrors'], 3: [...v3CallIds, 'callErrors'] } },
  SLI: { code: 16, scope: 'session', fields: { accm: { 2: 'accm' } }, required: { 2: ['accm'], 3: [...v3CallIds] } },
  // RFC 3931 §5.3: the explicit acknowledgement.
  ACK: { code: 20, scope: 'tunnel', fields: {}, required: { 2: [], 3: [] } },
} as const satisfies Record<string, MessageSpec>;

/** A message type name (`'SCCRQ'`). */
export type MessageTypeName = keyof typeof MESSAGES;

/** Message type codes by name (RFC 2661 §3.2; ACK is RFC 3931 §5.3's explicit acknowledgement). */
export const MessageType = Object.fromEntries(Object.entries(MESSAGES).map(([name, s]) => [name, s.code])) as
  { readonly [N in MessageTypeName]: (typeof MESSAGES)[N]['code'] };

/** Message type names by wire code. */
export const MESSAGE_TYPE_NAME: ReadonlyMap<number, MessageTypeName> = new Map(
  Object.entries(MESSAGES).map(([name, s]) => [s.code, name as MessageTypeName]),
);

/** {@link MESSAGES} seen through the {@link MessageSpec} shape. */
const SPECS: Readonly<Record<MessageTypeName, MessageSpec>> = MESSAGES;

/** {@link MESSAGES} by name in a Map: a lookup per message, cheaper than a keyed read of the object. */
const SPEC_BY_NAME: ReadonlyMap<MessageTypeName, MessageSpec> = new Map(Object.entries(SPECS) as [MessageTypeName, MessageSpec][]);

/** The specification of a message type. */
export function messageSpec(type: MessageTypeName): MessageSpec {
  return SPEC_BY_NAME.get(type)!;
}

/** One typed field and the AVP carrying it (see {@link FieldSpec}). */
interface FieldPair {
  readonly field: string;
  readonly avp: AvpName;
}

/**
 * Per version, the (typed field, AVP) pairs of each message type in field order: precomputed, as
 * every message sent or received goes through them (a Map by type and flat pair objects, read with
 * an index loop: this runs per control message on the engine's hot path).
 */
const PAIRS: { readonly [V in 2 | 3]: ReadonlyMap<MessageTypeName, readonly FieldPair[]> } = { 2: pairs(2), 3: pairs(3) };

function pairs(version: 2 | 3): Map<MessageTypeName, FieldPair[]> {
  return new Map((Object.entries(SPECS) as [MessageTypeName, MessageSpec][]).map(([type, spec]) => [
    type, Object.entries(spec.fields).flatMap(([field, f]) => (f[version] === undefined ? [] : [{ field, avp: f[version] }])),
  ]));
}

/**
 * The typed fields of a decoded message (`avps` by AVP name), for `version`, added to `out`; absent
 * AVPs are absent fields.
 */
export function messageFields(type: MessageTypeName, version: 2 | 3, avps: Readonly<Record<string, unknown>>, out: Record<string, unknown> = {}): Record<string, unknown> {
  const list = PAIRS[version].get(type)!;
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    const v = avps[p.avp];
    if (v !== undefined) out[p.field] = v;
  }
  return out;
}

/**
 * The AVP values carrying a message's typed fields (the inverse of {@link messageFields}):
 * `value(field, a, b)` gives each field's value (undefined: the AVP is left out).
 */
export function fieldAvps<A, B>(type: MessageTypeName, version: 2 | 3, value: (field: string, a: A, b: B) => unknown, a: A, b: B): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const list = PAIRS[version].get(type)!;
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    const v = value(p.field, a, b);
    if (v !== undefined) out[p.avp] = v;
  }
  return out;
}

/** L2TPv2 required AVPs by message (derived from {@link MESSAGES}). */
export const REQUIRED_V2: Readonly<Record<MessageTypeName, readonly AvpName[]>> =
  Object.fromEntries(Object.entries(SPECS).map(([n, s]) => [n, s.required[2]])) as unknown as Record<MessageTypeName, readonly AvpName[]>;

/** L2TPv3 required AVPs by message (derived from {@link MESSAGES}). */
export const REQUIRED_V3: Readonly<Record<MessageTypeName, readonly AvpName[]>> =
  Object.fromEntries(Object.entries(SPECS).map(([n, s]) => [n, s.required[3]])) as unknown as Record<MessageTypeName, readonly AvpName[]>;

/** Messages about one session: a failure in them clears the session (CDN), not the tunnel (derived). */
export const SESSION_MESSAGES: ReadonlySet<MessageTypeName> = new Set(
  (Object.entries(SPECS) as [MessageTypeName, MessageSpec][]).filter(([, s]) => s.scope === 'session').map(([n]) => n),
);

/** Messages we never hide AVPs in when sending (derived). */
export const NEVER_HIDE_IN: ReadonlySet<MessageTypeName> = new Set(
  (Object.entries(SPECS) as [MessageTypeName, MessageSpec][]).filter(([, s]) => s.neverHide === true).map(([n]) => n),
);
