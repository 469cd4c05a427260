#!/usr/bin/env node
/**
 * `node packages/config/dist/cli.js [--extension MODULE] FILE...`: checks config files and prints
 * one line per file plus every issue; exit status 0 when all are valid, 2 otherwise (as the
 * daemons' `--check-config`). Without `--extension` only core keys are known; `--extension
 * apps/kl2tpd/dist/config.js` loads that module's exported extension for the files after it, so
 * the daemons' own keys (`pppd_args` ...) are checked too without this package importing the apps.
 * `--print` also prints each valid file's effective config (every default applied) as JSON.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConfigExtension, KeySpecs } from './extension.js';
import { checkConfigFiles } from './load.js';
import { configToJson } from './parse.js';

type AnyExtension = ConfigExtension<KeySpecs, KeySpecs, KeySpecs>;

const looksLikeExtension = (v: unknown): v is AnyExtension =>
  typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string' &&
  ['global', 'tunnel', 'session', 'versions'].some((k) => k in v);

async function loadExtension(module: string): Promise<AnyExtension> {
  const mod = (await import(pathToFileURL(resolve(module)).href)) as Record<string, unknown>;
  const found = Object.values(mod).find(looksLikeExtension);
  if (!found) throw new Error(`${module} exports no config extension`);
  return found;
}

const args = process.argv.slice(2);
if (args.filter((a) => !a.startsWith('--')).length === 0) {
  console.error('usage: node cli.js [--print] [--extension MODULE] FILE... [--extension MODULE FILE...]');
  process.exit(2);
}
let extension: AnyExtension | undefined;
let allOk = true;
let print = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--extension') {
    extension = await loadExtension(args[++i] ?? '');
    continue;
  }
  if (a === '--print') {
    print = true;
    continue;
  }
  const [r] = await checkConfigFiles([a], extension ? { extension } : {});
  for (const line of r!.lines) console.log(line);
  if (print && r!.config) console.log(configToJson(r!.config));
  allOk &&= r!.ok;
}
process.exit(allOk ? 0 : 2);
