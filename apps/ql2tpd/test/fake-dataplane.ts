import type { DataPlane, SessionSpec, TunnelSpec } from '@l2tp/control';

/** A DataPlane that records kernel objects in maps and fails sessions whose id is in `failSessionIds`. */
export function recordingDataPlane(failSessionIds: number[] = []) {
  const tunnels = new Map<number, TunnelSpec>();
  const sessions = new Map<string, SessionSpec>();
  const zero = { txPackets: 0n, txBytes: 0n, txErrors: 0n, rxPackets: 0n, rxBytes: 0n, rxErrors: 0n };
  const dp: DataPlane = {
    openControlSocket: () => Promise.reject(new Error('not used')),
    async createTunnel(spec) {
      if (tunnels.has(spec.tunnelId)) throw Object.assign(new Error('TUNNEL_CREATE: EEXIST'), { name: 'NetlinkError' });
      tunnels.set(spec.tunnelId, spec);
      return {
        async createSession(s) {
          if (failSessionIds.includes(s.sessionId)) throw Object.assign(new Error('SESSION_CREATE: EINVAL'), { name: 'NetlinkError' });
          sessions.set(`${spec.tunnelId}/${s.sessionId}`, s);
          return {
            interfaceName: s.interfaceName ?? `l2tpeth${sessions.size - 1}`,
            stats: async () => zero,
            down: async () => { sessions.delete(`${spec.tunnelId}/${s.sessionId}`); },
          };
        },
        stats: async () => zero,
        async down() {
          tunnels.delete(spec.tunnelId);
          for (const k of [...sessions.keys()]) if (k.startsWith(`${spec.tunnelId}/`)) sessions.delete(k);
        },
      };
    },
    close: async () => undefined,
  };
  return { dp, tunnels, sessions };
}
