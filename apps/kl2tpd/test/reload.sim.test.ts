/**
 * kl2tpd SIGHUP and shutdown in virtual time: a reload touches only what changed (the fake kernel's
 * journal and the LNS's view prove the rest was left alone), and shutdown's StopCCN settles what
 * the daemon owes the peer (an acknowledgement still delayed) before the sockets close.
 */
import { describe, expect, it } from 'vitest';
import { matchMessageType } from '@l2tp/control/testing';
import { kl2tpdConfig, LNS, simDaemon } from './sim-harness.js';

const tunnel = (name: string, extra = '') => `[tunnel.${name}]\npeer = "${LNS}:1701"\nversion = "l2tpv2"\n${extra}\n`;
const session = (t: string, s: string, extra = '') => `[tunnel.${t}.session.${s}]\npseudowire = "ppp"\n${extra}\n`;

describe('SIGHUP reload', () => {
  it('adds, removes and replaces only what changed; unchanged tunnels and calls keep their kernel objects', async () => {
    const before = kl2tpdConfig(tunnel('t1', 'stay_up = true') + session('t1', 's1') + session('t1', 's2') + tunnel('t2') + session('t2', 's1'));
    const after = kl2tpdConfig(tunnel('t1', 'stay_up = true') + session('t1', 's1') + session('t1', 's2', 'seqnum = true') + session('t1', 's3')
      + tunnel('t2', 'hello_timeout = 30000') + session('t2', 's1') + tunnel('t3') + session('t3', 's1'));
    const d = await simDaemon(before);
    d.runtime.start();
    await d.edge.run(1000);
    const st = await d.runtime.status();
    expect(st.tunnels.map((t) => [t.name, t.state, t.sessions.map((s) => s.state)])).toEqual([
      ['t1', 'established', ['established', 'established']], ['t2', 'established', ['established']]]);
    const ids = Object.fromEntries(st.tunnels.flatMap((t) => [[t.name, t.tunnelId], ...t.sessions.map((s) => [`${t.name}/${s.name}`, `${t.tunnelId}/${s.sessionId}`])]));
    const mark = d.lacKernel.journal.length;
    const lnsTunnelsBefore = d.lns.list().length;

    const plan = d.runtime.reload(after);
    await d.edge.run(2000);
    expect(await plan).toEqual({ added: 4, removed: 2, unchanged: 2 });
    const touched = d.lacKernel.journal.slice(mark);
    // t1 itself and t1/s1 untouched; t1/s2 replaced; t1/s3 added; t2 replaced; t3 added.
    expect(touched.some((j) => j.endsWith(` ${ids['t1']}`))).toBe(false);
    expect(touched.some((j) => j.includes(ids['t1/s1']!))).toBe(false);
    expect(touched).toContain(`-session ${ids['t1/s2']}`);
    expect(touched).toContain(`-tunnel ${ids['t2']}`);
    expect(touched.filter((j) => j.startsWith('+tunnel'))).toHaveLength(2);
    expect(touched.filter((j) => j.startsWith(`+session ${ids['t1']}/`))).toHaveLength(2);
    const now = await d.runtime.status();
    expect(now.tunnels.map((t) => [t.name, t.state, t.sessions.map((s) => `${s.name}:${s.state}`)])).toEqual([
      ['t1', 'established', ['s1:established', 's2:established', 's3:established']],
      ['t2', 'established', ['s1:established']],
      ['t3', 'established', ['s1:established']]]);
    expect(now.tunnels[0]!.tunnelId).toBe(ids['t1']);
    expect(now.tunnels[1]!.tunnelId).not.toBe(ids['t2']);
    // The LNS saw one StopCCN (the old t2) and two new tunnels.
    expect(d.sentAt('StopCCN')).toHaveLength(1);
    await d.edge.run(60_000);
    expect(d.lns.list()).toHaveLength(lnsTunnelsBefore + 1);
    expect(d.exits).toEqual([]);
  });
});

