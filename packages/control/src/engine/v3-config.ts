/**
 * Configuration, commands and outputs of one dynamic L2TPv3 control connection (RFC 3931): what
 * {@link V3TunnelEngine} and the v3 side of {@link ControlEngine} take and give. Every duration
 * carries its unit; defaults are RFC 3931's where it has them.
 */
import type { DigestFailure, DigestTypeCode } from '../codec/digest.js';
import type { Hmac } from '../codec/types.js';
import type { ResultCode, V3Event } from '../fsm/v3/types.js';
import { PwType } from '../fsm/v3/types.js';
import { type TransportConfig, transportConfig } from '../transport/config.js';
import type { EnginePorts } from './config.js';

/** A pseudowire we offer and accept, matched with the peer's by Remote End ID (RFC 3931 §5.4.4). */
export interface V3PseudowireOptions {
  /** Remote End ID: the same bytes on both ends name the same pseudowire. A string is UTF-8 encoded. */
  readonly remoteEndId: string | Uint8Array;
  /** Pseudowire Type (RFC 3931 §5.4.4): 0x0005 Ethernet (default), 0x0004 Ethernet VLAN, 0x0007 PPP. */
  readonly pwType?: number;
  /** Length of the random cookie we assign (RFC 3931 §4.1): 0 (default), 4 or 8 bytes. */
  readonly cookieLength?: 0 | 4 | 8;
  /** L2-Specific Sublayer type (RFC 3931 §5.4.6): 0 none (default), 1 the default sublayer. */
  readonly l2SpecificSublayer?: number;
  /** Data Sequencing (RFC 3931 §5.4.7): 0 none (default), 1 non-IP, 2 all. */
  readonly dataSequencing?: number;
  /** Open this pseudowire (send ICRQ) as soon as the control connection is up; otherwise only answer the peer's. Default true. */
  readonly initiate?: boolean;
}

/** Message Digest settings (RFC 3931 §4.3, §5.4.1). */
export interface V3DigestOptions {
  /** Secrets in order: the first signs, any verifies (two during a rollover). Strings are UTF-8 encoded. */
  readonly secrets: readonly (string | Uint8Array)[];
  /** 0 HMAC-MD5 (default), 1 HMAC-SHA-1. */
  readonly digestType?: DigestTypeCode;
}

/** Settings of one v3 control connection (both roles). */
export interface V3TunnelOptions {
  /** Our Assigned Control Connection ID (32 bits, non-zero). */
  readonly connectionId: number;
  /** Host Name AVP (RFC 3931 §5.4.3). Default 'l2tp'. */
  readonly hostName?: string;
  /** Router ID AVP (RFC 3931 §5.4.3), a 32-bit number (an IPv4 address as one is usual). */
  readonly routerId: number;
  /** L2TPv3 over IP (protocol 115, a 4-byte zero Session ID precedes control messages, RFC 3931 §4.1.1.2) or UDP. Default 'udp'. */
  readonly encap?: 'udp' | 'ip';
  /** Idle time before we send HELLO (RFC 3931 §4.4, jittered up to 10 % early); 0 disables. Default 60 000 ms. */
  readonly helloIntervalMs?: number;
  /** Pseudowire Capabilities List we send; default the types of `pseudowires`, else Ethernet and Ethernet VLAN. */
  readonly pwCapabilities?: readonly number[];
  readonly pseudowires?: readonly V3PseudowireOptions[];
  /** Message Digest on every message both ways; omitted: none (a peer asking for it is still answered unsigned). */
  readonly digest?: V3DigestOptions;
  readonly transport?: Partial<TransportConfig>;
}

/** A configured pseudowire with defaults filled in. */
export interface V3Pseudowire {
  readonly remoteEndId: Uint8Array;
  readonly pwType: number;
  readonly cookieLength: 0 | 4 | 8;
  readonly l2SpecificSublayer: number;
  readonly dataSequencing: number;
  readonly initiate: boolean;
}

