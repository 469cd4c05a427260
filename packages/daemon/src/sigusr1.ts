/**
 * SIGUSR1. Node opens its inspector (a debugger on 127.0.0.1:9229 that runs any code it is sent)
 * on SIGUSR1 unless the process listens for the signal itself; in a daemon running as root that
 * would hand root to every local user. So the daemons claim SIGUSR1 before anything else and use
 * it as xl2tpd does: write the status table to the log.
 */

let dump: (() => void) | undefined;
const onUsr1 = (): void => dump?.();

/**
 * Installs the process's SIGUSR1 listener (once; idempotent). From then on Node never opens its
 * inspector on SIGUSR1; the signal runs the action set with {@link onStatusSignal}, or nothing.
 * The listener is never removed: a signal during shutdown must not open the inspector either.
 */
export function claimSigusr1(): void {
  if (!process.listeners('SIGUSR1').includes(onUsr1)) process.on('SIGUSR1', onUsr1);
}

/** Sets what SIGUSR1 does (the shell: log the status table); returns a function that clears it. */
export function onStatusSignal(action: () => void): () => void {
  claimSigusr1();
  dump = action;
  return () => { if (dump === action) dump = undefined; };
}
