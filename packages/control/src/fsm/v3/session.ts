/**
 * The L2TPv3 session (pseudowire) state machine of both roles (RFC 3931 §7.3, incoming call:
 * ICRQ/ICRP/ICCN), as a transition table that returns actions. Sessions are matched by Remote End ID:
 * the engine finds the configured pseudowire an ICRQ names and passes it as `config`.
 *
 * ```
 *   initiator: idle --open/ICRQ--> wait-reply --ICRP/ICCN--> established
 *   responder: idle --ICRQ/ICRP--> wait-connect --ICCN--> established
 *   wait-reply --lost-tie--> closed (the peer's ICRQ won the Session Tie Breaker; it CDNs ours, result 13)
 *   established --circuit (local carrier change)/SLI--> established; --SLI--> pw-circuit; --WEN--> pw-wan-error
 *   any live state --CDN in or out--> closed; --connection-down--> closed (no CDN: StopCCN clears all)
 * ```
 * Refusals answer with CDN: an unknown Remote End ID (result 6), a pseudowire type we were not
 * configured for (14), sequencing asked without an L2-Specific Sublayer (15); any (state, input) pair
 * missing from {@link V3_SESSION_TABLE} with result 16 (FSM error, RFC 3931 §10.3). Nothing here throws.
 */
import type { CircuitStatus } from '../../codec/types.js';
import { type NegotiatedPseudowire, type ResultCode, type V3CallFields, V3CdnResult, type V3Event, type V3Inbound, type V3Outbound, type V3SessionDownReason, tieWinner } from './types.js';

/** Session states (RFC 3931 §7.3), plus `closed`. */
export type V3SessionState = 'idle' | 'wait-reply' | 'wait-connect' | 'established' | 'closed';

/** Session-scoped peer messages. */
export type V3SessionMessage = Extract<V3Inbound, { type: 'ICRQ' | 'ICRP' | 'ICCN' | 'CDN' | 'SLI' | 'WEN' }>;

/** What drives a session. */
export type V3SessionInput =
  | { readonly type: 'open' }
  | { readonly type: 'connection-down' }
  | { readonly type: 'close'; readonly result?: ResultCode }
  | { readonly type: 'recv'; readonly message: V3SessionMessage }
  | { readonly type: 'bad-message'; readonly result: ResultCode }
  /** The local attachment circuit went up or down (interface carrier): tell the peer with SLI. */
  | { readonly type: 'circuit'; readonly active: boolean }
  | { readonly type: 'lost-tie' };

/** What the engine must do after a step. */
export type V3SessionAction = { readonly type: 'send'; readonly message: V3Outbound } | { readonly type: 'emit'; readonly event: V3Event };

/** A configured pseudowire: what we offer and accept. */
export interface PseudowireConfig {
  readonly pwType: number;
  readonly remoteEndId: Uint8Array;
  /** The cookie we assign (random, drawn by the engine): 0, 4 or 8 bytes. */
  readonly cookie: Uint8Array;
  readonly l2SpecificSublayer: number;
  readonly dataSequencing: number;
  /** Session Tie Breaker we send in our ICRQ (8 random octets). */
  readonly tieBreaker: Uint8Array;
}

/** One session's data. */
export interface V3SessionData {
  readonly state: V3SessionState;
  readonly localSessionId: number;
  readonly remoteSessionId: number;
  readonly callSerialNumber: number;
  readonly peerCookie: Uint8Array;
  readonly circuitActive: boolean;
}

/** What a session reads: its connection, and the configured pseudowire (undefined: no such Remote End ID). */
export interface V3SessionContext {
  readonly connectionId: number;
  readonly config: PseudowireConfig | undefined;
}

/** One transition's result. */
export interface V3SessionStep {
  readonly next: V3SessionData;
  readonly actions: readonly V3SessionAction[];
}

/** A new session with our Local Session ID (non-zero, RFC 3931 §5.4.4). */
export const newV3Session = (localSessionId: number, callSerialNumber: number, circuitActive = true): V3SessionData =>
  ({ state: 'idle', localSessionId, remoteSessionId: 0, callSerialNumber, peerCookie: new Uint8Array(0), circuitActive });

type Key = Exclude<V3SessionInput['type'], 'recv'> | `recv:${V3SessionMessage['type']}`;
type Handler = (d: V3SessionData, input: V3SessionInput, ctx: V3SessionContext) => V3SessionStep;

const stay = (d: V3SessionData): V3SessionStep => ({ next: d, actions: [] });
const emit = (event: V3Event): V3SessionAction => ({ type: 'emit', event });
const msg = <T extends V3SessionMessage['type']>(input: V3SessionInput) => (input as unknown as { message: Extract<V3SessionMessage, { type: T }> }).message;

