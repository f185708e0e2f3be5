// Shared set-up for the page tests: the static server in-process and headless Chromium
// through playwright-core (which never downloads a browser: we give it /usr/bin/chromium).

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../.ci/serve.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DATA = fileURLToPath(new URL('../data/', import.meta.url));
export const OUT = fileURLToPath(new URL('../out/', import.meta.url));

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Starts the server on a free port and launches Chromium (with `args` added to the usual
 * ones); returns { server, browser, close }.
 */
export async function launch({ args = [] } = {}) {
  const wasm = new URL('../../www/pkg/skin_preview_bg.wasm', import.meta.url);
  if (!existsSync(wasm)) {
    throw new Error('www/pkg is missing: build it first (`make test` or `make build` does).');
  }
  await mkdir(OUT, { recursive: true });
  const server = await startServer({ port: 0 });
  // chromium.launch() always starts from a fresh temporary --user-data-dir of its own
  // (and refuses one in args); it is deleted again on close.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...args] });
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * Watches a page for console errors, uncaught exceptions and requests that leave the
 * server's origin (data: and blob: URLs stay on the device and are allowed).
 */
export function watch(page, origin) {
  const problems = { consoleErrors: [], foreignRequests: [] };
  const onConsole = (where) => (msg) => {
    if (msg.type() === 'error') problems.consoleErrors.push(`${where}: ${msg.text()}`);
  };
  page.on('console', onConsole('page'));
  page.on('pageerror', (err) => problems.consoleErrors.push(`uncaught: ${err.message}`));
  page.on('worker', (worker) => worker.on('console', onConsole('worker')));
  page.context().on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    if (url.origin !== origin) problems.foreignRequests.push(request.url());
  });
  return problems;
}

/** Sets the page's state to a marker, runs `act`, waits until the page settles, and returns the state. */
export async function settle(page, act, timeout = 30_000) {
  await page.evaluate(() => {
    document.body.dataset.state = 'test-pending';
  });
  await act();
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), null, { timeout });
  return page.evaluate(() => document.body.dataset.state);
}
