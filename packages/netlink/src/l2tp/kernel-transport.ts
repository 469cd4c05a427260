/**
 * The real {@link GenlTransport}: one generic-netlink socket with the `l2tp` family resolved once.
 */
import { L2tpFamilyMissingError, NetlinkError } from '../errors.js';
import { GenlSocket, type GenlFamily } from '../netlink/genl-socket.js';
import { L2TP_GENL } from './attrs.js';
import { encodeRequest } from './encode.js';
import type { GenlReply, GenlRequest, GenlTransport } from './request.js';

/** Resolves the `l2tp` family on `sock`, turning ENOENT into the error that names the modules to load. */
export function resolveL2tpFamily(sock: GenlSocket): GenlFamily {
  try {
    return sock.resolveFamily(L2TP_GENL.NAME);
  } catch (e) {
    if (e instanceof NetlinkError && e.isNotExist()) throw new L2tpFamilyMissingError(e.errno);
    throw e;
  }
}

/** Requests to the kernel's l2tp family, synchronously under a Promise face. */
export class KernelTransport implements GenlTransport {
  readonly #sock: GenlSocket;
  /** The resolved family (id and the `l2tp` multicast group). */
  readonly family: GenlFamily;

  private constructor(sock: GenlSocket, family: GenlFamily) {
    this.#sock = sock;
    this.family = family;
  }

  /** Opens a socket and resolves the family; throws `L2tpFamilyMissingError` without the modules. */
  static open(): KernelTransport {
    const sock = GenlSocket.open();
    try {
      return new KernelTransport(sock, resolveL2tpFamily(sock));
    } catch (e) {
      sock.close();
      throw e;
    }
  }

  /** Sends `request` and returns its replies. */
  async execute(request: GenlRequest): Promise<GenlReply[]> {
    return this.executeSync(request);
  }

  /** The same, without the Promise (benchmarks, and callers that must not yield between requests). */
  executeSync(request: GenlRequest): GenlReply[] {
    const seq = this.#sock.nextSeq();
    const bytes = encodeRequest(request, this.family.id, seq, this.#sock.portId);
    return this.#sock.exchange(request.command, bytes, seq, request.dump).map((m) => ({ command: m.command, attrs: m.attrs }));
  }

  /** Frees the socket. */
  async close(): Promise<void> {
    this.#sock.close();
  }
}
