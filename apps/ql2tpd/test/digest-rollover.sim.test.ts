/**
 * A Message Digest secret rollover between two ql2tpd runtimes in virtual time (SimNet sockets, fake
 * kernels): SIGHUPs that change only `digest_secret`/`digest` of a dynamic tunnel update the live
 * control connection in place (RFC 3931 §5.4.1) — the same connection and session ids, no StopCCN or
 * SCCRQ on the wire, no kernel object touched, no digest drop — while turning the digest off still
 * re-establishes the connection (the nonces are exchanged in SCCRQ/SCCRP).
 */
import { codecWire } from '@l2tp/control';
import { messageTypeOf, seededRandom, SimEdge, SimNet } from '@l2tp/control/testing';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseQl2tpdConfig, type Ql2tpdConfig } from '../src/index.js';
import { digestOnlyChange, Ql2tpdRuntime } from '../src/runtime.js';

function cfg(text: string): Ql2tpdConfig {
  const r = parseQl2tpdConfig(text, 'q.toml', { hostName: 'h' });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}
const dynamic = (me: string, them: string, digest: string) => cfg(`[tunnel.pe]\nversion = "l2tpv3"\nmode = "dynamic"\nlocal = "${me}:1701"\npeer = "${them}:1701"
hello_timeout = 2000\nretry_timeout = 200\nmax_retries = 3\n${digest}\n[tunnel.pe.session.vc100]\npseudowire = "eth"\nremote_end_id = "vc100"\ncookie_length = 4\ninterface_name = "l2tpeth100"\n`);
const A = '10.0.0.1';
const B = '10.0.0.2';

let seed = 31;
function daemon(edge: SimEdge, host: string, config: Ql2tpdConfig) {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug', base: undefined, timestamp: false }, { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>); } });
  const dataPlane = edge.dataPlane(host);
  const runtime = new Ql2tpdRuntime(config, {
    log, dataPlane, wire: codecWire, clock: edge.clock, random: seededRandom(seed++), wallMs: () => edge.net.nowMs, notify: () => undefined,
    resolve: async (t) => ({ peer: { address: t.peer.host, port: t.peer.port, family: 4 }, local: { address: t.local!.host, port: t.local!.port, family: 4 } }),
  });
  const tunnel = async () => (await runtime.status()).tunnels[0]!;
  return { runtime, kernel: dataPlane.kernel, lines, tunnel };
}

/** Message types on the wire since record `from` of the SimNet log. */
const wire = (edge: SimEdge, from: number) => edge.net.log.slice(from).map((r) => messageTypeOf(r.bytes));

async function pair(edge: SimEdge, digest: string) {
  const a = daemon(edge, A, dynamic(A, B, digest));
  const b = daemon(edge, B, dynamic(B, A, digest));
  await Promise.all([a.runtime.start(), b.runtime.start()]);
  await edge.run(5000);
  return { a, b };
}

