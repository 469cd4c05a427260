/**
 * kl2tpd's behaviours in virtual time (SimNet, fake kernel, our LNS): the exact redial schedule,
 * admin down/up of a tunnel and of a session, the exit rule, a StopCCN from the LNS acknowledged
 * through the whole §5.7 hold before the daemon exits. No sleeps: time is SimNet's.
 */
import { describe, expect, it } from 'vitest';
import { matchMessageType } from '@l2tp/control/testing';
import { kl2tpdConfig, LNS, oneTunnel, simDaemon } from './sim-harness.js';

describe('redial', () => {
  it('redials after redial_timeout, doubling, until max_redials; then fails for good and exits 1', async () => {
    // Nothing listens: each dial is SCCRQ at +0, +100, +300 (retry 100 ms, 2 retries), dead at +700.
    const d = await simDaemon(kl2tpdConfig(oneTunnel('retry_timeout = 100\nmax_retries = 2\nredial = true\nredial_timeout = 1000\nmax_redials = 3')), { lns: false });
    d.runtime.start();
    await d.edge.run(60_000);
    expect(d.sentAt('SCCRQ')).toEqual([
      0, 100, 300, //                          dial 1, dead at 700
      1700, 1800, 2000, //                     redial 1 after 1000 ms, dead at 2400
      4400, 4500, 4700, //                     redial 2 after 2000 ms, dead at 5100
      9100, 9200, 9400, //                     redial 3 after 4000 ms, dead at 9800
    ]);
    expect(d.logged(/redialling/).map((l) => [l['redial'], l['redial_in_ms']])).toEqual([[1, 1000], [2, 2000], [3, 4000]]);
    expect(d.logged(/no retries left/)).toHaveLength(1);
    expect((await d.tunnel()).state).toBe('failed');
    expect(d.exits).toEqual([{ status: 1, atMs: 9800 }]);
  });

  it('without redial a dead peer fails the tunnel once and the daemon exits 1', async () => {
    const d = await simDaemon(kl2tpdConfig(oneTunnel('retry_timeout = 100\nmax_retries = 1')), { lns: false });
    d.runtime.start();
    await d.edge.run(10_000);
    expect(d.sentAt('SCCRQ')).toEqual([0, 100]);
    expect(d.exits).toEqual([{ status: 1, atMs: 300 }]);
    expect(d.logged(/no tunnel left; exiting/)[0]?.['level']).toBe(50);
  });
});

describe('admin down/up', () => {
  it('down on the only tunnel sends StopCCN, logs at info and keeps the daemon; up dials again', async () => {
    const d = await simDaemon(kl2tpdConfig(oneTunnel()));
    d.runtime.start();
    await d.edge.run(1000);
    expect(await d.tunnel()).toMatchObject({ state: 'established', sessions: [{ name: 's1', state: 'established' }] });
    expect(d.notes).toContain('READY=1');
    expect(d.lacKernel.tunnels.size).toBe(1);
    d.runtime.command('down', 't1');
    await d.edge.run(60_000);
    expect(d.sentAt('StopCCN')).toHaveLength(1);
    expect(await d.tunnel()).toMatchObject({ state: 'admin-down', sessions: [{ state: 'down' }] });
    expect(d.exits).toEqual([]);
    expect(d.lacKernel.tunnels.size + d.lacKernel.sessions.size).toBe(0);
    expect(d.logged(/tunnel down/).map((l) => l['level'])).toEqual([30]);
    expect(d.lines.filter((l) => (l['level'] as number) >= 50)).toEqual([]);
    d.runtime.command('up', 't1');
    await d.edge.run(1000);
    expect(await d.tunnel()).toMatchObject({ state: 'established', sessions: [{ state: 'established' }] });
    expect(d.sentAt('SCCRQ')).toHaveLength(2);
  });

  it('down TUNNEL/SESSION clears only that call (CDN result 3) and keeps the tunnel; up places it again', async () => {
    const d = await simDaemon(kl2tpdConfig(oneTunnel()));
    d.runtime.start();
    await d.edge.run(1000);
    const cdn = d.lns.once('session-down');
    d.runtime.command('down', 't1/s1');
    await d.edge.run(60_000);
    expect((await cdn).reason).toMatchObject({ type: 'peer-cdn', result: { result: 3 } });
    expect(await d.tunnel()).toMatchObject({ state: 'established', sessions: [{ name: 's1', state: 'admin-down' }] });
    expect(d.sentAt('StopCCN')).toEqual([]);
    d.runtime.command('up', 't1/s1');
    await d.edge.run(1000);
    expect(await d.tunnel()).toMatchObject({ state: 'established', sessions: [{ name: 's1', state: 'established' }] });
    expect(d.sentAt('ICRQ')).toHaveLength(2);
    expect(() => d.runtime.command('up', 't1/nope')).toThrow(/no session named nope/);
  });

  it('a refused command logs nothing as done: unknown session, up of a session in a tunnel that is down, unknown tunnel', async () => {
    const d = await simDaemon(kl2tpdConfig(oneTunnel()));
    d.runtime.start();
    await d.edge.run(1000);
    expect(() => d.runtime.command('down', 't1/unknown')).toThrow('no session named unknown in tunnel t1');
    expect(() => d.runtime.command('up', 't1/unknown')).toThrow('no session named unknown in tunnel t1');
    expect(() => d.runtime.command('down', 'nope')).toThrow('no tunnel named nope in the configuration');
    d.runtime.command('down', 't1');
    await d.edge.run(1000);
    expect(() => d.runtime.command('up', 't1/s1')).toThrow('tunnel t1 is not up (admin-down)');
    // One line for the one command acted on (and its consequence), none for the refusals.
    expect(d.logged(/^administratively/).map((l) => [l['msg'], l['tunnel_name'], l['session_name']])).toEqual([['administratively down', 't1', undefined]]);
  });
});

