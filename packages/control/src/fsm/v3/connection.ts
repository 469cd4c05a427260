/**
 * The L2TPv3 control-connection state machine (RFC 3931 §7.2) as a transition table that returns
 * actions, both roles: the initiator sends SCCRQ, the responder answers it. Nothing here performs
 * I/O; the Message Digest is checked before a message reaches this table (a message whose digest
 * does not verify is dropped and counted, RFC 3931 §4.3: see engine/message-auth.ts).
 *
 * ```
 *   initiator: idle --open/SCCRQ--> wait-ctl-reply --SCCRP/SCCCN--> established
 *   responder: idle --SCCRQ/SCCRP--> wait-ctl-conn --SCCCN--> established
 *   wait-ctl-reply --lost-tie--> closed (nothing sent: the peer's SCCRQ won, RFC 3931 §5.4.3)
 *   any live state --StopCCN in or out--> closing --> closed
 * ```
 * Any (state, input) pair missing from {@link V3_CONNECTION_TABLE} is answered with StopCCN
 * Result 2 naming the FSM error. Nothing here throws.
 */
import type { ResultCode, V3ConnectionDownReason, V3Event, V3Inbound, V3Outbound, V3SetupFields } from './types.js';

/** Control connection states (RFC 3931 §7.2), plus `closing` (StopCCN held) and `closed`. */
export type V3ConnectionState = 'idle' | 'wait-ctl-reply' | 'wait-ctl-conn' | 'established' | 'closing' | 'closed';

/** What drives the machine. */
export type V3ConnectionInput =
  | { readonly type: 'open' }
  | { readonly type: 'close'; readonly result?: ResultCode }
  | { readonly type: 'recv'; readonly message: Extract<V3Inbound, { type: 'SCCRQ' | 'SCCRP' | 'SCCCN' | 'StopCCN' | 'HELLO' }> }
  | { readonly type: 'bad-message'; readonly result: ResultCode }
  | { readonly type: 'transport-failed' }
  /** The peer's simultaneous SCCRQ won the Control Connection Tie Breaker (see {@link tieWinner}). */
  | { readonly type: 'lost-tie' }
  /** A restarted peer's new SCCRQ replaces this connection (cleared without a StopCCN). */
  | { readonly type: 'superseded' };

/** What the engine must do after a step. */
export type V3ConnectionAction =
  | { readonly type: 'send'; readonly message: V3Outbound }
  | { readonly type: 'emit'; readonly event: V3Event };

/** The machine's data. */
export interface V3ConnectionData {
  readonly state: V3ConnectionState;
  readonly peerConnectionId: number;
  readonly peerHostName?: string;
  readonly peerRouterId?: number;
  readonly peerPwCapabilities: readonly number[];
  /** The peer's Control Message Authentication Nonce, once its SCCRQ/SCCRP gave one. */
  readonly peerNonce?: Uint8Array;
}

/** What the machine reads but never changes. */
export interface V3ConnectionContext {
  readonly connectionId: number;
  /** A digest secret is configured: a peer without a nonce is refused (RFC 3931 §4.3). */
  readonly authRequired: boolean;
}

/** One transition's result. */
export interface V3ConnectionStep {
  readonly next: V3ConnectionData;
  readonly actions: readonly V3ConnectionAction[];
}

/** Before `open` (initiator) or the peer's SCCRQ (responder). */
export const INITIAL_V3_CONNECTION: V3ConnectionData = Object.freeze({ state: 'idle', peerConnectionId: 0, peerPwCapabilities: [] });

/** StopCCN result codes used here (RFC 2661 §4.4.2, which RFC 3931 §5.4.2 keeps). */
const STOP = { GENERAL_CLEAR: 1, GENERAL_ERROR: 2, NOT_AUTHORIZED: 4 } as const;

type Key = Exclude<V3ConnectionInput['type'], 'recv'> | `recv:${Extract<V3ConnectionInput, { type: 'recv' }>['message']['type']}`;
type Handler = (d: V3ConnectionData, input: V3ConnectionInput, ctx: V3ConnectionContext) => V3ConnectionStep;

const stay = (d: V3ConnectionData): V3ConnectionStep => ({ next: d, actions: [] });

function down(d: V3ConnectionData, ctx: V3ConnectionContext, state: V3ConnectionState, reason: V3ConnectionDownReason, send?: V3Outbound): V3ConnectionStep {
  const event: V3Event = { type: 'connection-down', connectionId: ctx.connectionId, peerConnectionId: d.peerConnectionId, reason };
  return { next: { ...d, state }, actions: [...(send ? [{ type: 'send' as const, message: send }] : []), { type: 'emit', event }] };
}

const stop = (d: V3ConnectionData, ctx: V3ConnectionContext, result: ResultCode, kind: 'local-close' | 'auth-failed' | 'peer-violation') =>
  down(d, ctx, 'closing', { type: kind, sent: result }, { type: 'StopCCN', result });

function up(d: V3ConnectionData, ctx: V3ConnectionContext, send?: V3Outbound): V3ConnectionStep {
  const event: V3Event = {
    type: 'connection-up', connectionId: ctx.connectionId, peerConnectionId: d.peerConnectionId,
    ...(d.peerHostName !== undefined && { peerHostName: d.peerHostName }), ...(d.peerRouterId !== undefined && { peerRouterId: d.peerRouterId }),
  };
  return { next: { ...d, state: 'established' }, actions: [...(send ? [{ type: 'send' as const, message: send }] : []), { type: 'emit', event }] };
}

