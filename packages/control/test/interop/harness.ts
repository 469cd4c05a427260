/** Shared set-up of the xl2tpd interop suites: our context with the real codec and the null data plane. */
import { L2tpContext, nullDataPlane } from '../../src/node/index.js';
import { codecWire } from '../../src/engine/codec-wire.js';
import type { WireCodec } from '../../src/engine/wire.js';
import { decodeDatagram } from '../../src/codec/index.js';
import { md5 } from '../../src/node/platform.js';
import { xl2tpdAvailable } from '../../../../scripts/xl2tpd/harness.mjs';

/** Whether xl2tpd runs here; the suites skip loudly with `reason` when not. */
export const AVAILABLE = xl2tpdAvailable();

/** A context on the null data plane speaking the real wire format (through `wire` when given). */
export function context(wire: WireCodec = codecWire): L2tpContext {
  return new L2tpContext({ dataPlane: nullDataPlane(), wire });
}

/**
 * The real wire format, recording every control message we send as "TYPE:avp,avp" (the AVPs we sent
 * hidden, unhidden again with `secret`), so a suite can show hiding really happened on the wire.
 */
export function recordingWire(secret: string): { wire: WireCodec; sent: string[] } {
  const sent: string[] = [];
  const key = new TextEncoder().encode(secret);
  const wire: WireCodec = {
    ...codecWire,
    encode(message, header, ctx) {
      const bytes = codecWire.encode(message, header, ctx);
      for (const d of decodeDatagram(bytes, { secret: key, md5 })) {
        if (d.ok && d.value.kind === 'control') sent.push(`${d.value.message.type}:${d.value.message.hidden.join(',')}`);
      }
      return bytes;
    },
  };
  return { wire, sent };
}

/** Loopback IPv4 address of a port. */
export const loopback = (port: number) => ({ address: '127.0.0.1', port, family: 4 as const });
