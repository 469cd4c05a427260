import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Clock, ContextEvents, SessionInfo, TunnelInfo } from '@l2tp/control';
import { parseKl2tpdConfig } from '../src/index.js';
import { TunnelRunner, type RunnerDeps } from '../src/tunnel-runner.js';
import type { Pppd, PppdExit } from '../src/pppd.js';

/** Every log line the runners write (JSON), to check levels and messages. */
const logLines: string[] = [];
const log = pino({ level: 'debug' }, { write: (line: string) => { logLines.push(line); } });
function tunnelConfig(extra = '') {
  const r = parseKl2tpdConfig(`[tunnel.t1]\npeer = "127.0.0.1:1701"\nversion = "l2tpv2"\n${extra}\n[tunnel.t1.session.s1]\npseudowire = "ppp"\n`, 'k.toml', { hostName: 'h' });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config.tunnels[0]!;
}

const flush = () => new Promise((r) => setImmediate(r));

/** A manual clock: `advance` fires the timers due. */
function manualClock() {
  let now = 0;
  const timers: { at: number; fire: (() => void) | undefined }[] = [];
  const clock: Clock = { nowMs: () => now, schedule: (at, fire) => { const t = { at, fire: fire as (() => void) | undefined }; timers.push(t); return () => { t.fire = undefined; }; } };
  const advance = async (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = timers.filter((t) => t.fire && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      now = due.at;
      const f = due.fire!;
      due.fire = undefined;
      f();
      await flush();
    }
    now = until;
  };
  return { clock, advance };
}

/** A context that records calls; the test plays the engine's events. */
function harness(extra = '', withPpp = true) {
  const calls: string[] = [];
  const engineSessions: SessionInfo[] = [];
  const time = manualClock();
  const pppds: { exit: (e: PppdExit) => void; stopped: boolean; fd: number }[] = [];
  const closedFds: number[] = [];
  let changes = 0;
  const deps: RunnerDeps = {
    log, clock: time.clock, wallMs: () => 1000, changed: () => { changes++; },
    resolve: async () => ({ peer: { address: '127.0.0.1', port: 1701, family: 4 }, local: undefined }),
    context: {
      dial: async (o) => { calls.push(`dial ${o.name} hello=${o.helloIntervalMs} retries=${o.maxRetries}`); return 42; },
      openSession: (tid, o) => { calls.push(`open ${tid} ${o?.name}`); return 7; },
      closeSession: (tid, sid, r) => { calls.push(`cdn ${tid}/${sid} result=${r?.result}`); },
      closeTunnel: (tid, r) => { calls.push(`stopccn ${tid} result=${r?.result}`); },
      // The LNS answered from port 1702 although 1701 was dialled (RFC 2661 §8.1): the engine's peer is the one in use.
      info: (tid) => ({ tunnelId: tid, peerTunnelId: 99, state: 'established', peer: { address: '127.0.0.1', port: 1702, family: 4 }, sessions: [...engineSessions] }) as unknown as TunnelInfo,
      // No fixed local address here: nothing is ever held.
      closedHolderOf: () => undefined,
      once: () => new Promise(() => undefined),
    },
    ppp: withPpp ? {
      pppdPath: '/usr/sbin/pppd',
      openPppox: async (ids) => { calls.push(`pppox ${ids.tunnelId}/${ids.sessionId}->${ids.peerTunnelId}/${ids.peerSessionId}`); return 100 + pppds.length; },
      closeFd: (fd) => { closedFds.push(fd); },
      spawn: (spec) => {
        let resolve!: (e: PppdExit) => void;
        const exited = new Promise<PppdExit>((r) => { resolve = r; });
        const rec = { exit: resolve, stopped: false, fd: spec.pppoxFd };
        pppds.push(rec);
        const p: Pppd = { pid: 1234, exited, stop: async () => { rec.stopped = true; resolve({ code: null, signal: 'SIGTERM', description: 'killed by SIGTERM' }); return exited; } };
        return p;
      },
    } : undefined,
  };
  const runner = new TunnelRunner(tunnelConfig(extra), deps);
  const tunnel = { tunnelId: 42, peerTunnelId: 99, name: 't1', peerHostName: 'lns' } as TunnelInfo;
  const ev = <K extends keyof ContextEvents>(name: K, e: ContextEvents[K]) => runner.onEvent(name, e);
  const start = async () => { runner.start(); await flush(); };
  const up = async () => {
    await start();
    ev('tunnel-up', { tunnel });
    const session: SessionInfo = { name: 's1', tunnelId: 42, sessionId: 7, peerSessionId: 8, state: 'established', lastResult: undefined };
    engineSessions.splice(0, engineSessions.length, session);
    ev('session-up', { tunnel, session, dataPlane: { interfaceName: 'ppp0', stats: async () => ({ txPackets: 3n, txBytes: 300n, txErrors: 0n, rxPackets: 4n, rxBytes: 400n, rxErrors: 0n }), down: async () => undefined } });
    await new Promise((r) => setTimeout(r, 0));
  };
  const sessionDown = (reason: ContextEvents['session-down']['reason']) => {
    engineSessions.splice(0);
    ev('session-down', { tunnel, reason, session: { name: 's1', tunnelId: 42, sessionId: 7, peerSessionId: 8, state: 'closed', lastResult: reason } });
  };
  return { runner, calls, pppds, closedFds, ev, start, up, sessionDown, tunnel, changes: () => changes, advance: time.advance };
}

