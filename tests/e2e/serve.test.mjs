// The static server (.ci/serve.mjs) and the privacy rules of www/: one CSP in both
// places, correct MIME types, no directory listing, no path traversal, no external URLs.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CSP, startServer } from '../../.ci/serve.mjs';
import { ROOT } from './harness.mjs';

const WWW = join(ROOT, 'www');

/** A raw GET (fetch would normalise "..", which is what we want to send). */
function get(port, path, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

describe('static server', () => {
  let server;
  before(async () => {
    server = await startServer({ port: 0 });
  });
  after(() => server?.close());

  it('serves the page with the same CSP as its meta tag', async () => {
    const res = await get(server.port, '/');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(res.headers['content-security-policy'], CSP);
    const meta = res.body
      .toString()
      .match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/);
    assert.ok(meta, 'index.html has a CSP meta tag');
    assert.equal(meta[1], CSP);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  it('sends correct MIME types', async () => {
    const cases = [
      ['/main.js', 'text/javascript; charset=utf-8'],
      ['/worker.js', 'text/javascript; charset=utf-8'],
      ['/style.css', 'text/css; charset=utf-8'],
      ['/sample/astronaut.png', 'image/png'],
      ['/sample/paumier-face.jpg', 'image/jpeg'],
      ['/favicon.svg', 'image/svg+xml'],
    ];
    if (existsSync(join(WWW, 'pkg/skin_preview_bg.wasm'))) {
      cases.push(['/pkg/skin_preview_bg.wasm', 'application/wasm']);
    }
    for (const [path, type] of cases) {
      const res = await get(server.port, path, 'HEAD');
      assert.equal(res.status, 200, path);
      assert.equal(res.headers['content-type'], type, path);
      assert.equal(res.headers['content-security-policy'], CSP, path);
    }
  });

  it('lists no directories and serves nothing outside www/', async () => {
    for (const path of [
      '/sample/',
      '/sample',
      '/app/',
      '/../Cargo.toml',
      '/%2e%2e/Cargo.toml',
      '/..%2fCargo.toml',
      '/sample/..%2f..%2fCargo.toml',
      '/%2e%2e%2f%2e%2e%2fetc/passwd',
      '/pkg/.gitignore',
      '/nope.html',
      '/%ff',
      '/a%00b',
    ]) {
      const res = await get(server.port, path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.body.toString(), /\[package\]|root:/, path);
    }
    assert.equal((await get(server.port, '/', 'POST')).status, 405);
  });

  it('the service worker precaches every page module', async () => {
    const sw = await readFile(join(WWW, 'sw.js'), 'utf8');
    const listed = new Set([...sw.matchAll(/'([^']+)'/g)].map((m) => m[1]));
    const needed = ['index.html', 'style.css', 'main.js', 'worker.js', 'favicon.svg', 'sample/paumier-face.jpg',
      'pkg/skin_preview.js', 'pkg/skin_preview_bg.wasm'];
    for (const f of await readdir(join(WWW, 'app'))) if (f.endsWith('.js')) needed.push(`app/${f}`);
    const missing = needed.filter((f) => !listed.has(f));
    assert.deepEqual(missing, []);
  });

  it('finds no external URL in the page sources', async () => {
    const offenders = [];
    for await (const file of walk(WWW)) {
      const rel = relative(WWW, file);
      if (!/\.(html|js|mjs|css|svg)$/.test(rel) || rel.startsWith('pkg/')) continue;
      const text = await readFile(file, 'utf8');
      // The SVG namespace is a name, not something fetched.
      const urls = (text.match(/\b(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"'<>)]*/gi) ?? []).filter(
        (u) => !u.includes('www.w3.org/2000/svg'),
      );
      if (urls.length) offenders.push(`${rel}: ${urls.join(', ')}`);
    }
    assert.deepEqual(offenders, []);
  });
});
