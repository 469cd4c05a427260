/**
 * The supervisor of one configured tunnel as a transition table (the style of `src/fsm/`): what a
 * daemon wants of the tunnel — dialled, redialled with back-off after a failure, probed for after a
 * HELLO failure (quiescent L2TPv3), taken down and up by the operator, closed for a reload or at
 * shutdown — with its one timer as data (`timerAtMs`). No I/O: the daemon's runner performs the
 * returned actions through `L2tpContext` and arms a timer on its `Clock` at `timerAtMs`.
 *
 * ```
 *   idle --start/dial--> dialling --up--> established
 *   dialling|probing|established --down--> redial-wait (timer) --timer/dial--> dialling  (policy 'redial')
 *                                         redial-wait --up--> established (the peer connected to us)
 *                                         \-> probe-wait (timer) --timer/probe--> probing --up--> established
 *                                         \-> failed                                  (no retries left)
 *   dialling|probing|established --admin-down|idle|remove|shutdown/close--> closing --down--> admin-down | stopped | (failure)
 *   admin-down|failed|redial-wait|probe-wait --admin-up/dial--> dialling
 * ```
 * The protocol state of the tunnel stays in the engine (`src/fsm/tunnel.ts`); this table holds only
 * what the engine cannot know: the operator's wish, the retry count and the retry timer.
 */
import type { ResultCode } from '../fsm/types.js';

/** Where the supervisor is. `failed`: retries used up (or none configured); `stopped`: shut down or removed. */
export type TunnelSupervisorState =
  | 'idle' | 'dialling' | 'established' | 'closing' | 'redial-wait' | 'probe-wait' | 'probing' | 'admin-down' | 'failed' | 'stopped';

/** Why the supervisor itself closed the tunnel: decides where it goes once the tunnel is down. */
export type ClosePurpose = 'admin' | 'idle' | 'remove' | 'shutdown';

/** The supervisor's data. */
export interface TunnelSupervisor {
  readonly state: TunnelSupervisorState;
  /** Failures since the tunnel was last up (the back-off exponent). */
  readonly attempts: number;
  /** When the redial or probe timer fires; set exactly in `redial-wait` and `probe-wait`. */
  readonly timerAtMs: number | undefined;
  /** Set in `closing`. */
  readonly purpose: ClosePurpose | undefined;
}

/** A fresh supervisor, before `start`. */
export const INITIAL_SUPERVISOR: TunnelSupervisor = { state: 'idle', attempts: 0, timerAtMs: undefined, purpose: undefined };

/** How a tunnel recovers from a failure. */
export interface RecoveryPolicy {
  /** `redial`: dial again (LAC); `probe`: wait until the peer is heard, then re-establish (quiescent). */
  readonly mode: 'redial' | 'probe';
  /** Delay before retry number `attempt` (1-based), or `undefined` to give up. */
  retryDelayMs(attempt: number): number | undefined;
}

/** What drives the supervisor. `down` covers a failed dial too; `reason` is for the log. */
export type SupervisorInput =
  | { readonly type: 'start' }
  | { readonly type: 'up' }
  /**
   * The tunnel went down. `orderly`: the peer closed it in order (StopCCN result 1 "general request to
   * clear" or 6 "shutting down", RFC 2661 §4.4.2, RFC 3931 §5.4.2) — logged as a warning, not an error.
   */
  | { readonly type: 'down'; readonly reason: string; readonly orderly?: boolean }
  | { readonly type: 'timer' }
  | { readonly type: 'admin-down' }
  | { readonly type: 'admin-up' }
  /** The last session went away and the tunnel is not configured to stay up. */
  | { readonly type: 'idle' }
  /** A reload removed (or changed) the tunnel. */
  | { readonly type: 'remove' }
  | { readonly type: 'shutdown' };

/** What the runner must do. `log` lines carry the level the table decided. */
export type SupervisorAction =
  | { readonly type: 'dial' }
  | { readonly type: 'close'; readonly result: ResultCode }
  /**
   * Start a probe: the control channel alone, its kernel objects made (and `up` fed) only once the
   * peer is heard from. Closed with `close` like any tunnel.
   */
  | { readonly type: 'probe' }
  | { readonly type: 'log'; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly message: string; readonly retryInMs?: number; readonly attempt?: number };

/** One transition. */
export interface SupervisorStep {
  readonly next: TunnelSupervisor;
  readonly actions: readonly SupervisorAction[];
}

const CLOSE_RESULT: Readonly<Record<ClosePurpose, ResultCode>> = {
  // RFC 2661 §4.4.2 StopCCN result 1 (general request to clear) / 6 (requester is being shut down).
  admin: { result: 1, message: 'administratively down' },
  idle: { result: 1 },
  remove: { result: 1, message: 'removed from the configuration' },
  shutdown: { result: 6 },
};

const at = (d: TunnelSupervisor, state: TunnelSupervisorState, extra: Partial<TunnelSupervisor> = {}): TunnelSupervisor =>
  ({ ...d, state, timerAtMs: undefined, purpose: undefined, ...extra });
const stay = (d: TunnelSupervisor): SupervisorStep => ({ next: d, actions: [] });
const dial = (d: TunnelSupervisor, attempts = d.attempts): SupervisorStep => ({ next: at(d, 'dialling', { attempts }), actions: [{ type: 'dial' }] });
const closeFor = (d: TunnelSupervisor, purpose: ClosePurpose): SupervisorStep =>
  ({ next: at(d, 'closing', { purpose }), actions: [{ type: 'close', result: CLOSE_RESULT[purpose] }] });

