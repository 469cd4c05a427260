/** Options for {@link runInGuest}. */
export interface GuestRunOptions {
  /** Shell command line run by /bin/sh inside the guest. */
  command: string;
  /** Working directory inside the guest (the host path; the host root is mounted at /). */
  cwd?: string;
  /** Extra environment for the command (PATH, HOME and L2TP_IN_GUEST=1 are set already). */
  env?: Record<string, string>;
  /** Wall-clock limit for the whole boot and command; past it the status is 124. */
  timeoutMs?: number;
  /** Host directories the guest may write to (shared read-write over 9p). */
  rw?: string[];
  /** Guest memory in MiB (default 1024). */
  memMb?: number;
  /** vCPUs (default L2TP_VM_SMP, else DEFAULT_SMP). */
  smp?: number;
  /** Called with each chunk of guest output as it arrives, and which stream it came from. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
}

/** What a guest run produced. */
export interface GuestRunResult {
  /** The command's exit status; 124 timeout, 125 the VM failed before the command finished. */
  status: number;
  /** The command's standard output. */
  stdout: string;
  /** The command's standard error (and guest console lines on a VM failure). */
  stderr: string;
  /** Boot plus command, in milliseconds. */
  durationMs: number;
  /** The guest's serial console and qemu's stderr. */
  console: string;
  /** vCPUs the guest had. */
  smp: number;
  /** Guest uptime when the command's shell started (kernel and initramfs boot), in ms. */
  bootMs?: number;
  /** One `node -e 0` in the guest, in ms (exported to the command as L2TP_GUEST_NODE_START_MS). */
  nodeStartMs?: number;
}

/** vCPUs a guest gets unless told otherwise. */
export const DEFAULT_SMP: number;

/** Whether a guest can be booted here (builds the cached image on first use), and if not why. */
export function guestAvailable(): { ok: true } | { ok: false; reason: string };

/** Boots a guest, runs the command, powers off; never rejects for a failing command. */
export function runInGuest(options: GuestRunOptions): Promise<GuestRunResult>;
