/**
 * Requests and replies as plain data, and the transport port that carries them (mdlayher's
 * `Socket`, genltest's fake kernel). Tests compare requests with `toEqual`, never bytes.
 */
import type { AttrMap } from '../netlink/wire.js';
import type { L2tpAttrValue, L2tpCommandName } from './attrs.js';

/** One L2TP request: a command, whether it is a dump, and its typed attributes. */
export interface GenlRequest {
  readonly command: L2tpCommandName;
  /** NLM_F_DUMP: every tunnel or session instead of one. */
  readonly dump: boolean;
  readonly attrs: readonly L2tpAttrValue[];
}

/** One reply message of the l2tp family: its command number and attributes. */
export interface GenlReply {
  readonly command: number;
  readonly attrs: AttrMap;
}

/**
 * Carries requests to the kernel (or a fake). Resolves with the reply messages (none for commands
 * the kernel only ACKs); rejects with a `NetlinkError` naming the command.
 */
export interface GenlTransport {
  execute(request: GenlRequest): Promise<GenlReply[]>;
  /** Releases the netlink socket. Idempotent. */
  close(): Promise<void>;
}

/** Builds a doit request. */
export function request(command: L2tpCommandName, attrs: readonly L2tpAttrValue[]): GenlRequest {
  return { command, dump: false, attrs };
}

/** Builds a dump request. */
export function dumpRequest(command: L2tpCommandName, attrs: readonly L2tpAttrValue[] = []): GenlRequest {
  return { command, dump: true, attrs };
}
