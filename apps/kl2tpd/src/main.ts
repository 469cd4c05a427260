#!/usr/bin/env node
/** The `kl2tpd` command: see docs/kl2tpd.8.md. */
import { runDaemonMain } from '@l2tp/daemon';
import { KL2TPD_CLI } from './cli.js';
import { DEFAULT_KL2TPD_CONTROL_SOCKET, loadKl2tpdConfig } from './config.js';

const status = await runDaemonMain({
  cli: KL2TPD_CLI,
  load: (path) => loadKl2tpdConfig(path),
  controlSocket: (config) => config.ext.controlSocket,
  defaultControlSocket: DEFAULT_KL2TPD_CONTROL_SOCKET,
  // The daemon runtime lands with the engine's Node driver; until then running refuses honestly.
  run: async (_config, _invocation, log) => {
    log.error('this build of kl2tpd can only check configurations (--check-config)');
    return 1;
  },
}, process.argv.slice(2));
process.exitCode = status;
