/** The L2TPv3 state machines (RFC 3931 §7): control connection and pseudowire sessions. */
export * from './types.js';
export * from './connection.js';
export * from './session.js';
