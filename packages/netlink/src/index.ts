/**
 * Linux kernel L2TP subsystem over generic netlink (libnl via ffi-rs), plus PPPoL2TP and control sockets.
 *
 * @packageDocumentation
 */

/** Package version, kept equal to package.json. */
export const VERSION = '0.1.0';

export * from './errors.js';
export * from './ip.js';
export * from './l2tp/attrs.js';
export * from './l2tp/request.js';
export * from './l2tp/commands.js';
export * from './l2tp/replies.js';
export { encodeRequest } from './l2tp/encode.js';
export { AttrMap, type NetlinkAck, type NetlinkMessage, parseAck, parseGenl, parseMessages } from './netlink/wire.js';
export { GenlSocket, type GenlFamily } from './netlink/genl-socket.js';
export { KernelTransport, resolveL2tpFamily } from './l2tp/kernel-transport.js';
export { L2tpNetlink } from './l2tp/client.js';
export * from './fake.js';
export { L2tpMonitor, type L2tpEvent } from './l2tp/monitor.js';
export { LinkMonitor, parseLinkMessage, RtnlLink, type LinkState } from './netlink/link-monitor.js';
export { NetlinkDataPlane, type NetlinkDataPlaneOptions } from './dataplane.js';
export { openKernelControlSocket } from './sockets/control-socket.js';
export { openPacketInfoSocket } from './sockets/packet-info.js';
export { closeFd, openPppol2tpSocket } from './sockets/pppol2tp.js';
export { sockaddrIp, sockaddrL2tpIp, sockaddrPppol2tp, sockaddrUn, parseSockaddrIp, type Pppol2tpIds } from './sockets/sockaddr.js';
export { sdNotify } from './sys/systemd.js';
export { inNetns } from './sockets/netns.js';
