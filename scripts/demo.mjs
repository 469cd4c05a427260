#!/usr/bin/env node
// `pnpm demo`: the main job on an embedded default, with no root and no kernel support. It checks
// the shipped example configs, then runs kl2tpd -null (the built CLI, as a process) against our own
// LNS role on loopback: tunnel and session come up, `kl2tpd status` shows them, SIGTERM tears them
// down with StopCCN, and kl2tpd exits 0.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const step = (s) => console.log(`\n\x1b[1m== ${s}\x1b[0m`);
const ex = (f) => join('configs', 'examples', f);

step('1. check the shipped example configs');
const check = spawnSync(process.execPath, [join('packages', 'config', 'dist', 'cli.js'),
  '--extension', join('apps', 'kl2tpd', 'dist', 'config.js'), ex('kl2tpd.toml'), ex('kl2tpd-ipv6.toml'), ex('kpppoed-kl2tpd.toml'), ex('nm-l2tp/kl2tpd.conf'),
  '--extension', join('apps', 'ql2tpd', 'dist', 'config.js'), ex('ql2tpd.toml'), ex('ql2tpd-ipv6.toml')], { cwd: root, stdio: 'inherit' });
if (check.status !== 0) process.exit(check.status ?? 1);

step('2. an LNS on loopback (our own LNS role from @l2tp/control)');
const { L2tpContext, codecWire, nullDataPlane } = await import(join(root, 'packages', 'control', 'dist', 'index.js'));
const lns = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
const { port } = await lns.listen({ local: { address: '127.0.0.1', port: 0, family: 4 }, hostName: 'demo-lns' });
lns.on('tunnel-up', ({ tunnel }) => console.log(`LNS: tunnel ${tunnel.tunnelId} up with ${tunnel.peerHostName}`));
lns.on('session-up', ({ session }) => console.log(`LNS: session ${session.sessionId} up`));
lns.on('tunnel-down', ({ reason }) => console.log(`LNS: tunnel down: ${JSON.stringify(reason)}`));
console.log(`LNS listening on 127.0.0.1:${port}`);

step('3. kl2tpd -null with a one-tunnel, one-session config');
const dir = mkdtempSync(join(tmpdir(), 'l2tp-demo-'));
const sock = join(dir, 'kl2tpd.sock');
const config = join(dir, 'kl2tpd.toml');
writeFileSync(config, `control_socket = "${sock}"\n\n[tunnel.demo]\npeer = "127.0.0.1:${port}"\nversion = "l2tpv2"\nhost_name = "demo-lac"\n\n[tunnel.demo.session.s1]\npseudowire = "ppp"\n`);
const kl2tpd = join(root, 'apps', 'kl2tpd', 'dist', 'kl2tpd.cjs');
const daemon = spawn(process.execPath, [kl2tpd, '-config', config, '-null', '--log-format', 'pretty'], { stdio: 'inherit' });
const exited = new Promise((r) => daemon.once('exit', (code) => r(code)));

let status;
for (let i = 0; i < 100; i++) {
  await new Promise((r) => setTimeout(r, 100));
  status = spawnSync(process.execPath, [kl2tpd, 'status', '--socket', sock], { encoding: 'utf8' });
  if (status.status === 0 && / s1 .*established/.test(status.stdout)) break;
}
step('4. kl2tpd status');
process.stdout.write(status.stdout || status.stderr);

step('5. SIGTERM: StopCCN, then exit');
daemon.kill('SIGTERM');
const code = await exited;
await lns.close(500);
rmSync(dir, { recursive: true, force: true });
console.log(`\nkl2tpd exited with status ${code}`);
process.exit(code === 0 && / s1 .*established/.test(status.stdout) ? 0 : 1);
