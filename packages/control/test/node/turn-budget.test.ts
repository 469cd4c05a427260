/**
 * The bound on datagrams handled per event-loop turn (node/turn-budget.ts): under it a datagram is
 * handled as it arrives; past it datagrams wait in arrival order and are handled `perTurn` a turn.
 */
import { expect, test } from 'vitest';
import { TurnBudget } from '../../src/node/turn-budget.js';

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
