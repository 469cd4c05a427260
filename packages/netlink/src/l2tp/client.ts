/**
 * The L2TP kernel API as typed calls over a {@link GenlTransport}: every TUNNEL_* and SESSION_*
 * command, replies as plain data.
 */
import {
  sessionCreateRequest, sessionDeleteRequest, sessionGetRequest, sessionModifyRequest, tunnelCreateRequest,
  tunnelDeleteRequest, tunnelGetRequest, tunnelModifyRequest, type SessionCreate, type SessionModify, type TunnelCreate,
} from './commands.js';
import { KernelTransport } from './kernel-transport.js';
import { parseSession, parseTunnel, type SessionInfo, type TunnelInfo } from './replies.js';
import type { GenlTransport } from './request.js';

/** Typed client of the kernel's `l2tp` generic-netlink family. */
export class L2tpNetlink {
  /** Where requests go (the kernel, or a fake in tests). */
  readonly transport: GenlTransport;

  /** Wraps a transport; `L2tpNetlink.open()` for the kernel. */
  constructor(transport: GenlTransport) {
    this.transport = transport;
  }

  /** Connects to the kernel; throws `L2tpFamilyMissingError` when the L2TP modules are not loaded. */
  static open(): L2tpNetlink {
    return new L2tpNetlink(KernelTransport.open());
  }

  /** TUNNEL_CREATE (managed with `fd`, unmanaged with addresses). */
  async createTunnel(t: TunnelCreate): Promise<void> {
    await this.transport.execute(tunnelCreateRequest(t));
  }

  /** TUNNEL_DELETE (the kernel deletes its sessions too). */
  async deleteTunnel(tunnelId: number): Promise<void> {
    await this.transport.execute(tunnelDeleteRequest(tunnelId));
  }

  /** TUNNEL_MODIFY (debug mask only; kept for completeness of the API). */
  async modifyTunnel(tunnelId: number, debug = 0): Promise<void> {
    await this.transport.execute(tunnelModifyRequest(tunnelId, debug));
  }

  /** TUNNEL_GET of one tunnel (ENODEV when absent). */
  async getTunnel(tunnelId: number): Promise<TunnelInfo> {
    const [reply] = await this.transport.execute(tunnelGetRequest(tunnelId));
    if (reply === undefined) throw new RangeError(`TUNNEL_GET ${tunnelId}: no reply`);
    return parseTunnel(reply.attrs);
  }

  /** TUNNEL_GET dump: every tunnel in this network namespace. */
  async tunnels(): Promise<TunnelInfo[]> {
    return (await this.transport.execute(tunnelGetRequest())).map((r) => parseTunnel(r.attrs));
  }

  /** SESSION_CREATE. */
  async createSession(s: SessionCreate): Promise<void> {
    await this.transport.execute(sessionCreateRequest(s));
  }

  /** SESSION_DELETE. */
  async deleteSession(tunnelId: number, sessionId: number): Promise<void> {
    await this.transport.execute(sessionDeleteRequest(tunnelId, sessionId));
  }

  /** SESSION_MODIFY (sequencing, LNS mode, reorder timeout). */
  async modifySession(m: SessionModify): Promise<void> {
    await this.transport.execute(sessionModifyRequest(m));
  }

  /** SESSION_GET of one session (ENODEV when absent). */
  async getSession(tunnelId: number, sessionId: number): Promise<SessionInfo> {
    const [reply] = await this.transport.execute(sessionGetRequest(tunnelId, sessionId));
    if (reply === undefined) throw new RangeError(`SESSION_GET ${tunnelId}/${sessionId}: no reply`);
    return parseSession(reply.attrs);
  }

  /** SESSION_GET dump: every session of every tunnel. */
  async sessions(): Promise<SessionInfo[]> {
    return (await this.transport.execute(sessionGetRequest())).map((r) => parseSession(r.attrs));
  }

  /** Releases the transport. */
  async close(): Promise<void> {
    await this.transport.close();
  }
}
