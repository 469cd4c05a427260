/**
 * kl2tpd's LNS server in virtual time: `LnsServer` on a SimNet with a fake kernel and a fake pppd,
 * a library LAC (`L2tpContext.dial`) as the peer. pppd gets exactly xl2tpd's LNS argv with the pool
 * address; pppd exiting clears the call with CDN result 3 and frees the address; the tunnel's loss
 * stops pppd; SIGHUP policy changes keep calls, listener changes ask for a restart.
 */
import { codecWire, type ContextEvents, decodeMessage, L2tpContext } from '@l2tp/control';
import { SimEdge, SimNet } from '@l2tp/control/testing';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseKl2tpdConfig, type Kl2tpdLnsConfig } from '../src/index.js';
import { LnsServer } from '../src/lns-server.js';
import type { PppPort } from '../src/ppp-call.js';
import type { PppdExit, PppdSpec } from '../src/pppd.js';

const LAC = '10.0.0.1';
const LNS = '10.0.0.2';

function lnsConfig(extra = '', range = '192.168.42.10-192.168.42.11'): Kl2tpdLnsConfig {
  const r = parseKl2tpdConfig(`[lns.a]\nlisten = "${LNS}:1701"\nhost_name = "lns"\nlocal_ip = "192.168.42.1"\nip_range = ["${range}"]\nppp_name = "l2tpd"\n${extra}`, 'k.toml');
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config.ext.lns[0]!;
}

/** A pppd that runs until `exit()` or `stop()`; every spawn and stop recorded. */
function fakePpp() {
  const spawned: { spec: PppdSpec; exit: (e: PppdExit) => void; stops: number[] }[] = [];
  const port: PppPort = {
    pppdPath: '/usr/sbin/pppd',
    openPppox: async () => 100 + spawned.length,
    closeFd: () => undefined,
    spawn(spec) {
      let exit!: (e: PppdExit) => void;
      const exited = new Promise<PppdExit>((r) => { exit = r; });
      const rec = { spec, exit, stops: [] as number[] };
      spawned.push(rec);
      return {
        pid: 5000 + spawned.length, exited,
        stop: (graceMs = 3000) => { rec.stops.push(graceMs); exit({ code: null, signal: 'SIGTERM', description: 'killed by SIGTERM' }); return exited; },
      };
    },
  };
  return { port, spawned };
}

async function setup(extra = '') {
  const edge = new SimEdge(new SimNet({ seed: 3, latencyMs: 5 }));
  const log = pino({ level: 'silent' });
  const ppp = fakePpp();
  const server = new LnsServer(lnsConfig(extra), {
    log, dataPlane: edge.dataPlane(LNS), wire: codecWire, clock: edge.clock, wallMs: () => 1_700_000_000_000, ppp: ppp.port,
    tunnelIdInUse: () => false, changed: () => undefined,
  });
  await server.start();
  const lac = new L2tpContext({ dataPlane: edge.dataPlane(LAC), wire: codecWire, clock: edge.clock });
  const downs: ContextEvents['session-down'][] = [];
  lac.on('session-down', (e) => downs.push(e));
  const tunnelId = await lac.dial({ name: 't', peer: { address: LNS, port: 1701, family: 4 }, hostName: 'lac' });
  return { edge, server, ppp, lac, tunnelId, downs };
}