/** The tunnel failed (not by our own doing): retry after the policy's delay, or give up. */
function failure(d: TunnelSupervisor, reason: string, nowMs: number, policy: RecoveryPolicy, orderly = false): SupervisorStep {
  const attempt = d.attempts + 1;
  const delay = policy.retryDelayMs(attempt);
  if (delay === undefined) {
    return { next: at(d, 'failed', { attempts: attempt }), actions: [{ type: 'log', level: orderly ? 'warn' : 'error', message: `tunnel down: ${reason}${attempt > 1 ? ' (no retries left)' : ''}` }] };
  }
  const wait = policy.mode === 'redial' ? 'redial-wait' : 'probe-wait';
  const message = policy.mode === 'redial' ? `tunnel down: ${reason}; redialling` : `tunnel down: ${reason}; probing for the peer`;
  return { next: at(d, wait, { attempts: attempt, timerAtMs: nowMs + delay }), actions: [{ type: 'log', level: attempt > 1 || orderly ? 'warn' : 'error', message, retryInMs: delay, attempt }] };
}

/** A probe's failure: expected while the peer is away, so its lines go to debug. */
function quiet(step: SupervisorStep): SupervisorStep {
  return {
    next: step.next,
    actions: step.actions.map((a) => (a.type === 'log' ? { ...a, level: 'debug' as const, message: a.message.replace(/^tunnel down: /, 'peer still silent: ') } : a)),
  };
}

/** The tunnel is down after we closed it on purpose. */
function closed(d: TunnelSupervisor, reason: string, nowMs: number, policy: RecoveryPolicy): SupervisorStep {
  switch (d.purpose) {
    // An administrative action never ends the daemon: worth a line at info, not an error.
    case 'admin': return { next: at(d, 'admin-down'), actions: [{ type: 'log', level: 'info', message: `tunnel down: ${reason} (administratively)` }] };
    case 'remove':
    case 'shutdown': return { next: at(d, 'stopped'), actions: [{ type: 'log', level: 'info', message: `tunnel down: ${reason}` }] };
    default: return failure(d, reason, nowMs, policy);
  }
}

/** Computes the supervisor's next data and actions for `input` at `nowMs`. Never throws. */
export function stepSupervisor(d: TunnelSupervisor, input: SupervisorInput, nowMs: number, policy: RecoveryPolicy): SupervisorStep {
  const s = d.state;
  switch (input.type) {
    case 'start':
      return s === 'idle' ? dial(d) : stay(d);
    case 'up':
      if (s === 'probing') return { next: at(d, 'established', { attempts: 0 }), actions: [{ type: 'log', level: 'info', message: 'peer is back: tunnel re-established' }] };
      // A dynamic L2TPv3 peer may open the connection itself while we wait to redial (both ends dial).
      if (s === 'redial-wait') return { next: at(d, 'established', { attempts: 0 }), actions: [{ type: 'log', level: 'info', message: 'the peer connected: tunnel up' }] };
      return s === 'dialling' ? { next: at(d, 'established', { attempts: 0 }), actions: [] } : stay(d);
    case 'down':
      if (s === 'closing') return closed(d, input.reason, nowMs, policy);
      if (s === 'dialling' || s === 'established') return failure(d, input.reason, nowMs, policy, input.orderly);
      // The probe's own HELLO went unanswered: the peer is still away (a debug line, not an error).
      if (s === 'probing') return quiet(failure(d, input.reason, nowMs, policy));
      return stay(d);
    case 'timer':
      if (d.timerAtMs === undefined || nowMs < d.timerAtMs) return stay(d);
      if (s === 'redial-wait') return dial(d);
      if (s === 'probe-wait') return { next: at(d, 'probing'), actions: [{ type: 'probe' }] };
      return stay(d);
    case 'admin-down':
      if (s === 'dialling' || s === 'probing' || s === 'established') return closeFor(d, 'admin');
      if (s === 'closing') return { next: { ...d, purpose: 'admin' }, actions: [] };
      if (s === 'redial-wait' || s === 'probe-wait' || s === 'failed' || s === 'idle') return { next: at(d, 'admin-down'), actions: [] };
      return stay(d);
    case 'admin-up':
      return s === 'admin-down' || s === 'failed' || s === 'redial-wait' || s === 'probe-wait' ? dial(d, 0) : stay(d);
    case 'idle':
      return s === 'established' ? closeFor(d, 'idle') : stay(d);
    case 'remove':
    case 'shutdown': {
      const purpose = input.type;
      if (s === 'dialling' || s === 'probing' || s === 'established') return closeFor(d, purpose);
      if (s === 'closing') return { next: { ...d, purpose }, actions: [] };
      return { next: at(d, 'stopped'), actions: [] };
    }
  }
}

/** True in the states where the supervisor holds a live control connection (or is opening one). */
export function supervisorLive(d: TunnelSupervisor): boolean {
  return d.state === 'dialling' || d.state === 'probing' || d.state === 'established' || d.state === 'closing';
}

/**
 * Whether a peer's StopCCN closed the tunnel in order: result 1 (general request to clear) or 6 (the
 * requester is being shut down), RFC 2661 §4.4.2 and RFC 3931 §5.4.2. Such a close is the peer's
 * choice, not a fault: runners pass it as `orderly` so it is logged as a warning.
 */
export function isOrderlyClose(reason: { readonly type: string; readonly result?: { readonly result: number } }): boolean {
  return reason.type === 'peer-stopccn' && (reason.result?.result === 1 || reason.result?.result === 6);
}
