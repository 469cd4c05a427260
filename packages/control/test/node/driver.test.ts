import { describe, expect, it } from 'vitest';
import { type Clock, type ControlEngine, type ControlOutput, EngineDriver } from '../../src/index.js';

/** A virtual clock that records what is armed; `fire()` runs the armed timer at its time. */
function recordingClock() {
  let now = 0;
  const armed = new Map<number, { atMs: number; fire: () => void }>();
  let next = 0;
  const log: string[] = [];
  const clock: Clock = {
    nowMs: () => now,
    schedule(atMs, fire) {
      const id = next++;
      armed.set(id, { atMs, fire });
      log.push(`arm ${atMs}`);
      return () => { if (armed.delete(id)) log.push(`cancel ${atMs}`); };
    },
  };
  const fire = () => {
    const [id, t] = [...armed].sort((a, b) => a[1].atMs - b[1].atMs)[0]!;
    armed.delete(id);
    now = t.atMs;
    t.fire();
  };
  return { clock, log, fire, armed: () => [...armed.values()].map((t) => t.atMs) };
}

/** An engine whose next deadline is whatever the test sets; it counts the timeouts it is given. */
function scriptedEngine() {
  const e = { deadline: undefined as number | undefined, timeouts: [] as number[] };
  const engine = {
    handle: (input: { kind: string; nowMs: number }): ControlOutput[] => {
      if (input.kind === 'timeout') e.timeouts.push(input.nowMs);
      return [];
    },
    nextDeadlineMs: () => e.deadline,
  } as unknown as ControlEngine;
  return { e, engine };
}

describe('EngineDriver timer', () => {
  it('keeps the armed timer when the deadline moves later, re-arms when it moves earlier, disarms when none is left', () => {
    const c = recordingClock();
    const { e, engine } = scriptedEngine();
    const driver = new EngineDriver(engine, () => undefined, c.clock);
    const step = (deadline: number | undefined) => { e.deadline = deadline; driver.run(() => []); };
    step(100);
    step(500); // later: the timer at 100 stays (it fires early, harmlessly)
    step(1000);
    expect(c.log).toEqual(['arm 100']);
    step(50); // earlier: re-armed
    expect(c.log).toEqual(['arm 100', 'cancel 100', 'arm 50']);
    e.deadline = 1000;
    c.fire(); // the timer at 50 runs the engine, which now needs 1000
    expect(e.timeouts).toEqual([50]);
    expect(c.armed()).toEqual([1000]);
    step(undefined);
    expect(c.armed()).toEqual([]);
    expect(c.log.at(-1)).toBe('cancel 1000');
  });

  it('an early wake-up re-arms for the deadline still ahead, and the engine gets its timeout then', () => {
    const c = recordingClock();
    const { e, engine } = scriptedEngine();
    const driver = new EngineDriver(engine, () => undefined, c.clock);
    e.deadline = 100;
    driver.run(() => []);
    e.deadline = 300;
    driver.run(() => []);
    c.fire(); // at 100: nothing due yet for the engine, the driver re-arms at 300
    expect(c.armed()).toEqual([300]);
    e.deadline = undefined;
    c.fire();
    expect(e.timeouts).toEqual([100, 300]);
    expect(c.armed()).toEqual([]);
  });
});
