/**
 * ql2tpd's runtime in-process on loopback: two quiescent daemons exchanging acknowledged HELLOs
 * (null data plane: real UDP sockets, no kernel), HELLO failure when the peer stops and recovery
 * when it returns; static tunnels and SIGHUP reloads against a recording data plane.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codecWire, nullDataPlane } from '@l2tp/control';
import type { DaemonStatus } from '@l2tp/daemon';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseQl2tpdConfig, type Ql2tpdConfig } from '../src/index.js';
import { runQl2tpd } from '../src/daemon.js';
import { recordingDataPlane } from './fake-dataplane.js';
import { freeUdpPorts } from './free-ports.js';

const log = pino({ level: 'silent' });
const stops: (() => void)[] = [];
afterEach(() => { for (const s of stops.splice(0)) s(); });

function cfg(text: string): Ql2tpdConfig {
  const sock = join(mkdtempSync(join(tmpdir(), 'ql2tpd-')), 'q.sock');
  const r = parseQl2tpdConfig(`control_socket = "${sock}"\n${text}`, 'q.toml', { hostName: 'h' });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}
const quiescent = (lport: number, pport: number, tid: number, ptid: number) => cfg(`[tunnel.pw]\nversion = "l2tpv3"\nlocal = "127.0.0.1:${lport}"\npeer = "127.0.0.1:${pport}"\ntid = ${tid}\nptid = ${ptid}\nhello_timeout = 200\nretry_timeout = 100\nmax_retries = 2\n[tunnel.pw.session.s]\npseudowire = "eth"\nsid = ${tid}\npsid = ${ptid}\n`);

type Handle = { stop(): void; status(): Promise<DaemonStatus>; reload(): Promise<void> };
async function start(config: Ql2tpdConfig, dataPlane = nullDataPlane(), reload?: () => Promise<Ql2tpdConfig>) {
  let started!: (h: Handle) => void;
  const ready = new Promise<Handle>((r) => { started = r; });
  const exited = runQl2tpd(config, { log, signals: false, platform: { dataPlane, wire: codecWire, notify: () => undefined }, started, ...(reload && { reload }) });
  // Resolves once running, or (creation failed) once exited; `handle` is then undefined.
  const handle = await Promise.race([ready, exited.then(() => undefined)]) as Handle;
  if (handle) stops.push(() => handle.stop());
  return { handle, exited };
}
/** Polls `check` every 50 ms until it returns true; fails with `what` after `timeoutMs` (loaded CI hosts are slow). */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const tunnelOf = async (h: Handle) => (await h.status()).tunnels[0]!;

describe('quiescent tunnels (HELLO every 200 ms)', () => {
  it('HELLOs are acknowledged and the tunnel stays up; the peer stopping is detected; its return restores the pseudowire', async () => {
    const [pa, pb] = (await freeUdpPorts(2)) as [number, number];
    const a = await start(quiescent(pa, pb, 11, 22));
    const b = await start(quiescent(pb, pa, 22, 11));
    await until('both ends established', async () => (await tunnelOf(a.handle)).state === 'established' && (await tunnelOf(b.handle)).state === 'established');
    const upSince = (await tunnelOf(a.handle)).upSinceMs;
    // Five HELLO cycles: each HELLO unacknowledged after max_retries (2) would take the tunnel down,
    // so the same upSinceMs afterwards means every one was acknowledged.
    await until('five HELLOs sent and five messages received', async () => {
      const c = (await tunnelOf(a.handle)).control!;
      return c.hellosSent >= 5 && c.received >= 5;
    });
    const held = await tunnelOf(a.handle);
    expect(held.state).toBe('established');
    expect(held.upSinceMs).toBe(upSince);
    expect(held.lastResult).toBeUndefined();
    b.handle.stop();
    expect(await b.exited).toBe(0);
    // hello 200 + retries 100, 200 (+ jitter), or b's StopCCN.
    await until('a to notice the peer has gone', async () => (await tunnelOf(a.handle)).state === 'probing');
    expect((await tunnelOf(a.handle)).lastResult?.reason).toMatch(/no acknowledgement|StopCCN/);
    const b2 = await start(quiescent(pb, pa, 22, 11));
    await until('both ends established again', async () => (await tunnelOf(a.handle)).state === 'established' && (await tunnelOf(b2.handle)).state === 'established');
  }, 90_000);
});

describe('static tunnels and reloads (recording data plane)', () => {
  const text = (cookie: number) => `[tunnel.t]\nversion = "l2tpv3"\nlocal = "192.0.2.1:5000"\npeer = "192.0.2.2:5000"\ntid = 1\nptid = 2
[tunnel.t.session.keep]\npseudowire = "eth"\nsid = 10\npsid = 20
[tunnel.t.session.change]\npseudowire = "eth"\nsid = 11\npsid = 21\ncookie = [1,2,3,${cookie}]\npeer_cookie = [5,6,7,8]\n`;
  it('creates unmanaged kernel objects; SIGHUP replaces only the changed session; shutdown removes everything', async () => {
    const k = recordingDataPlane();
    const before = cfg(text(4));
    const d = await start(before, k.dp, async () => cfg(text(9)));
    expect([...k.tunnels.keys()]).toEqual([1]);
    expect([...k.sessions.keys()].sort()).toEqual(['1/10', '1/11']);
    const keep = k.sessions.get('1/10');
    await d.handle.reload();
    expect(k.sessions.get('1/10')).toBe(keep);
    expect(k.sessions.get('1/11')?.cookie).toEqual(new Uint8Array([1, 2, 3, 9]));
    expect((await d.handle.status()).tunnels[0]).toMatchObject({ state: 'static', sessions: [{ name: 'keep', state: 'established' }, { name: 'change', state: 'established' }] });
    d.handle.stop();
    expect(await d.exited).toBe(0);
    expect(k.tunnels.size + k.sessions.size).toBe(0);
  });
  it('creation failing halfway removes what was created and exits 1', async () => {
    const k = recordingDataPlane([11]);
    const d = await start(cfg(text(4)), k.dp);
    expect(await d.exited).toBe(1);
    expect(k.tunnels.size + k.sessions.size).toBe(0);
  });
});
