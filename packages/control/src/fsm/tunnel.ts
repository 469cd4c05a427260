/**
 * The control-connection state machine (RFC 2661 §7.2, RFC 3931 §7.2) as a transition table that
 * returns actions. Rule 1: every tunnel state change lives in this file. Rule 2: nothing here
 * performs I/O; the engine carries out the returned actions.
 *
 * ```
 *   LAC (originator)                          LNS (responder)
 *   idle --open/SCCRQ--> wait-ctl-reply       idle --SCCRQ/SCCRP--> wait-ctl-conn
 *   wait-ctl-reply --SCCRP/SCCCN--> established   wait-ctl-conn --SCCCN--> established
 *   idle --open (quiescent RFC 3931 mode: no setup exchange)--> established
 *   idle --SCCRQ refused (bad AVP, or by policy)/StopCCN--> closing
 *   any live state --StopCCN in or out--> closing --hold-expired (one retransmission cycle, §5.7)--> closed
 *   closing (we cleared it: hold 'until-acknowledged') --stopccn-acknowledged--> closed
 *   any live state --transport failed, or superseded by the peer's new SCCRQ--> closed
 * ```
 * Any (state, input) pair missing from {@link TUNNEL_TABLE} is a peer violation: we send StopCCN
 * Result 7 (Finite State Machine error, RFC 2661 §4.4.2) and go to `closing` (h2's rule). Nothing here throws.
 */
import {
  type Inbound, type MessageName, type Outbound, type ResultCode, StopCcnResult,
  type SetupFields, type TunnelDownReason, type TunnelEvent,
} from './types.js';
import { sameBytes } from '../codec/auth.js';

/** Tunnel states of RFC 2661 §7.2.1, plus `closing` (the §5.7 StopCCN hold) and `closed`. */
export type TunnelState = 'idle' | 'wait-ctl-reply' | 'wait-ctl-conn' | 'established' | 'closing' | 'closed';

/** What drives the tunnel machine. */
export type TunnelInput =
  | { readonly type: 'open' }
  | { readonly type: 'close'; readonly result?: ResultCode }
  | { readonly type: 'recv'; readonly message: Inbound }
  /**
   * A message of the peer could not be accepted (unknown M-bit AVP, bad value): StopCCN with `result`,
   * to `assignedTunnelId` (read from the refused message) when the peer's id is not known yet.
   */
  | { readonly type: 'bad-message'; readonly result: ResultCode; readonly assignedTunnelId?: number }
  | { readonly type: 'transport-failed'; readonly messageType: MessageName }
  /** Our policy refuses the peer's SCCRQ (RFC 2661 §6.4 StopCCN to its Assigned Tunnel ID). */
  | { readonly type: 'refuse'; readonly result: ResultCode; readonly assignedTunnelId: number }
  /** The §5.7 hold after a StopCCN is over: the state may go. */
  | { readonly type: 'hold-expired' }
  /**
   * In `closing`: everything we sent, our StopCCN included, is acknowledged and we owe the peer no
   * acknowledgement. Ends a hold of kind `until-acknowledged` (see {@link TunnelHold}).
   */
  | { readonly type: 'stopccn-acknowledged' }
  /** The peer restarted and opened a new control connection on the same 5-tuple and Assigned Tunnel ID. */
  | { readonly type: 'superseded' };

/** What the engine must do after a step. */
export type TunnelAction =
  | { readonly type: 'send'; readonly message: Outbound }
  | { readonly type: 'emit'; readonly event: TunnelEvent }
  /** Stop retransmitting our unacknowledged messages: the peer has closed (its StopCCN); keep acknowledging. */
  | { readonly type: 'abandon' };

/**
 * How long `closing` holds the tunnel. RFC 2661 §5.7 binds the *receiver* of a StopCCN: it MUST
 * acknowledge it and keep enough state to acknowledge its retransmissions for a full retransmission
 * cycle, in case its ZLB is lost (`full-cycle`). The sender has nothing left to answer once its
 * StopCCN is acknowledged, so a tunnel we cleared ourselves (a local close) goes then
 * (`until-acknowledged`, or at the end of the cycle should the acknowledgement never come): its
 * socket is released, and a fixed local address can be dialled again at once. A StopCCN we send
 * refusing the peer's message keeps the full cycle: retransmissions of that message may still be in
 * flight and must find the tunnel (a refused SCCRQ must not open a new one).
 */
