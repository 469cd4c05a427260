/**
 * Configuration and injected ports of one control connection. Every duration carries its unit;
 * defaults are the RFC's (RFC 2661 §5.8) and go-l2tp's where the RFC is silent.
 */
import type { RandomSource } from '../api/random.js';
import { type TransportConfig, retransmitDelayMs, transportConfig } from '../transport/config.js';

/** Settings of one tunnel's control connection. */
export interface TunnelEngineConfig {
  /** `lac` originates the tunnel and places incoming calls; `lns` answers both (RFC 2661 §7.2, §7.4). */
  readonly role: 'lac' | 'lns';
  /** 2 for L2TPv2 (RFC 2661); 3 only for the quiescent RFC 3931 mode. */
  readonly version: 2 | 3;
  /** Our tunnel id (Assigned Tunnel ID, or v3 control connection id); never 0. */
  readonly tunnelId: number;
  /** The peer's id: known up front only in quiescent mode; learnt from SCCRQ/SCCRP otherwise. */
  readonly peerTunnelId: number;
  /** Host Name AVP we send (RFC 2661 §4.4.3). */
  readonly hostName: string;
  /** Shared secret: enables Challenge/Challenge Response both ways (RFC 2661 §5.1.1). */
  readonly secret: Uint8Array | undefined;
  /** Hide the AVPs RFC 2661 §4.3 allows (needs `secret`). */
  readonly hideAvps: boolean;
  /** Framing Capabilities AVP: bit 0 sync, bit 1 async (RFC 2661 §4.4.3). Default 3. */
  readonly framingCapabilities: number;
  /** Idle time after which we send HELLO (RFC 2661 §5.5); 0 disables it. */
  readonly helloIntervalMs: number;
  /** Quiescent L2TPv3 (go-l2tp's ql2tpd): no setup exchange, only HELLO and acknowledgements. */
  readonly quiescent: boolean;
  /** The reliable transport's settings (retry timeout, retries, our window, ack delay). */
  readonly transport: TransportConfig;
}

/** What the engine needs from outside: randomness and MD5 (no `node:crypto` in the engine). */
export interface EnginePorts {
  readonly random: RandomSource;
  /** MD5 over the concatenation of the parts (challenge responses, hidden AVPs). */
  readonly md5: (...parts: Uint8Array[]) => Uint8Array;
}

/** Options of {@link tunnelEngineConfig}: everything optional except the role and our id. */
export type TunnelEngineOptions =
  & Pick<TunnelEngineConfig, 'role' | 'tunnelId'>
  & Partial<Omit<TunnelEngineConfig, 'role' | 'tunnelId' | 'transport' | 'secret'>>
  & { readonly transport?: Partial<TransportConfig>; readonly secret?: Uint8Array | string };

/** Completes {@link TunnelEngineOptions} with defaults. */
export function tunnelEngineConfig(o: TunnelEngineOptions): TunnelEngineConfig {
  const secret = typeof o.secret === 'string' ? new TextEncoder().encode(o.secret) : o.secret;
  return {
    role: o.role,
    version: o.version ?? 2,
    tunnelId: o.tunnelId,
    peerTunnelId: o.peerTunnelId ?? 0,
    hostName: o.hostName ?? 'l2tp',
    secret: secret !== undefined && secret.length > 0 ? secret : undefined,
    hideAvps: o.hideAvps ?? false,
    framingCapabilities: o.framingCapabilities ?? 3,
    helloIntervalMs: o.helloIntervalMs ?? 60_000,
    quiescent: o.quiescent ?? false,
    transport: transportConfig(o.transport),
  };
}

/**
 * Time a StopCCN sender or receiver keeps the tunnel (RFC 2661 §5.7: "a full retransmission cycle"):
 * the sum of every retransmission delay, 31 s with the defaults.
 */
export function fullRetransmitCycleMs(t: TransportConfig): number {
  let total = 0;
  for (let attempt = 0; attempt <= t.maxRetries; attempt++) total += retransmitDelayMs(attempt, t);
  return total;
}
