// `pnpm bench` for @l2tp/control: codec rates (bench/codec.mjs) and engine setup rate and memory
// (bench/engine.mjs). Figures are printed; targets are checked by reading them, not by asserting.
import { existsSync } from 'node:fs';
for (const part of ['codec', 'engine']) {
  const file = new URL(`./${part}.mjs`, import.meta.url);
  if (existsSync(file)) await import(file.href);
}
