/**
 * The daemons' control socket: a unix stream socket (mode 0600) speaking one JSON request per
 * connection, newline-terminated, answered with one JSON line. Requests are validated before they
 * reach the daemon, and a malformed, oversized or slow request gets an error answer (or is cut
 * off) without touching any tunnel.
 */
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { DaemonStatus } from './status.js';

/** A request to a running daemon. `target` is `TUNNEL` or `TUNNEL/SESSION`. */
export type ControlRequest =
  | { readonly op: 'status' }
  | { readonly op: 'up' | 'down'; readonly target: string };

/** A daemon's answer. */
export type ControlResponse =
  | { readonly ok: true; readonly status?: DaemonStatus; readonly message?: string }
  | { readonly ok: false; readonly error: string };

/** What the daemon does with a valid request; a thrown error becomes an error answer. */
export type ControlHandler = (request: ControlRequest) => Promise<ControlResponse> | ControlResponse;

/** Largest request accepted, in bytes; real requests are under 200. */
export const MAX_REQUEST_BYTES = 4096;
/** A client that has not sent a whole request by then is disconnected. */
export const REQUEST_TIMEOUT_MS = 2000;

/** Checks one request line; returns the request or why it is refused. */
export function parseControlRequest(line: string): { ok: true; request: ControlRequest } | { ok: false; error: string } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { ok: false, error: 'request is not JSON' };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, error: 'request must be a JSON object' };
  const { op, target, ...rest } = v as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return { ok: false, error: `unknown request field ${Object.keys(rest)[0]}` };
  if (op === 'status') {
    return target === undefined ? { ok: true, request: { op } } : { ok: false, error: 'status takes no target' };
  }
  if (op === 'up' || op === 'down') {
    // TUNNEL[/SESSION], or an LNS tunnel as status names it: LNS/TUNNEL_ID[/SESSION_ID].
    if (typeof target !== 'string' || !/^[^/\s]{1,64}(\/[^/\s]{1,64}){0,2}$/.test(target)) {
      return { ok: false, error: `${op} needs a target TUNNEL or TUNNEL/SESSION (LNS/ID[/SESSION_ID] for an LNS tunnel)` };
    }
    return { ok: true, request: { op, target } };
  }
  return { ok: false, error: `unknown op ${JSON.stringify(op)} (status, up, down)` };
}

/** Answers one connection: read a line, validate, hand to the daemon, write the answer, close. */
function serveConnection(socket: Socket, handler: ControlHandler): void {
  let buffered = '';
  let done = false;
  const answer = (r: ControlResponse) => {
    if (done) return;
    done = true;
    socket.end(`${JSON.stringify(r)}\n`);
  };
  socket.setEncoding('utf8');
  socket.setTimeout(REQUEST_TIMEOUT_MS, () => {
    answer({ ok: false, error: 'request timed out' });
    socket.destroy();
  });
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: string) => {
    if (done) return;
    buffered += chunk;
    const nl = buffered.indexOf('\n');
    if (nl < 0) {
      if (Buffer.byteLength(buffered) > MAX_REQUEST_BYTES) answer({ ok: false, error: `request longer than ${MAX_REQUEST_BYTES} bytes` });
      return;
    }
    const line = buffered.slice(0, nl);
    if (Buffer.byteLength(line) > MAX_REQUEST_BYTES) return answer({ ok: false, error: `request longer than ${MAX_REQUEST_BYTES} bytes` });
    const parsed = parseControlRequest(line);
    if (!parsed.ok) return answer({ ok: false, error: parsed.error });
    Promise.resolve()
      .then(() => handler(parsed.request))
      .then(answer, (e: unknown) => answer({ ok: false, error: e instanceof Error ? e.message : String(e) }));
  });
}

/**
 * Whether a daemon answers on the unix socket at `path` (a file left by a crashed one does not).
 * Never throws: any failure to connect is "no".
 */
export function controlSocketInUse(path: string): Promise<boolean> {
  if (lstatSync(path, { throwIfNoEntry: false }) === undefined) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const probe = connect(path, () => { probe.destroy(); resolve(true); });
    probe.on('error', () => resolve(false));
  });
}

/**
 * Why a daemon cannot have its control socket at a path: another daemon answers there, or the path
 * is something else than a socket (a file the operator keeps: never removed to make room).
 * `kind` says which.
 */
export class ControlSocketPathError extends Error {
  constructor(readonly path: string, readonly kind: 'in-use' | 'not-a-socket') {
    super(kind === 'in-use' ? `${path}: another daemon is already listening there` : `${path} exists and is not a socket; not replacing it`);
    this.name = 'ControlSocketPathError';
  }
}

/**
 * Why `path` cannot be this daemon's control socket, or undefined when it can: nothing there, or a
 * socket nobody answers on (left by a crashed daemon). Never throws.
 */
export async function controlSocketProblem(path: string): Promise<ControlSocketPathError | undefined> {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (st === undefined) return undefined;
  if (!st.isSocket()) return new ControlSocketPathError(path, 'not-a-socket');
  return (await controlSocketInUse(path)) ? new ControlSocketPathError(path, 'in-use') : undefined;
}

function listenOn(path: string, handler: ControlHandler): Promise<Server> {
  const server = createServer((socket) => serveConnection(socket, handler));
  return new Promise<Server>((resolve, reject) => {
    server.once('error', reject);
    // umask-independent: the socket is created, then narrowed before anyone is told it exists.
    server.listen(path, () => {
      server.off('error', reject);
      chmodSync(path, 0o600);
      resolve(server);
    });
  });
}

/**
 * Listens on `path` (its directory is created 0755 if missing). Binds first, so two daemons
 * starting at once cannot both see the path free: the one that finds it taken then asks who is
 * there. A stale socket left by a crashed daemon is replaced; a live one, or anything that is not a
 * socket, rejects with {@link ControlSocketPathError} (nothing is removed).
 */
export async function listenControlSocket(path: string, handler: ControlHandler): Promise<Server> {
  // Synchronous file system calls: metadata operations once at start, where the promise API cost
  // its module and a thread-pool round trip each before the daemon could dial.
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  try {
    return await listenOn(path, handler);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
  }
  const problem = await controlSocketProblem(path);
  if (problem !== undefined) throw problem;
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return listenOn(path, handler);
}

/**
 * Sends one request to the daemon at `path` and returns its answer. Rejects with a one-line Error:
 * no daemon listening (ENOENT, ECONNREFUSED), permission denied (EACCES: not root), no answer in
 * `timeoutMs`, an unreadable answer.
 */
export function requestControlSocket(path: string, request: ControlRequest, timeoutMs = 5000): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(path, () => socket.write(`${JSON.stringify(request)}\n`));
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`${path}: no answer within ${timeoutMs} ms`)));
    socket.on('data', (chunk: string) => { text += chunk; });
    socket.on('error', (e: NodeJS.ErrnoException) => reject(
      e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? new Error(`${path}: no daemon is listening (${e.code})`)
        // The socket is mode 0600, owned by root: only root may talk to the daemon.
        : e.code === 'EACCES' || e.code === 'EPERM' ? new Error(`${path}: permission denied (${e.code}); the control socket is mode 0600: run this as root`)
          : e));
    socket.on('end', () => {
      try {
        resolve(JSON.parse(text) as ControlResponse);
      } catch {
        reject(new Error(`${path}: unreadable answer`));
      }
    });
  });
}
