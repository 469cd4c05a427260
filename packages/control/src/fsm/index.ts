/** The tunnel and session state machines (RFC 2661 §7): transition tables that return actions. */
export * from './types.js';
export * from './tunnel.js';
export * from './session.js';
export * from './reasons.js';
