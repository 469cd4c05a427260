/**
 * kl2tpd as an LNS, -null, on loopback: two kl2tpd processes, one serving `[lns.*]` tables and one
 * dialling them as a LAC. Calls take pool addresses in order, status/--json/metrics show listeners,
 * tunnels and calls, `down ID/SESSION` clears one call and frees its address, and every refusal
 * (allow, sccrq_limit, max_tunnels, max_sessions, pool exhausted, the NAT 5-tuple clash) is answered on
 * the wire — the LAC logs the StopCCN or CDN with its result code — logged and counted by reason.
 * A failed challenge needs a LAC that answers with the wrong secret: lns-xl2tpd.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type ControlMessage, decodeMessage, encodeMessage } from '@l2tp/control';
import { requestControlSocket, type DaemonStatus, type ListenerStatus } from '@l2tp/daemon';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { freePort } from './free-port.js';

const MAIN = new URL('../dist/main.js', import.meta.url).pathname;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

/** A UDP port free right now on 127.0.0.1 (listen keys need a real port). */
/** kl2tpd -null on `body` (control_socket added); its socket, log and exit. */
function kl2tpd(body: string, args: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'kl2tpd-lns-'));
  const sock = join(dir, 'k.sock');
  const config = join(dir, 'kl2tpd.toml');
  writeFileSync(config, `control_socket = "${sock}"\n${body}`);
  const child: ChildProcess = spawn(process.execPath, [MAIN, '-config', config, '-null', '--log-format', 'json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => { log += d; });
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  cleanups.push(async () => { if (child.exitCode === null) { child.kill('SIGKILL'); await exited; } });
  onTestFailed(() => console.error(`--- ${config}\n${log.slice(-6000)}`));
  return { child, sock, exited, log: () => log };
}

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    try { const v = await fn(); if (v !== undefined) return v; } catch { /* not yet */ }
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
const statusOf = async (sock: string): Promise<DaemonStatus | undefined> => {
  const r = await requestControlSocket(sock, { op: 'status' });
  return r.ok ? r.status : undefined;
};
/** Listener `name` once its socket is bound (status shows `listen: '-'` before): a datagram sent earlier is lost. */
const listener = async (sock: string, name: string): Promise<ListenerStatus | undefined> =>
  (await statusOf(sock))?.listeners?.find((l) => l.name === name && l.listen !== '-');
const logged = (log: () => string, re: RegExp) => () => (re.test(log()) ? true : undefined);

/** An SCCRQ from tunnel id `id` (RFC 2661 §6.1), the first message of a connection (Ns 0). */
const sccrq = (id: number) => encodeMessage({ type: 'SCCRQ', avps: { protocolVersion: 0x100, hostName: `client-${id}`, framingCapabilities: 3, assignedTunnelId: id } },
  { version: 2, tunnelId: 0, sessionId: 0, ns: 0, nr: 0 });

/**
 * A raw LAC on one 127.0.0.1 UDP socket talking to the LNS on `port`: `got` collects every control
 * message it receives (decoded), `send` sends bytes, `establish(id)` brings tunnel id `id` up
 * (SCCRQ, then SCCCN once the SCCRP is in) and resolves with the LNS's tunnel id. It acknowledges
 * nothing else, so it can play a client that has gone.
 */
async function rawPeer(port: number) {
  const sock = createSocket('udp4');
  cleanups.push(() => new Promise<void>((r) => sock.close(() => r())));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const got: ControlMessage[] = [];
  sock.on('message', (m) => { const d = decodeMessage(new Uint8Array(m)); if (d.ok && d.value.kind === 'control') got.push(d.value.message); });
  const send = (bytes: Uint8Array) => sock.send(bytes, port, '127.0.0.1');
  const establish = async (id: number): Promise<number> => {
    send(sccrq(id));
    const tid = (await until(() => got.find((m) => m.type === 'SCCRP'))).avps.assignedTunnelId!;
    send(encodeMessage({ type: 'SCCCN', avps: {} }, { version: 2, tunnelId: tid, sessionId: 0, ns: 1, nr: 1 }));
    return tid;
  };
  return { got, send, establish };
}

describe('kl2tpd LNS -null against a kl2tpd LAC (two processes)', () => {
  it('pool addresses in order, status and metrics, down of one call, pool exhausted → CDN, SIGTERM → StopCCN', async () => {
    const port = await freePort();
    const metricsPort = await freePort();
    const lns = kl2tpd(`[lns.main]\nlisten = "127.0.0.1:${port}"\nhost_name = "our-lns"\nlocal_ip = "10.9.0.1"\n` +
      `ip_range = ["10.9.0.10-10.9.0.13"]\nip_range_exclude = ["10.9.0.12"]\n`, ['--metrics-listen', `127.0.0.1:${metricsPort}`]);
    await until(() => listener(lns.sock, 'main'));
    const lac = kl2tpd(`[tunnel.t1]\npeer = "127.0.0.1:${port}"\nversion = "l2tpv2"\nhost_name = "lac-1"\nstay_up = true\n` +
      `[tunnel.t1.session.s1]\npseudowire = "ppp"\n[tunnel.t1.session.s2]\npseudowire = "ppp"\n` +
      `[tunnel.t2]\npeer = "127.0.0.1:${port}"\nversion = "l2tpv2"\nhost_name = "lac-2"\n[tunnel.t2.session.s1]\npseudowire = "ppp"\n`);
    const l = await until(async () => { const x = await listener(lns.sock, 'main'); return x?.sessionCount === 3 ? x : undefined; });
    expect(l).toMatchObject({ listen: `127.0.0.1:${port}`, tunnelCount: 2, pool: { size: 3, used: 3, free: 0 } });
    const calls = l.tunnels.flatMap((t) => t.sessions.map((s) => ({ t, s })));
    // The first free address in configuration order, the excluded one skipped.
    expect(calls.map((c) => c.s.assignedAddress).sort()).toEqual(['10.9.0.10', '10.9.0.11', '10.9.0.13']);
    for (const t of l.tunnels) {
      expect(t.name).toBe(`main/${t.tunnelId}`);
      expect(t.peer).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(t.state).toBe('established');
      expect(t.control?.received).toBeGreaterThanOrEqual(2);
    }
    // The LAC's own view agrees: everything up.
    const lacStatus = await until(async () => { const s = await statusOf(lac.sock); return s?.tunnels.every((t) => t.sessions.every((x) => x.state === 'established')) ? s : undefined; });
    expect(lacStatus.tunnels.map((t) => t.peerTunnelId).sort()).toEqual(l.tunnels.map((t) => t.tunnelId).sort());

    const table = await requestControlSocket(lns.sock, { op: 'status' });
    expect(table.ok).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toContain(`l2tp_lns_sessions{daemon="kl2tpd",listener="main",listen="127.0.0.1:${port}"} 3`);
    expect(metrics).toContain(`l2tp_lns_tunnels{daemon="kl2tpd",listener="main",listen="127.0.0.1:${port}"} 2`);
    expect(metrics).toContain(`l2tp_lns_pool_free{daemon="kl2tpd",listener="main",listen="127.0.0.1:${port}"} 0`);

    // A third LAC's call finds the pool empty: CDN result 4 on the wire, counted.
    const late = kl2tpd(`[tunnel.t3]\npeer = "127.0.0.1:${port}"\nversion = "l2tpv2"\n[tunnel.t3.session.s1]\npseudowire = "ppp"\n`);
    await until(logged(late.log, /session down: peer sent CDN result 4[^\n]*address pool exhausted/));
    expect(await late.exited).toBe(1);
    await until(logged(lns.log, /no free address in ip_range: call refused with CDN/));
    expect((await listener(lns.sock, 'main'))!.refusals['pool-exhausted']).toBe(1);

    // down TUNNEL/SESSION by id: CDN to the LAC, the address back in the pool.
    const one = calls.find((c) => c.s.assignedAddress === '10.9.0.10')!;
    const r = await requestControlSocket(lns.sock, { op: 'down', target: `${one.t.tunnelId}/${one.s.sessionId}` });
    expect(r.ok).toBe(true);
    const after = await until(async () => { const x = await listener(lns.sock, 'main'); return x?.sessionCount === 2 ? x : undefined; });
    expect(after.pool).toEqual({ size: 3, used: 2, free: 1 });
    await until(logged(lac.log, /session down: peer sent CDN result 3/));
    const bad = await requestControlSocket(lns.sock, { op: 'down', target: '1/1' });
    expect(bad.ok).toBe(false);
    // A call unknown in a tunnel that is there (lac-1's, stay_up): refused, and not logged as done
    // (one line, for the down above).
    const kept = l.tunnels.find((t) => t.sessions.length === 2)!;
    const unknown = await requestControlSocket(lns.sock, { op: 'down', target: `${kept.tunnelId}/0` });
    expect(unknown).toEqual({ ok: false, error: `no call 0 in LNS tunnel ${kept.tunnelId}` });
    // The name status shows (`main/ID`) reaches the same tunnel; an id that listener lacks is named so.
    expect(await requestControlSocket(lns.sock, { op: 'down', target: `main/${kept.tunnelId}/0` })).toEqual({ ok: false, error: `no call 0 in LNS tunnel ${kept.tunnelId}` });
    expect(await requestControlSocket(lns.sock, { op: 'down', target: 'main/1' })).toEqual({ ok: false, error: 'no tunnel 1 on [lns.main]' });
    expect(await requestControlSocket(lns.sock, { op: 'down', target: `main/${kept.tunnelId}/0x1` })).toMatchObject({ ok: false, error: expect.stringMatching(/^bad LNS target/) });
    expect(lns.log().match(/"msg":"administratively down"/g)).toHaveLength(1);

    // SIGTERM: StopCCN to every LAC tunnel; the LNS exits 0.
    lns.child.kill('SIGTERM');
    expect(await lns.exited).toBe(0);
    await until(logged(lac.log, /tunnel down: peer sent StopCCN result 6/));
  });

  it('refusals are answered on the wire, logged and counted: allow, sccrq_limit, max_tunnels, max_sessions', async () => {
    const [pAllow, pRate, pTunnels, pSessions] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const lns = kl2tpd([
      `[lns.allow]\nlisten = "127.0.0.1:${pAllow}"\nallow = ["192.0.2.0/24"]\n`,
      `[lns.rate]\nlisten = "127.0.0.1:${pRate}"\nsccrq_limit = "1/hour"\nsccrq_burst = 1\n`,
      `[lns.tunnels]\nlisten = "127.0.0.1:${pTunnels}"\nmax_tunnels = 1\n`,
      `[lns.sessions]\nlisten = "127.0.0.1:${pSessions}"\nmax_sessions = 1\n`,
    ].join(''));
    await until(async () => ((await statusOf(lns.sock))?.listeners?.every((x) => x.listen !== '-') ? true : undefined));
    const tunnel = (name: string, port: number, extra = '', sessions = ['s1']) =>
      `[tunnel.${name}]\npeer = "127.0.0.1:${port}"\nversion = "l2tpv2"\nretry_timeout = 300\nstay_up = true\n${extra}` +
      sessions.map((s) => `[tunnel.${name}.session.${s}]\npseudowire = "ppp"\n`).join('');
    // One LAC process dialling every listener; the first of two tunnels wins where only one may.
    const lac = kl2tpd([
      tunnel('allow', pAllow),
      tunnel('rate1', pRate), tunnel('rate2', pRate),
      tunnel('tun1', pTunnels), tunnel('tun2', pTunnels),
      tunnel('sess', pSessions, '', ['s1', 's2']),
    ].join(''));
    const counts = async () => Object.fromEntries(((await statusOf(lns.sock))?.listeners ?? []).map((x) => [x.name, x.refusals]));
    const c = await until(async () => {
      const x = await counts();
      const done = x['allow']?.['not-allowed'] === 1 && x['rate']?.['rate-limited'] === 1 && x['tunnels']?.['max-tunnels'] === 1 &&
        x['sessions']?.['max-sessions'] === 1;
      return done ? x : undefined;
    });
    // Nothing else refused anywhere.
    for (const [name, by] of Object.entries(c)) expect(Object.values(by!).reduce((a, n) => a + n, 0), name).toBe(1);
    // The LAC saw each answer: StopCCN result 4 (not authorized), result 2 error 4 (no resources), CDN result 4.
    await until(logged(lac.log, /"tunnel_name":"allow"[^\n]*tunnel down: peer sent StopCCN result 4[^\n]*peer address not allowed/));
    await until(logged(lac.log, /"tunnel_name":"rate2?"[^\n]*tunnel down: peer sent StopCCN result 2[^\n]*too many SCCRQs/));
    await until(logged(lac.log, /"tunnel_name":"tun[12]"[^\n]*tunnel down: peer sent StopCCN result 2[^\n]*tunnel limit reached/));
    await until(logged(lac.log, /"tunnel_name":"sess"[^\n]*session down: peer sent CDN result 4[^\n]*session limit reached/));
    // The LNS's lines come through a pipe, behind the status answers that counted them: awaited.
    for (const re of [/peer address is outside allow/, /too many SCCRQs from this address/, /max_tunnels reached/, /max_sessions reached/]) {
      await until(logged(lns.log, re));
    }
    const s = (await statusOf(lns.sock))!;
    const by = (n: string) => s.listeners!.find((x) => x.name === n)!;
    expect([by('rate').tunnelCount, by('tunnels').tunnelCount, by('sessions').sessionCount, by('allow').tunnelCount]).toEqual([1, 1, 1, 0]);
  });

  it('a second kl2tpd on a listen address another process holds exits 1 naming it; the first keeps serving', async () => {
    const port = await freePort();
    const first = kl2tpd(`[lns.a]\nlisten = "127.0.0.1:${port}"\n`);
    await until(() => listener(first.sock, 'a'));
    // Both would bind with SO_REUSEADDR, which Linux allows: without the probe the second ran and took the SCCRQs.
    for (const listen of [`127.0.0.1:${port}`, `0.0.0.0:${port}`]) {
      const second = kl2tpd(`[lns.b]\nlisten = "${listen}"\n`);
      expect(await second.exited).toBe(1);
      expect(second.log()).toContain(`cannot listen for [lns.b]: ${listen} is already in use by another process`);
    }
    // A SIGHUP that moves a listener onto that address (from another address on the same port: the
    // port being ours already does not skip the check): the same exit.
    const mover = kl2tpd(`[lns.m]\nlisten = "127.0.0.2:${port}"\n`);
    await until(() => listener(mover.sock, 'm'));
    writeFileSync(join(dirname(mover.sock), 'kl2tpd.toml'), `control_socket = "${mover.sock}"\n[lns.m]\nlisten = "127.0.0.1:${port}"\n`);
    mover.child.kill('SIGHUP');
    expect(await mover.exited).toBe(1);
    expect(mover.log()).toContain(`cannot listen for [lns.m]: 127.0.0.1:${port} is already in use by another process`);
    const { establish } = await rawPeer(port);
    await establish(7);
    await until(async () => ((await listener(first.sock, 'a'))?.tunnelCount === 1 ? true : undefined));
    // Our own two tables on one port, [::] first: the probes come before either binds, so both run.
    const both = await freePort();
    const pair = kl2tpd(`[lns.v6]\nlisten = "[::]:${both}"\n[lns.v4]\nlisten = "0.0.0.0:${both}"\n`);
    await until(async () => ((await statusOf(pair.sock))?.listeners?.every((x) => x.listen !== '-') ? true : undefined));
  });
  it('a LAC that gives up during the SCCRP exchange (its StopCCN 4: the secrets differ) is logged on the LNS with the peer and a hint', async () => {
    const port = await freePort();
    const lns = kl2tpd(`[lns.auth]\nlisten = "127.0.0.1:${port}"\nsecret = "s3cret"\n`);
    await until(() => listener(lns.sock, 'auth'));
    const { got, send } = await rawPeer(port);
    send(sccrq(5));
    const tid = (await until(() => got.find((m) => m.type === 'SCCRP'))).avps.assignedTunnelId!;
    // What a LAC with another secret sends when our SCCRP's Challenge Response does not verify (RFC 2661 §5.1.1).
    send(encodeMessage({ type: 'StopCCN', avps: { assignedTunnelId: 5, resultCode: { result: 4, error: 0 } } }, { version: 2, tunnelId: tid, sessionId: 0, ns: 1, nr: 1 }));
    await until(logged(lns.log, /LNS tunnel not established: peer sent StopCCN result 4/));
    const line = JSON.parse(lns.log().split('\n').find((l) => l.includes('LNS tunnel not established'))!);
    expect(line).toMatchObject({ level: 'warn', peer: expect.stringContaining('127.0.0.1'), tunnel_id: tid, peer_tunnel_id: 5 });
    expect(line.msg).toContain('check that both ends have the same secret');
  });
  it('NAT clash: a second SCCRQ from the same address and port (another tunnel id) is refused with StopCCN naming IKEv2; the first is kept', async () => {
    const port = await freePort();
    const lns = kl2tpd(`[lns.nat]\nlisten = "127.0.0.1:${port}"\n`);
    await until(() => listener(lns.sock, 'nat'));
    // One UDP socket plays two L2TP/IPsec clients behind one NAT: same (address, port), tunnel ids 1 and 2.
    const { got, send, establish } = await rawPeer(port);
    await establish(1);
    await until(async () => ((await listener(lns.sock, 'nat'))?.tunnelCount === 1 ? true : undefined));
    send(sccrq(2));
    const stop = await until(() => got.find((m) => m.type === 'StopCCN'));
    expect(stop.avps.resultCode).toMatchObject({ result: 2, error: 4, message: expect.stringMatching(/IKEv2/) });
    const l = await until(async () => { const x = await listener(lns.sock, 'nat'); return x?.refusals['nat-clash'] === 1 ? x : undefined; });
    expect(l.tunnelCount).toBe(1);
    expect(lns.log()).toMatch(/several L2TP\/IPsec clients behind one NAT[^\n]*IKEv2/);
  });
  it('NAT clash with a client that vanished: the kept tunnel is probed with a HELLO at once, cleared when unanswered, and the redial accepted', async () => {
    const port = await freePort();
    // hello_timeout 60 s: without the probe the stale tunnel would live a minute and more.
    const lns = kl2tpd(`[lns.gone]\nlisten = "127.0.0.1:${port}"\nhello_timeout = 60000\nretry_timeout = 200\nmax_retries = 2\n`);
    await until(() => listener(lns.sock, 'gone'));
    const { got, send, establish } = await rawPeer(port);
    const first = await establish(1);
    await until(async () => ((await listener(lns.sock, 'gone'))?.tunnelCount === 1 ? true : undefined));
    expect(got.some((m) => m.type === 'HELLO')).toBe(false);
    // The client "restarts" with another tunnel id and never answers for the old tunnel again.
    send(sccrq(2));
    await until(() => got.find((m) => m.type === 'StopCCN'));
    await until(() => got.find((m) => m.type === 'HELLO'), 5000);
    // Unanswered (RFC 2661 §5.8: retransmitted, then the tunnel is given up): the stale tunnel goes.
    await until(async () => ((await listener(lns.sock, 'gone'))?.tunnelCount === 0 ? true : undefined));
    got.length = 0;
    send(sccrq(3));
    const again = await until(() => got.find((m) => m.type === 'SCCRP'));
    expect(again.avps.assignedTunnelId).not.toBe(first);
  });
  it('an SCCRQ the protocol checks refuse (unknown mandatory AVP) gets its StopCCN, a log line naming the peer and why, and a count', async () => {
    const port = await freePort();
    const lns = kl2tpd(`[lns.bad]\nlisten = "127.0.0.1:${port}"\n`);
    await until(() => listener(lns.sock, 'bad'));
    const { got, send } = await rawPeer(port);
    send(encodeMessage({
      type: 'SCCRQ', avps: { protocolVersion: 0x100, hostName: 'odd-client', framingCapabilities: 3, assignedTunnelId: 9 },
      unknownAvps: [{ mandatory: true, hidden: false, vendorId: 9, attrType: 100, value: new Uint8Array([1, 2]) }],
    }, { version: 2, tunnelId: 0, sessionId: 0, ns: 0, nr: 0 }));
    const stop = await until(() => got.find((m) => m.type === 'StopCCN'));
    // RFC 2661 §4.1: an unrecognised AVP with M set ends the control connection: result 2, error 8.
    expect(stop.avps.resultCode).toMatchObject({ result: 2, error: 8 });
    const l = await until(async () => { const x = await listener(lns.sock, 'bad'); return x?.refusals['bad-sccrq'] === 1 ? x : undefined; });
    expect(l.tunnelCount).toBe(0);
    await until(logged(lns.log, /"result":2,"error":8,[^\n]*"peer":"127\.0\.0\.1:\d+"[^\n]*"reason":"[^"]+"[^\n]*SCCRQ refused by the protocol checks/));
  });
  it('a malformed ICRQ in a live tunnel gets a CDN, a warn line naming the call and refusal bad-call, and is counted; the tunnel stays', async () => {
    const port = await freePort();
    const lns = kl2tpd(`[lns.call]\nlisten = "127.0.0.1:${port}"\n`);
    await until(() => listener(lns.sock, 'call'));
    const { got, send, establish } = await rawPeer(port);
    const tid = await establish(3);
    // Call Serial Number (RFC 2661 §4.4.4) is 4 octets; 2 is a wrong length: CDN 2/2 to this call only (§4.1).
    send(encodeMessage({ type: 'ICRQ', avps: { assignedSessionId: 2 },
      unknownAvps: [{ mandatory: true, hidden: false, vendorId: 0, attrType: 15, value: Uint8Array.of(0, 7) }] },
    { version: 2, tunnelId: tid, sessionId: 0, ns: 2, nr: 1 }));
    const cdn = await until(() => got.find((m) => m.type === 'CDN'));
    expect(cdn.avps.resultCode).toMatchObject({ result: 2, error: 2 });
    // Logged at warn with refusal = the reason and the codes sent, and counted.
    await until(logged(lns.log, /"level":"warn"[^\n]*"refusal":"bad-call","result":2,"error":2,[^\n]*"peer_session_id":2[^\n]*"reason":"[^"]+"[^\n]*call refused with CDN/));
    const l = await until(async () => { const x = await listener(lns.sock, 'call'); return x?.refusals['bad-call'] === 1 ? x : undefined; });
    expect(l.tunnelCount).toBe(1);
  });
  it('messages for a call the tunnel does not hold: acknowledged, a warn line on the 1st, 2nd and 4th only, every one counted in status', async () => {
    const port = await freePort();
    const lns = kl2tpd(`[lns.late]\nlisten = "127.0.0.1:${port}"\n`);
    await until(() => listener(lns.sock, 'late'));
    const { got, send, establish } = await rawPeer(port);
    const tid = await establish(4);
    // Five ICCNs for session 777, which this tunnel never had.
    for (let ns = 2; ns < 7; ns++) {
      send(encodeMessage({ type: 'ICCN', avps: { txConnectSpeed: 1, framingType: 1 } }, { version: 2, tunnelId: tid, sessionId: 777, ns, nr: 1 }));
    }
    const t = await until(async () => (await listener(lns.sock, 'late'))?.tunnels.find((x) => x.control?.ignored === 5));
    expect(t.state).toBe('established');
    await until(logged(lns.log, /"level":"warn"[^\n]*"session_id":777,"message_type":"ICCN","reason":"unknown-session","ignored":4[^\n]*acknowledged and ignored/));
    const lines = lns.log().split('\n').filter((x) => x.includes('acknowledged and ignored'));
    expect(lines.map((x) => JSON.parse(x).ignored)).toEqual([1, 2, 4]);
    expect(got.some((m) => m.type === 'CDN')).toBe(false);
  });
});
