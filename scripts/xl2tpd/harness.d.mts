/**
 * Types for the xl2tpd interop harness (harness.mjs), so TypeScript vitest suites can import it:
 * `import { startXl2tpd } from '../../../scripts/xl2tpd/harness.mjs';`
 */

/** Options for one xl2tpd instance. Everything except `role` (and `peer` for an LAC) has a default. */
export interface Xl2tpdOptions {
  /** 'lns' writes `[lns default]` (answers SCCRQ/ICRQ); 'lac' writes `[lac <name>]` and dials `peer`. */
  role: 'lns' | 'lac';
  /** `listen-addr`; default 127.0.0.1. */
  listenAddr?: string;
  /** UDP port xl2tpd binds (`port =`); default: a free port picked by the harness. */
  port?: number;
  /** LAC only: the LNS to dial (`lns = address:port`); address defaults to 127.0.0.1, port to 1701. */
  peer?: { address?: string; port: number };
  /** Section name: `[lac <name>]` (default 'lac') or `[lns <name>]` (default 'default'). */
  name?: string;
  /** Shared tunnel secret, written to the auth file as `* * <secret>`. */
  secret?: string;
  /** `challenge = yes`: xl2tpd demands a Challenge Response (needs `secret`). Default false. */
  challenge?: boolean;
  /** `hidden bit = yes`: xl2tpd hides the AVPs it may hide (needs `secret`). Default false. */
  hidden?: boolean;
  /** LAC: `autodial` (default true) and `redial` (default false). */
  autodial?: boolean;
  redial?: boolean;
  /** `hostname =` sent in the Host Name AVP; default: xl2tpd uses the system host name. */
  hostname?: string;
  /** 'stub' (default): a recording stub over /usr/sbin/pppd in a private mount namespace. 'real': real pppd. */
  pppd?: 'stub' | 'real';
  /** Lines of the pppd options file given as `pppoptfile`; default ['noauth']. */
  pppOptions?: string[];
  /** LNS `ip range` and `local ip`; defaults 10.250.0.2-10.250.0.254 and 10.250.0.1. */
  ipRange?: string;
  localIp?: string;
  /** `debug avp/network/state/tunnel` and `ppp debug` (default true: the log is what tests wait on). */
  debug?: boolean;
  /** Extra `key = value` lines for `[global]` and for the lac/lns section (override the defaults). */
  extra?: { global?: Record<string, string>; section?: Record<string, string> };
  /** How long to wait for "Listening on IP address"; default 5000 ms. */
  startTimeoutMs?: number;
}

/** A tunnel xl2tpd logged as established ("Connection established to ..."). IDs are xl2tpd's view. */
export interface Xl2tpdTunnel { peer: string; peerPort: number; local: number; remote: number }

/** A call xl2tpd logged as established ("Call established with ..."). */
export interface Xl2tpdCall { peer: string; local: number; remote: number; serial: number }

/** A running xl2tpd. */
export interface Xl2tpdHandle {
  readonly role: 'lns' | 'lac';
  /** Address and UDP port xl2tpd listens on (point an LAC at these). */
  readonly address: string;
  readonly port: number;
  /** Temp dir with xl2tpd.conf, l2tp-secrets, pid, control fifo, stub argv files (kept if XL2TPD_KEEP=1). */
  readonly dir: string;
  /** Section name (`lac` name to pass to connect/disconnect). */
  readonly name: string;
  /** The xl2tpd.conf and l2tp-secrets texts written. */
  readonly config: string;
  readonly secrets: string;
  readonly pid: number | undefined;
  /** Resolves when xl2tpd exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything xl2tpd wrote to stdout/stderr so far. */
  logs(): string;
  /** Resolves with the first match of `re` in the log from offset `since` (default 0); rejects on timeout or exit. */
  waitForLog(re: RegExp, timeoutMs?: number, since?: number): Promise<RegExpExecArray>;
  /** Raw control-fifo command ('c <lac>', 'd <lac|tunnelId>', 'h <callId>', 'a ...', 'r ...'); resolves with xl2tpd's answer, e.g. "00 OK\n". */
  control(line: string, timeoutMs?: number): Promise<string>;
  /** LAC: dial the `[lac]` section (like `xl2tpd-control connect-lac`). */
  connect(lac?: string): Promise<string>;
  /** StopCCN: by lac name or by xl2tpd's local tunnel id (see tunnels()); default: the LAC's own name, or the LNS's last established tunnel. */
  disconnect(nameOrTunnelId?: string | number): Promise<string>;
  /** CDN for the call with xl2tpd's local call id (see calls()); works on LAC and LNS. */
  hangup(callId: number): Promise<string>;
  /** Tunnels and calls established so far, parsed from the log. */
  tunnels(): Xl2tpdTunnel[];
  calls(): Xl2tpdCall[];
  /** argv (without argv[0]) of every pppd the stub saw, oldest pid first. */
  pppdCalls(): string[][];
  /** Process ids of the stub pppds started so far (dead ones included). */
  pppdPids(): number[];
  /** Resolves with pppdCalls() once at least `count` (default 1) stub pppds have recorded their argv. */
  waitForPppd(count?: number, timeoutMs?: number): Promise<string[][]>;
  /** Signals every stub pppd (default SIGTERM): xl2tpd then sends CDN. Returns how many were signalled. */
  killPppd(signal?: NodeJS.Signals): number;
  /** SIGTERM (xl2tpd exits without sending StopCCN: disconnect() first if a test wants one), wait `graceMs` (default 2000), SIGKILL the rest, remove the temp dir. */
  stop(opts?: { graceMs?: number }): Promise<void>;
}

/** Path of the xl2tpd binary (XL2TPD_BIN overrides /usr/sbin/xl2tpd). */
export declare const XL2TPD_BIN: string;
/** Whether xl2tpd can run here; `reason` says why not, for a loud skip. */
export declare function xl2tpdAvailable(): { ok: boolean; reason: string };
/** "xl2tpd-1.3.18" or "unknown". */
export declare function xl2tpdVersion(): string;
/** A UDP port free on `address` at this instant. */
export declare function freeUdpPort(address?: string): Promise<number>;
/** Renders xl2tpd.conf from fully-defaulted options (used by the capture script for provenance). */
export declare function renderConfig(o: Record<string, unknown>): string;
/** Starts xl2tpd and resolves once it listens. */
export declare function startXl2tpd(opts: Xl2tpdOptions): Promise<Xl2tpdHandle>;
