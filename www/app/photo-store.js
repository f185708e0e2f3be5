// Keeping a photo on this device, only when the person asks: one photo in IndexedDB,
// never sent anywhere, deleted by "Forget".

const DB = 'skin-preview';
const STORE = 'photo';
const KEY = 'kept';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run(mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req?.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

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