describe('SIGHUP reload of what the operator took down', () => {
  it('a changed tunnel that is administratively down is replaced but stays down; up dials it with the new config', async () => {
    const d = await simDaemon(kl2tpdConfig(tunnel('t1') + session('t1', 's1')));
    d.runtime.start();
    await d.edge.run(1000);
    d.runtime.command('down', 't1');
    await d.edge.run(1000);
    expect((await d.tunnel()).state).toBe('admin-down');
    const plan = d.runtime.reload(kl2tpdConfig(tunnel('t1', 'hello_timeout = 30000') + session('t1', 's1')));
    await d.edge.run(5000);
    expect(await plan).toEqual({ added: 1, removed: 1, unchanged: 0 });
    expect(await d.tunnel()).toMatchObject({ state: 'admin-down', sessions: [{ state: 'down' }] });
    expect(d.sentAt('SCCRQ')).toHaveLength(1);
    expect(d.runtime.runner('t1')!.config.helloTimeoutMs).toBe(30_000);
    d.runtime.command('up', 't1');
    await d.edge.run(1000);
    expect(await d.tunnel()).toMatchObject({ state: 'established', sessions: [{ state: 'established' }] });
  });

  it('a session taken down stays down when a reload changes it, or replaces its tunnel', async () => {
    const d = await simDaemon(kl2tpdConfig(tunnel('t1', 'stay_up = true') + session('t1', 's1') + session('t1', 's2') + tunnel('t2', 'stay_up = true') + session('t2', 's1')));
    d.runtime.start();
    await d.edge.run(1000);
    d.runtime.command('down', 't1/s1');
    d.runtime.command('down', 't2/s1');
    await d.edge.run(1000);
    const icrqs = d.sentAt('ICRQ').length;
    const plan = d.runtime.reload(kl2tpdConfig(tunnel('t1', 'stay_up = true') + session('t1', 's1', 'seqnum = true') + session('t1', 's2')
      + tunnel('t2', 'stay_up = true\nhello_timeout = 30000') + session('t2', 's1')));
    await d.edge.run(5000);
    expect(await plan).toEqual({ added: 2, removed: 2, unchanged: 2 });
    const st = await d.runtime.status();
    expect(st.tunnels.map((t) => [t.name, t.state, t.sessions.map((s) => `${s.name}:${s.state}`)])).toEqual([
      ['t1', 'established', ['s2:established', 's1:admin-down']],
      ['t2', 'established', ['s1:admin-down']],
    ]);
    expect(d.sentAt('ICRQ')).toHaveLength(icrqs);
  });
});

describe('shutdown', () => {
  it('StopCCN carries the acknowledgement still owed (delayed ack), so the peer retransmits nothing', async () => {
    const d = await simDaemon(kl2tpdConfig(tunnel('t1', 'stay_up = true') + session('t1', 's1')));
    d.runtime.start();
    await d.edge.run(1000);
    const lnsTunnel = d.lns.list()[0]!;
    // The LNS clears the call; 6 ms later (CDN arrived, our ZLB still 94 ms away) we shut down.
    d.lns.closeSession(lnsTunnel.tunnelId, lnsTunnel.sessions[0]!.sessionId);
    await d.edge.run(6);
    const t0 = d.net.nowMs;
    const down = d.lns.once('tunnel-down');
    const done = d.runtime.shutdown(5000);
    await d.edge.run(10_000);
    await done;
    expect((await down).reason).toMatchObject({ type: 'peer-stopccn', result: { result: 6 } });
    const fromLns = (type: 'CDN' | 'ZLB') => d.net.log.filter((r) => r.from.startsWith(`${LNS}:`) && matchMessageType(type)(r.bytes));
    expect(fromLns('CDN')).toHaveLength(1);
    // Our StopCCN (sent at once) acknowledged the CDN; no ZLB of ours was needed for it.
    expect(d.net.log.filter((r) => r.atMs >= t0 && r.from.startsWith('10.0.0.1:')).map((r) => matchMessageType('StopCCN')(r.bytes) ? 'StopCCN' : 'other')).toEqual(['StopCCN']);
    expect(fromLns('ZLB').filter((r) => r.atMs > t0)).toHaveLength(1);
    expect(d.lacKernel.tunnels.size + d.lacKernel.sessions.size).toBe(0);
  });
});
