// Builds what a CLI package (apps/kl2tpd, apps/ql2tpd) ships, after tsc has built dist/:
//   dist/NAME-main.cjs, NAME-run.cjs, NAME-PKG.cjs   the CLI with @l2tp/* and every JavaScript
//                                dependency bundled by esbuild; only ffi-rs (native) stays a real dependency
//   dist/NAME.cjs                the bin: launcher.cjs, which runs the bundles with their V8 code caches
//   dist/code-cache/SET/         those caches, recorded from runs of the built CLI (code-cache.mjs)
//   dist/THIRD-PARTY-NOTICES     name, version, licence and licence text of every bundled package
//   dist/man/NAME.8, NAME.toml.5 roff man pages from docs/*.md (package.json "man")
//   dist/systemd/, dist/modules-load.d/, dist/examples/, dist/doc/   from configs/ and docs/
// Run in the app's directory: `node ../../scripts/pack/build-cli.mjs`.
//
// CommonJS output on purpose: an ESM bundle hoists `import 'ffi-rs'` to its top, so the native
// addon would load on every start; in CommonJS it is a require() inside the lazily initialised
// module that uses it, so `--version`, `--check-config`, `status` and `-null` never load it.
import { build } from 'esbuild';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_CACHE_PROBE, codeCacheVariants, recordCodeCache } from './code-cache.mjs';
import { LAZY_MODULES, lazyModules } from './lazy.mjs';
import { renderManPage } from './man.mjs';
import { pinoShims } from './pino-shims.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const app = process.cwd();
const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
const name = pkg.name;
const dist = join(app, 'dist');
const cli = join(dist, `${name}.cjs`);
const main = join(dist, `${name}-main.cjs`);

/** What each CLI package ships from configs/ and docs/, besides its man pages. */
// Every package ships all of configs/examples (a few KB): config.md, shipped with both, documents
// both daemons and links examples of each.
const SHIPPED = {
  kl2tpd: { doc: ['config.md', 'operations.md', 'nm-l2tp-ipsec.md', 'lns-ipsec.md'] },
  ql2tpd: { doc: ['config.md', 'operations.md'] },
};
const shipped = SHIPPED[name];
if (!shipped) throw new Error(`build-cli: no file list for package ${name}`);

