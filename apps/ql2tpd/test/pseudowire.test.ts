import { L2tpContext } from '@l2tp/control';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createPseudowires, parseQl2tpdConfig } from '../src/index.js';
import { recordingDataPlane } from './fake-dataplane.js';

const log = pino({ level: 'silent' });
const text = `[tunnel.t]\nversion = "l2tpv3"\nlocal = "192.0.2.1:5000"\npeer = "192.0.2.2:5000"\ntid = 10\nptid = 20\n
[tunnel.t.session.a]\npseudowire = "eth"\nsid = 1\npsid = 2\ncookie = [1,2,3,4]\npeer_cookie = [5,6,7,8,9,10,11,12]\ninterface_name = "pw-a"\n
[tunnel.t.session.b]\npseudowire = "eth"\nsid = 666\npsid = 3\n`;
const tunnel = (() => { const r = parseQl2tpdConfig(text, 'q.toml', { hostName: 'h' }); if (!r.ok) throw new Error('bad'); return r.config.tunnels[0]!; })();
const addrs = { local: { address: '192.0.2.1', port: 5000, family: 4 as const }, peer: { address: '192.0.2.2', port: 5000, family: 4 as const } };

describe('createPseudowires', () => {
  it('creates an unmanaged tunnel and its sessions with cookies in their own fields and a computed MTU', async () => {
    const k = recordingDataPlane();
    const pw = await createPseudowires(new L2tpContext({ dataPlane: k.dp }), tunnel, addrs, log);
    expect(k.tunnels.get(10)).toMatchObject({ peerTunnelId: 20, version: 3, encap: 'udp', udpChecksum: true });
    expect(k.tunnels.get(10)).not.toHaveProperty('socket');
    expect(k.sessions.get('10/1')).toMatchObject({
      peerSessionId: 2, pseudowire: 'eth', cookie: new Uint8Array([1, 2, 3, 4]),
      peerCookie: new Uint8Array([5, 6, 7, 8, 9, 10, 11, 12]), interfaceName: 'pw-a', mtu: 1500 - 20 - 8 - 12 - 14,
    });
    expect([...pw.sessions.keys()]).toEqual(['a', 'b']);
    await pw.removeSession('a');
    expect(k.sessions.has('10/1')).toBe(false);
    await pw.down();
    await pw.down();
    expect(k.tunnels.size + k.sessions.size).toBe(0);
  });
  it('a session failing halfway removes what was created and rethrows the netlink error', async () => {
    const k = recordingDataPlane([666]);
    await expect(createPseudowires(new L2tpContext({ dataPlane: k.dp }), tunnel, addrs, log)).rejects.toThrow(/SESSION_CREATE: EINVAL/);
    expect(k.tunnels.size).toBe(0);
    expect(k.sessions.size).toBe(0);
  });
});
