/**
 * pppd's command line for one LNS call, as xl2tpd builds it when ICCN arrives (`control.c`) with
 * kernel mode: the PPPoL2TP socket is fd 3 in LNS mode, `passive` (wait for the client's LCP),
 * `nodetach` (we supervise it), the addresses, pppd's `name`, the options file, and the peer's
 * address as `ipparam` (for ip-up scripts) and `remotenumber` (which pppd's radius plugin sends as
 * Calling-Station-Id). The authentication options xl2tpd added from its own keys (`auth`,
 * `require-chap`, …) belong in the options file: `kl2tpd import-xl2tpd` writes them there.
 */

/** What pppd needs for one LNS call. */
export interface LnsPppdSpec {
  /** Our tunnel id (`pppol2tp_tunnel_id`). */
  readonly tunnelId: number;
  /** Our session id (`pppol2tp_session_id`). */
  readonly sessionId: number;
  /** `local_ip`: our end of the PPP link. */
  readonly localIp?: string | undefined;
  /** The address taken from the pool for the client; undefined without a pool (pppd or RADIUS decides). */
  readonly remoteIp?: string | undefined;
  /** `ppp_name`: pppd's `name` (the server column of chap-secrets). */
  readonly pppName?: string | undefined;
  /** `pppd_args`: the pppd options file. */
  readonly optionsFile?: string | undefined;
  /** The LAC's address as the SCCRQ came from it (IPv4 or IPv6 text, no port). */
  readonly peerAddress: string;
}

/**
 * `plugin pppol2tp.so pppol2tp 3 pppol2tp_lns_mode pppol2tp_tunnel_id T pppol2tp_session_id S
 * passive nodetach LOCAL:REMOTE [name N] [file F] ipparam PEER remotenumber PEER` (without the
 * pppd path). `LOCAL:REMOTE` is `LOCAL:` or `:REMOTE` when only one is known and left out when
 * neither is (pppd's own options or RADIUS's Framed-IP-Address decide).
 */
export function lnsPppdArgv(spec: LnsPppdSpec): string[] {
  const argv = [
    'plugin', 'pppol2tp.so', 'pppol2tp', '3', 'pppol2tp_lns_mode',
    'pppol2tp_tunnel_id', String(spec.tunnelId), 'pppol2tp_session_id', String(spec.sessionId),
    'passive', 'nodetach',
  ];
  if (spec.localIp !== undefined || spec.remoteIp !== undefined) argv.push(`${spec.localIp ?? ''}:${spec.remoteIp ?? ''}`);
  if (spec.pppName !== undefined) argv.push('name', spec.pppName);
  if (spec.optionsFile !== undefined) argv.push('file', spec.optionsFile);
  argv.push('ipparam', spec.peerAddress, 'remotenumber', spec.peerAddress);
  return argv;
}