// 1. The bundle, in two files and satellites. NAME-main.cjs holds what every start needs (the
// command line, the config parser, the control client); every dynamic import() it makes (the
// daemon, the platform, the logger) is served from NAME-run.cjs, which is read only when the daemon
// runs. npm packages only some runs use (SATELLITES: prom-client for metrics, pino-pretty for a
// terminal) are each a file of their own, NAME-PKG.cjs, read when first used. One file would do,
// but V8 reads and pre-parses (or, from a code cache, deserializes) all of a script before running
// any of it, and the bytes read cost a start more than anything else the bundles do.
const RUN = `./${name}-run.cjs`;
const SATELLITES = ['prom-client', 'pino-pretty'];
const satellites = new Map(); // package -> { file: './NAME-PKG.cjs', resolveDir }
const satellite = (pkgName, resolveDir) => {
  const file = `./${name}-${pkgName.replace(/^@/, '').replace('/', '-')}.cjs`;
  if (!satellites.has(pkgName)) satellites.set(pkgName, { file, resolveDir });
  return file;
};
// import('PKG') becomes require('./NAME-PKG.cjs'): an import() left in a bundle would need an ES
// module loader, which launcher.cjs's scripts do not have.
const dynamicSatellites = {
  name: 'dynamic-satellites',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${SATELLITES.join('|')})$`) }, (args) =>
      (args.kind === 'dynamic-import' ? { path: satellite(args.path, args.resolveDir), namespace: 'satellite' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'satellite' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js', resolveDir: dist }));
    b.onResolve({ filter: /^\.\/.*\.cjs$/, namespace: 'satellite' }, (args) => ({ path: args.path, external: true }));
  },
};
const splitTargets = new Map(); // key (path relative to the root) -> absolute path
const splitAtDynamicImports = {
  name: 'split-at-dynamic-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.path === RUN) return { path: RUN, external: true };
      if (args.kind !== 'dynamic-import' || args.pluginData?.inner) return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { inner: true } });
      if (r.errors.length > 0 || r.external) return r;
      const key = relative(ROOT, r.path);
      splitTargets.set(key, r.path);
      return { path: key, namespace: 'run' };
    });
    b.onLoad({ filter: /.*/, namespace: 'run' }, (args) =>
      ({ contents: `module.exports = require(${JSON.stringify(RUN)})[${JSON.stringify(args.path)}];`, loader: 'js', resolveDir: dist }));
  },
};
/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: `node${pkg.engines.node.replace(/^>=/, '')}`,
  external: Object.keys(pkg.dependencies ?? {}),
  // Whitespace and syntax minified: without comments and indentation the files are ASCII (one byte
  // per character in V8's heap) and a third of the size, and reading them was the largest part of
  // loading them from a code cache. Identifiers are kept, so stack traces name their functions.
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: false,
  // The CommonJS wrapper Node's loader would add, in the file: launcher.cjs compiles the file as it
  // is (a wrapper added at run time is one more copy of the whole source in memory).
  banner: { js: '(function (exports, require, module, __filename, __dirname) {' },
  footer: { js: '})' },
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
};
// What an earlier build left (a satellite since dropped, caches from before code-cache/) must not be packed.
for (const f of readdirSync(dist)) if (f.startsWith(`${name}`) && /\.(cjs|v8cache)$/.test(f)) rmSync(join(dist, f));
const shared = [pinoShims(), lazyModules(LAZY_MODULES, { satellite })];
const start = await build({ ...common, entryPoints: [join(dist, 'main.js')], outfile: main, plugins: [dynamicSatellites, splitAtDynamicImports, ...shared] });
// launcher.cjs runs the bundle inside a function: a `#!` line is a syntax error there.
writeFileSync(main, readFileSync(main, 'utf8').replace(/^#![^\n]*\n/, ''));
// Getters: each part of the run file is initialised when first asked for, so `-null` never loads ffi-rs.
const runEntry = [...splitTargets].map(([key, abs]) => `  get ${JSON.stringify(key)}() { return require(${JSON.stringify(abs)}); },`);
const run = await build({
  ...common, outfile: join(dist, `${name}-run.cjs`),
  stdin: { contents: `module.exports = {\n${runEntry.join('\n')}\n};\n`, resolveDir: dist, sourcefile: `${name}-run.js`, loader: 'js' },
  plugins: [dynamicSatellites, ...shared],
});
const satelliteBuilds = [];
for (const [pkgName, { file, resolveDir }] of satellites) {
  satelliteBuilds.push(await build({
    ...common, outfile: join(dist, file),
    stdin: { contents: `module.exports = require(${JSON.stringify(pkgName)});\n`, resolveDir, sourcefile: file, loader: 'js' },
    plugins: [lazyModules(LAZY_MODULES.filter((m) => isBuiltin(m)))],
  }));
}
// A module in both files would exist twice, with two copies of its state: refuse to build that.
const bundled = (r) => Object.values(r.metafile.outputs).flatMap((o) => Object.entries(o.inputs))
  .filter(([i, v]) => v.bytesInOutput > 0 && !/^[a-z-]+:/.test(i)).map(([i]) => resolve(i)).filter((abs) => existsSync(abs));
const startInputs = new Set(bundled(start));
const twice = [...splitTargets.values()].filter((abs) => startInputs.has(abs));
if (twice.length > 0) throw new Error(`build-cli: imported both statically and dynamically from the start file: ${twice.join(', ')}`);
// A satellite holds npm packages only (a second copy of a stateless library is harmless; of ours, not).
const ours = satelliteBuilds.flatMap(bundled).filter((abs) => !abs.includes('/node_modules/'));
if (ours.length > 0) throw new Error(`build-cli: a satellite bundles the workspace's own modules: ${ours.join(', ')}`);
// ASCII only (esbuild escapes what is not; comments, which it keeps verbatim, are minified away): V8
// holds any other file as two bytes a character, which cost reading the run file twice as much.
for (const f of [main, join(dist, `${name}-run.cjs`), ...[...satellites.values()].map((v) => join(dist, v.file))]) {
  if (readFileSync(f).some((byte) => byte > 0x7f)) throw new Error(`build-cli: ${f} is not ASCII`);
}
// Every import() must have become a require(): see dynamicSatellites.
const dynamicLeft = [start, run, ...satelliteBuilds].flatMap((r) => Object.values(r.metafile.outputs))
  .flatMap((o) => o.imports).filter((i) => i.kind === 'dynamic-import').map((i) => i.path);
if (dynamicLeft.length > 0) throw new Error(`build-cli: import() left in a bundle (launcher.cjs cannot load ES modules): ${dynamicLeft.join(', ')}`);
const inputs = [...new Set([...startInputs, ...bundled(run), ...satelliteBuilds.flatMap(bundled)])];

// 2. Licences of everything bundled (the MIT and ISC licences ask for their notice to travel with the code).
const packages = new Map();
for (const abs of inputs) {
  const i = abs.lastIndexOf('/node_modules/');
  if (i < 0) continue;
  const rest = abs.slice(i + '/node_modules/'.length).split('/');
  const root = abs.slice(0, i + '/node_modules/'.length) + (rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]);
  if (packages.has(root)) continue;
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  if (manifest.name?.startsWith('@l2tp/')) continue; // our own, under this package's LICENSE
  const licenceFile = readdirSync(root).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  packages.set(root, { manifest, text: licenceFile ? readFileSync(join(root, licenceFile), 'utf8').trim() : undefined });
}
const notices = [...packages.values()].sort((a, b) => a.manifest.name.localeCompare(b.manifest.name)).map(({ manifest, text }) =>
  `${manifest.name} ${manifest.version} (${manifest.license ?? 'licence not stated'})\n\n${text ?? `No licence file; package.json says ${manifest.license}.`}`);
writeFileSync(join(dist, 'THIRD-PARTY-NOTICES'),
  `${name}'s ${[`${name}-main.cjs`, `${name}-run.cjs`, ...[...satellites.values()].map((v) => v.file.slice(2))].map((f) => `dist/${f}`).join(', ').replace(/, ([^,]*)$/, ' and $1')} contain the following packages.\n\n${notices.join(`\n\n${'-'.repeat(72)}\n\n`)}\n`);

// 3. Man pages, from the package's man list: dist/man/NAME.SECTION from docs/NAME.SECTION.md.
rmSync(join(dist, 'man'), { recursive: true, force: true });
mkdirSync(join(dist, 'man'), { recursive: true });
const date = process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) * 1000 : undefined;
for (const page of pkg.man) {
  const file = page.replace(/^\.\/dist\/man\//, '');
  const markdown = readFileSync(join(ROOT, 'docs', `${file}.md`), 'utf8');
  writeFileSync(join(dist, 'man', file), renderManPage(markdown, { version: pkg.version, date }));
}

// 4. What an operator installs by hand: the unit, the modules-load.d list, examples, the reference docs.
const copy = (from, to) => {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true });
};
copy(join(ROOT, 'configs', 'systemd', `${name}.service`), join(dist, 'systemd', `${name}.service`));
copy(join(ROOT, 'configs', 'modules-load.d', 'l2tp.conf'), join(dist, 'modules-load.d', 'l2tp.conf'));
rmSync(join(dist, 'examples'), { recursive: true, force: true });
copy(join(ROOT, 'configs', 'examples'), join(dist, 'examples'));
rmSync(join(dist, 'doc'), { recursive: true, force: true });
// The listed pages and every page they link to (relative links keep working in the package).
const docs = new Set(shipped.doc);
for (const f of docs) {
  for (const m of readFileSync(join(ROOT, 'docs', f), 'utf8').matchAll(/\]\(([\w.-]+\.md)(?:#[^)]*)?\)/g)) docs.add(m[1]);
}
// In the package the examples sit beside doc/ (dist/examples), not in the checkout's configs/.
mkdirSync(join(dist, 'doc'), { recursive: true });
for (const f of docs) writeFileSync(join(dist, 'doc', f), readFileSync(join(ROOT, 'docs', f), 'utf8').replaceAll('](../configs/examples/', '](../examples/'));

// 5. The bin, and the V8 code caches it gives the bundles (recorded last: a cache must be newer than its bundle).
writeFileSync(cli, readFileSync(join(ROOT, 'scripts', 'pack', 'launcher.cjs'), 'utf8')
  .replace("'__NAME__'", JSON.stringify(name)).replace("'__VERSION__'", JSON.stringify(pkg.version))
  .replace("['__CACHE_SETS__']", JSON.stringify(codeCacheVariants(name).map(([set]) => set))).replace("'__PROBE__'", JSON.stringify(CODE_CACHE_PROBE)));
chmodSync(cli, 0o755);
await recordCodeCache(name, dist);

for (const f of pkg.files) {
  if (!existsSync(join(app, f))) throw new Error(`build-cli: package.json "files" names ${f}, which the build did not make`);
}
// And the other way round: a bundle or cache the package leaves out would be missed only once installed.
const unlisted = readdirSync(dist).filter((f) => f.startsWith(`${name}`) && /\.cjs$/.test(f) && !pkg.files.includes(`dist/${f}`));
if (unlisted.length > 0) throw new Error(`build-cli: package.json "files" leaves out ${unlisted.join(', ')}`);
const kib = (f) => `${(readFileSync(f).length / 1024).toFixed(0)} KiB`;
const sets = codeCacheVariants(name).map(([set]) => set);
console.log(`${relative(ROOT, main)}: ${kib(main)} + ${name}-run.cjs ${kib(join(dist, `${name}-run.cjs`))}, ${packages.size} bundled packages; `
  + `code caches (${sets.join(', ')}) ${kib(join(dist, 'code-cache', sets[0], `${name}-main.v8cache`))} + ${kib(join(dist, 'code-cache', sets[0], `${name}-run.v8cache`))}`);