describe('TunnelRunner', () => {
  it('dials with the config\'s transport settings, places the call, and runs pppd on the PPPoL2TP socket', async () => {
    const h = harness('hello_timeout = 5000');
    await h.up();
    expect(h.calls).toEqual(['dial t1 hello=5000 retries=5', 'open 42 s1', 'pppox 42/7->99/8']);
    expect(h.pppds).toHaveLength(1);
    expect(h.runner.ready).toBe(true);
    expect(await h.runner.status()).toMatchObject({ name: 't1', tunnelId: 42, peerTunnelId: 99, peer: '127.0.0.1:1702', state: 'established', upSinceMs: 1000,
      sessions: [{ name: 's1', sessionId: 7, peerSessionId: 8, state: 'established', pppdPid: 1234, interfaceName: 'ppp0', data: { rxPackets: 4, rxBytes: 400, txPackets: 3 } }] });
  });

  it('pppd exiting clears the call with CDN result 3 and frees the socket', async () => {
    const h = harness();
    await h.up();
    h.pppds[0]!.exit({ code: 16, signal: null, description: 'the link was terminated by the modem hanging up' });
    await new Promise((r) => setTimeout(r, 0));
    expect(h.calls.at(-1)).toBe('cdn 42/7 result=3');
    expect(h.closedFds).toEqual([100]);
  });

  it('the peer\'s CDN stops pppd; the last session gone closes the tunnel with StopCCN unless stay_up', async () => {
    const h = harness();
    await h.up();
    h.sessionDown({ type: 'peer-cdn', result: { result: 3 } });
    expect(h.pppds[0]!.stopped).toBe(true);
    expect(h.calls.at(-1)).toBe('stopccn 42 result=1');
    expect((await h.runner.status()).sessions[0]).toMatchObject({ state: 'down', lastResult: { reason: expect.stringMatching(/^peer sent CDN result 3/) } });
    const kept = harness('stay_up = true');
    await kept.up();
    kept.sessionDown({ type: 'peer-cdn', result: { result: 3 } });
    expect(kept.calls.filter((c) => c.startsWith('stopccn'))).toEqual([]);
  });

  it('a call that never came up (its tunnel refused at SCCRQ) is "session not established" at debug, not "session down" at info', async () => {
    const h = harness('', false);
    await h.start();
    expect(h.calls).toContain('open 42 s1');
    const from = logLines.length;
    const reason = { type: 'tunnel-down' } as const;
    h.ev('session-down', { tunnel: h.tunnel, reason, wasUp: false, session: { name: 's1', tunnelId: 42, sessionId: 7, peerSessionId: 0, state: 'closed', lastResult: reason } });
    const lines = logLines.slice(from).map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(lines.filter((l) => /^session /.test(l.msg))).toEqual([expect.objectContaining({ level: 20, msg: 'session not established: its tunnel went down' })]);
    // A call that was up still says "session down" at info when its tunnel goes.
    const up = harness('', false);
    await up.up();
    const at = logLines.length;
    up.ev('session-down', { tunnel: up.tunnel, reason, wasUp: true, session: { name: 's1', tunnelId: 42, sessionId: 7, peerSessionId: 8, state: 'closed', lastResult: reason } });
    expect(logLines.slice(at).map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => /^session /.test(l.msg)))
      .toEqual([expect.objectContaining({ level: 30, msg: 'session down: its tunnel went down' })]);
  });

  it('without redial a failed tunnel is failed for good (the daemon then exits non-zero)', async () => {
    const h = harness('', false);
    await h.start();
    h.ev('tunnel-down', { tunnel: h.tunnel, reason: { type: 'retransmit-exhausted', messageType: 'SCCRQ' } });
    expect(h.runner.state).toBe('failed');
    expect((await h.runner.status()).lastResult?.reason).toBe('no acknowledgement from the peer: SCCRQ retransmissions exhausted');
  });

  it('with redial the tunnel is dialled again after redial_timeout, doubling, until max_redials', async () => {
    const h = harness('redial = true\nredial_timeout = 1000\nmax_redials = 2', false);
    await h.start();
    const fail = () => h.ev('tunnel-down', { tunnel: h.tunnel, reason: { type: 'peer-stopccn', result: { result: 6 } } });
    fail();
    expect(h.runner.state).toBe('redial-wait');
    await h.advance(999);
    expect(h.calls.filter((c) => c.startsWith('dial'))).toHaveLength(1);
    await h.advance(1);
    expect(h.calls.filter((c) => c.startsWith('dial'))).toHaveLength(2);
    fail();
    await h.advance(2000);
    expect(h.calls.filter((c) => c.startsWith('dial'))).toHaveLength(3);
    fail();
    expect(h.runner.state).toBe('failed');
  });

  it('down sends StopCCN and never redials; up dials again', async () => {
    const h = harness('redial = true', false);
    await h.up();
    h.runner.down();
    expect(h.calls.at(-1)).toMatch(/^stopccn 42 result=1/);
    h.ev('tunnel-down', { tunnel: h.tunnel, reason: { type: 'local-close', sent: { result: 1 } } });
    expect(h.runner.state).toBe('admin-down');
    h.runner.up();
    await flush();
    expect(h.calls.filter((c) => c.startsWith('dial'))).toHaveLength(2);
  });
});

describe('session up/down commands', () => {
  it('down TUNNEL/SESSION sends CDN 3 and keeps the tunnel; up places the call again', async () => {
    const h = harness('', false);
    await h.up();
    h.runner.downSession('s1');
    expect(h.calls.at(-1)).toBe('cdn 42/7 result=3');
    h.sessionDown({ type: 'local-close', sent: { result: 3 } });
    expect(h.calls.filter((c) => c.startsWith('stopccn'))).toEqual([]);
    expect((await h.runner.status()).sessions[0]!.state).toBe('admin-down');
    h.runner.upSession('s1');
    expect(h.calls.at(-1)).toBe('open 42 s1');
    expect(() => h.runner.upSession('nope')).toThrow(/no session named nope/);
  });
});
