/**
 * go-l2tp's kl2tpd (v0.1.8, built here from Debian's Go packages by scripts/go-l2tp/build.mjs) as
 * the LAC of the library's LNS role (L2tpContext.listen, null data plane), with go-l2tp's `-null`:
 * its tunnel and session come up on our side with its Host Name, and its SIGTERM reaches us as
 * StopCCN. When go-l2tp cannot be built the suite is skipped with the reason in its title and on
 * stderr, never passed. The same binary is the third-party LAC for kl2tpd's own LNS once it runs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { codecWire, L2tpContext, nullDataPlane } from '@l2tp/control';
import { buildGoL2tpKl2tpd } from '../../../../scripts/go-l2tp/build.mjs';

const GO = buildGoL2tpKl2tpd();
if (!GO.ok) process.stderr.write(`\n!!! go-l2tp interop NOT RUN: CANNOT BUILD go-l2tp's kl2tpd: ${GO.reason}\n\n`);

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!GO.ok)(`go-l2tp kl2tpd LAC ↔ our LNS (${GO.ok ? `go-l2tp ${GO.commit.slice(0, 7)}` : `NOT RUN: ${GO.reason}`})`, () => {
  test('tunnel and session come up on our side; go-l2tp\'s SIGTERM arrives as StopCCN', async () => {
    const ours = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
    cleanups.push(() => ours.close(300));
    const { port } = await ours.listen({ local: { address: '127.0.0.1', port: 0, family: 4 }, hostName: 'our-lns' });
    const dir = mkdtempSync(join(tmpdir(), 'go-l2tp-'));
    writeFileSync(join(dir, 'kl2tpd.toml'), `[tunnel.t1]\npeer = "127.0.0.1:${port}"\nversion = "l2tpv2"\nencap = "udp"\n` +
      'host_name = "go-l2tp-lac"\n[tunnel.t1.session.s1]\npseudowire = "ppp"\n');
    const tunnelUp = ours.once('tunnel-up');
    const sessionUp = ours.once('session-up');
    const go = spawn(GO.ok ? GO.path : '', ['-null', '-config', join(dir, 'kl2tpd.toml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    go.stderr.on('data', (d: Buffer) => { log += d; });
    const exited = new Promise<number | null>((resolve) => go.once('exit', (code) => resolve(code)));
    cleanups.push(async () => { go.kill('SIGKILL'); await exited; });

    const { tunnel } = await tunnelUp;
    expect(tunnel).toMatchObject({ role: 'lns', peerHostName: 'go-l2tp-lac', state: 'established' });
    const { session } = await sessionUp;
    expect(session).toMatchObject({ tunnelId: tunnel.tunnelId, state: 'established' });

    const down = ours.once('tunnel-down');
    go.kill('SIGTERM');
    expect((await down).reason).toMatchObject({ type: 'peer-stopccn', result: { result: 1 } });
    expect(await exited, log.slice(-2000)).toBe(0);
  }, 90_000);
});
