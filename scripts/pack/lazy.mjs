// An esbuild plugin that defers loading some modules until their first use, for the CLI bundles
// (scripts/pack/build-cli.mjs). Code imports these at the top of a module but needs them only on
// some paths: commander requires node:child_process for executable subcommands (we have none),
// the daemon's logger imports pino-pretty for terminals although journald and NetworkManager get
// JSON, node:http serves metrics only with --metrics-listen, sonic-boom (the destination of
// pino and pino-pretty; the daemons write JSON lines themselves) asserts with node:assert, and
// node:crypto computes MD5 and HMAC only for tunnels with a secret (ids come from /dev/urandom),
// and kl2tpd's event-loop delay monitor (node:perf_hooks) starts a second after the daemon. Each
// import becomes a proxy that requires the real module when a property is read or the export is called.
//
// The proxy must survive esbuild's ESM interop (__toESM), which lists the module's own keys and
// reads `__esModule` at import time: the keys are taken from the real module at build time and
// answered without loading it, and `__esModule` is answered as absent (none of these set it).
import { createRequire, isBuiltin } from 'node:module';
import { join } from 'node:path';

/** Modules deferred in the bundles: Node built-ins whose export is a namespace object, and pino-pretty. */
export const LAZY_MODULES = ['child_process', 'net', 'os', 'fs/promises', 'dns', 'dns/promises', 'http', 'dgram', 'readline', 'assert', 'crypto', 'perf_hooks', 'pino-pretty'];

/**
 * @param {readonly string[]} names  modules to defer
 * @param {{ satellite?: (pkg: string, resolveDir: string) => string }} options  `satellite`: for an npm
 *   package, the file (`./NAME-PKG.cjs`, external to this bundle) that holds it; without it, the
 *   package is bundled here and only its initialisation is deferred
 * @returns {import('esbuild').Plugin}
 */
export function lazyModules(names = LAZY_MODULES, { satellite } = {}) {
  const filter = new RegExp(`^(node:)?(${names.map((n) => n.replace(/[/.-]/g, (c) => `\\${c}`)).join('|')})$`);
  return {
    name: 'lazy-modules',
    setup(b) {
      b.onResolve({ filter }, (args) => {
        if (args.namespace === 'lazy') return undefined; // the proxy's own require: the real module
        return { path: args.path.replace(/^node:/, ''), namespace: 'lazy', pluginData: { resolveDir: args.resolveDir } };
      });
      b.onResolve({ filter: /^\.\/.*\.cjs$/, namespace: 'lazy' }, (args) => ({ path: args.path, external: true }));
      b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => {
        const builtin = isBuiltin(args.path);
        const specifier = builtin ? `node:${args.path}` : args.path;
        const real = createRequire(join(args.pluginData.resolveDir, 'x.js'))(specifier);
        const keys = Object.keys(real).filter((k) => k !== '__esModule');
        const required = builtin || satellite === undefined ? specifier : satellite(args.path, args.pluginData.resolveDir);
        return {
          loader: 'js',
          resolveDir: args.pluginData.resolveDir,
          contents: `let m;
const load = () => (m ??= require(${JSON.stringify(required)}));
const keys = ${JSON.stringify(keys)};
const absent = { configurable: true, enumerable: true, writable: true, value: undefined };
module.exports = new Proxy(function lazy() {}, {
  apply: (_, self, args) => load().apply(self, args),
  get: (t, k) => (k === '__esModule' ? undefined : k === 'prototype' ? t.prototype : load()[k]),
  has: (_, k) => k in load(),
  ownKeys: (t) => [...new Set([...Reflect.ownKeys(t), ...keys])],
  getOwnPropertyDescriptor: (t, k) => Reflect.getOwnPropertyDescriptor(t, k) ?? (keys.includes(k) ? absent : undefined),
});
`,
        };
      });
    },
  };
}
