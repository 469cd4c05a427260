/**
 * A whole lifecycle driven through SimNet: tunnel up, `sessions` incoming calls up, every call
 * cleared by the LAC, StopCCN, both StopCCN holds expired. Returns what each side reported.
 */
import type { TunnelEvent } from '../../src/fsm/types.js';
import type { WireCodec } from '../../src/engine/wire.js';
import type { TunnelEngineOptions } from '../../src/engine/config.js';
import { enginePair } from '../engine/pair.js';
import { codecWire } from '../../src/engine/codec-wire.js';
import { md5 } from '../../src/node/platform.js';
import type { SimNetOptions } from '../../src/testing/index.js';

/** Options of {@link runLifecycle}. */
export interface LifecycleOptions {
  readonly sessions: number;
  readonly net?: SimNetOptions;
  readonly engine?: Partial<TunnelEngineOptions>;
  /** Default: the real codec. */
  readonly wire?: WireCodec;
  /** Default: real MD5. */
  readonly md5?: (...p: Uint8Array[]) => Uint8Array;
  readonly limitMs?: number;
}

/** Outcome of {@link runLifecycle}. */
export interface LifecycleResult {
  readonly phase: 'tunnel' | 'sessions' | 'teardown' | 'done';
  readonly lac: TunnelEvent[];
  readonly lns: TunnelEvent[];
  readonly endMs: number;
}

/** Runs the lifecycle; `phase` says how far it got. */
export function runLifecycle(o: LifecycleOptions): LifecycleResult {
  const limit = o.limitMs ?? 3_600_000;
  const p = enginePair({ net: { record: false, ...o.net }, lac: o.engine, lns: o.engine, wire: o.wire ?? codecWire, md5: o.md5 ?? md5 });
  const { net, lac, lns, events } = p;
  const count = (side: 'lac' | 'lns', type: TunnelEvent['type']) => events(side).filter((e) => e.type === type).length;
  const result = (phase: LifecycleResult['phase']): LifecycleResult => ({ phase, lac: events('lac'), lns: events('lns'), endMs: net.nowMs });
  p.open();
  if (!net.runUntil(() => lac.state === 'established' && lns.state === 'established', limit)) return result('tunnel');
  const ids: number[] = [];
  net.call('lac', (nowMs) => {
    const out = [];
    for (let i = 0; i < o.sessions; i++) {
      const sessionId = lac.allocateSessionId();
      ids.push(sessionId);
      out.push(...lac.handle({ kind: 'command', nowMs, command: { type: 'open-session', sessionId } }));
    }
    return out;
  });
  if (!net.runUntil(() => count('lac', 'session-up') === o.sessions && count('lns', 'session-up') === o.sessions, limit)) return result('sessions');
  net.call('lac', (nowMs) => ids.flatMap((sessionId) => lac.handle({ kind: 'command', nowMs, command: { type: 'close-session', sessionId } })));
  if (!net.runUntil(() => count('lns', 'session-down') === o.sessions, limit)) return result('teardown');
  net.call('lac', (nowMs) => lac.handle({ kind: 'command', nowMs, command: { type: 'close' } }));
  if (!net.runUntil(() => lac.finished && lns.finished, limit)) return result('teardown');
  return result('done');
}
