/**
 * LAC engine against LNS engine: one tunnel and 1 000 incoming calls through the whole lifecycle
 * on a clean link. Pins the window (1 000 queued ICRQs drain through RWS 4 without loss of order),
 * per-session events on both sides, and a clean teardown.
 */
import { expect, test } from 'vitest';
import { runLifecycle } from './scenario.js';

test('1 tunnel and 1 000 sessions come up and are torn down cleanly', () => {
  const r = runLifecycle({ sessions: 1000 });
  expect(r.phase).toBe('done');
  const tally = (ev: typeof r.lac) => ev.reduce<Record<string, number>>((m, e) => { m[e.type] = (m[e.type] ?? 0) + 1; return m; }, {});
  expect(tally(r.lac)).toEqual({ 'tunnel-up': 1, 'session-up': 1000, 'session-down': 1000, 'tunnel-down': 1 });
  expect(tally(r.lns)).toEqual({ 'tunnel-up': 1, 'session-up': 1000, 'session-down': 1000, 'tunnel-down': 1 });
  expect(r.lns.filter((e) => e.type === 'session-down').every((e) => e.type === 'session-down' && e.reason.type === 'peer-cdn')).toBe(true);
  expect(r.lns.at(-1)).toMatchObject({ type: 'tunnel-down', reason: { type: 'peer-stopccn' } });
});
