#!/usr/bin/env node
// `node scripts/vm/run.mjs [--timeout S] [--rw DIR]... [--mem MB] [--smp N] -- command...`: runs the command in
// a fresh qemu guest with the L2TP and PPP modules loaded (see guest.mjs) and exits with its status:
// 124 on timeout, 125 when the VM failed.
import { runInGuest } from './guest.mjs';

const argv = process.argv.slice(2);
const opts = { rw: [], timeoutMs: 600_000, memMb: 1024 };
let i = 0;
for (; i < argv.length && argv[i] !== '--'; i++) {
  if (argv[i] === '--timeout') opts.timeoutMs = Number(argv[++i]) * 1000;
  else if (argv[i] === '--rw') opts.rw.push(argv[++i]);
  else if (argv[i] === '--mem') opts.memMb = Number(argv[++i]);
  else if (argv[i] === '--smp') opts.smp = Number(argv[++i]);
  else { console.error(`run.mjs: unknown option ${argv[i]}`); process.exit(2); }
}
// One word is a shell command line as typed; several are argv words, quoted so that
// `-- sh -c 'cd DIR && vitest run'` reaches the guest's shell as the same words.
const words = argv.slice(i + 1);
const quote = (w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
const command = words.length === 1 ? words[0] : words.map(quote).join(' ');
if (!command) { console.error('usage: node scripts/vm/run.mjs [--timeout S] [--rw DIR] [--mem MB] [--smp N] -- command...'); process.exit(2); }
const r = await runInGuest({ command, ...opts, onOutput: (stream, text) => process[stream].write(text) });
if (r.status === 125) process.stderr.write(`run.mjs: the VM failed; console:\n${r.console.slice(-3000)}\n`);
process.stderr.write(`run.mjs: status ${r.status} in ${r.durationMs} ms (${r.smp} vCPU, booted in ${r.bootMs} ms, node -e 0 took ${r.nodeStartMs} ms)\n`);
process.exit(r.status);
