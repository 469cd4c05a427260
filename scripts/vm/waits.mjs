// Waits for the kernel suites (*.kernel.test.ts) that hold on a slow day. The guest runs under TCG
// (software emulation) on a shared machine: how long a node daemon takes to start there varies
// several-fold from one run to the next. guest.mjs times one `node -e 0` at boot and exports it
// (L2TP_GUEST_NODE_START_MS); every bound here is scaled by how much slower that was than the
// reference the suites' figures were written for. Bounds only: the waits end on the event itself.

/** `node -e 0` in the guest on the day the suites' bounds were chosen (TCG, one idle host core). */
export const REFERENCE_NODE_START_MS = 1500;

/** How much slower this guest is than the reference (≥ 1; 1 outside a calibrated guest). */
export const slowdown = Math.max(1, (Number(process.env.L2TP_GUEST_NODE_START_MS) || 0) / REFERENCE_NODE_START_MS);

/** `ms` scaled by {@link slowdown}, in milliseconds. */
export const scaled = (ms) => Math.round(ms * slowdown);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves once `check()` (sync or async) holds, polling every `stepMs`; rejects with "timed out
 * waiting for `what`" after `scaled(ms)`.
 */
export async function until(check, ms, what, stepMs = 100) {
  const limit = scaled(ms);
  const end = Date.now() + limit;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${limit} ms (${ms} ms × slowdown ${slowdown.toFixed(2)}) waiting for ${what}`);
    await sleep(stepMs);
  }
}

/**
 * Resolves when `re` matches what `child` wrote to stdout and stderr so far (listening to its
 * output: no polling); rejects when the child exits first or after `scaled(ms)`. Returns the text.
 */
export function waitForOutput(child, re, ms, what) {
  return new Promise((resolve, reject) => {
    let text = '';
    const limit = scaled(ms);
    const done = (f, v) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('close', onClose);
      f(v);
    };
    const onData = (d) => { text += d; if (re.test(text)) done(resolve, text); };
    const onClose = (code) => done(reject, new Error(`${what}: the process exited (${code}) first:\n${text}`));
    const timer = setTimeout(() => done(reject, new Error(`timed out after ${limit} ms waiting for ${what}:\n${text}`)), limit);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('close', onClose);
  });
}