describe('Message Digest secret rollover by SIGHUP', () => {
  it('the three-step rollover keeps the connection and its pseudowire up: same ids, no StopCCN, no drop, the older secret counted', async () => {
    const edge = new SimEdge(new SimNet({ seed: 11, latencyMs: 5 }));
    const { a, b } = await pair(edge, 'digest_secret = "old"');
    const [ta, tb] = [await a.tunnel(), await b.tunnel()];
    expect([ta.state, tb.state]).toEqual(['established', 'established']);
    const ids = (t: typeof ta) => [t.tunnelId, t.peerTunnelId, t.sessions.map((s) => [s.sessionId, s.peerSessionId, s.state])];
    const [idsA, idsB] = [ids(ta), ids(tb)];
    const [logFrom, journalA, journalB] = [edge.net.log.length, a.kernel.journal.length, b.kernel.journal.length];
    // ["old", "new"] on both, then ["new", "old"] (A also switches to HMAC-SHA-1), then "new" alone;
    // HELLOs (every 2 s) cross between every two reloads.
    const steps = [
      ['digest_secret = ["old", "new"]', 'digest_secret = ["old", "new"]'],
      ['digest_secret = ["new", "old"]\ndigest = "sha1"', 'digest_secret = ["new", "old"]'],
      ['digest_secret = "new"\ndigest = "sha1"', 'digest_secret = "new"'],
    ];
    const older: number[] = [];
    for (const [forA, forB] of steps) {
      expect(await a.runtime.reload(dynamic(A, B, forA!))).toMatchObject({ updated: 1, removed: 0, added: 0 });
      await edge.run(5000);
      older.push((await a.tunnel()).digest!.verifiedWithOlderSecret + (await b.tunnel()).digest!.verifiedWithOlderSecret);
      expect(await b.runtime.reload(dynamic(B, A, forB!))).toMatchObject({ updated: 1, removed: 0, added: 0 });
      await edge.run(5000);
    }
    const [na, nb] = [await a.tunnel(), await b.tunnel()];
    expect([na.state, nb.state]).toEqual(['established', 'established']);
    expect([ids(na), ids(nb)]).toEqual([idsA, idsB]);
    // Step 1 signs with the old secret (index 0 everywhere); step 2, while only A signs with the new one, verifies with the other.
    expect(older[0]).toBe(0);
    expect(older[1]).toBeGreaterThan(0);
    expect(na.digest).toMatchObject({ type: 'sha1', dropped: 0 });
    expect(nb.digest).toMatchObject({ type: 'md5', dropped: 0 });
    expect(nb.digest!.verified).toBeGreaterThan(tb.digest!.verified);
    const types = wire(edge, logFrom);
    expect(types).toContain('HELLO');
    expect(types.filter((t) => t === 'StopCCN' || t === 'SCCRQ' || t === 'CDN' || t === 'ICRQ')).toEqual([]);
    expect(a.kernel.journal.slice(journalA)).toEqual([]);
    expect(b.kernel.journal.slice(journalB)).toEqual([]);
    for (const x of [a, b]) {
      expect(x.lines.filter((l) => l['msg'] === 'Message Digest secrets updated in place').map((l) => [l['level'], l['tunnel_name']])).toEqual([[30, 'pe'], [30, 'pe'], [30, 'pe']]);
      expect(x.lines.filter((l) => (l['level'] as number) >= 40)).toEqual([]);
    }
    // Later connections use the new settings: the connection closed, both ends redial with "new" alone and it comes up.
    const c = a.runtime.context.connections()[0]!;
    a.runtime.context.closeConnection(c.connectionId);
    await edge.run(10_000);
    const [ra, rb] = [await a.tunnel(), await b.tunnel()];
    expect([ra.state, rb.state]).toEqual(['established', 'established']);
    expect(ra.tunnelId).not.toBe(na.tunnelId);
    expect([ra.digest!.dropped, rb.digest!.dropped]).toEqual([0, 0]);
  });

  it('turning the digest off re-establishes the connection (StopCCN, new SCCRQ), and it comes up without one', async () => {
    const edge = new SimEdge(new SimNet({ seed: 12, latencyMs: 5 }));
    const { a, b } = await pair(edge, 'digest_secret = "k"');
    const before = await a.tunnel();
    expect(before.state).toBe('established');
    const logFrom = edge.net.log.length;
    const off = [dynamic(A, B, ''), dynamic(B, A, '')] as const;
    expect(digestOnlyChange(dynamic(A, B, 'digest_secret = "k"').tunnels[0]!, off[0].tunnels[0]!)).toBe(false);
    expect(await a.runtime.reload(off[0])).toMatchObject({ updated: 0, removed: 1, added: 1 });
    expect(await b.runtime.reload(off[1])).toMatchObject({ updated: 0, removed: 1, added: 1 });
    await edge.run(10_000);
    const after = await a.tunnel();
    expect(after.state).toBe('established');
    expect(after.tunnelId).not.toBe(before.tunnelId);
    expect(after.digest).toBeUndefined();
    const types = wire(edge, logFrom);
    expect(types).toContain('StopCCN');
    expect(types).toContain('SCCRQ');
    expect(a.lines.filter((l) => l['msg'] === 'Message Digest secrets updated in place')).toEqual([]);
  });

  it('only digest keys count: a secret change beside another change replaces the tunnel', () => {
    const t = (digest: string, hello = 2000) => dynamic(A, B, digest).tunnels.map((x) => ({ ...x, helloTimeoutMs: hello }))[0]!;
    expect(digestOnlyChange(t('digest_secret = "a"'), t('digest_secret = ["b", "a"]\ndigest = "sha1"'))).toBe(true);
    expect(digestOnlyChange(t('digest_secret = "a"'), t('digest_secret = "a"'))).toBe(false);
    expect(digestOnlyChange(t('digest_secret = "a"'), t('digest_secret = "b"', 3000))).toBe(false);
    expect(digestOnlyChange(t(''), t('digest_secret = "b"'))).toBe(false);
  });
});
