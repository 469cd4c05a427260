// A minimal npm registry for one scope, serving packuments and tarballs of packed workspace
// packages, so `npm install -g` of the CLI tarballs resolves @l2tp/* from this build (and
// everything else from the default registry) exactly as it will from npmjs.org after publishing.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename } from 'node:path';
import { execFileSync } from 'node:child_process';

/** Reads package.json out of an npm tarball (`package/package.json`). */
function manifestOf(tarball) {
  return JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' }));
}

/**
 * Serves the given tarballs on 127.0.0.1 (ephemeral port). Resolves with `{ url, close }`.
 * @param {string[]} tarballs
 */
export async function startScopedRegistry(tarballs) {
  const byName = new Map();
  for (const file of tarballs) {
    const bytes = readFileSync(file);
    const manifest = manifestOf(file);
    byName.set(manifest.name, { file, bytes, manifest });
  }
  const server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const tar = /^\/-\/(.+\.tgz)$/.exec(url);
    if (tar) {
      const entry = [...byName.values()].find((e) => basename(e.file) === tar[1]);
      if (!entry) return res.writeHead(404).end();
      return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(entry.bytes);
    }
    const entry = byName.get(url.slice(1));
    if (!entry) return res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    const { manifest, bytes, file } = entry;
    const base = `http://${req.headers.host}`;
    const version = {
      ...manifest,
      _id: `${manifest.name}@${manifest.version}`,
      dist: {
        tarball: `${base}/-/${basename(file)}`,
        shasum: createHash('sha1').update(bytes).digest('hex'),
        integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
      },
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      name: manifest.name, 'dist-tags': { latest: manifest.version }, versions: { [manifest.version]: version },
    }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) };
}
