#!/usr/bin/env node
'use strict';
// The command a CLI package installs as its bin (dist/NAME.cjs, copied here by build-cli.mjs with
// NAME filled in). It runs dist/NAME-main.cjs, and the other NAME-*.cjs bundles when that asks for
// them, the way Node's CommonJS loader would, except that each is compiled with the V8 code cache
// made for it at build time (NAME-main.v8cache, NAME-run.v8cache; code-cache.mjs): V8 then neither
// parses the bundle nor compiles the functions the build's runs used, which was most of what
// `--version`, `--check-config` and a daemon's start cost beyond a bare `node -e 0`. Node 22 has
// module.enableCompileCache for this; Node 20 has only vm.Script's cachedData.
//
// A cache V8 refuses (another Node or V8 version, other V8 flags) costs nothing but its read: V8
// compiles the source as without one. V8 checks the source's length, not its content, so a cache
// older than its bundle (a bundle edited in place after the build) is not offered at all; "older"
// allows two seconds, as a copy that does not keep times (cp -r) writes the two in either order.
const { readFileSync, statSync, writeSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

const NAME = '__NAME__';
const VERSION = '__VERSION__';
// Node's Module class, without require('node:module'), which would load the ES module loader too.
// (`any`: the loader internals used below, _resolveFilename and _cache, are not in Node's types.)
/** @type {any} */
const Module = module.constructor;

/** @type {Map<string, { exports: unknown }>} bundle base name -> its module, once it has started loading */
const loaded = new Map();

/** The code cache for a bundle, unless it is missing or older than the bundle. */
function codeCache(base, bundle) {
  const file = join(__dirname, `${base}.v8cache`);
  const cache = statSync(file, { throwIfNoEntry: false });
  if (cache === undefined || cache.mtimeMs + 2000 < statSync(bundle).mtimeMs) return undefined;
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Loads dist/BASE.cjs once (a CommonJS module: the same wrapper, `this` and arguments as Node's loader). */
function load(base) {
  const done = loaded.get(base);
  if (done !== undefined) return done.exports;
  const filename = join(__dirname, `${base}.cjs`);
  // The file is the function Node's loader would wrap a module in (build-cli.mjs writes the wrapper).
  const script = new Script(readFileSync(filename, 'utf8'), { filename, cachedData: codeCache(base, filename) });
  const m = new Module(filename, module);
  m.filename = filename;
  m.paths = module.paths;
  loaded.set(base, m);
  // The bundles ask for each other as `./NAME-x.cjs`; everything else (node:*, ffi-rs) is an ordinary require.
  const req = (id) => (id.startsWith(`./${NAME}-`) && id.endsWith('.cjs') ? load(id.slice(2, -4)) : m.require(id));
  req.resolve = (id, options) => Module._resolveFilename(id, m, false, options);
  req.main = require.main;
  req.cache = Module._cache;
  script.runInThisContext().call(m.exports, m.exports, req, m, filename, __dirname);
  m.loaded = true;
  return m.exports;
}

/**
 * `NAME --version` alone is answered here, as the command line in the bundle would answer it
 * (scripts/house/launcher.test.ts compares the two): loading the bundle to print one line cost more
 * than the rest of the command. False when stdout would block or is gone: the bundle's path then
 * answers, as it answers every other command line.
 */
function printedVersion() {
  if (process.argv.length !== 3 || process.argv[2] !== '--version') return false;
  try {
    const line = Buffer.from(`${VERSION}\n`);
    return writeSync(1, line) === line.length;
  } catch {
    return false;
  }
}

if (!printedVersion()) load(`${NAME}-main`);
