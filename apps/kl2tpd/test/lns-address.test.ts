/**
 * kl2tpd as an LNS listening on a wildcard address answers from the address it was dialled on and
 * from the listening port (issue 14; xl2tpd's multi-homed bug that broke Cisco ASA peers): LACs
 * built on the library dial 127.0.0.1 and 127.0.0.2 (both local on lo) of one `0.0.0.0` listener,
 * and every datagram each receives, from SCCRP through the per-tunnel socket's HELLOs and its call,
 * comes from the address and port it dialled. IPv6: the same for fd00::1 and fd00::2 on `[::]`, in a
 * network namespace the test makes (root and iproute2), and IPv4 LACs on a dual-stack `[::]`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ControlSocket, type DataPlane, L2tpContext, nullDataPlane, type SocketAddress } from '@l2tp/control';
import { requestControlSocket } from '@l2tp/daemon';
import { inNetns, openKernelControlSocket } from '@l2tp/netlink';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';

const MAIN = new URL('../dist/main.js', import.meta.url).pathname;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

async function freePort(type: 'udp4' | 'udp6' = 'udp4'): Promise<number> {
  const s = createSocket(type);
  await new Promise<void>((r) => s.bind(0, r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** kl2tpd -null serving `body`, optionally inside network namespace `netns`; resolves once listening. */
async function lns(body: string, netns?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'kl2tpd-lnsaddr-'));
  const sock = join(dir, 'k.sock');
  const config = join(dir, 'kl2tpd.toml');
  writeFileSync(config, `control_socket = "${sock}"\n${body}`);
  const argv = [MAIN, '-config', config, '-null', '--log-format', 'json'];
  const child: ChildProcess = netns === undefined
    ? spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn('ip', ['netns', 'exec', netns, process.execPath, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const listening = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d) => { log += d; if (log.includes('LNS listening')) resolve(); });
    child.once('exit', (code) => reject(new Error(`kl2tpd exited ${code}:\n${log}`)));
  });
  cleanups.push(() => { if (child.exitCode === null) { child.kill('SIGKILL'); return new Promise((r) => child.once('exit', r)); } return undefined; });
  onTestFailed(() => console.error(`--- ${config}\n${log.slice(-4000)}`));
  await listening;
  return { sock, log: () => log };
}

/**
 * A LAC on the library whose sockets record the source of every datagram they receive (before the
 * socket is connected, the kernel delivers replies from any address; after, only the dialled one).
 */
function lac(open: DataPlane['openControlSocket'] = nullDataPlane().openControlSocket) {
  const sources: string[] = [];
  const record = (s: ControlSocket): ControlSocket => ({
    fd: s.fd, local: s.local, send: (b, to) => s.send(b, to), connect: (p) => s.connect(p), close: () => s.close(),
    onDatagram: (r) => s.onDatagram((bytes, from) => { sources.push(`${from.address}|${from.port}`); r(bytes, from); }),
  });
  const ctx = new L2tpContext({ dataPlane: { ...nullDataPlane(), openControlSocket: async (o) => record(await open(o)) } });
  cleanups.push(() => ctx.close(1000));
  return { ctx, sources };
}

/** Dials `peer`, places one call, waits for it and for one HELLO of the LNS (sent on its per-tunnel socket). */
async function callAndHello(l: ReturnType<typeof lac>, peer: SocketAddress, local?: SocketAddress): Promise<void> {
  const up = l.ctx.once('session-up');
  const id = await l.ctx.dial({ name: peer.address, peer, hostName: 'lac', ...(local && { local }) });
  l.ctx.openSession(id);
  await up;
  const received = () => l.ctx.info(id)?.control?.received ?? 0;
  const before = received();
  // The LNS's hello_timeout is 200 ms: a HELLO (a message the LAC counts) arrives while the call is idle.
  await l.ctx.until(() => received() > before, 5000);
  expect(received()).toBeGreaterThan(before);
}

describe('kl2tpd LNS on 0.0.0.0: replies leave from the dialled address and the listening port', () => {
  it('127.0.0.1 and 127.0.0.2 of one listener, each LAC hears only the address it dialled', async () => {
    const port = await freePort();
    const server = await lns(`[lns.any]\nlisten = "0.0.0.0:${port}"\nhello_timeout = 200\nlocal_ip = "10.9.0.1"\nip_range = ["10.9.0.10-10.9.0.20"]\n`);
    const a = lac();
    const b = lac();
    await Promise.all([callAndHello(a, { address: '127.0.0.2', port, family: 4 }), callAndHello(b, { address: '127.0.0.1', port, family: 4 })]);
    // SCCRP, ZLB, ICRP, HELLO and more: every one from where the LAC sent its SCCRQ.
    expect(a.sources.length).toBeGreaterThanOrEqual(3);
    expect(new Set(a.sources)).toEqual(new Set([`127.0.0.2|${port}`]));
    expect(new Set(b.sources)).toEqual(new Set([`127.0.0.1|${port}`]));
    const r = await requestControlSocket(server.sock, { op: 'status' });
    expect(r.ok && r.status?.listeners?.[0]).toMatchObject({ listen: `0.0.0.0:${port}`, tunnelCount: 2, sessionCount: 2 });
  });

  it('dual-stack [::]: an IPv4 LAC dialling 127.0.0.2 hears 127.0.0.2', async () => {
    const port = await freePort('udp6');
    await lns(`[lns.any6]\nlisten = "[::]:${port}"\nhello_timeout = 200\n`);
    const a = lac();
    await callAndHello(a, { address: '127.0.0.2', port, family: 4 });
    expect(new Set(a.sources)).toEqual(new Set([`127.0.0.2|${port}`]));
  });
});

// Two global IPv6 addresses need a namespace of our own: the host's lo has only ::1.
const canNetns = process.getuid?.() === 0 && ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].some((p) => existsSync(p));
describe.skipIf(!canNetns)('kl2tpd LNS on [::] with two IPv6 addresses (a namespace of its own; needs root and iproute2)', () => {
  it('LACs dialling fd00::1 and fd00::2 each hear only the address they dialled', async () => {
    const ns = `lnsaddr-${process.pid}`;
    execFileSync('ip', ['netns', 'add', ns]);
    cleanups.push(() => execFileSync('ip', ['netns', 'del', ns]));
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    for (const a of ['fd00::1/128', 'fd00::2/128']) execFileSync('ip', ['-n', ns, 'addr', 'add', a, 'dev', 'lo', 'nodad']);
    const port = 1701;
    await lns(`[lns.v6]\nlisten = "[::]:${port}"\nhello_timeout = 200\n`, ns);
    // The LACs' sockets are made in the namespace (libc on this thread; node:dgram adopts them).
    const open: DataPlane['openControlSocket'] = (o) => inNetns(ns, () => openKernelControlSocket(o));
    const a = lac(open);
    const b = lac(open);
    // Both from fd00::1: the route's choice for a reply to fd00::1 is fd00::1, which LAC a did not dial.
    const from: SocketAddress = { address: 'fd00::1', port: 0, family: 6 };
    await Promise.all([callAndHello(a, { address: 'fd00::2', port, family: 6 }, from), callAndHello(b, { address: 'fd00::1', port, family: 6 }, from)]);
    expect(new Set(a.sources)).toEqual(new Set([`fd00::2|${port}`]));
    expect(new Set(b.sources)).toEqual(new Set([`fd00::1|${port}`]));
  });
});
