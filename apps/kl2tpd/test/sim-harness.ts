/**
 * kl2tpd's runtime in virtual time: the real `Kl2tpdRuntime` (context, runners, supervisor tables)
 * on SimNet sockets and a fake kernel, against our own LNS (`L2tpContext.listen`) on the same
 * network and clock. Log lines are captured as parsed JSON.
 */
import { codecWire, L2tpContext } from '@l2tp/control';
import { messageTypeOf, seededRandom, SimEdge, SimNet, silentPeer } from '@l2tp/control/testing';
import pino from 'pino';
import { parseKl2tpdConfig, type Kl2tpdConfig } from '../src/index.js';
import { Kl2tpdRuntime } from '../src/runtime.js';

export const LAC = '10.0.0.1';
export const LNS = '10.0.0.2';

/** Parses a kl2tpd config whose tunnels peer with the simulated LNS. */
export function kl2tpdConfig(text: string): Kl2tpdConfig {
  const r = parseKl2tpdConfig(text, 'k.toml', { hostName: 'lac' });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

/** One tunnel `t1` with session `s1` to the LNS, plus `extra` tunnel keys. */
export const oneTunnel = (extra = '', sessions = '[tunnel.t1.session.s1]\npseudowire = "ppp"\n') =>
  `[tunnel.t1]\npeer = "${LNS}:1701"\nversion = "l2tpv2"\n${extra}\n${sessions}`;

/** A runtime and an LNS on one SimNet. */
export async function simDaemon(config: Kl2tpdConfig, o: { lns?: boolean; seed?: number } = {}) {
  const net = new SimNet({ seed: o.seed ?? 7, latencyMs: 5 });
  const edge = new SimEdge(net);
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug', base: undefined, timestamp: false }, { write: (s: string) => { lines.push(JSON.parse(s)); } });
  const exits: { status: number; atMs: number }[] = [];
  const notes: string[] = [];
  const lacPlane = edge.dataPlane(LAC);
  const runtime = new Kl2tpdRuntime(config, {
    log, dataPlane: lacPlane, wire: codecWire, clock: edge.clock, random: seededRandom(11), wallMs: () => 1_700_000_000_000 + net.nowMs,
    resolve: async (t) => ({ peer: { address: t.peer.host, port: t.peer.port, family: 4 }, local: t.local && { address: t.local.host, port: t.local.port, family: 4 } }),
    ppp: undefined, notify: (s) => notes.push(s), exit: (status) => exits.push({ status, atMs: net.nowMs }),
  });
  const lnsPlane = edge.dataPlane(LNS);
  const lns = new L2tpContext({ dataPlane: lnsPlane, wire: codecWire, clock: edge.clock, random: seededRandom(12) });
  if (o.lns !== false) await lns.listen({ local: { address: LNS, port: 1701, family: 4 }, hostName: 'lns' });
  // Nobody listening: a host that drops everything (so what we send is still on the record).
  else net.add('void', silentPeer(), { address: LNS, port: 1701, family: 4 });
  /** Virtual times at which the LAC sent a message of `type` (retransmissions included). */
  const sentAt = (type: string, from = 'lac') => net.log
    .filter((r) => r.from.startsWith(from === 'lac' ? `${LAC}:` : `${LNS}:`) && messageTypeOf(r.bytes) === type && !r.dropped)
    .map((r) => r.atMs);
  const logged = (re: RegExp) => lines.filter((l) => re.test(String(l['msg'])));
  const tunnel = async () => (await runtime.status()).tunnels[0]!;
  return { net, edge, runtime, lns, lacKernel: lacPlane.kernel, lnsKernel: lnsPlane.kernel, lines, exits, notes, sentAt, logged, tunnel };
}
