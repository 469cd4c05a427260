/**
 * `local` and `peer` addresses: go-l2tp passes them to `net.ResolveUDPAddr`, so the accepted forms
 * are `host:port`, `a.b.c.d:port` and `[v6]:port`. Hostnames are kept for the daemons to resolve at
 * run time (their family is unknown until then). The port is required for UDP encapsulation, as
 * in go-l2tp; with `encap = "ip"` it may be left out and is 0.
 */
import { isIP } from './ip-literal.js';
import { fail, ok, type ReadResult } from './readers.js';

/** A configured endpoint: address literal or hostname (no brackets), port, family (undefined for a hostname). */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6 | undefined;
}

/** An endpoint whose port may be missing (the tunnel decides whether that is allowed). */
export interface EndpointText {
  readonly host: string;
  readonly port: number | undefined;
  readonly family: 4 | 6 | undefined;
}

const EXPECTED = '"host:port", "a.b.c.d:port" or "[v6]:port"';
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** Parses `host:port`, `[v6]:port`, or (port omitted) `host` / `[v6]`. */
export function parseEndpoint(v: unknown): ReadResult<EndpointText> {
  if (typeof v !== 'string') return fail(EXPECTED);
  let host: string;
  let portText: string | undefined;
  const bracket = /^\[([^\]]*)\](?::(.*))?$/.exec(v);
  if (bracket) {
    host = bracket[1]!;
    portText = bracket[2];
    if (isIP(host) !== 6) return fail(EXPECTED, `${JSON.stringify(v)}: not an IPv6 address in brackets`);
  } else {
    const colons = v.split(':').length - 1;
    if (colons > 1) return fail(EXPECTED, `${JSON.stringify(v)}: an IPv6 address needs brackets`);
    const i = v.lastIndexOf(':');
    host = i < 0 ? v : v.slice(0, i);
    portText = i < 0 ? undefined : v.slice(i + 1);
    if (isIP(host) !== 4 && (/^[0-9.]+$/.test(host) || !HOSTNAME.test(host))) {
      return fail(EXPECTED, `${JSON.stringify(v)}: bad host`);
    }
  }
  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65535) {
      return fail(EXPECTED, `${JSON.stringify(v)}: port must be 0..65535`);
    }
    port = Number(portText);
  }
  const family = isIP(host);
  return ok({ host, port, family: family === 4 || family === 6 ? family : undefined });
}

/** A listening address `host:port` or `[v6]:port` with a port 1..65535 (e.g. `metrics_listen`). */
export function parseListenAddress(v: unknown): ReadResult<Endpoint> {
  const r = parseEndpoint(v);
  if (!r.ok) return r;
  const { host, port, family } = r.value;
  if (port === undefined || port === 0) return fail('"host:port" or "[v6]:port" with a port 1..65535');
  return ok({ host, port, family });
}