function closed(d: V3SessionData, ctx: V3SessionContext, reason: V3SessionDownReason, send?: V3Outbound): V3SessionStep {
  const event: V3Event = {
    type: 'pw-down', connectionId: ctx.connectionId, localSessionId: d.localSessionId, remoteSessionId: d.remoteSessionId,
    upBefore: d.state === 'established', reason,
    // Which configured pseudowire this was, so a call that never came up is still named in logs.
    ...(ctx.config !== undefined && { remoteEndId: ctx.config.remoteEndId }),
  };
  return { next: { ...d, state: 'closed' }, actions: [...(send ? [{ type: 'send' as const, message: send }] : []), emit(event)] };
}

const cdn = (d: V3SessionData, ctx: V3SessionContext, result: ResultCode, kind: 'local-close' | 'refused') =>
  closed(d, ctx, { type: kind, sent: result }, { type: 'CDN', localSessionId: d.localSessionId, remoteSessionId: d.remoteSessionId, result });

const status = (d: V3SessionData, isNew: boolean): CircuitStatus => ({ active: d.circuitActive, new: isNew });

/** Our side of ICRQ/ICRP: ids, type, end id, cookie, sublayer, sequencing. */
function offer(d: V3SessionData, c: PseudowireConfig): V3CallFields {
  return {
    localSessionId: d.localSessionId, remoteSessionId: d.remoteSessionId, pwType: c.pwType, remoteEndId: c.remoteEndId,
    circuitStatus: status(d, true), cookie: c.cookie, l2SpecificSublayer: c.l2SpecificSublayer, dataSequencing: c.dataSequencing,
  };
}

/** Why the peer's ICRQ/ICRP cannot be accepted (RFC 3931 §10.3), or undefined. */
function refusal(m: V3CallFields, c: PseudowireConfig | undefined): ResultCode | undefined {
  if (c === undefined) return { result: V3CdnResult.INVALID_DESTINATION, error: 0, message: 'no pseudowire with this Remote End ID' };
  if (m.pwType !== undefined && m.pwType !== c.pwType) return { result: V3CdnResult.UNSUPPORTED_PW_TYPE, error: 0, message: `pseudowire type ${m.pwType} is not ${c.pwType}` };
  if ((m.dataSequencing ?? 0) > 0 && (m.l2SpecificSublayer ?? 0) === 0) {
    return { result: V3CdnResult.SEQUENCING_WITHOUT_L2SS, error: 0, message: 'sequencing without an L2-Specific Sublayer' };
  }
  return undefined;
}

function pseudowire(d: V3SessionData, c: PseudowireConfig): NegotiatedPseudowire {
  return {
    localSessionId: d.localSessionId, remoteSessionId: d.remoteSessionId, pwType: c.pwType, remoteEndId: c.remoteEndId,
    cookie: c.cookie, peerCookie: d.peerCookie, l2SpecificSublayer: c.l2SpecificSublayer, dataSequencing: c.dataSequencing,
  };
}

const sendIcrq: Handler = (d, _i, ctx) => {
  if (ctx.config === undefined) return stay(d);
  const icrq: V3Outbound = { type: 'ICRQ', callSerialNumber: d.callSerialNumber, ...offer(d, ctx.config), tieBreaker: ctx.config.tieBreaker };
  return { next: { ...d, state: 'wait-reply' }, actions: [{ type: 'send', message: icrq }] };
};

const answerIcrq: Handler = (d, input, ctx) => {
  const m = msg<'ICRQ'>(input);
  const learnt: V3SessionData = { ...d, remoteSessionId: m.localSessionId, callSerialNumber: m.callSerialNumber, peerCookie: m.cookie ?? new Uint8Array(0) };
  const no = refusal(m, ctx.config);
  if (no !== undefined) return cdn(learnt, ctx, no, 'refused');
  return { next: { ...learnt, state: 'wait-connect' }, actions: [{ type: 'send', message: { type: 'ICRP', ...offer(learnt, ctx.config!) } }] };
};

const acceptIcrp: Handler = (d, input, ctx) => {
  const m = msg<'ICRP'>(input);
  const learnt: V3SessionData = { ...d, remoteSessionId: m.localSessionId, peerCookie: m.cookie ?? new Uint8Array(0) };
  const no = refusal(m, ctx.config);
  if (no !== undefined) return cdn(learnt, ctx, no, 'refused');
  const next: V3SessionData = { ...learnt, state: 'established' };
  return {
    next,
    actions: [
      { type: 'send', message: { type: 'ICCN', localSessionId: d.localSessionId, remoteSessionId: learnt.remoteSessionId } },
      emit({ type: 'pw-up', connectionId: ctx.connectionId, pseudowire: pseudowire(next, ctx.config!) }),
    ],
  };
};

const acceptIccn: Handler = (d, _i, ctx) => {
  const next: V3SessionData = { ...d, state: 'established' };
  return { next, actions: [emit({ type: 'pw-up', connectionId: ctx.connectionId, pseudowire: pseudowire(next, ctx.config!) })] };
};

