// Helpers of the *.kernel.test.ts suites (run in the qemu guest, as root, with the L2TP modules).
import { execSync } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { NetlinkDataPlane } from '../src/dataplane.js';
import { inNetns } from '../src/sockets/netns.js';
import { scaled } from '../../../scripts/vm/waits.mjs';

/** Runs a shell command and returns its stdout; throws with stderr on failure. */
export const sh = (cmd: string): string => execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Runs a shell command and returns whether it succeeded. */
export const ok = (cmd: string): boolean => {
  try { sh(cmd); return true; } catch { return false; }
};

/** Two namespaces joined by a veth pair: `a` has .1 and `b` .2 of `v4net`/24 and `v6net`::/64. */
export function twoNamespaces(a: string, b: string, v4net = '10.9.0', v6net = 'fd09::'): void {
  sh(`ip netns add ${a}; ip netns add ${b}
    ip link add v${a} netns ${a} type veth peer name v${b} netns ${b}
    ip -n ${a} link set lo up; ip -n ${b} link set lo up
    ip -n ${a} addr add ${v4net}.1/24 dev v${a}; ip -n ${a} addr add ${v6net}1/64 dev v${a} nodad
    ip -n ${b} addr add ${v4net}.2/24 dev v${b}; ip -n ${b} addr add ${v6net}2/64 dev v${b} nodad
    ip -n ${a} link set v${a} up; ip -n ${b} link set v${b} up`);
}

/** Deletes namespaces, ignoring those already gone. */
export function dropNamespaces(...names: string[]): void {
  for (const n of names) ok(`ip netns del ${n}`);
}

/** Polls `check` until it holds, failing with `what` after `timeoutMs` scaled by the guest's measured speed. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 5000, stepMs = 20): Promise<void> {
  const end = Date.now() + scaled(timeoutMs);
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${scaled(timeoutMs)} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * Registers hooks that make namespaces `a` and `b` (veth between, 10.9.0.0/24 and fd09::/64) with a
 * NetlinkDataPlane opened in each; the returned object holds them once the suite runs.
 */
export function twoDataPlanes(a: string, b: string): { a: NetlinkDataPlane; b: NetlinkDataPlane } {
  const planes = {} as { a: NetlinkDataPlane; b: NetlinkDataPlane };
  beforeAll(() => {
    twoNamespaces(a, b, '10.9.0', 'fd09::');
    planes.a = inNetns(a, () => NetlinkDataPlane.open());
    planes.b = inNetns(b, () => NetlinkDataPlane.open());
  });
  afterAll(async () => {
    await planes.a?.close();
    await planes.b?.close();
    dropNamespaces(a, b);
  });
  return planes;
}
