// pppd's argv for an LNS call: exactly xl2tpd's kernel-mode order as the issue states it, with the
// address pair and the optional words left out when unknown.
import { describe, expect, test } from 'vitest';
import { lnsPppdArgv } from '../../src/lns/pppd-argv.js';

describe('lnsPppdArgv', () => {
  test('every part present', () => {
    expect(lnsPppdArgv({
      tunnelId: 7, sessionId: 9, localIp: '192.168.42.1', remoteIp: '192.168.42.10', pppName: 'l2tpd',
      optionsFile: '/etc/kl2tpd/options.lns', peerAddress: '198.51.100.4',
    }).join(' ')).toBe(
      'plugin pppol2tp.so pppol2tp 3 pppol2tp_lns_mode pppol2tp_tunnel_id 7 pppol2tp_session_id 9 passive nodetach ' +
      '192.168.42.1:192.168.42.10 name l2tpd file /etc/kl2tpd/options.lns ipparam 198.51.100.4 remotenumber 198.51.100.4',
    );
  });

  test('no pool and no local_ip: no address pair; no name, no file', () => {
    expect(lnsPppdArgv({ tunnelId: 1, sessionId: 2, peerAddress: '2001:db8::5' })).toEqual([
      'plugin', 'pppol2tp.so', 'pppol2tp', '3', 'pppol2tp_lns_mode', 'pppol2tp_tunnel_id', '1', 'pppol2tp_session_id', '2',
      'passive', 'nodetach', 'ipparam', '2001:db8::5', 'remotenumber', '2001:db8::5',
    ]);
  });

  test('one side of the address pair known', () => {
    expect(lnsPppdArgv({ tunnelId: 1, sessionId: 2, localIp: '10.0.0.1', peerAddress: 'x' })).toContain('10.0.0.1:');
    expect(lnsPppdArgv({ tunnelId: 1, sessionId: 2, remoteIp: '10.0.0.9', peerAddress: 'x' })).toContain(':10.0.0.9');
  });
});
