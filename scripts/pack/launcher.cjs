#!/usr/bin/env node
'use strict';
// The command a CLI package installs as its bin (dist/NAME.cjs, copied here by build-cli.mjs with
// NAME filled in). It runs dist/NAME-main.cjs, and the other NAME-*.cjs bundles when that asks for
// them, the way Node's CommonJS loader would, except that each is compiled with the V8 code cache
// made for it at build time (dist/code-cache/; code-cache.mjs): V8 then neither parses the bundle
// nor compiles the functions the build's runs used, which was most of what `--check-config` and a
// daemon's start cost beyond a bare `node -e 0`. Node 22 has module.enableCompileCache for this;
// Node 20 has only vm.Script's cachedData.
//
// A cache fits the Node binary and V8 options that recorded it. The package has a set for each
// way it is run (code-cache.mjs: no options; the systemd unit's NODE_OPTIONS); the first set whose
// probe V8 takes is used, and none when none fits (another Node), the bundles then being compiled
// as without one. A set V8 refuses after its probe passed (options no set was recorded with can
// make V8's checks answer differently from one script to the next) costs only that compile. V8 checks a cache's source by length, not content, so a cache
// older than its bundle (a bundle edited in place after the build) is not offered; "older" allows
// two seconds, as a copy that does not keep times (cp -r) writes the two in either order.
const { readFileSync, statSync, writeSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

const NAME = '__NAME__';
const VERSION = '__VERSION__';
/** The cache sets, in the order tried, and the script whose cache in each tells whether V8 takes it. */
const CACHE_SETS = ['__CACHE_SETS__'];
const PROBE = '__PROBE__';
// Node's Module class, without require('node:module'), which would load the ES module loader too.
// (`any`: the loader internals used below, _resolveFilename and _cache, are not in Node's types.)
/** @type {any} */
const Module = module.constructor;

/** @type {Map<string, { exports: unknown }>} bundle base name -> its module, once it has started loading */
const loaded = new Map();

/** @type {string | null | undefined} the directory of the set V8 takes here; null: none */
let cacheSet;
function cacheDirectory() {
  if (cacheSet !== undefined) return cacheSet;
  cacheSet = null;
  for (const set of CACHE_SETS) {
    const dir = join(__dirname, 'code-cache', set);
    try {
      if (!new Script(PROBE, { cachedData: readFileSync(join(dir, 'probe.v8cache')) }).cachedDataRejected) return (cacheSet = dir);
    } catch {
      // No such set (or unreadable): try the next.
    }
  }
  return cacheSet;
}

/** The code cache for a bundle, unless no set fits or the cache is missing or older than the bundle. */
function codeCache(base, bundle) {
  const dir = cacheDirectory();
  if (dir === null) return undefined;
  const file = join(dir, `${base}.v8cache`);
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
  // The script is named NAME/dist/BASE.cjs, as the build's runs named it when recording the caches:
  // Node 20's V8 gives a script compiled from a cache the name it was recorded with, so an absolute
  // path would be the build machine's in every stack trace. This name is the same everywhere.
  const script = new Script(readFileSync(filename, 'utf8'), { filename: `${NAME}/dist/${base}.cjs`, cachedData: codeCache(base, filename) });
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
