/**
 * Typed request → netlink bytes, given the family id resolved at run time. Used by the libnl
 * transport; the fake kernel never encodes (it compares requests as data).
 */
import { encodeGenl, Nlmsg } from '../netlink/wire.js';
import { encodeL2tpAttr, L2TP_GENL, L2tpCmd } from './attrs.js';
import type { GenlRequest } from './request.js';

/** Encodes `req` for family `familyId` with sequence number `seq` (NLM_F_ACK on doit requests). */
export function encodeRequest(req: GenlRequest, familyId: number, seq: number, portId = 0): Buffer {
  return encodeGenl({
    familyId, command: L2tpCmd[req.command], version: L2TP_GENL.VERSION,
    // A dump ends with NLMSG_DONE and no ACK follows even when asked (ffi-feasibility §1.2).
    flags: Nlmsg.F_REQUEST | (req.dump ? Nlmsg.F_DUMP : Nlmsg.F_ACK),
    seq, portId, attrs: req.attrs.map(encodeL2tpAttr),
  });
}
