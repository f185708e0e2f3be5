// Static server for the benchmark: www/ with the same headers as .ci/serve.mjs, except
// that bench.html's CSP also allows 'unsafe-eval' (OpenCV.js's embind glue needs it) and
// connect-src data: (OpenCV.js fetches its embedded .wasm from a data: URL), and
// bench/vendor/opencv.js is served from node_modules/@techstark/opencv-js (same origin,
// nothing from a CDN). index.html and everything else get the app's exact CSP.

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CSP } from '../../.ci/serve.mjs';

const ROOT = fileURLToPath(new URL('../../www/', import.meta.url));
export const OPENCV_JS = fileURLToPath(
  new URL('../../node_modules/@techstark/opencv-js/dist/opencv.js', import.meta.url),
);
export const BENCH_CSP = CSP.replace("'wasm-unsafe-eval'", "'wasm-unsafe-eval' 'unsafe-eval'").replace(
  "connect-src 'self'",
  "connect-src 'self' data:",
);

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
};

async function resolveFile(root, pathname) {
  if (pathname === '/bench/vendor/opencv.js') return OPENCV_JS;
  let p;
  try {
    p = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  const segs = p.split('/').filter(Boolean);
  if (segs.some((s) => s.startsWith('.')) || p.includes('\0')) return null;
  let file = resolve(root, ...segs);
  if (file !== root && !file.startsWith(root + sep)) return null;
  try {
    if ((await stat(file)).isDirectory()) file = resolve(file, 'index.html');
    const real = await realpath(file);
    if (!real.startsWith(root)) return null;
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}

/** Starts the bench server on a free port: { url, close() }. */
export async function startBenchServer() {
  const root = await realpath(ROOT);
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const file = await resolveFile(root, pathname);
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return res.end('404 Not Found\n');
    }
    const csp = pathname === '/bench.html' ? BENCH_CSP : CSP;
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-cache',
    });
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return {
    url,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}
