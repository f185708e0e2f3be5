// Keeping a photo on this device, only when the person asks: one photo in IndexedDB,
// never sent anywhere, deleted by "Forget".

import { objectStore } from './idb.js';

const KEY = 'kept';
const run = objectStore('skin-preview', 'photo');

/** Stores { name, type, blob }. */
export function keepPhoto(photo) {
  return run('readwrite', (s) => s.put(photo, KEY));
}

/** The kept photo, or undefined. */
export async function keptPhoto() {
  try {
    return await run('readonly', (s) => s.get(KEY));
  } catch {
    return undefined;
  }
}

export function forgetPhoto() {
  return run('readwrite', (s) => s.delete(KEY));
}
