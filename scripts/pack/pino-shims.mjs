// An esbuild plugin for the CLI bundles (build-cli.mjs): the parts of pino the daemons never use,
// replaced by stubs. The daemons hand pino their own destination and no `transport` option
// (packages/daemon/src/log.ts), so pino's transport module (thread-stream, worker threads and
// node:module's createRequire) and its main-thread check, which only decides how pino ends a
// SonicBoom destination of its own, are never reached; loading them cost every daemon start
// node:worker_threads and node:module (about 2 ms on a test machine where a bare Node start is 100).
// The daemons always run on the main thread, so the stub's `isMainThread: true` is the truth.

const PINO_LIB = /[\\/]node_modules[\\/]pino[\\/](lib[\\/])?[^\\/]+\.js$/;

/** @returns {import('esbuild').Plugin} */
export function pinoShims() {
  return {
    name: 'pino-shims',
    setup(b) {
      b.onResolve({ filter: /^\.\/(lib\/)?transport$/ }, (args) =>
        (PINO_LIB.test(args.importer) ? { path: 'transport', namespace: 'pino-shim' } : undefined));
      b.onResolve({ filter: /^(node:)?worker_threads$/ }, (args) =>
        (PINO_LIB.test(args.importer) ? { path: 'worker_threads', namespace: 'pino-shim' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'pino-shim' }, (args) => ({
        loader: 'js',
        contents: args.path === 'transport'
          ? "module.exports = () => { throw new Error('pino transports are not bundled with this daemon'); };\n"
          : 'module.exports = { isMainThread: true };\n',
      }));
    },
  };
}
