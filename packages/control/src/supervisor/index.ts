/** Supervisors of configured objects (tunnel, session) and reload plans: pure tables, no I/O. */
export * from './tunnel.js';
export * from './session.js';
export * from './reload.js';
