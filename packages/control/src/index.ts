/**
 * Sans-I/O L2TPv2/v3 protocol engine: codec, reliable transport, tunnel and session state machines.
 *
 * The engine (`TunnelEngine`, `ControlEngine`) does no I/O; `L2tpContext` drives it on Node's UDP
 * sockets and one timer, with kernel objects through a `DataPlane` (`@l2tp/netlink`, or
 * `nullDataPlane()` for none). `@l2tp/control/testing` has SimNet for tests in virtual time.
 *
 * @example
 * ```ts
 * import { L2tpContext, nullDataPlane } from '@l2tp/control';
 * const ctx = new L2tpContext({ dataPlane: nullDataPlane() });
 * ctx.on('session-up', ({ session }) => console.log('call up', session.sessionId, session.peerSessionId));
 * ctx.on('tunnel-down', ({ tunnel, reason }) => console.log(tunnel.name, 'down:', reason.type));
 * const tunnelId = await ctx.dial({ name: 't1', peer: { address: '192.0.2.1', port: 1701, family: 4 }, secret: 's3cret' });
 * ctx.openSession(tunnelId);          // ICRQ once the tunnel is up
 * // ... later
 * await ctx.close();                  // StopCCN on every tunnel
 * ```
 *
 * @packageDocumentation
 */

/** Package version, kept equal to package.json. */
export const VERSION = '0.1.0';

export type {
  ControlSocket, ControlSocketOptions, DataPlane, DataPlaneStats, Encap, KernelChange, L2SpecType, LinkChange, Pseudowire,
  SessionDataPlane, SessionSpec, SocketAddress, TunnelDataPlane, TunnelSpec,
} from './api/dataplane.js';

export * from './codec/index.js';

export * from './transport/index.js';
export type { RandomSource } from './api/random.js';
export * from './fsm/index.js';
export * from './engine/index.js';
export * from './supervisor/index.js';
export type * from './api/context-types.js';
export * from './node/index.js';