describe('LnsServer', () => {
  it('advertises window_size (default 16) as the Receive Window Size of its SCCRP (RFC 2661 §5.8)', async () => {
    for (const [extra, rws] of [['', 16], ['window_size = 7', 7]] as const) {
      const d = await setup(extra);
      await d.edge.run(1000);
      const sccrp = d.edge.net.log.filter((r) => r.from.startsWith(`${LNS}:`)).map((r) => decodeMessage(r.bytes))
        .flatMap((m) => (m.ok && m.value.kind === 'control' && m.value.message.type === 'SCCRP' ? [m.value.message] : []));
      expect(sccrp).toHaveLength(1);
      expect(sccrp[0]!.avps.receiveWindowSize).toBe(rws);
      // The LAC sends as far as that window allows: it saw the tunnel up.
      expect(d.lac.info(d.tunnelId)?.state).toBe('established');
    }
  });

  it('starts pppd with xl2tpd\'s LNS argv and the first pool address; pppd\'s exit sends CDN 3 and frees the address', async () => {
    const d = await setup('pppd_path = "/opt/ppp/pppd"');
    d.lac.openSession(d.tunnelId);
    d.lac.openSession(d.tunnelId);
    await d.edge.run(1000);
    expect(d.ppp.spawned).toHaveLength(2);
    const l = await d.server.status();
    const t = l.tunnels[0]!;
    const first = t.sessions.find((s) => s.assignedAddress === '192.168.42.10')!;
    const spec = d.ppp.spawned.find((s) => s.spec.sessionId === first.sessionId)!.spec;
    expect(spec.path).toBe('/opt/ppp/pppd');
    expect(spec.argv).toEqual([
      'plugin', 'pppol2tp.so', 'pppol2tp', '3', 'pppol2tp_lns_mode', 'pppol2tp_tunnel_id', String(t.tunnelId),
      'pppol2tp_session_id', String(first.sessionId), 'passive', 'nodetach', '192.168.42.1:192.168.42.10', 'name', 'l2tpd',
      'ipparam', LAC, 'remotenumber', LAC,
    ]);
    expect(l.pool).toEqual({ size: 2, used: 2, free: 0 });
    expect(first.pppdPid).toBeGreaterThan(5000);

    d.ppp.spawned.find((s) => s.spec.sessionId === first.sessionId)!.exit({ code: 16, signal: null, description: 'the link was terminated by the modem hanging up' });
    await d.edge.run(1000);
    expect(d.downs).toHaveLength(1);
    expect(d.downs[0]!.reason).toMatchObject({ type: 'peer-cdn', result: { result: 3 } });
    const after = await d.server.status();
    expect(after.pool).toEqual({ size: 2, used: 1, free: 1 });
    expect(after.sessionCount).toBe(1);
    // The freed address goes to the next call.
    d.lac.openSession(d.tunnelId);
    await d.edge.run(1000);
    expect((await d.server.status()).tunnels[0]!.sessions.map((s) => s.assignedAddress).sort()).toEqual(['192.168.42.10', '192.168.42.11']);
  });

  it('the tunnel\'s loss stops every pppd of it (SIGTERM, then SIGKILL after 3 s) and frees the addresses', async () => {
    const d = await setup();
    d.lac.openSession(d.tunnelId);
    await d.edge.run(1000);
    expect(d.ppp.spawned).toHaveLength(1);
    d.lac.closeTunnel(d.tunnelId);
    await d.edge.run(2000);
    expect(d.ppp.spawned[0]!.stops).toEqual([3000]);
    expect(await d.server.status()).toMatchObject({ tunnelCount: 0, sessionCount: 0, pool: { used: 0 } });
  });

  it('SIGHUP: policy changes apply with calls kept; a changed listener or secret asks for a restart', async () => {
    const d = await setup();
    d.lac.openSession(d.tunnelId);
    await d.edge.run(1000);
    expect(d.server.reconfigure(lnsConfig('max_sessions = 1', '192.168.42.10-192.168.42.20')).restart).toBe(false);
    expect(await d.server.status()).toMatchObject({ sessionCount: 1, pool: { size: 11, used: 1 } });
    // max_sessions = 1 now holds: the next call is refused with CDN 4.
    d.lac.openSession(d.tunnelId);
    await d.edge.run(1000);
    expect(d.downs.at(-1)!.reason).toMatchObject({ type: 'peer-cdn', result: { result: 4 } });
    expect((await d.server.status()).refusals['max-sessions']).toBe(1);
    expect(d.server.reconfigure(lnsConfig('secret = "new"')).restart).toBe(true);
  });

  it('status lists every call of a big listener, the event loop turning between chunks; `counts` (/metrics) leaves tunnels out', async () => {
    const edge = new SimEdge(new SimNet({ seed: 4, latencyMs: 1 }));
    const server = new LnsServer(lnsConfig('', '192.168.0.2-192.168.31.254'), {
      log: pino({ level: 'silent' }), dataPlane: edge.dataPlane(LNS), wire: codecWire, clock: edge.clock, wallMs: () => 1_700_000_000_000,
      ppp: undefined, tunnelIdInUse: () => false, changed: () => undefined,
    });
    await server.start();
    const lac = new L2tpContext({ dataPlane: edge.dataPlane(LAC), wire: codecWire, clock: edge.clock });
    const tunnelId = await lac.dial({ name: 't', peer: { address: LNS, port: 1701, family: 4 }, hostName: 'lac', windowSize: 64 });
    for (let i = 0; i < 2500; i++) lac.openSession(tunnelId);
    await edge.run(60_000);
    let turns = 0;
    const counting = setInterval(() => { turns++; }, 0);
    const full = await server.status();
    clearInterval(counting);
    expect(full.sessionCount).toBe(2500);
    expect(full.tunnels).toHaveLength(1);
    expect(new Set(full.tunnels[0]!.sessions.map((s) => s.assignedAddress)).size).toBe(2500);
    expect(full.tunnels[0]!.sessions.every((s) => s.data?.rxPackets === 0)).toBe(true);
    expect(turns).toBeGreaterThan(0);
    const counts = await server.status('counts');
    expect(counts).toMatchObject({ tunnelCount: 1, sessionCount: 2500, pool: { used: 2500 }, tunnels: [] });
  });
});