export type TunnelHold = 'until-acknowledged' | 'full-cycle';

/** The tunnel machine's data: its state and what it learnt from the peer. */
export interface TunnelData {
  readonly state: TunnelState;
  /** Set on entering `closing`: see {@link TunnelHold}. */
  readonly hold: TunnelHold | undefined;
  readonly peerTunnelId: number;
  readonly peerHostName: string | undefined;
  /** The peer's Receive Window Size AVP, when it sent one. */
  readonly peerWindow: number | undefined;
}

/** What the machine may read but not change: identity, secret, and the injected challenge hash. */
export interface TunnelContext {
  readonly role: 'lac' | 'lns';
  readonly tunnelId: number;
  /** The challenge we put in SCCRQ (LAC) or SCCRP (LNS); set exactly when a secret is configured. */
  readonly challenge: Uint8Array | undefined;
  /** CHAP-style response MD5(id ‖ secret ‖ challenge) (RFC 2661 §4.4.3); undefined without a secret. */
  readonly respond: ((id: number, challenge: Uint8Array) => Uint8Array) | undefined;
  /** Quiescent L2TPv3 (go-l2tp's ql2tpd): `open` goes straight to `established`, no setup exchange. */
  readonly quiescent: boolean;
}

/** One transition's result. */
export interface TunnelStep {
  readonly next: TunnelData;
  readonly actions: readonly TunnelAction[];
}

/** The data of a tunnel before `open` (LAC) or the peer's SCCRQ (LNS). */
export const INITIAL_TUNNEL: TunnelData = Object.freeze({
  state: 'idle', hold: undefined, peerTunnelId: 0, peerHostName: undefined, peerWindow: undefined,
});

/** L2TPv2's Protocol Version AVP value, 1.0 (RFC 2661 §4.4.3). */
export const PROTOCOL_VERSION_1_0 = 0x0100;

type Key = Exclude<TunnelInput['type'], 'recv'> | `recv:${Inbound['type']}`;
type Handler = (d: TunnelData, input: TunnelInput, ctx: TunnelContext) => TunnelStep;

const stay = (d: TunnelData): TunnelStep => ({ next: d, actions: [] });

function down(d: TunnelData, ctx: TunnelContext, state: TunnelState, reason: TunnelDownReason, send?: Outbound): TunnelStep {
  const event: TunnelEvent = { type: 'tunnel-down', tunnelId: ctx.tunnelId, peerTunnelId: d.peerTunnelId, reason, wasUp: d.state === 'established' };
  const actions: TunnelAction[] = send ? [{ type: 'send', message: send }, { type: 'emit', event }] : [{ type: 'emit', event }];
  return { next: { ...d, state }, actions };
}

function stop(d: TunnelData, ctx: TunnelContext, result: ResultCode, kind: 'local-close' | 'auth-failed' | 'version-mismatch' | 'peer-violation' | 'refused'): TunnelStep {
  const hold: TunnelHold = kind === 'local-close' ? 'until-acknowledged' : 'full-cycle';
  return down({ ...d, hold }, ctx, 'closing', { type: kind, sent: result }, { type: 'StopCCN', result });
}

const matches = (got: Uint8Array | undefined, want: Uint8Array): boolean => got !== undefined && sameBytes(got, want);

/**
 * Checks the version and authentication fields of SCCRQ/SCCRP and learns the peer's identity.
 * Returns the StopCCN step on failure, or the learnt data and our response to the peer's challenge.
 */
function acceptSetup(d: TunnelData, m: SetupFields, replyType: 2 | 3, ctx: TunnelContext, verifyId?: 2):
  TunnelStep | { readonly data: TunnelData; readonly response: Uint8Array | undefined } {
  const data: TunnelData = {
    ...d, peerTunnelId: m.assignedTunnelId, peerHostName: m.hostName, peerWindow: m.receiveWindowSize,
  };
  // RFC 2661 §4.4.2 result 5: the Error Code carries the highest version we support.
  if (m.protocolVersion !== undefined && m.protocolVersion >> 8 !== 1) {
    return stop(data, ctx, { result: StopCcnResult.UNSUPPORTED_VERSION, error: PROTOCOL_VERSION_1_0, message: 'only L2TPv2 1.0 is supported' }, 'version-mismatch');
  }
  if (verifyId !== undefined && ctx.respond !== undefined && !matches(m.challengeResponse, ctx.respond(verifyId, ctx.challenge!))) {
    return stop(data, ctx, { result: StopCcnResult.NOT_AUTHORIZED, message: 'challenge response mismatch' }, 'auth-failed');
  }
  if (m.challenge === undefined) return { data, response: undefined };
  // RFC 2661 §5.1.1: a challenge we cannot answer (no secret) refuses the tunnel.
  if (ctx.respond === undefined) {
    return stop(data, ctx, { result: StopCcnResult.NOT_AUTHORIZED, message: 'challenge received but no secret configured' }, 'auth-failed');
  }
  return { data, response: ctx.respond(replyType, m.challenge) };
}

