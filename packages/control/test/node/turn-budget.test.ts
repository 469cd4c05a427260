/**
 * The bound on datagrams handled per event-loop turn (node/turn-budget.ts): under it a datagram is
 * handled as it arrives; past it datagrams wait in arrival order and are handled `perTurn` a turn.
 */
import { expect, test } from 'vitest';
import { LATE_TIMER_MS, TurnBudget } from '../../src/node/turn-budget.js';

/** A hand-turned event loop: `defer`red functions run when the test calls `turn()`. */
function loop() {
  let pending: (() => void)[] = [];
  return {
    defer: (fn: () => void) => { pending.push(fn); },
    turn: () => { const p = pending; pending = []; for (const f of p) f(); },
    get scheduled() { return pending.length; },
  };
}

const bytes = (n: number) => new Uint8Array([n]);

test('datagrams under the budget are handled at once; the rest wait, in order, perTurn a turn', () => {
  const l = loop();
  const budget = new TurnBudget(3, l.defer);
  const seen: string[] = [];
  const a = (b: Uint8Array, from: unknown, local: unknown) => seen.push(`a${b[0]} ${String(from)} ${String(local)}`);
  const b = (x: Uint8Array) => seen.push(`b${x[0]}`);
  for (let i = 1; i <= 8; i++) budget.offer(i % 2 ? a : b, bytes(i), `f${i}`, i === 1 ? 'l1' : undefined);
  expect(seen).toEqual(['a1 f1 l1', 'b2', 'a3 f3 undefined']);
  expect(budget.waiting).toBe(5);
  l.turn();
  expect(seen.slice(3)).toEqual(['b4', 'a5 f5 undefined', 'b6']);
  // Arriving while others wait: queued behind them even though the turn had no budget left anyway.
  budget.offer(b, bytes(9), 'f9', undefined);
  l.turn();
  expect(seen.slice(6)).toEqual(['a7 f7 undefined', 'b8', 'b9']);
  expect(budget.waiting).toBe(0);
  // The turn after a busy one restores the budget; an idle one schedules nothing more.
  l.turn();
  expect(l.scheduled).toBe(0);
  budget.offer(b, bytes(10), 'f10', undefined);
  expect(seen.at(-1)).toBe('b10');
});

test('a budget below 1 is refused', () => {
  expect(() => new TurnBudget(0)).toThrow(RangeError);
  expect(() => new TurnBudget(Number.NaN)).toThrow(RangeError);
});

test('a timer\'s work runs after the datagrams waiting when it fired; on time and with none waiting, at once', () => {
  const l = loop();
  const budget = new TurnBudget(2, l.defer);
  const seen: string[] = [];
  const d = (b: Uint8Array) => seen.push(`d${b[0]}`);
  budget.afterInput(() => seen.push('t0'), 0);
  expect(seen).toEqual(['t0']);
  for (let i = 1; i <= 4; i++) budget.offer(d, bytes(i), undefined, undefined);
  // d3 and d4 wait (the acknowledgement a retransmission timer must see first): the timer queues behind them.
  budget.afterInput(() => seen.push('t1'), 0);
  expect(seen).toEqual(['t0', 'd1', 'd2']);
  l.turn();
  expect(seen.slice(3)).toEqual(['d3', 'd4']);
  l.turn();
  expect(seen.slice(5)).toEqual(['t1']);
  expect(budget.waiting).toBe(0);
});

test('a late timer (the loop was blocked) first lets the sockets be read: datagrams arriving before its turn go first', () => {
  const l = loop();
  const budget = new TurnBudget(32, l.defer);
  const seen: string[] = [];
  budget.afterInput(() => seen.push('late'), 5_000);
  expect(seen).toEqual([]);
  // The poll phase after the timers: what was waiting in the socket is read and handled.
  budget.offer((b) => seen.push(`ack${b[0]}`), bytes(1), undefined, undefined);
  l.turn();
  expect(seen).toEqual(['ack1', 'late']);
  // Just under LATE_TIMER_MS: not deferred.
  budget.afterInput(() => seen.push('on time'), LATE_TIMER_MS - 1);
  expect(seen.at(-1)).toBe('on time');
});
