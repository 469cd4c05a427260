'use strict';
// Preloaded (`node --require`) into the build's runs of a CLI (code-cache.mjs): every vm.Script the
// launcher compiles as L2TP_CODE_CACHE_DIR/BASE.cjs (the script names it gives, NAME/dist/BASE.cjs) is kept, and at SIGTERM or exit its code cache — with
// the bytecode of every function the run compiled, and of those it was given by the cache it started
// from — is written to L2TP_CODE_CACHE_OUT/BASE.v8cache, with probe.v8cache, the cache of the probe
// script L2TP_CODE_CACHE_PROBE (how the launcher tells which set fits). Whether V8 took the cache it
// was offered goes to L2TP_CODE_CACHE_REPORT, one JSON line per script, for the build to check.
const { appendFileSync, writeFileSync } = require('node:fs');
const { basename, dirname, join } = require('node:path');
const vm = require('node:vm');

const dir = process.env.L2TP_CODE_CACHE_DIR;
const out = process.env.L2TP_CODE_CACHE_OUT;
const report = process.env.L2TP_CODE_CACHE_REPORT;
const Script = vm.Script;
const scripts = [];
vm.Script = class RecordedScript extends Script {
  constructor(code, options) {
    super(code, options);
    const file = options?.filename;
    if (typeof file === 'string' && dirname(file) === dir) scripts.push({ file, offered: options.cachedData !== undefined, script: this });
  }
};
let written = false;
const write = () => {
  if (written) return;
  written = true;
  writeFileSync(join(out, 'probe.v8cache'), new Script(process.env.L2TP_CODE_CACHE_PROBE).createCachedData());
  for (const { file, offered, script } of scripts) {
    const cache = script.createCachedData();
    writeFileSync(join(out, `${basename(file, '.cjs')}.v8cache`), cache);
    appendFileSync(report, `${JSON.stringify({ file, offered, rejected: script.cachedDataRejected === true, bytes: cache.length })}\n`);
  }
};
// A daemon's caches are taken when SIGTERM arrives, before its handler runs: they hold what starting
// compiled, not the shutdown, which no start needs. Other runs write theirs at exit.
process.on('SIGTERM', write);
process.on('exit', write);
