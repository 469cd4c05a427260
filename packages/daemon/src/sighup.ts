/**
 * SIGHUP. Its default action ends the process, and the shell sets its reload action only once the
 * daemon is up (config read, platform open, admin socket bound): a SIGHUP in between — `systemctl
 * reload` or a configuration-management run right after a start — used to kill the daemon. So a
 * running daemon claims SIGHUP first thing (`runDaemonMain`); a SIGHUP that comes before the shell
 * sets its action is remembered and delivered once it does (the reload then reads the file as it
 * is by then: nothing is lost). After the shell stops, SIGHUP is ignored, never fatal.
 *
 * The state is the process's, not this module's: the shipped CLIs are two bundles (the command
 * line, and the daemon loaded to run), each with its own copy of this file.
 */

interface HupState {
  /** The shell's action, while it runs. */
  reload: (() => void) | undefined;
  /** Between `claimSighup` and the shell's action: a SIGHUP now is remembered, not dropped. */
  starting: boolean;
  pending: boolean;
  readonly listener: () => void;
}

const KEY = Symbol.for('@l2tp/daemon/sighup');

function state(): HupState {
  const g = globalThis as { [KEY]?: HupState };
  if (g[KEY] === undefined) {
    const s: HupState = {
      reload: undefined, starting: false, pending: false,
      listener: () => {
        if (s.reload !== undefined) s.reload();
        else if (s.starting) s.pending = true;
      },
    };
    g[KEY] = s;
  }
  const s = g[KEY];
  if (!process.listeners('SIGHUP').includes(s.listener)) process.on('SIGHUP', s.listener);
  return s;
}

/**
 * Installs the process's SIGHUP listener (once; never removed) and marks the daemon as starting: a
 * SIGHUP from now until {@link onReloadSignal} is delivered then. See the file header.
 */
export function claimSighup(): void {
  state().starting = true;
}

/**
 * Sets what SIGHUP does (the shell: reload). A SIGHUP received since {@link claimSighup} while no
 * action was set runs `action` once, on the next turn of the event loop. Returns a function that
 * clears the action (SIGHUP is then ignored).
 */
export function onReloadSignal(action: () => void): () => void {
  const s = state();
  s.reload = action;
  if (s.pending) {
    s.pending = false;
    setImmediate(() => { if (s.reload === action) action(); });
  }
  return () => {
    if (s.reload !== action) return;
    s.reload = undefined;
    s.starting = false;
    s.pending = false;
  };
}