/** Learns the peer from SCCRQ/SCCRP; refuses a peer without a nonce when we require the digest. */
function learn(d: V3ConnectionData, m: V3SetupFields, ctx: V3ConnectionContext): V3ConnectionData | V3ConnectionStep {
  const data: V3ConnectionData = {
    ...d, peerConnectionId: m.assignedConnectionId, peerPwCapabilities: m.pwCapabilityList,
    ...(m.hostName !== undefined && { peerHostName: m.hostName }), ...(m.routerId !== undefined && { peerRouterId: m.routerId }),
    ...(m.nonce !== undefined && { peerNonce: m.nonce }),
  };
  if (ctx.authRequired && m.nonce === undefined) {
    return stop(data, ctx, { result: STOP.NOT_AUTHORIZED, error: 0, message: 'no Control Message Authentication Nonce: a digest secret is configured' }, 'auth-failed');
  }
  return data;
}

const recvMessage = <T extends V3Inbound['type']>(input: V3ConnectionInput) => (input as unknown as { message: Extract<V3Inbound, { type: T }> }).message;

const sendSccrq: Handler = (d) => ({ next: { ...d, state: 'wait-ctl-reply' }, actions: [{ type: 'send', message: { type: 'SCCRQ' } }] });

const answerSccrq: Handler = (d, input, ctx) => {
  const r = learn(d, recvMessage<'SCCRQ'>(input), ctx);
  if ('actions' in r) return r;
  return { next: { ...r, state: 'wait-ctl-conn' }, actions: [{ type: 'send', message: { type: 'SCCRP' } }] };
};

const acceptSccrp: Handler = (d, input, ctx) => {
  const r = learn(d, recvMessage<'SCCRP'>(input), ctx);
  if ('actions' in r) return r;
  return up(r, ctx, { type: 'SCCCN' });
};

const acceptScccn: Handler = (d, _input, ctx) => up(d, ctx);

const peerStopped: Handler = (d, input, ctx) => down(d, ctx, 'closing', { type: 'peer-stopccn', result: recvMessage<'StopCCN'>(input).result });
const localClose: Handler = (d, input, ctx) => stop(d, ctx, (input as { result?: ResultCode }).result ?? { result: STOP.GENERAL_CLEAR }, 'local-close');
const closeUnopened: Handler = (d, input, ctx) => down(d, ctx, 'closed', { type: 'local-close', sent: (input as { result?: ResultCode }).result ?? { result: STOP.GENERAL_CLEAR } });
const badMessage: Handler = (d, input, ctx) => stop(d, ctx, (input as { result: ResultCode }).result, 'peer-violation');
const transportFailed: Handler = (d, _i, ctx) => down(d, ctx, 'closed', { type: 'retransmit-exhausted' });
// RFC 3931 §5.4.3: the loser of the tie discards its control connection without a StopCCN.
const lostTie: Handler = (d, _i, ctx) => down(d, ctx, 'closed', { type: 'lost-tie' });
const superseded: Handler = (d, _i, ctx) => down(d, ctx, 'closed', { type: 'superseded' });

const live = { 'close': localClose, 'recv:StopCCN': peerStopped, 'bad-message': badMessage, 'transport-failed': transportFailed, 'superseded': superseded } as const;
const quiet = Object.fromEntries(
  ['open', 'close', 'bad-message', 'transport-failed', 'lost-tie', 'superseded', 'recv:SCCRQ', 'recv:SCCRP', 'recv:SCCCN', 'recv:StopCCN', 'recv:HELLO'].map((k) => [k, stay]),
) as unknown as Record<Key, Handler>;

/** The transition table. */
export const V3_CONNECTION_TABLE: { readonly [S in V3ConnectionState]: Partial<Record<Key, Handler>> } = {
  // A refused SCCRQ (an AVP rule, an id of 0) is answered with its own Result/Error Code, not as an FSM error.
  'idle': { 'open': sendSccrq, 'recv:SCCRQ': answerSccrq, 'close': closeUnopened, 'transport-failed': transportFailed, 'bad-message': badMessage },
  'wait-ctl-reply': { ...live, 'recv:SCCRP': acceptSccrp, 'lost-tie': lostTie },
  'wait-ctl-conn': { ...live, 'recv:SCCCN': acceptScccn },
  'established': { ...live, 'recv:HELLO': stay },
  'closing': quiet,
  'closed': quiet,
};

/** Runs one transition; an unlisted pair is answered with StopCCN (FSM error). Never throws. */
export function stepV3Connection(d: V3ConnectionData, input: V3ConnectionInput, ctx: V3ConnectionContext): V3ConnectionStep {
  const key = (input.type === 'recv' ? `recv:${input.message.type}` : input.type) as Key;
  const handler = V3_CONNECTION_TABLE[d.state][key];
  if (handler !== undefined) return handler(d, input, ctx);
  if (input.type === 'open' || input.type === 'lost-tie' || input.type === 'superseded') return stay(d);
  return stop(d, ctx, { result: STOP.GENERAL_ERROR, error: 0, message: `FSM error: ${key.replace('recv:', '')} in state ${d.state}` }, 'peer-violation');
}
