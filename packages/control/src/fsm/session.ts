/**
 * The incoming-call state machines (RFC 2661 §7.4) of both roles, as one transition table that
 * returns actions. Outgoing calls (§7.5) are refused: an OCRQ gets a CDN saying so.
 *
 * ```
 *   LAC: wait-tunnel --tunnel-up/ICRQ--> wait-reply --ICRP/ICCN--> established
 *   LNS: idle --ICRQ/ICRP--> wait-connect --ICCN--> established
 *   any live state --CDN in or out, tunnel down--> closed
 * ```
 * A session never sends CDN after StopCCN: the tunnel's StopCCN clears every session (RFC 2661 §6.4).
 * Any (state, input) pair not in {@link SESSION_TABLE} answers with CDN Result 2 (FSM error).
 */
import {
  type CallErrors, type Accm, CdnResult, ErrorCode, type Inbound, type Outbound, type ResultCode,
  type SessionDownReason, type TunnelEvent,
} from './types.js';

/** Session states of RFC 2661 §7.4.1 (LAC) and §7.4.2 (LNS), plus `closed`. */
export type SessionState = 'idle' | 'wait-tunnel' | 'wait-reply' | 'wait-connect' | 'established' | 'closed';

/** Session-scoped peer messages. */
export type SessionMessage = Extract<Inbound, { readonly sessionId: number }>;

/** What drives a session machine. */
export type SessionInput =
  | { readonly type: 'tunnel-up' }
  | { readonly type: 'tunnel-down' }
  | { readonly type: 'close'; readonly result?: ResultCode }
  | { readonly type: 'recv'; readonly message: SessionMessage }
  /** The peer's message could not be accepted (unknown M-bit AVP, RFC 2661 §4.2): CDN with `result`. */
  | { readonly type: 'bad-message'; readonly result: ResultCode };

/** What the engine must do after a session step. */
export type SessionAction =
  | { readonly type: 'send'; readonly message: Outbound }
  | { readonly type: 'emit'; readonly event: TunnelEvent };

/** One session's data. Kept small: an LNS holds thousands. */
export interface SessionData {
  readonly state: SessionState;
  readonly sessionId: number;
  readonly peerSessionId: number;
  readonly callSerialNumber: number;
}

/** One session transition's result. */
export interface SessionStep {
  readonly next: SessionData;
  readonly actions: readonly SessionAction[];
}

type Key = Exclude<SessionInput['type'], 'recv'> | `recv:${SessionMessage['type']}`;
type Handler = (d: SessionData, input: SessionInput, tunnelId: number) => SessionStep;

const stay = (d: SessionData): SessionStep => ({ next: d, actions: [] });

/** `d` is the data before the step: the call was up exactly when it was established. */
const downEvent = (d: SessionData, tunnelId: number, reason: SessionDownReason): SessionAction => ({
  type: 'emit', event: { type: 'session-down', tunnelId, sessionId: d.sessionId, peerSessionId: d.peerSessionId, reason, wasUp: d.state === 'established' },
});

function cdn(d: SessionData, tunnelId: number, result: ResultCode, kind: 'local-close' | 'peer-violation'): SessionStep {
  return {
    next: { ...d, state: 'closed' },
    actions: [
      { type: 'send', message: { type: 'CDN', sessionId: d.sessionId, peerSessionId: d.peerSessionId, result } },
      downEvent(d, tunnelId, { type: kind, sent: result }),
    ],
  };
}

const msg = <T extends SessionMessage['type']>(input: SessionInput) => (input as unknown as { message: Extract<SessionMessage, { type: T }> }).message;

const sendIcrq: Handler = (d) => ({
  next: { ...d, state: 'wait-reply' },
  actions: [{ type: 'send', message: { type: 'ICRQ', sessionId: d.sessionId, callSerialNumber: d.callSerialNumber } }],
});

const answerIcrq: Handler = (d, input) => {
  const m = msg<'ICRQ'>(input);
  const next: SessionData = { ...d, state: 'wait-connect', peerSessionId: m.assignedSessionId, callSerialNumber: m.callSerialNumber };
  return { next, actions: [{ type: 'send', message: { type: 'ICRP', sessionId: d.sessionId, peerSessionId: m.assignedSessionId } }] };
};

const refuseOcrq: Handler = (d, input, tunnelId) => {
  // RFC 2661 §7.5: we never place outgoing calls; CDN result 5 tells the LNS this is permanent.
  const m = msg<'OCRQ'>(input);
  const result: ResultCode = { result: CdnResult.PERMANENT_NO_FACILITIES, error: ErrorCode.NO_ERROR, message: 'outgoing calls are not supported' };
  const next: SessionData = { ...d, peerSessionId: m.assignedSessionId };
  return {
    next: { ...next, state: 'closed' },
    actions: [{ type: 'send', message: { type: 'CDN', sessionId: d.sessionId, peerSessionId: m.assignedSessionId, result } }, downEvent(next, tunnelId, { type: 'refused', sent: result })],
  };
};

