// The LNS refusal table: every reason is answered with the message type and RFC 2661 §4.4.2
// result code the issue names (StopCCN 4 for a failed challenge and a peer outside allow, a CDN for
// call-level limits), and carries text for the peer and for the log.
import { describe, expect, test } from 'vitest';
import { describeResult } from '../../src/reasons.js';
import { LNS_REFUSAL_REASONS, LNS_REFUSALS } from '../../src/lns/refusals.js';

describe('LNS refusals', () => {
  test('codes per reason', () => {
    const codes = Object.fromEntries(LNS_REFUSAL_REASONS.map((r) => [r, [LNS_REFUSALS[r].answer, LNS_REFUSALS[r].result.result, LNS_REFUSALS[r].result.error]]));
    expect(codes).toEqual({
      'not-allowed': ['StopCCN', 4, 0],
      'rate-limited': ['StopCCN', 2, 4],
      'max-tunnels': ['StopCCN', 2, 4],
      'nat-clash': ['StopCCN', 2, 4],
      'challenge-failed': ['StopCCN', 4, 0],
      'bad-sccrq': ['StopCCN', 2, 3],
      'bad-call': ['CDN', 2, 3],
      'max-sessions': ['CDN', 4, 0],
      'pool-exhausted': ['CDN', 4, 0],
    });
  });

  test('every refusal has a message for the peer and a log line; the NAT clash one suggests IKEv2', () => {
    for (const r of LNS_REFUSAL_REASONS) {
      expect(LNS_REFUSALS[r].result.message?.length).toBeGreaterThan(5);
      expect(LNS_REFUSALS[r].log.length).toBeGreaterThan(20);
    }
    expect(LNS_REFUSALS['nat-clash'].log).toMatch(/5-tuple.*IKEv2/s);
    expect(describeResult(LNS_REFUSALS['pool-exhausted'].result, 'cdn'))
      .toBe('result 4 (call failed due to lack of appropriate facilities being available): "address pool exhausted"');
  });
});
