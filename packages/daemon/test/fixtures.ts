import type { DaemonStatus } from '../src/index.js';

/** A snapshot with one up tunnel (one up session, one down) and one static tunnel. */
export const SNAPSHOT: DaemonStatus = {
  daemon: 'kl2tpd', version: '0.1.0', pid: 4321, startedAtMs: 1_000_000, nowMs: 1_000_000 + 3_723_000,
  tunnels: [
    {
      name: 't1', tunnelId: 1234, peerTunnelId: 77, peer: '192.0.2.1:1701', state: 'established', upSinceMs: 1_000_000 + 3_000,
      control: { sent: 12, received: 11, retransmitted: 2, hellosSent: 5, ignored: 3 },
      data: { txPackets: 10, txBytes: 1000, txErrors: 0, rxPackets: 20, rxBytes: 2000, rxErrors: 1, rxSeqDiscards: 0, rxOosPackets: 0 },
      sessions: [
        { name: 's1', sessionId: 5, peerSessionId: 9, state: 'established', upSinceMs: 1_000_000 + 4_000, interfaceName: 'ppp0', pppdPid: 99,
          data: { txPackets: 10, txBytes: 1000, txErrors: 0, rxPackets: 20, rxBytes: 2000, rxErrors: 0, rxSeqDiscards: 0, rxOosPackets: 0 } },
        { name: 's "2"', sessionId: 6, peerSessionId: 0, state: 'down', lastResult: { atMs: 1_000_500, reason: 'peer CDN result 3' } },
      ],
    },
    { name: 'pw', tunnelId: 3, peerTunnelId: 4, peer: '[2001:db8::1]:5000', state: 'static', sessions: [] },
  ],
};
