// Promise-based requests to the engine worker (www/worker.js), matched by request id.
//
// If the worker itself dies (a crash the worker could not catch), every pending request
// is rejected and a fresh worker is started for the next request.
//
// After a WebAssembly trap the worker re-initialises the module at once, so queued
// requests still work. The trapped instance cannot be freed inside that worker (the old
// glue module keeps it alive), so once the worker is idle it is replaced by a new one:
// a trap never leaks more than one instance's memory, and only until the next request.

export class EngineError extends Error {
  constructor({ name, code, message, detail, fault, recovered }) {
    super(message);
    this.name = 'EngineError';
    /** The original error's name: "Error" for the engine's typed refusals. */
    this.kind = name;
    /** A stable code for programs: "unsupported-format", "too-large", "corrupt", … */
    this.code = code ?? (fault ? 'internal' : 'refused');
    this.detail = detail;
    /** True for a trap or an unexpected failure, false for a refused photo. */
    this.fault = Boolean(fault);
    /** True when the worker re-initialised the module after the fault. */
    this.recovered = Boolean(recovered);
  }
}

export class EngineClient {
  #url;
  #worker = null;
  #nextId = 1;
  #pending = new Map();
  #retire = false;

  constructor(url) {
    this.#url = url;
  }

  /** Sends one request; resolves with its result or rejects with an EngineError. */
  request(type, payload = {}, transfer = []) {
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      try {
        worker.postMessage({ id, type, ...payload }, transfer);
      } catch (err) {
        this.#pending.delete(id);
        reject(err);
      }
    });
  }

  #ensureWorker() {
    if (this.#worker && this.#retire && this.#pending.size === 0) {
      this.#worker.terminate();
      this.#worker = null;
    }
    if (this.#worker) return this.#worker;
    this.#retire = false;
    const worker = new Worker(this.#url, { type: 'module', name: 'skin-preview-engine' });
    worker.addEventListener('message', (event) => this.#onMessage(event.data));
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.#onCrash(event.message || 'The analyser stopped unexpectedly.');
    });
    worker.addEventListener('messageerror', () => this.#onCrash('A message from the analyser was unreadable.'));
    this.#worker = worker;
    return worker;
  }

  #onMessage({ id, ok, result, error }) {
    const waiter = this.#pending.get(id);
    if (!waiter) {
      // A reply nobody waits for any more: release what it carries.
      result?.bitmap?.close?.();
      return;
    }
    this.#pending.delete(id);
    if (ok) {
      waiter.resolve(result);
    } else {
      // A fault (trap or unexpected failure), as opposed to a refusal of a bad photo.
      if (error.fault) this.#retire = true;
      waiter.reject(new EngineError(error));
    }
  }

  #onCrash(detail) {
    this.#worker?.terminate();
    this.#worker = null;
    const error = new EngineError({
      name: 'WorkerError',
      code: 'internal',
      message: 'The analyser stopped unexpectedly. It will restart with the next photo; please try again.',
      detail,
      fault: true,
      recovered: false,
    });
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
  }
}
