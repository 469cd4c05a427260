/**
 * Is an `[lns]` address already taken by another process? Our listeners (and an LNS's per-tunnel
 * sockets) bind with SO_REUSEADDR, and Linux lets two UDP sockets that both set it share one address:
 * a second kl2tpd (or an xl2tpd started with it) would bind too and silently take the peers' SCCRQs
 * from the first. A bind without SO_REUSEADDR fails with EADDRINUSE while any socket, ours or not,
 * holds an overlapping address, so one such bind just before ours tells them apart; it is closed
 * at once. Only where none of our own sockets can answer it: every address at start, before any
 * listener binds; on SIGHUP, an address none of our listeners held or covered (runtime.ts).
 */
import { createSocket } from 'node:dgram';

/** The listening address of one `[lns]` table. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  readonly family?: 4 | 6 | undefined;
}

/**
 * Resolves with `undefined` when `l` is free, or with the bind error's code (`'EADDRINUSE'`,
 * `'EADDRNOTAVAIL'` …) when it is not. `ipv6Only`: probe `[::]` as the listener will bind it (IPv6
 * only when another table of ours listens on IPv4 at the same port). Never rejects.
 */
export function probeListenAddress(l: ListenAddress, ipv6Only = false): Promise<string | undefined> {
  if (l.port === 0) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const s = createSocket({ type: l.family === 6 ? 'udp6' : 'udp4', reuseAddr: false, ipv6Only });
    s.once('error', (err: NodeJS.ErrnoException) => { s.close(); resolve(err.code ?? String(err)); });
    s.bind(l.port, l.host, () => s.close(() => resolve(undefined)));
  });
}