const up = (d: TunnelData, ctx: TunnelContext, send?: Outbound): TunnelStep => {
  const event: TunnelEvent = { type: 'tunnel-up', tunnelId: ctx.tunnelId, peerTunnelId: d.peerTunnelId, peerHostName: d.peerHostName };
  const actions: TunnelAction[] = send ? [{ type: 'send', message: send }, { type: 'emit', event }] : [{ type: 'emit', event }];
  return { next: { ...d, state: 'established' }, actions };
};

const open: Handler = (d, _i, ctx) => (ctx.quiescent ? up(d, ctx) : {
  next: { ...d, state: 'wait-ctl-reply' },
  actions: [{ type: 'send', message: ctx.challenge ? { type: 'SCCRQ', challenge: ctx.challenge } : { type: 'SCCRQ' } }],
});

const answerSccrq: Handler = (d, input, ctx) => {
  const m = (input as { message: Extract<Inbound, { type: 'SCCRQ' }> }).message;
  const r = acceptSetup(d, m, 2, ctx);
  if ('next' in r) return r;
  const reply: Outbound = { type: 'SCCRP', ...(ctx.challenge && { challenge: ctx.challenge }), ...(r.response && { challengeResponse: r.response }) };
  return { next: { ...r.data, state: 'wait-ctl-conn' }, actions: [{ type: 'send', message: reply }] };
};

const acceptSccrp: Handler = (d, input, ctx) => {
  const m = (input as { message: Extract<Inbound, { type: 'SCCRP' }> }).message;
  const r = acceptSetup(d, m, 3, ctx, 2);
  if ('next' in r) return r;
  return up(r.data, ctx, r.response ? { type: 'SCCCN', challengeResponse: r.response } : { type: 'SCCCN' });
};

const acceptScccn: Handler = (d, input, ctx) => {
  const m = (input as { message: Extract<Inbound, { type: 'SCCCN' }> }).message;
  if (ctx.respond !== undefined && !matches(m.challengeResponse, ctx.respond(3, ctx.challenge!))) {
    return stop(d, ctx, { result: StopCcnResult.NOT_AUTHORIZED, message: 'challenge response mismatch' }, 'auth-failed');
  }
  return up(d, ctx);
};

const peerStopped: Handler = (d, input, ctx) => {
  const m = (input as { message: Extract<Inbound, { type: 'StopCCN' }> }).message;
  // A StopCCN answering our SCCRQ names the peer's tunnel only in its Assigned Tunnel ID (RFC 2661 §6.4): our ZLB goes there.
  const data: TunnelData = { ...d, hold: 'full-cycle', ...(d.peerTunnelId === 0 && m.assignedTunnelId !== undefined && { peerTunnelId: m.assignedTunnelId }) };
  const step = down(data, ctx, 'closing', { type: 'peer-stopccn', result: m.result });
  // RFC 2661 §5.7: acknowledge it and hold; anything of ours still unacknowledged is moot.
  return { next: step.next, actions: [{ type: 'abandon' }, ...step.actions] };
};

const refuse: Handler = (d, input, ctx) => {
  const i = input as Extract<TunnelInput, { type: 'refuse' }>;
  return stop({ ...d, peerTunnelId: i.assignedTunnelId }, ctx, i.result, 'refused');
};

const superseded: Handler = (d, _i, ctx) => down(d, ctx, 'closed', { type: 'superseded' });

const localClose: Handler = (d, input, ctx) =>
  stop(d, ctx, (input as { result?: ResultCode }).result ?? { result: StopCcnResult.GENERAL_CLEAR }, 'local-close');

