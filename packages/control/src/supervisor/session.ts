/**
 * The supervisor of one configured session (a call a LAC places, or a static session): only what the
 * engine cannot know — whether the operator wants it up. Its protocol state is the engine's
 * (`src/fsm/session.ts`); a status snapshot reads that, and this table's `want` when the engine has
 * no such session.
 *
 * ```
 *   want up   --tunnel up, not live--> open       --admin-down--> want down, close (CDN result 3) if live
 *   want down --admin-up--> want up, open if the tunnel is up
 * ```
 */
import type { ResultCode } from '../fsm/types.js';

/** The operator's wish for one session. */
export interface SessionSupervisor {
  readonly want: 'up' | 'down';
}

/** What drives it; `live` says whether the engine holds the call (opening or established). */
export type SessionSupervisorInput =
  | { readonly type: 'tunnel-up'; readonly live: boolean }
  | { readonly type: 'admin-down'; readonly live: boolean }
  | { readonly type: 'admin-up'; readonly live: boolean; readonly tunnelUp: boolean };

/** What the runner must do. */
export type SessionSupervisorAction = { readonly type: 'open' } | { readonly type: 'close'; readonly result: ResultCode };

/** One transition of a session supervisor. Never throws. */
export function stepSessionSupervisor(d: SessionSupervisor, input: SessionSupervisorInput): { next: SessionSupervisor; actions: SessionSupervisorAction[] } {
  switch (input.type) {
    case 'tunnel-up':
      return { next: d, actions: d.want === 'up' && !input.live ? [{ type: 'open' }] : [] };
    case 'admin-down':
      // RFC 2661 §4.4.2 CDN result 3: call disconnected for administrative reasons.
      return { next: { want: 'down' }, actions: input.live ? [{ type: 'close', result: { result: 3, message: 'administratively down' } }] : [] };
    case 'admin-up':
      return { next: { want: 'up' }, actions: input.tunnelUp && !input.live ? [{ type: 'open' }] : [] };
  }
}
