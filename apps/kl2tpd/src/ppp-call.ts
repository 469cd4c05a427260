/**
 * pppd for one call of kl2tpd: a connected PPPoL2TP socket handed to pppd as fd 3 (go-l2tp.md
 * §3.5), stopped when the call ends, and the call cleared (CDN result 3) when pppd exits by itself.
 */
import { readFileSync } from 'node:fs';
import { parsePppdOptions } from '@l2tp/config';
import type { Logger } from '@l2tp/daemon';
import type { Kl2tpdSessionConfig } from './config.js';
import type { Pppd, PppdSpec } from './pppd.js';

/** The ids a PPPoL2TP socket is connected with. */
export interface PppoxIds {
  readonly tunnelId: number;
  readonly sessionId: number;
  readonly peerTunnelId: number;
  readonly peerSessionId: number;
}

/** PPP for sessions: open a connected PPPoL2TP socket and spawn pppd on it (absent with `-null`). */
export interface PppPort {
  readonly pppdPath: string;
  openPppox(ids: PppoxIds): Promise<number>;
  closeFd(fd: number): void;
  spawn(spec: PppdSpec, log: Logger): Pppd;
}

/** pppd and its socket for one established call. */
export class PppCall {
  private pppd: Pppd | undefined;
  private fd: number | undefined;
  private ended = false;

  /** Nothing runs until `start`. */
  constructor(private readonly ppp: PppPort, private readonly log: Logger) {}

  /** pppd's pid while it runs. */
  get pid(): number | undefined { return this.pppd?.pid; }

  /**
   * Opens the socket and spawns pppd; `exited(description)` is called when pppd exits on its own
   * (not after `stop`). Rejects (with the socket closed) when either fails.
   */
  async start(ids: PppoxIds, config: Kl2tpdSessionConfig, exited: (description: string) => void): Promise<void> {
    const args = config.ext.pppdArgs === undefined ? [] : wordsOf(config.ext.pppdArgs);
    return this.run(ids, { args }, exited);
  }

  /**
   * An LNS call: pppd at `path` with exactly `argv` (built by `lnsPppdArgv`), the socket as fd 3.
   * Same contract as `start`.
   */
  startLns(ids: PppoxIds, path: string, argv: readonly string[], exited: (description: string) => void): Promise<void> {
    return this.run(ids, { args: [], argv, path }, exited);
  }

  private async run(ids: PppoxIds, how: { args: readonly string[]; argv?: readonly string[]; path?: string }, exited: (description: string) => void): Promise<void> {
    try {
      this.fd = await this.ppp.openPppox(ids);
      if (this.ended) return this.release();
      const pppd = this.ppp.spawn({
        path: how.path ?? this.ppp.pppdPath, tunnelId: ids.tunnelId, sessionId: ids.sessionId, pppoxFd: this.fd, args: how.args,
        ...(how.argv && { argv: how.argv }),
      }, this.log);
      this.pppd = pppd;
      void pppd.exited.then((exit) => {
        // Logged however it ended: on its own, or stopped by us (the call cleared first, e.g. by the
        // peer's CDN racing pppd's own exit).
        this.log.info({ pppd_status: exit.code, pppd_signal: exit.signal }, `pppd exited: ${exit.description}`);
        if (this.pppd !== pppd) return;
        this.pppd = undefined;
        this.release();
        exited(exit.description);
      });
    } catch (e) {
      this.release();
      throw e;
    }
  }

  /** Stops pppd (SIGTERM, then SIGKILL after `graceMs`) and closes the socket. Idempotent. */
  async stop(graceMs = 3000): Promise<void> {
    this.ended = true;
    const pppd = this.pppd;
    this.pppd = undefined;
    await pppd?.stop(graceMs);
    this.release();
  }

  private release(): void {
    if (this.fd !== undefined) this.ppp.closeFd(this.fd);
    this.fd = undefined;
  }
}

/** Words of a `pppd_args` file (validated at load time; a file broken since then yields none). */
function wordsOf(path: string): string[] {
  const r = parsePppdOptions(readFileSync(path, 'utf8'));
  return r.ok ? [...r.words] : [];
}
