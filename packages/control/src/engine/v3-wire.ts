/**
 * The L2TPv3 state machines' views ⇄ codec messages (RFC 3931 §6): a decoded message becomes a
 * {@link V3Inbound} (undefined for messages the v3 machines do not take: ACK, the outgoing-call
 * family), and a {@link V3Outbound} becomes an {@link OutgoingMessage} with the AVPs §6 requires plus
 * what comes from configuration (host name, router id, PW capabilities, window, nonce, digest).
 * Cisco's vendor-9 mirrors stand in when a draft-era peer sends only them.
 */
import type { AvpValues, ControlMessage, OutgoingMessage } from '../codec/index.js';
import type { MessageDigestValue } from '../codec/values.js';
import type { V3Inbound, V3Outbound } from '../fsm/v3/types.js';

/** What an LCCE adds to every message it sends. */
export interface V3EncodeContext {
  readonly connectionId: number;
  readonly hostName: string;
  readonly routerId: number;
  readonly pwCapabilities: readonly number[];
  readonly receiveWindowSize?: number;
  /** Our Control Connection Tie Breaker (SCCRQ), 8 octets. */
  readonly tieBreaker?: Uint8Array;
  /** With the Message Digest on: our nonce (SCCRQ/SCCRP) and the placeholder to sign (every message). */
  readonly auth?: { readonly nonce: Uint8Array; readonly placeholder: MessageDigestValue };
}

/** The v3 view of a decoded message; undefined for one the v3 machines do not take. */
export function v3Inbound(m: ControlMessage): V3Inbound | undefined {
  const a = m.avps;
  const local = a.localSessionId ?? a.ciscoLocalSessionId ?? 0;
  const remote = a.remoteSessionId ?? a.ciscoRemoteSessionId ?? 0;
  const call = {
    localSessionId: local, remoteSessionId: remote,
    ...opt('pwType', a.pwType ?? a.ciscoPwType), ...opt('remoteEndId', a.remoteEndId ?? a.ciscoRemoteEndId),
    ...opt('circuitStatus', a.circuitStatus ?? a.ciscoCircuitStatus), ...opt('cookie', a.assignedCookie ?? a.ciscoAssignedCookie),
    ...opt('l2SpecificSublayer', a.l2SpecificSublayer), ...opt('dataSequencing', a.dataSequencing),
    ...opt('tieBreaker', a.tieBreaker ?? a.ciscoSessionTieBreaker),
  };
  switch (m.type) {
    case 'SCCRQ': case 'SCCRP':
      return {
        type: m.type, assignedConnectionId: a.assignedConnectionId ?? a.ciscoAssignedConnectionId ?? 0,
        pwCapabilityList: a.pwCapabilityList ?? a.ciscoPwCapabilityList ?? [],
        ...opt('hostName', a.hostName), ...opt('routerId', a.routerId), ...opt('tieBreaker', a.tieBreaker),
        ...opt('nonce', a.controlMessageAuthNonce ?? a.ciscoAuthNonce),
      };
    case 'SCCCN': return { type: 'SCCCN' };
    case 'StopCCN': return { type: 'StopCCN', result: a.resultCode ?? { result: 0 } };
    case 'HELLO': return { type: 'HELLO' };
    case 'ICRQ': return { type: 'ICRQ', callSerialNumber: a.callSerialNumber ?? 0, ...call };
    case 'ICRP': return { type: 'ICRP', ...call };
    case 'ICCN': return { type: 'ICCN', localSessionId: local, remoteSessionId: remote };
    case 'CDN': return { type: 'CDN', localSessionId: local, remoteSessionId: remote, result: a.resultCode ?? { result: 0 } };
    case 'SLI': return { type: 'SLI', localSessionId: local, remoteSessionId: remote, ...opt('circuitStatus', a.circuitStatus ?? a.ciscoCircuitStatus) };
    case 'WEN': return { type: 'WEN', localSessionId: local, remoteSessionId: remote };
    default: return undefined;
  }
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The codec message for a v3 machine's request. */
export function v3Outgoing(m: V3Outbound, ctx: V3EncodeContext): OutgoingMessage {
  const digest: AvpValues = ctx.auth ? { messageDigest: ctx.auth.placeholder } : {};
  const setup = (): AvpValues => ({
    ...digest, hostName: ctx.hostName, routerId: ctx.routerId, assignedConnectionId: ctx.connectionId, pwCapabilityList: ctx.pwCapabilities,
    ...opt('receiveWindowSize', ctx.receiveWindowSize), ...opt('controlMessageAuthNonce', ctx.auth?.nonce),
  });
  switch (m.type) {
    case 'SCCRQ': return { type: 'SCCRQ', avps: { ...setup(), ...opt('tieBreaker', ctx.tieBreaker) } };
    case 'SCCRP': return { type: 'SCCRP', avps: setup() };
    case 'SCCCN': return { type: 'SCCCN', avps: digest };
    // RFC 3931 §6.4: StopCCN carries the Assigned Control Connection ID.
    case 'StopCCN': return { type: 'StopCCN', avps: { ...digest, assignedConnectionId: ctx.connectionId, resultCode: m.result } };
    case 'ICRQ': case 'ICRP':
      return {
        type: m.type,
        avps: {
          ...digest, localSessionId: m.localSessionId, remoteSessionId: m.remoteSessionId,
          ...(m.type === 'ICRQ' && { callSerialNumber: m.callSerialNumber }),
          ...opt('pwType', m.pwType), ...opt('remoteEndId', m.remoteEndId), ...opt('circuitStatus', m.circuitStatus),
          ...(m.cookie !== undefined && m.cookie.length > 0 && { assignedCookie: m.cookie }),
          ...opt('l2SpecificSublayer', m.l2SpecificSublayer), ...opt('dataSequencing', m.dataSequencing), ...opt('tieBreaker', m.tieBreaker),
        },
      };
    case 'ICCN': return { type: 'ICCN', avps: { ...digest, localSessionId: m.localSessionId, remoteSessionId: m.remoteSessionId } };
    case 'CDN': return { type: 'CDN', avps: { ...digest, resultCode: m.result, localSessionId: m.localSessionId, remoteSessionId: m.remoteSessionId } };
    case 'SLI': return { type: 'SLI', avps: { ...digest, localSessionId: m.localSessionId, remoteSessionId: m.remoteSessionId, circuitStatus: m.circuitStatus } };
  }
}
