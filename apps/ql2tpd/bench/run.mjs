// Benchmarks for ql2tpd; printed figures, no assertions. Start-up of the bundled CLI, paired with a
// bare `node -e 0` (scripts/pack/startup.mjs); target (issue 13): ≤ 1.2× for both.
import { pairedStartup, processCase } from '../../../scripts/pack/startup.mjs';

const MAIN = new URL('../dist/ql2tpd.cjs', import.meta.url).pathname;
const example = new URL('../../../configs/examples/ql2tpd.toml', import.meta.url).pathname;
await pairedStartup('ql2tpd start-up', [
  processCase('ql2tpd --version', [MAIN, '--version']),
  processCase('ql2tpd --check-config (configs/examples/ql2tpd.toml)', [MAIN, '--check-config', '-config', example]),
]);
