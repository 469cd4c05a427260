/**
 * A tunnel with a fixed `local` address in virtual time: the last control connection's socket is
 * held through its StopCCN hold (RFC 2661 §5.7), so every way of dialling again — `up` after
 * `down`, a reload that replaces the tunnel, a redial after the peer's StopCCN — waits for its
 * release instead of failing with EADDRINUSE (which failed the tunnel, or exited the daemon).
 */
import { describe, expect, it } from 'vitest';
import { matchMessageType } from '@l2tp/control/testing';
import { kl2tpdConfig, LAC, oneTunnel, simDaemon } from './sim-harness.js';

const LOCAL = `local = "${LAC}:1702"`;
/** kl2tpd with t1 (session s1) on the fixed address, started, its tunnel up. */
async function upDaemon(extra = '') {
  const d = await simDaemon(kl2tpdConfig(oneTunnel(`${LOCAL}\n${extra}`)));
  d.runtime.start();
  await d.edge.run(1000);
  return d;
}
const fullyUp = { state: 'established', sessions: [{ state: 'established' }] };

/** Ports the LAC sent SCCRQ from, in order. */
const sccrqPorts = (d: Awaited<ReturnType<typeof simDaemon>>) =>
  d.net.log.filter((r) => r.from.startsWith(`${LAC}:`) && matchMessageType('SCCRQ')(r.bytes)).map((r) => r.from.split(':')[1]!.split('#')[0]);

describe('fixed local address, redial off', () => {
  it('down then up at once: up waits for our StopCCN to be acknowledged, then dials from the same address', async () => {
    const d = await upDaemon();
    expect((await d.tunnel()).state).toBe('established');
    d.runtime.command('down', 't1');
    d.runtime.command('up', 't1');
    await d.edge.run(1000);
    expect(await d.tunnel()).toMatchObject(fullyUp);
    expect(sccrqPorts(d)).toEqual(['1702', '1702']);
    expect(d.logged(/local address held by a closed tunnel/)).toHaveLength(1);
    expect(d.logged(/cannot dial/)).toEqual([]);
    expect(d.exits).toEqual([]);
  });

  it('down then up when the peer never acknowledges our StopCCN: up dials once the hold is over', async () => {
    const d = await upDaemon();
    d.net.drop({ match: (b) => matchMessageType('StopCCN')(b) });
    const t0 = d.net.nowMs;
    d.runtime.command('down', 't1');
    await d.edge.run(100);
    d.runtime.command('up', 't1');
    expect((await d.tunnel()).state).toBe('dialling');
    await d.edge.run(40_000);
    expect(await d.tunnel()).toMatchObject(fullyUp);
    const second = d.sentAt('SCCRQ')[1]!;
    expect(second - t0).toBeGreaterThanOrEqual(31_000);
    expect(d.exits).toEqual([]);
  });

  it('down during the wait abandons the dial: admin-down at once, nothing dialled; up again dials', async () => {
    const d = await upDaemon();
    d.net.drop({ match: (b) => matchMessageType('StopCCN')(b) });
    d.runtime.command('down', 't1');
    d.runtime.command('up', 't1');
    await d.edge.run(100);
    expect((await d.tunnel()).state).toBe('dialling');
    d.runtime.command('down', 't1');
    await d.edge.run(1);
    expect((await d.tunnel()).state).toBe('admin-down');
    expect(d.logged(/cannot dial/)).toEqual([]);
    await d.edge.run(40_000);
    expect(d.sentAt('SCCRQ')).toHaveLength(1);
    expect((await d.tunnel()).state).toBe('admin-down');
    d.runtime.command('up', 't1');
    await d.edge.run(1000);
    expect((await d.tunnel()).state).toBe('established');
    expect(d.exits).toEqual([]);
  });

  it('a reload that changes the tunnel replaces it on the same address', async () => {
    const d = await upDaemon();
    const first = (await d.tunnel()).tunnelId;
    const plan = d.runtime.reload(kl2tpdConfig(oneTunnel(`${LOCAL}\nhello_timeout = 30000`)));
    await d.edge.run(1000);
    expect(await plan).toEqual({ added: 1, removed: 1, unchanged: 0 });
    const now = await d.tunnel();
    expect(now).toMatchObject(fullyUp);
    expect(now.tunnelId).not.toBe(first);
    expect(sccrqPorts(d)).toEqual(['1702', '1702']);
    expect(d.exits).toEqual([]);
  });
});

describe('fixed local address, redial on', () => {
  it('after the peer\'s StopCCN the redial waits out the §5.7 hold (we are its receiver) instead of spending its redials', async () => {
    const d = await upDaemon('redial = true\nredial_timeout = 1000\nmax_redials = 2');
    const t0 = d.net.nowMs;
    d.lns.closeTunnel(d.lns.list()[0]!.tunnelId, { result: 2, error: 0, message: 'go away' });
    await d.edge.run(60_000);
    expect(await d.tunnel()).toMatchObject(fullyUp);
    expect(d.sentAt('SCCRQ')[1]! - t0).toBeGreaterThanOrEqual(31_000);
    expect(d.logged(/cannot dial/)).toEqual([]);
    expect(d.exits).toEqual([]);
  });
});