const acceptIcrp: Handler = (d, input, tunnelId) => {
  const m = msg<'ICRP'>(input);
  const next: SessionData = { ...d, state: 'established', peerSessionId: m.assignedSessionId };
  return {
    next,
    actions: [
      { type: 'send', message: { type: 'ICCN', sessionId: d.sessionId, peerSessionId: m.assignedSessionId } },
      { type: 'emit', event: { type: 'session-up', tunnelId, sessionId: d.sessionId, peerSessionId: m.assignedSessionId } },
    ],
  };
};

const acceptIccn: Handler = (d, _i, tunnelId) => ({
  next: { ...d, state: 'established' },
  actions: [{ type: 'emit', event: { type: 'session-up', tunnelId, sessionId: d.sessionId, peerSessionId: d.peerSessionId } }],
});

const peerCdn: Handler = (d, input, tunnelId) => {
  const m = msg<'CDN'>(input);
  const peerSessionId = d.peerSessionId || m.assignedSessionId;
  return { next: { ...d, state: 'closed', peerSessionId }, actions: [downEvent({ ...d, peerSessionId }, tunnelId, { type: 'peer-cdn', result: m.result })] };
};

const wen: Handler = (d, input, tunnelId) => {
  const callErrors: CallErrors = msg<'WEN'>(input).callErrors;
  return { next: d, actions: [{ type: 'emit', event: { type: 'wan-error-notify', tunnelId, sessionId: d.sessionId, callErrors } }] };
};

const sli: Handler = (d, input, tunnelId) => {
  const accm: Accm = msg<'SLI'>(input).accm;
  return { next: d, actions: [{ type: 'emit', event: { type: 'set-link-info', tunnelId, sessionId: d.sessionId, accm } }] };
};

const localClose: Handler = (d, input, tunnelId) =>
  cdn(d, tunnelId, (input as { result?: ResultCode }).result ?? { result: CdnResult.ADMIN }, 'local-close');

const tunnelDown: Handler = (d, _i, tunnelId) => ({ next: { ...d, state: 'closed' }, actions: [downEvent(d, tunnelId, { type: 'tunnel-down' })] });

const badMessage: Handler = (d, input, tunnelId) => cdn(d, tunnelId, (input as { result: ResultCode }).result, 'peer-violation');

const live = { 'close': localClose, 'tunnel-down': tunnelDown, 'recv:CDN': peerCdn, 'bad-message': badMessage } as const;

/** The transition table; rows are states, keys inputs. Pairs absent are peer violations. */
export const SESSION_TABLE: { readonly [S in SessionState]: Partial<Record<Key, Handler>> } = {
  'idle': { 'recv:ICRQ': answerIcrq, 'recv:OCRQ': refuseOcrq, 'tunnel-down': (d) => ({ next: { ...d, state: 'closed' }, actions: [] }) },
  'wait-tunnel': { 'tunnel-up': sendIcrq, 'tunnel-down': tunnelDown, 'close': (d, _i, t) => ({ next: { ...d, state: 'closed' }, actions: [downEvent(d, t, { type: 'local-close', sent: { result: CdnResult.ADMIN } })] }) },
  'wait-reply': { ...live, 'recv:ICRP': acceptIcrp },
  'wait-connect': { ...live, 'recv:ICCN': acceptIccn },
  // WEN flows LAC→LNS and SLI LNS→LAC (RFC 2661 §6.14, §6.15); either is accepted from either side.
  'established': { ...live, 'recv:WEN': wen, 'recv:SLI': sli },
  'closed': { 'close': stay, 'tunnel-down': stay, 'tunnel-up': stay, 'bad-message': stay, 'recv:CDN': stay },
};

/** A session of the LAC, waiting for the tunnel (RFC 2661 §7.4.1 wait-tunnel). */
export function lacSession(sessionId: number, callSerialNumber: number): SessionData {
  return { state: 'wait-tunnel', sessionId, peerSessionId: 0, callSerialNumber };
}

/** A session of the LNS before the peer's ICRQ is processed. */
export function lnsSession(sessionId: number): SessionData {
  return { state: 'idle', sessionId, peerSessionId: 0, callSerialNumber: 0 };
}

/**
 * `recv:TYPE` for each message type seen, made once: a key built per step was a new string each
 * time, and looking it up in the table hashed it afresh (two steps per call on either side).
 */
const RECV_KEYS: Record<string, Key> = Object.create(null) as Record<string, Key>;

/** Runs one session transition; pairs not in {@link SESSION_TABLE} send CDN Result 2 (FSM error). Never throws. */
export function stepSession(d: SessionData, input: SessionInput, tunnelId: number): SessionStep {
  const key: Key = input.type === 'recv' ? (RECV_KEYS[input.message.type] ??= `recv:${input.message.type}`) : input.type;
  const handler = SESSION_TABLE[d.state][key];
  if (handler !== undefined) return handler(d, input, tunnelId);
  if (d.state === 'closed') return stay(d);
  if (input.type === 'tunnel-up') return stay(d);
  const what = input.type === 'recv' ? input.message.type : input.type;
  return cdn(d, tunnelId, { result: CdnResult.GENERAL_ERROR, error: ErrorCode.NO_ERROR, message: `FSM error: ${what} in state ${d.state}` }, 'peer-violation');
}
