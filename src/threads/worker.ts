// The worker's side of the pool. `workerMain` is turned into source text (Function.prototype.toString), so it
// must not refer to anything outside itself: the package ships no worker file to locate.

/** Words of the control block (an Int32Array over a SharedArrayBuffer) that the main thread and the workers share. */
export const Control = {
  /** Bumped by the main thread for each phase (and to stop); workers wait on it. */
  Generation: 0,
  Kind: 1,
  Arena: 2,
  Count: 3,
  Parts: 4,
  /** Workers that finished the phase; the main thread waits on it. */
  Done: 5,
  /** 0, or the first failure's class (an ErrorCode). */
  Error: 6,
  /** UTF-16 code units of the failure's message, two per word from word `Message`. */
  MessageLength: 7,
  /** Workers spin this many rounds for the next phase before they sleep in Atomics.wait. */
  Spin: 8,
  /** Parts each thread has run, at word Runs + its index (the main thread is 0): evidence for tests. */
  Runs: 16,
  Message: 272,
  Words: 784,
} as const;

/** How a worker's failure is rethrown: as the error class the serial path would have thrown. */
export const ErrorCode = { None: 0, Backend: 1, Memory: 2, Runtime: 3, Other: 4 } as const;

/** The kind value that tells the workers to return. */
export const STOP = -1;

/** What a worker gets: the module (or its bytes where a Module cannot be posted), the memory and the control block. */
export interface WorkerInit {
  module?: WebAssembly.Module;
  bytes?: Uint8Array;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  globals: [string, unknown][];
  /** This worker's index, 1 .. threads-1 (the main thread runs index 0). */
  index: number;
  threads: number;
}

/**
 * Instantiates the kernels over the shared memory (no start function, no data segments: the main instance
 * did both), takes the main instance's globals, reports ready, then runs parts `index`, `index + threads`, ...
 * of every phase until told to stop. Failures are written to the control block for the main thread. Written
 * without classes, async, spread or destructuring, which a bundler transpiling for old engines would turn into
 * calls of helpers that the worker's copy of this text does not have.
 */
export function workerMain(init: WorkerInit, post: (message: unknown) => void): void {
  // Values of Control and ErrorCode, repeated: this function is shipped as text and sees no imports.
  const GENERATION = 0, KIND = 1, ARENA = 2, COUNT = 3, PARTS = 4, DONE = 5, ERROR = 6, LENGTH = 7, SPIN = 8, RUNS = 16, MESSAGE = 272;
  const BACKEND = 1, MEMORY = 2, RUNTIME = 3, OTHER = 4, MAX_MESSAGE = 1024;
  type Exports = Record<string, unknown> & { task(kind: number, arena: number, count: number, part: number, parts: number): void };
  let exports: Exports;
  const control = new Int32Array(init.control);
  const memory = init.memory;
  const readString = (ptr: number): string => {
    if (!ptr) return '';
    const length = new Uint32Array(memory.buffer)[(ptr - 4) >>> 2]!;
    return String.fromCharCode.apply(null, new Uint16Array(memory.buffer, ptr, length >>> 1) as unknown as number[]);
  };
  const imports = {
    env: {
      memory,
      abort(message: number, file: number, line: number, column: number): never {
        const error = new Error('WebAssembly kernel aborted: ' + readString(message) + ' (' + readString(file) + ':' + line + ':' + column + ')');
        (error as Error & { neuriteCode?: number }).neuriteCode = readString(message).indexOf('unknown ') === 0 ? BACKEND : MEMORY;
        throw error;
      },
      // A part never splits further; if one asked, its parts run here in order.
      parallel(kind: number, arena: number, count: number, parts: number): void {
        for (let part = 0; part < parts; part++) exports.task(kind, arena, count, part, parts);
      },
    },
  };
  const fail = (error: unknown): void => {
    const marked = (error as { neuriteCode?: unknown } | null)?.neuriteCode;
    const code = typeof marked === 'number' ? marked : error instanceof WebAssembly.RuntimeError ? RUNTIME : OTHER;
    if (Atomics.compareExchange(control, ERROR, 0, code) !== 0) return;
    const text = String(error instanceof Error ? error.message : error).slice(0, MAX_MESSAGE);
    for (let i = 0; i < text.length; i++) control[MESSAGE + (i >> 1)] = i & 1 ? control[MESSAGE + (i >> 1)]! | (text.charCodeAt(i) << 16) : text.charCodeAt(i);
    Atomics.store(control, LENGTH, text.length);
  };
  const serve = (instance: WebAssembly.Instance): void => {
    exports = instance.exports as Exports;
    for (let g = 0; g < init.globals.length; g++) (exports[init.globals[g]![0]] as WebAssembly.Global).value = init.globals[g]![1];
    let seen = Atomics.load(control, GENERATION);
    post({ ready: true });
    for (;;) {
      for (let spin = Atomics.load(control, SPIN); spin > 0 && Atomics.load(control, GENERATION) === seen; spin--);
      Atomics.wait(control, GENERATION, seen);
      seen = Atomics.load(control, GENERATION);
      const kind = control[KIND]!, parts = control[PARTS]!, threads = init.threads;
      if (kind === -1) return;
      if (init.index >= parts) continue;
      for (let part = init.index; part < parts; part += threads) {
        try {
          exports.task(kind, control[ARENA]!, control[COUNT]!, part, parts);
          Atomics.add(control, RUNS + init.index, 1);
        } catch (error) {
          fail(error);
        }
      }
      Atomics.add(control, DONE, 1);
      Atomics.notify(control, DONE);
    }
  };
  (init.module ? Promise.resolve(init.module) : WebAssembly.compile(init.bytes as Uint8Array<ArrayBuffer>))
    .then((module) => WebAssembly.instantiate(module, imports))
    .then(serve)
    .catch((error: unknown) => post({ error: String(error) }));
}
