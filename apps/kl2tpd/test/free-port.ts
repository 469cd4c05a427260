/** Test helper: a UDP port free on 127.0.0.1 (bound and released; the kernel does not hand it out again at once). */
import { createSocket } from 'node:dgram';

/** A UDP port that is free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
