// One IndexedDB object store, opened per transaction and closed after it: the small
// helper the photo and visit stores share.

/** A `run(mode, fn)` over store `name` of database `db`; `fn` gets the store, the result of its request resolves. */
export function objectStore(db, name, options = undefined) {
  function open() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(db, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(name, options);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return async function run(mode, fn) {
    const conn = await open();
    try {
      return await new Promise((resolve, reject) => {
        const tx = conn.transaction(name, mode);
        const req = fn(tx.objectStore(name));
        tx.oncomplete = () => resolve(req?.result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
    } finally {
      conn.close();
    }
  };
}
