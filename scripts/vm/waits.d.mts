import type { ChildProcess } from 'node:child_process';

/** `node -e 0` in the guest, in ms, on the day the suites' bounds were chosen. */
export const REFERENCE_NODE_START_MS: number;
/** How much slower this guest is than the reference (≥ 1; from L2TP_GUEST_NODE_START_MS). */
export const slowdown: number;
/** `ms` scaled by {@link slowdown}, in milliseconds. */
export function scaled(ms: number): number;
/** Polls `check` every `stepMs` until it holds; rejects after `scaled(ms)` naming `what`. */
export function until(check: () => boolean | Promise<boolean>, ms: number, what: string, stepMs?: number): Promise<void>;
/** Resolves with the child's output once `re` matches it; rejects if it exits first or after `scaled(ms)`. */
export function waitForOutput(child: ChildProcess, re: RegExp, ms: number, what: string): Promise<string>;
