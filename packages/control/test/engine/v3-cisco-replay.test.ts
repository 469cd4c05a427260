/**
 * A SimNet replay of the Cisco LCCE that initiates in test/vectors/cisco (4.6.13.2, L2TPv3 over IP)
 * against our responder through ControlEngine. The replay peer sends the capture's messages in
 * order, acknowledging what we actually sent (its captured Nr acknowledged the Cisco responder's
 * messages, not ours). Our responder reaches the states the Cisco one did for the connection: its
 * SCCRQ (vendor-9 M-bit AVPs) answered, SCCCN brings the connection up with the Cisco's id, host
 * name and router id, HELLOs keep it; the DEPI ICRQs and ICCNs (CableLabs M-bit AVPs we do not
 * implement) each cost only their session — a CDN 2/8 naming the Cisco's Local Session ID — and the
 * connection stays up, with no StopCCN sent.
 */
import { describe, expect, it } from 'vitest';
import type { SocketAddress } from '../../src/api/dataplane.js';
import { decodeDatagram, decodeHeader, withNr } from '../../src/codec/index.js';
import { ControlEngine, type ControlOutput } from '../../src/engine/index.js';
import { codecWire } from '../../src/engine/codec-wire.js';
import { v3Inbound } from '../../src/engine/v3-wire.js';
import { md5 } from '../../src/node/platform.js';
import { SimNet, type SimInput } from '../../src/testing/index.js';
import { hmac } from '../codec/helpers.js';
import { readIpv4Pcap } from '../codec/pcap.js';

const CISCO = '4.6.13.2';
const packets = readIpv4Pcap(new URL('../vectors/cisco/cisco-l2tpv3-ip-control.pcap', import.meta.url).pathname)
  .filter((p) => p.src === CISCO && p.dst === '4.6.13.1');
/** The Cisco responder's connection id, which the initiator's messages name. */
const RESPONDER_ID = 0xbca70a2d;

/** Sends the captured messages one every `gapMs`, with Nr set to what it has received from us. */
class ReplayPeer {
  private next = 0;
  private atMs = 0;
  nr = 0;
  readonly received: Uint8Array[] = [];
  constructor(private readonly gapMs: number) {}
  handle(input: SimInput): { kind: 'transmit'; bytes: Uint8Array }[] {
    if (input.kind === 'datagram') {
      this.received.push(input.bytes);
      const h = decodeHeader(input.bytes, 0, true);
      const d = decodeDatagram(input.bytes, { ipEncap: true })[0]!;
      const ack = d.ok && (d.value.kind === 'zlb' || (d.value.kind === 'control' && d.value.message.type === 'ACK'));
      if (h.ok && h.value.kind === 'control' && !ack) this.nr = Math.max(this.nr, h.value.header.ns + 1);
      return [];
    }
    if (this.next >= packets.length || input.nowMs < this.atMs) return [];
    this.atMs = input.nowMs + this.gapMs;
    return [{ kind: 'transmit', bytes: withNr(packets[this.next++]!.payload, this.nr, true) }];
  }
  nextDeadlineMs(): number | undefined { return this.next < packets.length ? this.atMs : undefined; }
}

describe('the Cisco capture\'s initiator against our responder over SimNet', () => {
  it('reaches the same connection states; every refused ICRQ/ICCN costs only its session', () => {
    const net = new SimNet({ record: true });
    const random = net.rng.fork();
    let first = true;
    // Our responder takes the id the Cisco responder had, so the captured messages name it.
    const uint32 = (): number => {
      if (!first) return random.uint32();
      first = false;
      return RESPONDER_ID;
    };
    const ports = { random: { uint32, bytes: (n: number) => random.bytes(n) }, md5, hmac };
    const ours = new ControlEngine({ encap: 'ip', acceptV3: { hostName: 'lcce', routerId: 0x04060d01, helloIntervalMs: 0, pseudowires: [{ remoteEndId: 'vc100' }] } }, ports, codecWire);
    const cisco = new ReplayPeer(50);
    const addr = (a: string): SocketAddress => ({ address: a, port: 0, family: 4 });
    net.add('cisco', cisco, addr(CISCO));
    net.add('ours', ours, addr('4.6.13.1'));
    net.link('cisco', 'ours');
    net.runUntilIdle({ limitMs: 120_000 });

    const view = ours.connection(RESPONDER_ID)!;
    expect(view).toMatchObject({ state: 'established', peerConnectionId: 0xcc1f7e41, peerHostName: 'CST-Wuhan-ubr10k', peerRouterId: 0x04060d02 });
    const events = net.events('ours').map((e) => e.output as ControlOutput).flatMap((o) => (o.kind === 'v3-event' ? [o.event] : []));
    // Every refused ICRQ/ICCN is a refused pw-down (what a daemon logs and counts); the connection stays.
    expect(events[0]!.type).toBe('connection-up');
    expect(events.slice(1).every((e) => e.type === 'pw-down' && !e.upBefore && e.reason.type === 'refused')).toBe(true);
    expect(events).toHaveLength(1 + 48);

    const sent = cisco.received.map((b) => decodeDatagram(b, { ipEncap: true })[0]!).flatMap((d) => (d.ok && d.value.kind === 'control' ? [d.value.message] : []));
    const types = sent.map((m) => m.type).filter((t) => t !== 'ACK');
    expect(types[0]).toBe('SCCRP');
    expect(types).not.toContain('StopCCN');
    const cdns = sent.filter((m) => m.type === 'CDN').map((m) => v3Inbound(m)) as Extract<ReturnType<typeof v3Inbound>, { type: 'CDN' }>[];
    const refused = packets.map((p) => decodeDatagram(p.payload, { ipEncap: true })[0]!).filter((d) => !d.ok && (d.error.message?.type === 'ICRQ' || d.error.message?.type === 'ICCN'));
    // Distinct sequenced messages: the capture's retransmissions are duplicates our transport absorbs.
    const distinct = new Set(refused.map((d) => (d.ok ? -1 : d.error.header!.ns)));
    expect(distinct.size).toBe(48); // 24 ICRQs and the 24 ICCNs that followed the Cisco responder's ICRPs
    expect(cdns).toHaveLength(48);
    for (const c of cdns) expect(c.result).toMatchObject({ result: 2, error: 8 });
    const ciscoSessions = new Set(refused.map((d) => (d.ok ? 0 : (v3Inbound(d.error.message!) as { localSessionId: number }).localSessionId)));
    for (const c of cdns) expect(ciscoSessions.has(c.remoteSessionId)).toBe(true);
  });
});
