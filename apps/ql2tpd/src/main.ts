#!/usr/bin/env node
/** The `ql2tpd` command: see docs/ql2tpd.8.md. */
import { runDaemonMain } from '@l2tp/daemon';
import { QL2TPD_CLI } from './cli.js';
import { DEFAULT_QL2TPD_CONTROL_SOCKET, loadQl2tpdConfig } from './config.js';

// No top-level await: the shipped CLI is a CommonJS bundle (scripts/pack/build-cli.mjs).
void runDaemonMain({
  cli: QL2TPD_CLI,
  load: (path) => loadQl2tpdConfig(path),
  controlSocket: (config) => config.ext.controlSocket,
  metricsListen: (config) => config.ext.metricsListen,
  defaultControlSocket: DEFAULT_QL2TPD_CONTROL_SOCKET,
  run: async (config, invocation, log) => {
    // Loaded only to run: --version, --check-config and status stay fast.
    const { runQl2tpd } = await import('./daemon.js');
    const { kernelPlatform, nullPlatform } = await import('./platform.js');
    const platform = invocation.flags['null'] === true ? await nullPlatform(log) : await kernelPlatform(log);
    if (platform === undefined) return 1;
    // -verbose: one debug line per control message and state change (decoded only then).
    const { controlTrace, md5 } = await import('@l2tp/control');
    const traced = invocation.verbose ? { ...platform, trace: controlTrace((l) => log.debug(l.fields, l.msg), md5) } : platform;
    const reload = async () => {
      const r = await loadQl2tpdConfig(invocation.configPath);
      if (r.ok) return r.config;
      for (const i of r.issues) log.error({ file: i.file, line: i.line, key: i.path }, i.message);
      return undefined;
    };
    const withMetrics = invocation.metricsListen ? { ...config, ext: { ...config.ext, metricsListen: invocation.metricsListen } } : config;
    return runQl2tpd(withMetrics as typeof config, { log, platform: traced, reload });
  },
}, process.argv.slice(2)).then((status) => { process.exitCode = status; });
