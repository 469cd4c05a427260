/**
 * Sans-I/O L2TPv2/v3 protocol engine: codec, reliable transport, tunnel and session state machines.
 *
 * @packageDocumentation
 */

/** Package version, kept equal to package.json. */
export const VERSION = '0.1.0';

export type {
  ControlSocket, ControlSocketOptions, DataPlane, DataPlaneStats, Encap, L2SpecType, Pseudowire,
  SessionDataPlane, SessionSpec, SocketAddress, TunnelDataPlane, TunnelSpec,
} from './api/dataplane.js';

export * from './codec/index.js';

export * from './transport/index.js';
export type { RandomSource } from './api/random.js';
export * from './fsm/index.js';
export * from './engine/index.js';
export type * from './api/context-types.js';
export * from './node/index.js';
