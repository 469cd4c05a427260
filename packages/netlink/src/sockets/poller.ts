/**
 * Readiness of sockets that libuv does not read for us (packet-info listeners: node:dgram cannot
 * return the control messages of recvmsg(2)). One poll(2) over every watched fd runs in a libuv
 * pool thread, so the process holds one pool thread however many sockets it watches; when it
 * returns, each readable socket is drained on the event loop and the poll is armed again. A pipe
 * wakes the poll when the set of fds changes. An fd closed while a poll waits on it may be reused
 * at once by another socket: a readiness report for it is then only acted on when the number is
 * watched again, and a drain of a socket with nothing queued reads EAGAIN and returns.
 */
import * as libc from '../sys/libc.js';
import { Errno, Sock } from '../sys/libc.js';

const POLLNVAL = 0x20;

class Poller {
  private readonly watched = new Map<number, () => void>();
  private wake: [number, number] | undefined;
  private polling = false;
  private readonly wakeByte = Buffer.alloc(256);

  /** Calls `readable` (on the event loop) whenever `fd` has data, until `unwatch(fd)`. */
  watch(fd: number, readable: () => void): void {
    this.watched.set(fd, readable);
    this.kick();
  }

  /** Stops watching `fd` and closes it (at once: its port is free when this returns). */
  unwatchAndClose(fd: number): void {
    this.watched.delete(fd);
    libc.close(fd);
    // Wake the poll so that it stops using the number (and ends when nothing is watched).
    if (this.polling) this.kick();
  }

  private kick(): void {
    this.wake ??= libc.pipe();
    if (this.polling) libc.write(this.wake[1], this.wakeByte.subarray(0, 1));
    else void this.loop();
  }

  private async loop(): Promise<void> {
    const wake = this.wake;
    if (wake === undefined) return;
    this.polling = true;
    try {
      while (this.watched.size > 0) {
        const fds = [wake[0], ...this.watched.keys()];
        const armed = fds.map((fd) => this.watched.get(fd));
        // struct pollfd { int fd; short events; short revents; }; at least 256 bytes so V8 never moves it.
        const pfds = Buffer.alloc(Math.max(256, fds.length * 8));
        fds.forEach((fd, i) => { pfds.writeInt32LE(fd, i * 8); pfds.writeInt16LE(Sock.POLLIN, i * 8 + 4); });
        const n = await libc.pollInThread(pfds, fds.length, -1);
        if (n < 0 && n !== -Errno.EINTR) throw new Error(`poll failed: errno ${-n}`);
        if (pfds.readInt16LE(6) !== 0) while (libc.read(wake[0], this.wakeByte) > 0);
        for (let i = 1; i < fds.length; i++) {
          const revents = pfds.readInt16LE(i * 8 + 6);
          const fd = fds[i] as number;
          const readable = this.watched.get(fd);
          // Closed (and maybe its number reused) while the poll ran: the next poll asks again.
          if (revents === 0 || readable === undefined || readable !== armed[i]) continue;
          // Not ours any more (closed behind our back): stop rather than spin on it.
          if ((revents & POLLNVAL) !== 0) { this.watched.delete(fd); continue; }
          try {
            readable();
          } catch (e) {
            // As a throwing 'message' listener of node:dgram would: an uncaught exception, not a dead poller.
            process.nextTick(() => { throw e; });
          }
        }
      }
    } finally {
      this.polling = false;
    }
  }
}

/** The process's poller. */
export const poller = new Poller();
