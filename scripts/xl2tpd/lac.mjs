#!/usr/bin/env node
/**
 * xl2tpd 1.3.18 as the LAC of an LNS under test: its `[lac NAME]` section pointed at the LNS, no
 * autodial, and `dial()` doing what `xl2tpd-control connect-lac NAME` does (the `c NAME` command on
 * xl2tpd's control fifo; the harness speaks the fifo itself because xl2tpd-control insists on
 * /var/run/xl2tpd). `dial()` resolves once xl2tpd logs the tunnel and the call established, with
 * xl2tpd's ids; `hangup()` / `disconnect()` / `stop()` come from the harness handle.
 *
 * `node scripts/xl2tpd/lac.mjs` is its self-test: xl2tpd LAC against the library's own LNS role
 * (L2tpContext.listen, null data plane; packages/control must be built), plain and with challenge +
 * hidden AVPs; prints PASS/FAIL.
 */
import { fileURLToPath } from 'node:url';
import { startXl2tpd, xl2tpdAvailable } from './harness.mjs';

/**
 * Starts xl2tpd as an LAC for the LNS at `lns` (`{ address, port }`). `auth` adds the tunnel
 * secret and, with `challenge`/`hidden`, xl2tpd's `challenge = yes` / `hidden bit = yes`. Other
 * harness options (`hostname`, `pppd`, `pppOptions`, `debug`, `extra`) pass through.
 * @param {{ lns: { address?: string, port: number }, secret?: string, challenge?: boolean, hidden?: boolean } & Record<string, unknown>} opts
 */
export async function startXl2tpdLac(opts) {
  const { lns, ...rest } = opts;
  const handle = await startXl2tpd({ role: 'lac', name: 'lns-under-test', autodial: false, ...rest, peer: { address: '127.0.0.1', ...lns } });
  let dials = 0;
  return Object.assign(handle, {
    /**
     * Dials the section's call (its tunnel first) and resolves with the tunnel and call as xl2tpd
     * logged them; rejects after `timeoutMs` with xl2tpd's log tail. xl2tpd holds one call per
     * `[lac]` section ("Session … already active!" for a second `dial()`): start another LAC for a
     * second call (it comes in its own tunnel, from its own port).
     */
    async dial(timeoutMs = 10_000) {
      const since = handle.logs().length;
      const answer = await handle.connect();
      if (!/^00 /.test(answer)) throw new Error(`xl2tpd refused to dial: ${answer.trim()}`);
      dials++;
      try {
        await handle.waitForLog(/Call established with/, timeoutMs, since);
      } catch (e) {
        throw new Error(`xl2tpd LAC: no call after ${timeoutMs} ms (${e.message}); log tail:\n${handle.logs().slice(-1500)}`);
      }
      return { tunnel: handle.tunnels().at(-1), call: handle.calls().at(-1), dials };
    },
  });
}

async function selftest() {
  const avail = xl2tpdAvailable();
  if (!avail.ok) {
    console.log(`FAIL: xl2tpd is not usable here: ${avail.reason}`);
    return 1;
  }
  const { L2tpContext, nullDataPlane, codecWire } = await import('../../packages/control/dist/index.js');
  let failed = 0;
  for (const auth of [{}, { secret: 's3cret', challenge: true, hidden: true }]) {
    const label = auth.secret ? 'challenge + hidden' : 'plain';
    const ours = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
    let lac;
    try {
      const { port } = await ours.listen({ local: { address: '127.0.0.1', port: 0, family: 4 }, hostName: 'selftest-lns', ...(auth.secret ? { secret: auth.secret } : {}) });
      const up = ours.once('session-up');
      lac = await startXl2tpdLac({ lns: { port }, hostname: 'xl2tpd-lac', ...auth });
      const { call } = await lac.dial();
      const { session } = await up;
      if (call.local !== session.peerSessionId) throw new Error(`call ids differ: xl2tpd ${JSON.stringify(call)}, ours ${session.sessionId}/${session.peerSessionId}`);
      console.log(`PASS: xl2tpd LAC → our LNS (${label}): call ${call.local}/${call.remote}`);
    } catch (e) {
      failed++;
      console.log(`FAIL: xl2tpd LAC → our LNS (${label}): ${e.message}`);
    } finally {
      await lac?.stop();
      await ours.close(300);
    }
  }
  return failed ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await selftest();