describe('StopCCN from the LNS (RFC 2661 §5.7)', () => {
  it('an LNS closing in order (StopCCN result 6, shutting down) is a warning, not an error', async () => {
    const d = await simDaemon(kl2tpdConfig(oneTunnel()));
    d.runtime.start();
    await d.edge.run(1000);
    d.lns.closeTunnel(d.lns.list()[0]!.tunnelId, { result: 6 });
    await d.edge.run(60_000);
    expect(d.logged(/tunnel down: peer sent StopCCN result 6/).map((l) => l['level'])).toEqual([40]);
  });
  it('acknowledges it and its retransmissions for a full retransmission cycle before the daemon exits', async () => {
    const d = await simDaemon(kl2tpdConfig(oneTunnel()));
    d.runtime.start();
    await d.edge.run(1000);
    // Our first two acknowledgements (the first delayed by the 100 ms ack delay) are lost: the LNS retransmits StopCCN, and we must answer each.
    d.net.drop({ match: matchMessageType('ZLB'), count: 2 });
    const t0 = d.net.nowMs;
    d.lns.closeTunnel(d.lns.list()[0]!.tunnelId, { result: 2, error: 0, message: 'go away' });
    await d.edge.run(60_000);
    const stopccns = d.net.log.filter((r) => r.atMs >= t0 && r.from.startsWith(`${LNS}:`) && matchMessageType('StopCCN')(r.bytes));
    const zlbs = d.net.log.filter((r) => r.atMs >= t0 && r.from.startsWith('10.0.0.1:') && matchMessageType('ZLB')(r.bytes));
    expect(stopccns.map((r) => r.atMs - t0)).toEqual([0, 1000, 3000]);
    expect(zlbs.map((r) => [r.atMs - t0, r.dropped])).toEqual([[105, true], [1005, true], [3005, false]]);
    // Result 2 (general error) is the peer's fault report: an error line.
    expect(d.logged(/tunnel down: peer sent StopCCN/).map((l) => l['level'])).toEqual([50]);
    // Released after the hold (1+2+4+8+16+... = 31 s with the defaults), not before.
    expect(d.exits).toHaveLength(1);
    expect(d.exits[0]!.atMs - t0).toBeGreaterThanOrEqual(31_000);
  });
});

describe('kernel objects deleted under us', () => {
  it('a call\'s kernel session deleted (ip l2tp del session) clears the call with CDN result 2; the tunnel stays', async () => {
    const d = await simDaemon(kl2tpdConfig(oneTunnel('stay_up = true')));
    d.runtime.start();
    await d.edge.run(1000);
    const t = await d.tunnel();
    const cdn = d.lns.once('session-down');
    d.lacKernel.deleteUnderUs(t.tunnelId, t.sessions[0]!.sessionId);
    await d.edge.run(1000);
    expect((await cdn).reason).toMatchObject({ type: 'peer-cdn', result: { result: 2, message: 'kernel session deleted' } });
    expect(await d.tunnel()).toMatchObject({ state: 'established', sessions: [{ state: 'down' }] });
    expect(d.logged(/kernel session deleted by someone else/)).toHaveLength(1);
  });

  it('a kernel tunnel deleted closes the connection (StopCCN result 2); with redial it comes back', async () => {
    const d = await simDaemon(kl2tpdConfig(oneTunnel('redial = true\nredial_timeout = 1000')));
    d.runtime.start();
    await d.edge.run(1000);
    const first = (await d.tunnel()).tunnelId;
    d.lacKernel.deleteUnderUs(first);
    await d.edge.run(5000);
    expect(d.sentAt('StopCCN')).toHaveLength(1);
    const now = await d.tunnel();
    expect(now).toMatchObject({ state: 'established', sessions: [{ state: 'established' }] });
    expect(now.tunnelId).not.toBe(first);
  });
});
