/**
 * The supervisor tables: named transitions (redial schedule, probe, admin down/up, idle, reload
 * removal, shutdown), and by fast-check over every state and input: never throws, the timer is set
 * exactly in the waiting states, `failed` only by the policy giving up, admin actions never fail.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  INITIAL_SUPERVISOR, isOrderlyClose, type RecoveryPolicy, stepSessionSupervisor, stepSupervisor, type SupervisorInput, type TunnelSupervisor,
  type TunnelSupervisorState,
} from '../../src/supervisor/index.js';

const redial = (max: number): RecoveryPolicy => ({ mode: 'redial', retryDelayMs: (n) => (n > max ? undefined : 1000 * 2 ** (n - 1)) });
const run = (inputs: [SupervisorInput, number][], policy: RecoveryPolicy, from: TunnelSupervisor = INITIAL_SUPERVISOR) => {
  let d = from;
  const trace: string[] = [];
  for (const [i, now] of inputs) {
    const s = stepSupervisor(d, i, now, policy);
    d = s.next;
    trace.push(`${i.type}@${now}->${d.state}${d.timerAtMs === undefined ? '' : `(${d.timerAtMs})`}${s.actions.filter((a) => a.type !== 'log').map((a) => ` ${a.type}`).join('')}`);
  }
  return { d, trace };
};

describe('tunnel supervisor', () => {
  it('redials with the policy\'s delays, resets them when up, and fails when they are used up', () => {
    const { d, trace } = run([
      [{ type: 'start' }, 0], [{ type: 'down', reason: 'x' }, 700], [{ type: 'timer' }, 1699], [{ type: 'timer' }, 1700],
      [{ type: 'up' }, 1800], [{ type: 'down', reason: 'y' }, 5000], [{ type: 'timer' }, 6000], [{ type: 'down', reason: 'z' }, 6100],
      [{ type: 'timer' }, 8100], [{ type: 'down', reason: 'z' }, 8200],
    ], redial(2));
    expect(trace).toEqual([
      'start@0->dialling dial', 'down@700->redial-wait(1700)', 'timer@1699->redial-wait(1700)', 'timer@1700->dialling dial',
      'up@1800->established', 'down@5000->redial-wait(6000)', 'timer@6000->dialling dial', 'down@6100->redial-wait(8100)',
      'timer@8100->dialling dial', 'down@8200->failed',
    ]);
    expect(d.attempts).toBe(3);
  });

  it('the peer connecting while we wait to redial brings the tunnel up (dynamic L2TPv3: both ends dial)', () => {
    const { d, trace } = run([[{ type: 'start' }, 0], [{ type: 'down', reason: 'x' }, 700], [{ type: 'up' }, 900], [{ type: 'timer' }, 1700]], redial(3));
    expect(trace).toEqual(['start@0->dialling dial', 'down@700->redial-wait(1700)', 'up@900->established', 'timer@1700->established']);
    expect(d.attempts).toBe(0);
  });

  it('admin down closes with StopCCN result 1 and lands in admin-down, logged at info; admin up dials with a fresh count', () => {
    const up = run([[{ type: 'start' }, 0], [{ type: 'up' }, 10]], redial(0)).d;
    const s = stepSupervisor(up, { type: 'admin-down' }, 20, redial(0));
    expect(s.actions).toEqual([{ type: 'close', result: { result: 1, message: 'administratively down' } }]);
    const down = stepSupervisor(s.next, { type: 'down', reason: 'we sent StopCCN' }, 30, redial(0));
    expect(down.next.state).toBe('admin-down');
    expect(down.actions).toEqual([{ type: 'log', level: 'info', message: 'tunnel down: we sent StopCCN (administratively)' }]);
    expect(stepSupervisor(down.next, { type: 'admin-up' }, 40, redial(0))).toEqual({ next: { state: 'dialling', attempts: 0, timerAtMs: undefined, purpose: undefined }, actions: [{ type: 'dial' }] });
  });

  it('a peer\'s orderly StopCCN (result 1 or 6) is a warning; a fault or another result is an error', () => {
    const up = run([[{ type: 'start' }, 0], [{ type: 'up' }, 10]], redial(3)).d;
    const level = (input: SupervisorInput, policy = redial(3)) => stepSupervisor(up, input, 20, policy).actions.find((a) => a.type === 'log')?.level;
    expect(level({ type: 'down', reason: 'peer sent StopCCN result 6', orderly: true })).toBe('warn');
    expect(level({ type: 'down', reason: 'peer sent StopCCN result 1', orderly: true }, redial(0))).toBe('warn');
    expect(level({ type: 'down', reason: 'no acknowledgement' })).toBe('error');
    expect(level({ type: 'down', reason: 'no acknowledgement' }, redial(0))).toBe('error');
    expect(isOrderlyClose({ type: 'peer-stopccn', result: { result: 1 } })).toBe(true);
    expect(isOrderlyClose({ type: 'peer-stopccn', result: { result: 6 } })).toBe(true);
    expect(isOrderlyClose({ type: 'peer-stopccn', result: { result: 2 } })).toBe(false);
    expect(isOrderlyClose({ type: 'retransmit-exhausted' })).toBe(false);
  });

  it('probe mode: a failure waits, probes, and comes back up on the peer\'s word', () => {
    const probe: RecoveryPolicy = { mode: 'probe', retryDelayMs: () => 0 };
    const { trace } = run([[{ type: 'start' }, 0], [{ type: 'up' }, 0], [{ type: 'down', reason: 'HELLO' }, 5000], [{ type: 'timer' }, 5000],
      [{ type: 'down', reason: 'HELLO' }, 6000], [{ type: 'timer' }, 6000], [{ type: 'up' }, 6500], [{ type: 'shutdown' }, 7000]], probe);
    expect(trace).toEqual(['start@0->dialling dial', 'up@0->established', 'down@5000->probe-wait(5000)', 'timer@5000->probing probe',
      'down@6000->probe-wait(6000)', 'timer@6000->probing probe', 'up@6500->established', 'shutdown@7000->closing close']);
  });

  it('reload removal and shutdown close a live tunnel and stop; a waiting one stops at once', () => {
    const up = run([[{ type: 'start' }, 0], [{ type: 'up' }, 10]], redial(5)).d;
    const r = stepSupervisor(up, { type: 'remove' }, 20, redial(5));
    expect(r.actions).toEqual([{ type: 'close', result: { result: 1, message: 'removed from the configuration' } }]);
    expect(stepSupervisor(r.next, { type: 'down', reason: 'x' }, 30, redial(5)).next.state).toBe('stopped');
    const waiting = run([[{ type: 'start' }, 0], [{ type: 'down', reason: 'x' }, 10]], redial(5)).d;
    expect(stepSupervisor(waiting, { type: 'shutdown' }, 20, redial(5))).toEqual({ next: { ...waiting, state: 'stopped', timerAtMs: undefined }, actions: [] });
  });

  it('any sequence of inputs: no throw, timer iff waiting, admin-down never ends in failed', () => {
    const input = fc.constantFrom<SupervisorInput>(
      { type: 'start' }, { type: 'up' }, { type: 'down', reason: 'r' }, { type: 'timer' }, { type: 'admin-down' }, { type: 'admin-up' },
      { type: 'idle' }, { type: 'remove' }, { type: 'shutdown' });
    fc.assert(fc.property(fc.array(fc.tuple(input, fc.nat(10_000)), { maxLength: 40 }), fc.boolean(), fc.nat(4), (steps, probe, max) => {
      const policy: RecoveryPolicy = probe ? { mode: 'probe', retryDelayMs: (n) => (n > max ? undefined : 0) } : redial(max);
      let d = INITIAL_SUPERVISOR;
      let now = 0;
      for (const [i, dt] of steps) {
        now += dt;
        const before: TunnelSupervisorState = d.state;
        d = stepSupervisor(d, i, now, policy).next;
        expect(d.timerAtMs !== undefined).toBe(d.state === 'redial-wait' || d.state === 'probe-wait');
        expect(d.purpose !== undefined).toBe(d.state === 'closing');
        if (i.type === 'admin-down') expect(['admin-down', 'closing', 'stopped']).toContain(d.state);
        if (before === 'stopped') expect(d.state).toBe('stopped');
      }
    }));
  });
});

describe('session supervisor', () => {
  it('opens when wanted and not live; admin down clears a live call with CDN result 3; admin up reopens only on an up tunnel', () => {
    expect(stepSessionSupervisor({ want: 'up' }, { type: 'tunnel-up', live: false }).actions).toEqual([{ type: 'open' }]);
    expect(stepSessionSupervisor({ want: 'down' }, { type: 'tunnel-up', live: false }).actions).toEqual([]);
    expect(stepSessionSupervisor({ want: 'up' }, { type: 'admin-down', live: true })).toEqual({ next: { want: 'down' }, actions: [{ type: 'close', result: { result: 3, message: 'administratively down' } }] });
    expect(stepSessionSupervisor({ want: 'down' }, { type: 'admin-up', live: false, tunnelUp: false })).toEqual({ next: { want: 'up' }, actions: [] });
    expect(stepSessionSupervisor({ want: 'down' }, { type: 'admin-up', live: false, tunnelUp: true }).actions).toEqual([{ type: 'open' }]);
  });
});
