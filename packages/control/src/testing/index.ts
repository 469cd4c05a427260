/**
 * `@l2tp/control/testing`: the kit for deterministic tests of the engine and of programs built on it —
 * a seeded random source and SimNet, a network emulator in virtual time.
 *
 * @packageDocumentation
 */
export * from './random.js';
export * from './simnet.js';
export * from './script.js';
export * from './match.js';
export * from './edge.js';
