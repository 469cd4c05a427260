/**
 * A negotiated L2TPv3 pseudowire (the `pw-up` event of fsm/v3) as the kernel session the
 * {@link DataPlane} makes: ids, cookies both ways, sublayer and sequencing. Returns a reason instead
 * when the negotiated values are something the data plane cannot carry.
 */
import type { L2SpecType, Pseudowire, SessionSpec } from '../api/dataplane.js';
import { type NegotiatedPseudowire, PwType } from '../fsm/v3/types.js';

/** What the session spec needs beyond the negotiation. */
export interface V3SessionSpecOptions {
  readonly tunnelId: number;
  readonly peerTunnelId: number;
  readonly interfaceName?: string;
  readonly mtu?: number;
  /** Reorder timeout for sequenced sessions, ms (0: drop out-of-order packets). */
  readonly reorderTimeoutMs?: number;
}

// An Ethernet VLAN pseudowire (RFC 4719 §4.2) carries the tagged frames as they are: the kernel's
// Ethernet session does exactly that (Linux has no separate VLAN session type).
const PW: ReadonlyMap<number, Pseudowire> = new Map([[PwType.ETHERNET, 'eth'], [PwType.ETHERNET_VLAN, 'eth'], [PwType.PPP, 'ppp']]);
// RFC 3931 §5.4.6 L2-Specific Sublayer types: 0 none, 1 the default sublayer.
const L2SPEC: ReadonlyMap<number, L2SpecType> = new Map([[0, 'none'], [1, 'default']]);

/** The kernel session for `pw`, or why there can be none. */
export function v3SessionSpec(pw: NegotiatedPseudowire, o: V3SessionSpecOptions): SessionSpec | { readonly unsupported: string } {
  const pseudowire = PW.get(pw.pwType);
  if (pseudowire === undefined) return { unsupported: `pseudowire type 0x${pw.pwType.toString(16).padStart(4, '0')} has no kernel session type here` };
  const l2specType = L2SPEC.get(pw.l2SpecificSublayer);
  if (l2specType === undefined) return { unsupported: `L2-Specific Sublayer type ${pw.l2SpecificSublayer}` };
  return {
    tunnelId: o.tunnelId, peerTunnelId: o.peerTunnelId, sessionId: pw.localSessionId, peerSessionId: pw.remoteSessionId, pseudowire,
    // RFC 3931 §5.4.4: an Assigned Cookie is what its sender expects in the data packets it receives.
    // So the kernel sends the peer's (COOKIE) and checks ours (PEER_COOKIE) — the names cross.
    ...(pw.peerCookie.length > 0 && { cookie: pw.peerCookie }), ...(pw.cookie.length > 0 && { peerCookie: pw.cookie }),
    l2specType,
    // RFC 3931 §5.4.7 Data Sequencing: 0 none, 1 non-IP frames only, 2 all; the kernel sequences all or none.
    seqnum: pw.dataSequencing > 0, reorderTimeoutMs: o.reorderTimeoutMs ?? 0,
    ...(o.interfaceName !== undefined && { interfaceName: o.interfaceName }), ...(o.mtu !== undefined && { mtu: o.mtu }),
  };
}
