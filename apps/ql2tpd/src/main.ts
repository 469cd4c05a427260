#!/usr/bin/env node
/** The `ql2tpd` command: see docs/ql2tpd.8.md. */
import { runDaemonMain } from '@l2tp/daemon';
import { QL2TPD_CLI } from './cli.js';
import { DEFAULT_QL2TPD_CONTROL_SOCKET, loadQl2tpdConfig } from './config.js';

const status = await runDaemonMain({
  cli: QL2TPD_CLI,
  load: (path) => loadQl2tpdConfig(path),
  controlSocket: (config) => config.ext.controlSocket,
  defaultControlSocket: DEFAULT_QL2TPD_CONTROL_SOCKET,
  // The daemon runtime lands with @l2tp/netlink's data plane; until then running refuses honestly.
  run: async (_config, _invocation, log) => {
    log.error('this build of ql2tpd can only check configurations (--check-config)');
    return 1;
  },
}, process.argv.slice(2));
process.exitCode = status;
