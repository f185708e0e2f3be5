// Follow-up visits kept on this device, only when the person asks: IndexedDB in this
// browser, never sent anywhere, each one deletable. A visit holds the follow-up photo
// (its file), its date, the weeks and plan it was held against, and the measured result.
// Its own database, so the one-photo store (photo-store.js) keeps its schema.

import { objectStore } from './idb.js';

const run = objectStore('skin-preview-visits', 'visits', { keyPath: 'id', autoIncrement: true });

/** Stores a visit ({ date, weeks, plan, result, photo: { name, type, blob } }); resolves to its id. */
export function keepVisit(visit) {
  return run('readwrite', (s) => s.add({ ...visit, keptAt: Date.now() }));
}

/** Every kept visit, oldest visit date first (none when storage is off). */
export async function keptVisits() {
  try {
    const all = (await run('readonly', (s) => s.getAll())) ?? [];
    return all.sort((a, b) => String(a.date).localeCompare(String(b.date)) || a.keptAt - b.keptAt);
  } catch {
    return [];
  }
}

/** Deletes one visit. */
export function forgetVisit(id) {
  return run('readwrite', (s) => s.delete(id));
}
