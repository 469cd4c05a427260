/**
 * 500 seeds of 30% loss in both directions, plus duplication and reordering: every run converges —
 * tunnel and sessions up on both sides, then all torn down cleanly. With 30% loss each way a
 * retransmission round trip succeeds about half the time, so the RFC's 5 retries would lose ~2% of
 * messages; these runs allow 20 (the schedule is capped at 8 s, so a run still ends in virtual minutes).
 */
import { expect, test } from 'vitest';
import { runLifecycle } from './scenario.js';

test('500 seeds with 30% loss, 5% duplication and 10% reordering all converge', () => {
  const failures: string[] = [];
  for (let seed = 1; seed <= 500; seed++) {
    const r = runLifecycle({
      sessions: 3,
      net: { seed, loss: 0.3, duplicate: 0.05, reorder: 0.1, latencyMs: 20, jitterMs: 10 },
      engine: { transport: { maxRetries: 20 }, helloIntervalMs: 30_000 },
    });
    const downs = (ev: typeof r.lac) => ev.filter((e) => e.type === 'session-down').length;
    if (r.phase !== 'done' || downs(r.lac) !== 3 || downs(r.lns) !== 3) failures.push(`seed ${seed}: ${r.phase}`);
    else {
      const lac = r.lac.at(-1), lns = r.lns.at(-1);
      if (lac?.type !== 'tunnel-down' || lac.reason.type !== 'local-close') failures.push(`seed ${seed}: LAC ${JSON.stringify(lac)}`);
      if (lns?.type !== 'tunnel-down' || lns.reason.type !== 'peer-stopccn') failures.push(`seed ${seed}: LNS ${JSON.stringify(lns)}`);
    }
  }
  expect(failures).toEqual([]);
});
