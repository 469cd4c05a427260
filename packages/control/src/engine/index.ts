/** The engine: one control connection composed of transport and state machines (style.md §3.3). */
export * from './config.js';
export * from './io.js';
export * from './wire.js';
export * from './tunnel-engine.js';
export * from './control-engine.js';
export * from './codec-wire.js';
export * from './trace.js';
export * from './v3-config.js';
export * from './v3-engine.js';
export * from './v3-control.js';
export * from './v3-session-spec.js';
export * from './message-auth.js';
