import { describe, expect, it } from 'vitest';
import { describeResult, describeSessionDown, describeTunnelDown } from '../src/reasons.js';

describe('down reasons in logs', () => {
  it('spells out result and error codes and quotes the message', () => {
    expect(describeResult({ result: 2, error: 8, message: 'unknown AVP 99' }, 'stopccn')).toBe(
      'result 2 (general error), error 8 (session or tunnel was shutdown due to receipt of an unknown AVP with the M-bit set): "unknown AVP 99"');
    expect(describeResult({ result: 3 }, 'cdn')).toBe('result 3 (call disconnected for administrative reasons)');
  });
  it('says whose fault a tunnel or session ending was', () => {
    expect(describeTunnelDown({ type: 'peer-stopccn', result: { result: 4 } })).toMatch(/^peer sent StopCCN result 4 \(requester is not authorized/);
    expect(describeTunnelDown({ type: 'retransmit-exhausted', messageType: 'SCCRQ' })).toBe('no acknowledgement from the peer: SCCRQ retransmissions exhausted');
    expect(describeTunnelDown({ type: 'auth-failed', sent: { result: 4 } })).toMatch(/^tunnel authentication failed, sent StopCCN result 4/);
    expect(describeSessionDown({ type: 'peer-cdn', result: { result: 3, error: 0 } })).toBe('peer sent CDN result 3 (call disconnected for administrative reasons)');
    expect(describeSessionDown({ type: 'tunnel-down' })).toBe('its tunnel went down');
  });
});
