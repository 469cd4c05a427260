#!/usr/bin/env node
// `pnpm demo`: the main job on the shipped defaults. Until the daemons run end to end this is a
// config check of every shipped example with each daemon's own keys (exit 2 on any problem);
// the kl2tpd issue replaces it with kl2tpd talking to an LNS on loopback.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ex = (f) => join('configs', 'examples', f);
const args = [
  join('packages', 'config', 'dist', 'cli.js'),
  '--extension', join('apps', 'kl2tpd', 'dist', 'config.js'),
  ex('kl2tpd.toml'), ex('kl2tpd-ipv6.toml'), ex('kpppoed-kl2tpd.toml'), ex('nm-l2tp/kl2tpd.conf'),
  '--extension', join('apps', 'ql2tpd', 'dist', 'config.js'),
  ex('ql2tpd.toml'), ex('ql2tpd-ipv6.toml'),
];
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
