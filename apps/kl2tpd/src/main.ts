#!/usr/bin/env node
/** The `kl2tpd` command: see docs/kl2tpd.8.md. */
import { runDaemonMain } from '@l2tp/daemon';
import { KL2TPD_CLI, KL2TPD_SUBCOMMANDS } from './cli.js';
import { DEFAULT_KL2TPD_CONTROL_SOCKET, loadKl2tpdConfig } from './config.js';

const argv = process.argv.slice(2);
// kl2tpd's own subcommands (cli.ts KL2TPD_SUBCOMMANDS) come before the shared daemon command line.
// No top-level await: the shipped CLI is a CommonJS bundle (scripts/pack/build-cli.mjs).
const main = async (): Promise<number> => (KL2TPD_SUBCOMMANDS as readonly string[]).includes(argv[0] ?? '') ? (await import('./import-xl2tpd-cli.js')).runImportXl2tpd(argv.slice(1)) : runDaemonMain({
  cli: KL2TPD_CLI,
  load: (path) => loadKl2tpdConfig(path),
  controlSocket: (config) => config.ext.controlSocket,
  metricsListen: (config) => config.ext.metricsListen,
  defaultControlSocket: DEFAULT_KL2TPD_CONTROL_SOCKET,
  run: async (config, invocation, log) => {
    // Loaded only to run: --version, --check-config and status stay fast.
    const { runKl2tpd } = await import('./daemon.js');
    const { platformFor } = await import('./platform.js');
    const platform = await platformFor(invocation.flags['null'] === true, log);
    if (platform === undefined) return 1;
    // -verbose: one debug line per control message and state change (decoded only then).
    const { controlTrace, md5 } = await import('@l2tp/control');
    const traced = invocation.verbose ? { ...platform, trace: controlTrace((l) => log.debug(l.fields, l.msg), md5) } : platform;
    // SIGHUP: read the file again; a file with problems is logged (file, line, key) and not applied.
    const reload = async () => {
      const r = await loadKl2tpdConfig(invocation.configPath);
      if (r.ok) return r.config;
      for (const i of r.issues) log.error({ file: i.file, line: i.line, key: i.path }, i.message);
      return undefined;
    };
    const withMetrics = invocation.metricsListen ? { ...config, ext: { ...config.ext, metricsListen: invocation.metricsListen } } : config;
    return runKl2tpd(withMetrics as typeof config, { log, platform: traced, reload });
  },
}, argv);
void main().then((status) => { process.exitCode = status; });
