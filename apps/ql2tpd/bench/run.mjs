// Benchmarks for ql2tpd; printed figures, no assertions. Start-up of the bundled CLI, paired with a
// bare `node -e 0` (scripts/pack/startup.mjs): --version and --check-config (target, issue 13:
// ≤ 1.2× for both), and -null with one static tunnel until its start-up line (no target; a static
// tunnel needs no peer, so this is the process's own start).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pairedStartup, processCase, untilLogCase } from '../../../scripts/pack/startup.mjs';

const MAIN = new URL('../dist/ql2tpd.cjs', import.meta.url).pathname;
const example = new URL('../../../configs/examples/ql2tpd.toml', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'qb-'));
const config = join(dir, 'q.toml');
writeFileSync(config, `control_socket = "${join(dir, 'q.sock')}"\n[tunnel.t1]\nversion = "l2tpv3"\nencap = "udp"\nlocal = "127.0.0.1:0"\n`
  + 'peer = "127.0.0.1:9"\ntid = 1\nptid = 2\n[tunnel.t1.session.s1]\npseudowire = "eth"\nsid = 1\npsid = 2\n');
await pairedStartup('ql2tpd start-up', [
  processCase('ql2tpd --version', [MAIN, '--version'], 1.2),
  processCase('ql2tpd --check-config (configs/examples/ql2tpd.toml)', [MAIN, '--check-config', '-config', example], 1.2),
  untilLogCase('ql2tpd -null start → static tunnel up', [MAIN, '-config', config, '-null', '--log-format', 'json'], 'started: 1 of 1 tunnels up'),
]);
