#!/usr/bin/env node
// `pnpm demo`: the main job on an embedded default, with no root and no kernel support. It checks
// the shipped example configs, then runs two kl2tpd -null processes on loopback: one serving an
// [lns.*] table, one dialling it as a LAC. Tunnel and session come up, `kl2tpd status` shows them on
// both sides (the LNS with its listener, pool and the call's address), SIGTERM tears them down with
// StopCCN, and both exit 0.
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const step = (s) => console.log(`\n\x1b[1m== ${s}\x1b[0m`);
const ex = (f) => join('configs', 'examples', f);

step('1. check the shipped example configs');
const check = spawnSync(process.execPath, [join('packages', 'config', 'dist', 'cli.js'),
  '--extension', join('apps', 'kl2tpd', 'dist', 'config.js'), ex('kl2tpd.toml'), ex('kl2tpd-ipv6.toml'), ex('kpppoed-kl2tpd.toml'), ex('nm-l2tp/kl2tpd.conf'), ex('kl2tpd-lns.toml'),
  '--extension', join('apps', 'ql2tpd', 'dist', 'config.js'), ex('ql2tpd.toml'), ex('ql2tpd-ipv6.toml')], { cwd: root, stdio: 'inherit' });
if (check.status !== 0) process.exit(check.status ?? 1);

step('2. kl2tpd -null as an LNS on loopback ([lns.demo]: a pool of two addresses)');
const dir = mkdtempSync(join(tmpdir(), 'l2tp-demo-'));
const kl2tpd = join(root, 'apps', 'kl2tpd', 'dist', 'kl2tpd.cjs');
const probe = createSocket('udp4');
await new Promise((r) => probe.bind(0, '127.0.0.1', () => r(undefined)));
const { port } = probe.address();
await new Promise((r) => probe.close(() => r(undefined)));
const lnsSock = join(dir, 'lns.sock');
const lnsConfig = join(dir, 'lns.toml');
writeFileSync(lnsConfig, `control_socket = "${lnsSock}"\n\n[lns.demo]\nlisten = "127.0.0.1:${port}"\nhost_name = "demo-lns"\nlocal_ip = "192.168.42.1"\nip_range = ["192.168.42.10-192.168.42.11"]\n`);
const lns = spawn(process.execPath, [kl2tpd, '-config', lnsConfig, '-null', '--log-format', 'pretty'], { stdio: 'inherit' });
const lnsExited = new Promise((r) => lns.once('exit', (code) => r(code)));
const statusOf = (sock) => spawnSync(process.execPath, [kl2tpd, 'status', '--socket', sock], { encoding: 'utf8' });
for (let i = 0; i < 100 && !/listening/.test(statusOf(lnsSock).stdout); i++) await new Promise((r) => setTimeout(r, 100));

step('3. kl2tpd -null as a LAC: one tunnel, one session, to that LNS');
const sock = join(dir, 'kl2tpd.sock');
const config = join(dir, 'kl2tpd.toml');
writeFileSync(config, `control_socket = "${sock}"\n\n[tunnel.demo]\npeer = "127.0.0.1:${port}"\nversion = "l2tpv2"\nhost_name = "demo-lac"\n\n[tunnel.demo.session.s1]\npseudowire = "ppp"\n`);
const daemon = spawn(process.execPath, [kl2tpd, '-config', config, '-null', '--log-format', 'pretty'], { stdio: 'inherit' });
const exited = new Promise((r) => daemon.once('exit', (code) => r(code)));

let status;
for (let i = 0; i < 100; i++) {
  await new Promise((r) => setTimeout(r, 100));
  status = statusOf(sock);
  if (status.status === 0 && / s1 .*established/.test(status.stdout)) break;
}
step('4. kl2tpd status (the LAC)');
process.stdout.write(status.stdout || status.stderr);
step('5. kl2tpd status (the LNS: listener, pool, the tunnel and its call with its address)');
let lnsStatus;
for (let i = 0; i < 50; i++) {
  lnsStatus = statusOf(lnsSock);
  if (/192\.168\.42\.10/.test(lnsStatus.stdout)) break;
  await new Promise((r) => setTimeout(r, 100));
}
process.stdout.write(lnsStatus.stdout || lnsStatus.stderr);

step('6. SIGTERM to both: StopCCN, then exit');
daemon.kill('SIGTERM');
const code = await exited;
lns.kill('SIGTERM');
const lnsCode = await lnsExited;
rmSync(dir, { recursive: true, force: true });
console.log(`\nkl2tpd (LAC) exited with status ${code}, kl2tpd (LNS) with ${lnsCode}`);
process.exit(code === 0 && lnsCode === 0 && / s1 .*established/.test(status.stdout) && /192\.168\.42\.10/.test(lnsStatus.stdout) ? 0 : 1);