const peerCdn: Handler = (d, input, ctx) => closed(d, ctx, { type: 'peer-cdn', result: msg<'CDN'>(input).result });
const localClose: Handler = (d, input, ctx) => cdn(d, ctx, (input as { result?: ResultCode }).result ?? { result: V3CdnResult.ADMIN }, 'local-close');
const badMessage: Handler = (d, input, ctx) => cdn(d, ctx, (input as { result: ResultCode }).result, 'refused');
const connectionDown: Handler = (d, _i, ctx) => closed(d, ctx, { type: 'connection-down' });
const lostTie: Handler = (d, _i, ctx) => closed(d, ctx, { type: 'lost-tie' });
const cancel: Handler = (d, _i, ctx) => closed(d, ctx, { type: 'cancelled' });

const peerSli: Handler = (d, input, ctx) => {
  const s = msg<'SLI'>(input).circuitStatus;
  return s === undefined ? stay(d) : { next: d, actions: [emit({ type: 'pw-circuit', connectionId: ctx.connectionId, localSessionId: d.localSessionId, active: s.active })] };
};

const localCircuit: Handler = (d, input) => {
  const active = (input as { active: boolean }).active;
  if (active === d.circuitActive) return stay(d);
  const next = { ...d, circuitActive: active };
  return { next, actions: [{ type: 'send', message: { type: 'SLI', localSessionId: d.localSessionId, remoteSessionId: d.remoteSessionId, circuitStatus: status(next, false) } }] };
};

// Before the session is up the change only updates what ICRQ/ICRP will say.
const noteCircuit: Handler = (d, input) => stay({ ...d, circuitActive: (input as { active: boolean }).active });

const wen: Handler = (d, _i, ctx) => ({ next: d, actions: [emit({ type: 'pw-wan-error', connectionId: ctx.connectionId, localSessionId: d.localSessionId })] });

const live = { 'close': localClose, 'recv:CDN': peerCdn, 'bad-message': badMessage, 'connection-down': connectionDown } as const;

/** The transition table. */
export const V3_SESSION_TABLE: { readonly [S in V3SessionState]: Partial<Record<Key, Handler>> } = {
  'idle': { 'open': sendIcrq, 'recv:ICRQ': answerIcrq, 'bad-message': badMessage, 'circuit': noteCircuit, 'connection-down': connectionDown, 'close': cancel },
  'wait-reply': { ...live, 'recv:ICRP': acceptIcrp, 'lost-tie': lostTie, 'circuit': noteCircuit },
  'wait-connect': { ...live, 'recv:ICCN': acceptIccn, 'circuit': noteCircuit },
  'established': { ...live, 'recv:SLI': peerSli, 'recv:WEN': wen, 'circuit': localCircuit },
  'closed': {},
};

/** Runs one transition; an unlisted pair in a live state is answered with CDN 16 (FSM error). Never throws. */
export function stepV3Session(d: V3SessionData, input: V3SessionInput, ctx: V3SessionContext): V3SessionStep {
  const key = (input.type === 'recv' ? `recv:${input.message.type}` : input.type) as Key;
  const handler = V3_SESSION_TABLE[d.state][key];
  if (handler !== undefined) return handler(d, input, ctx);
  if (d.state === 'closed' || input.type !== 'recv') return stay(d);
  return cdn(d, ctx, { result: V3CdnResult.FSM_ERROR, error: 0, message: `FSM error: ${input.message.type} in state ${d.state}` }, 'refused');
}

/**
 * Both ends opened a pseudowire with the same Remote End ID at once (RFC 3931 §5.4.4): decides by the
 * Session Tie Breakers. `ours` is our session waiting for ICRP. The loser of the tie drops its own
 * session silently (input `lost-tie`) and answers the winner's ICRQ; the winner refuses the loser's
 * ICRQ with CDN result 13. Equal values: both drop theirs and refuse the other's.
 */
export function resolveSessionTie(ourTieBreaker: Uint8Array, icrq: Extract<V3Inbound, { type: 'ICRQ' }>): { readonly keepOurs: boolean; readonly acceptTheirs: boolean } {
  const w = tieWinner(ourTieBreaker, icrq.tieBreaker);
  return { keepOurs: w === 'ours', acceptTheirs: w === 'theirs' };
}

/** The CDN that refuses an ICRQ that lost the tie (result 13), before any session exists for it. */
export const lostTieCdn = (icrq: Extract<V3Inbound, { type: 'ICRQ' }>): V3Outbound => ({
  type: 'CDN', localSessionId: 0, remoteSessionId: icrq.localSessionId,
  result: { result: V3CdnResult.LOST_TIE_BREAKER, error: 0, message: 'session tie breaker lost' },
});