/** {@link V3TunnelOptions} with defaults filled in. */
export interface V3TunnelConfig {
  readonly connectionId: number;
  readonly hostName: string;
  readonly routerId: number;
  readonly encap: 'udp' | 'ip';
  readonly helloIntervalMs: number;
  readonly pwCapabilities: readonly number[];
  readonly pseudowires: readonly V3Pseudowire[];
  readonly digest: { readonly secrets: readonly Uint8Array[]; readonly digestType: DigestTypeCode } | undefined;
  readonly transport: TransportConfig;
}

const utf8 = (s: string | Uint8Array): Uint8Array => (typeof s === 'string' ? new TextEncoder().encode(s) : s);

/** Completes {@link V3DigestOptions} (RFC 3931 §5.4.1): secrets UTF-8 encoded, empty ones left out, MD5 by default; throws RangeError without a non-empty secret. */
export function v3DigestConfig(o: V3DigestOptions): NonNullable<V3TunnelConfig['digest']> {
  const secrets = o.secrets.map(utf8).filter((s) => s.length > 0);
  if (secrets.length === 0) throw new RangeError('a Message Digest needs at least one non-empty secret');
  return { secrets, digestType: o.digestType ?? 0 };
}

/** Completes {@link V3TunnelOptions}; throws RangeError for a digest without a secret. */
export function v3TunnelConfig(o: V3TunnelOptions): V3TunnelConfig {
  const pseudowires = (o.pseudowires ?? []).map((p) => ({
    remoteEndId: utf8(p.remoteEndId), pwType: p.pwType ?? PwType.ETHERNET, cookieLength: p.cookieLength ?? 0,
    l2SpecificSublayer: p.l2SpecificSublayer ?? 0, dataSequencing: p.dataSequencing ?? 0, initiate: p.initiate ?? true,
  }));
  const types = [...new Set(pseudowires.map((p) => p.pwType))];
  return {
    connectionId: o.connectionId, hostName: o.hostName ?? 'l2tp', routerId: o.routerId, encap: o.encap ?? 'udp',
    helloIntervalMs: o.helloIntervalMs ?? 60_000,
    pwCapabilities: o.pwCapabilities ?? (types.length > 0 ? types : [PwType.ETHERNET, PwType.ETHERNET_VLAN]),
    pseudowires, digest: o.digest === undefined ? undefined : v3DigestConfig(o.digest),
    transport: transportConfig(o.transport),
  };
}

/** Ports of a v3 connection: the v2 ones plus HMAC for the Message Digest. */
export interface V3EnginePorts extends EnginePorts {
  /** HMAC-MD5 / HMAC-SHA-1; required when a digest is configured. */
  readonly hmac?: Hmac;
}

/** A local request to a v3 connection. */
export type V3Command =
  | { readonly type: 'open' }
  | { readonly type: 'close'; readonly result?: ResultCode }
  /** Opens the configured pseudowire with this Remote End ID (ICRQ); one already open is left alone. */
  | { readonly type: 'open-pseudowire'; readonly remoteEndId: string | Uint8Array }
  | { readonly type: 'close-session'; readonly sessionId: number; readonly result?: ResultCode }
  /** The attachment circuit of a pseudowire went up or down: sent as SLI when it is up (RFC 3931 §5.4.5). */
  | { readonly type: 'circuit'; readonly remoteEndId: string | Uint8Array; readonly active: boolean };

/**
 * What a v3 connection reports: the state machines' events, and `message-dropped` for a message
 * whose Message Digest did not verify (RFC 3931 §4.3: discarded, not acknowledged, counted).
 */
export type V3EngineEvent =
  | V3Event
  | { readonly type: 'message-dropped'; readonly connectionId: number; readonly reason: DigestFailure; readonly messageType?: string };

/** An output of a v3 connection. */
export type V3Output =
  | { readonly kind: 'transmit'; readonly bytes: Uint8Array }
  | { readonly kind: 'v3-event'; readonly event: V3EngineEvent };
