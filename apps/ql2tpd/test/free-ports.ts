/** Test helper: distinct UDP ports free on 127.0.0.1 (bound together, then released). */
import { createSocket, type Socket } from 'node:dgram';

/** `n` distinct UDP ports that are free on 127.0.0.1 right now (no clash with a parallel suite's fixed port). */
export async function freeUdpPorts(n: number): Promise<number[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    sockets.push(s);
  }
  const ports = sockets.map((s) => s.address().port);
  await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}
