#!/usr/bin/env node
// Tiny static server for www/: the page needs no backend, only correct MIME types
// (`application/wasm` for streaming compilation) and the same strict CSP as the page.
//
//   node .ci/serve.mjs [--port 8080] [--host 127.0.0.1] [--root www]
//
// Also imported in-process by tests/e2e (startServer).

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Must stay identical to the `<meta http-equiv="Content-Security-Policy">` in www/index.html. */
export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
  "img-src 'self' blob: data:; style-src 'self'; connect-src 'self'; object-src 'none'; " +
  "base-uri 'none'; form-action 'none'";

/** Content types by file extension (shared with tests/bench/server.mjs). */
export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Response headers for every file (shared with tests/bench/server.mjs). */
export const HEADERS = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  // camera=(self): the page's own "Use this computer's camera" (nothing else may ask).
  'Permissions-Policy': 'camera=(self), microphone=(), geolocation=(), interest-cohort=()',
  // A development server: always revalidate so a rebuilt www/pkg is picked up.
  'Cache-Control': 'no-cache',
};

const DEFAULT_ROOT = fileURLToPath(new URL('../www/', import.meta.url));

function send(res, status, text, method) {
  const body = `${status} ${text}\n`;
  res.writeHead(status, {
    ...HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(method === 'HEAD' ? undefined : body);
}

/** Maps a URL path to { file, size } under root, or null if it is not servable. */
export async function resolveFile(root, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  const segments = path.split('/').filter((s) => s !== '');
  // No dot-files, no "..": nothing outside www/ and nothing hidden inside it.
  if (segments.some((s) => s.startsWith('.'))) return null;
  let file = resolve(root, ...segments);
  if (file !== root && !file.startsWith(root + sep)) return null;
  let info;
  try {
    info = await stat(file);
    if (info.isDirectory()) {
      // Directories serve their index.html and are never listed.
      file = join(file, 'index.html');
      info = await stat(file);
    }
    if (!info.isFile()) return null;
    // Symlinks must not lead out of root either.
    const real = await realpath(file);
    if (real !== root && !real.startsWith(root + sep)) return null;
    return { file: real, size: info.size };
  } catch {
    return null;
  }
}

/**
 * Starts the server. Resolves to { server, port, url, close() } once listening.
 * port 0 picks a free port.
 */
export async function startServer({ root = DEFAULT_ROOT, port = 8080, host = '127.0.0.1' } = {}) {
  const realRoot = await realpath(root);
  const server = createServer(async (req, res) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'Method Not Allowed', method);
    }
    let pathname;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      return send(res, 400, 'Bad Request', method);
    }
    const found = await resolveFile(realRoot, pathname);
    if (!found) return send(res, 404, 'Not Found', method);
    const type = MIME[extname(found.file).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, { ...HEADERS, 'Content-Type': type, 'Content-Length': found.size });
    if (method === 'HEAD') return res.end();
    const stream = createReadStream(found.file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const actual = server.address().port;
  const url = `http://${host}:${actual}/`;
  const close = () =>
    new Promise((ok) => {
      server.closeAllConnections?.();
      server.close(() => ok());
    });
  return { server, port: actual, url, close };
}

function parseArgs(argv) {
  const opts = { port: Number(process.env.PORT ?? 8080), host: '127.0.0.1', root: DEFAULT_ROOT };
  for (let i = 0; i < argv.length; i++) {
    const [key, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (key === '--port') opts.port = Number(value());
    else if (key === '--host') opts.host = value();
    else if (key === '--root') opts.root = resolve(value());
    else {
      console.error(`usage: node .ci/serve.mjs [--port N] [--host H] [--root DIR]`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    console.error(`serve: bad port ${opts.port}`);
    process.exit(2);
  }
  return opts;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const opts = parseArgs(process.argv.slice(2));
  try {
    const { url, close } = await startServer(opts);
    console.log(`skin-preview is running at ${url} (Ctrl+C to stop)`);
    const stop = () => close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (err) {
    if (err.code === 'EADDRINUSE') {
      console.error(`serve: port ${opts.port} is in use; try: make serve PORT=8081`);
    } else {
      console.error(`serve: ${err.message}`);
    }
    process.exit(1);
  }
}