const closeUnopened: Handler = (d, input, ctx) =>
  down(d, ctx, 'closed', { type: 'local-close', sent: (input as { result?: ResultCode }).result ?? { result: StopCcnResult.GENERAL_CLEAR } });

const badMessage: Handler = (d, input, ctx) => {
  const i = input as Extract<TunnelInput, { type: 'bad-message' }>;
  const data = d.peerTunnelId === 0 && i.assignedTunnelId !== undefined ? { ...d, peerTunnelId: i.assignedTunnelId } : d;
  return stop(data, ctx, i.result, 'peer-violation');
};

const transportFailed: Handler = (d, input, ctx) =>
  down(d, ctx, 'closed', { type: 'retransmit-exhausted', messageType: (input as { messageType: MessageName }).messageType });

const live = {
  'close': localClose, 'recv:StopCCN': peerStopped, 'bad-message': badMessage, 'transport-failed': transportFailed, 'superseded': superseded,
} as const;
const held = {
  'close': stay, 'open': stay, 'bad-message': stay, 'transport-failed': stay, 'superseded': stay, 'hold-expired': stay, 'refuse': stay, 'stopccn-acknowledged': stay,
} as const;

const toClosed = (d: TunnelData): TunnelStep => ({ next: { ...d, state: 'closed' }, actions: [] });

/** The transition table. Keys absent from a state's row are peer violations (see {@link stepTunnel}). */
export const TUNNEL_TABLE: { readonly [S in TunnelState]: Partial<Record<Key, Handler>> } = {
  // A refused SCCRQ (bad AVP, RFC 2661 §4.1) and a StopCCN for a connection never opened (§6.4) end here.
  'idle': {
    'open': open, 'recv:SCCRQ': answerSccrq, 'close': closeUnopened, 'transport-failed': transportFailed, 'bad-message': badMessage,
    'recv:StopCCN': peerStopped, 'superseded': stay, 'refuse': refuse,
  },
  'wait-ctl-reply': { ...live, 'recv:SCCRP': acceptSccrp },
  'wait-ctl-conn': { ...live, 'recv:SCCCN': acceptScccn },
  'established': { ...live, 'recv:HELLO': stay },
  // RFC 2661 §5.7: after StopCCN the state is kept only to acknowledge retransmissions; nothing more happens.
  // A tunnel we cleared ourselves goes once our StopCCN is acknowledged; a StopCCN of the peer crossing
  // ours makes us its receiver, held for the full cycle.
  'closing': {
    ...held, ...Object.fromEntries(recvKeys().map((k) => [k, stay])), 'hold-expired': toClosed,
    'stopccn-acknowledged': (d) => (d.hold === 'until-acknowledged' ? toClosed(d) : stay(d)),
    'recv:StopCCN': (d) => (d.hold === 'full-cycle' ? stay(d) : { next: { ...d, hold: 'full-cycle' }, actions: [] }),
  },
  'closed': { ...held, ...Object.fromEntries(recvKeys().map((k) => [k, stay])) },
};

function recvKeys(): Key[] {
  return ['SCCRQ', 'SCCRP', 'SCCCN', 'StopCCN', 'HELLO', 'OCRQ', 'OCRP', 'OCCN', 'ICRQ', 'ICRP', 'ICCN', 'CDN', 'WEN', 'SLI', 'ACK']
    .map((t) => `recv:${t}` as Key);
}

/**
 * Runs one transition. Any pair not in {@link TUNNEL_TABLE} is answered with StopCCN Result 7, Finite
 * State Machine error (RFC 2661 §4.4.2, §7.1: an out-of-sequence message clears the connection). Never throws.
 */
export function stepTunnel(d: TunnelData, input: TunnelInput, ctx: TunnelContext): TunnelStep {
  const key: Key = input.type === 'recv' ? `recv:${input.message.type}` : input.type;
  const handler = TUNNEL_TABLE[d.state][key];
  if (handler !== undefined) return handler(d, input, ctx);
  if (input.type === 'open' || input.type === 'hold-expired' || input.type === 'superseded' || input.type === 'refuse' || input.type === 'stopccn-acknowledged') return stay(d);
  const what = input.type === 'recv' ? input.message.type : input.type;
  return stop(d, ctx, { result: StopCcnResult.FSM_ERROR, message: `${what} in state ${d.state}` }, 'peer-violation');
}
