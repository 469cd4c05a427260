/** The negotiated pseudowire becomes the kernel session the DataPlane makes. */
import { describe, expect, it } from 'vitest';
import { v3SessionSpec } from '../../src/engine/v3-session-spec.js';
import { type NegotiatedPseudowire, PwType } from '../../src/fsm/v3/index.js';

const pw: NegotiatedPseudowire = {
  localSessionId: 0x1001, remoteSessionId: 0x2002, pwType: PwType.ETHERNET, remoteEndId: new TextEncoder().encode('vc100'),
  cookie: Uint8Array.of(1, 2, 3, 4), peerCookie: Uint8Array.of(5, 6, 7, 8, 9, 10, 11, 12), l2SpecificSublayer: 0, dataSequencing: 0,
};

describe('v3SessionSpec', () => {
  it('an Ethernet pseudowire: ids; the kernel sends the cookie the peer assigned and checks the one we assigned (RFC 3931 §5.4.4)', () => {
    expect(v3SessionSpec(pw, { tunnelId: 7, peerTunnelId: 9, interfaceName: 'l2tpeth100' })).toEqual({
      tunnelId: 7, peerTunnelId: 9, sessionId: 0x1001, peerSessionId: 0x2002, pseudowire: 'eth', cookie: pw.peerCookie, peerCookie: pw.cookie,
      l2specType: 'none', seqnum: false, reorderTimeoutMs: 0, interfaceName: 'l2tpeth100',
    });
  });
  it('PPP, the default sublayer, sequencing, no cookies', () => {
    const spec = v3SessionSpec({ ...pw, pwType: PwType.PPP, l2SpecificSublayer: 1, dataSequencing: 2, cookie: new Uint8Array(0), peerCookie: new Uint8Array(0) }, { tunnelId: 1, peerTunnelId: 2 });
    expect(spec).toMatchObject({ pseudowire: 'ppp', l2specType: 'default', seqnum: true });
    expect(spec).not.toHaveProperty('cookie');
    expect(spec).not.toHaveProperty('peerCookie');
  });
  it('what the data plane cannot carry is a reason, not a spec', () => {
    expect(v3SessionSpec({ ...pw, pwType: 0x000c }, { tunnelId: 1, peerTunnelId: 2 })).toEqual({ unsupported: 'pseudowire type 0x000c has no kernel session type here' });
    // Ethernet VLAN (RFC 4719) is carried as the kernel's Ethernet session: the tags travel inside the frames.
    expect(v3SessionSpec({ ...pw, pwType: PwType.ETHERNET_VLAN }, { tunnelId: 1, peerTunnelId: 2 })).toMatchObject({ pseudowire: 'eth' });
    expect(v3SessionSpec({ ...pw, l2SpecificSublayer: 3 }, { tunnelId: 1, peerTunnelId: 2 })).toEqual({ unsupported: 'L2-Specific Sublayer type 3' });
  });
});
