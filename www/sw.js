// Offline support: precaches the page on the first visit, then answers from the network
// when it is there (so a rebuilt page is picked up) and from the cache when it is not.
// Same-origin GET requests only; nothing is ever sent anywhere.

const CACHE = 'skin-preview-v4';
const PRECACHE = [
  './',
  'index.html',
  'style.css',
  'main.js',
  'worker.js',
  'favicon.svg',
  'app/analysis-view.js',
  'app/area-labels.js',
  'app/camera.js',
  'app/canvas-view.js',
  'app/compare-view.js',
  'app/engine-client.js',
  'app/export.js',
  'app/followup-view.js',
  'app/mask-editor.js',
  'app/photo-sources.js',
  'app/idb.js',
  'app/photo-store.js',
  'app/plan-view.js',
  'app/scores-view.js',
  'app/status-view.js',
  'app/visit-store.js',
  'app/zones-view.js',
  'pkg/skin_preview.js',
  'pkg/skin_preview_bg.wasm',
  'sample/paumier-face.jpg',
];
// The face models: precached too, but the page works without them (colour mask only).
const OPTIONAL = ['models/face_detection_short_range.tflite', 'models/face_landmark.tflite'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE).then(() => cache.addAll(OPTIONAL).catch(() => {})))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const response = await fetch(request);
        if (response.ok) cache.put(request, response.clone());
        return response;
      } catch (err) {
        const cached = await cache.match(request, { ignoreSearch: true });
        if (cached) return cached;
        throw err;
      }
    })(),
  );
});
