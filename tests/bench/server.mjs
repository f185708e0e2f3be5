// Static server for the benchmark: www/ with the same headers as .ci/serve.mjs, except
// that bench.html's CSP also allows 'unsafe-eval' (OpenCV.js's embind glue needs it) and
// connect-src data: (OpenCV.js fetches its embedded .wasm from a data: URL), and
// bench/vendor/opencv.js is served from node_modules/@techstark/opencv-js (same origin,
// nothing from a CDN). index.html and everything else get the app's exact CSP.

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CSP, HEADERS, MIME, resolveFile } from '../../.ci/serve.mjs';

const ROOT = fileURLToPath(new URL('../../www/', import.meta.url));
export const OPENCV_JS = fileURLToPath(
  new URL('../../node_modules/@techstark/opencv-js/dist/opencv.js', import.meta.url),
);
export const BENCH_CSP = CSP.replace("'wasm-unsafe-eval'", "'wasm-unsafe-eval' 'unsafe-eval'").replace(
  "connect-src 'self'",
  "connect-src 'self' data:",
);

/** Starts the bench server on a free port: { url, close() }. */
export async function startBenchServer() {
  const root = await realpath(ROOT);
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const file = pathname === '/bench/vendor/opencv.js' ? OPENCV_JS : (await resolveFile(root, pathname))?.file;
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return res.end('404 Not Found\n');
    }
    const csp = pathname === '/bench.html' ? BENCH_CSP : CSP;
    res.writeHead(200, {
      ...HEADERS,
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': csp,
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
