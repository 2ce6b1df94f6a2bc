// Loads the AssemblyScript kernels. The .wasm bytes are inlined in the JS build, so there is no
// file to locate in Node, bundlers, CDNs or workers. SIMD build where supported, plain build otherwise.
import simdBytes from '../../build/neurite.simd.wasm';
import plainBytes from '../../build/neurite.wasm';
import { BackendError, MemoryError } from '../errors.js';
import { Arena, Heap } from './arena.js';
import type { Kernels } from './kernels.js';
import { specializedEpochs } from './specialized.js';
import { MAX_PAGES } from './wasm-encoder.js';
import { GLOBAL_EXPORT_PREFIX, patchModule } from './wasm-patch.js';

/** The exports of assembly/index.ts (pointers are byte addresses in `memory`). */
export interface WasmExports {
  memory: WebAssembly.Memory;
  /** The module's start function (asc --exportStart): the main instance runs it once, a worker's never. */
  _start(): void;
  alloc(bytes: number): number;
  free(ptr: number): void;
  forwardSeed(arena: number, first: number, end: number, inputCount: number): void;
  updateSeed(arena: number, first: number, end: number, learningRate: number): number;
  forwardDense(arena: number, count: number): void;
  trainDense(arena: number, count: number): number;
  evaluateDense(arena: number, count: number): number;
  trainEpochsDense(arena: number, rows: number, batchSize: number, epochs: number, threshold: number): number;
  findNonFinite(arena: number, index: number, n: number): number;
  predict32(arena: number, count: number): number;
  forwardRecurrent(arena: number, count: number, steps: number): void;
  trainRecurrent(arena: number, count: number, steps: number): number;
  evaluateRecurrent(arena: number, count: number, steps: number): number;
  forecastRecurrent(arena: number, prime: number, horizon: number): void;
  exp(x: number): number;
  expTable(): number;
  /** Part `part` of `parts` of parallel phase `kind` (TASK_* in src/header.ts) of the kernel call in progress on `arena`. */
  task(kind: number, arena: number, count: number, part: number, parts: number): void;
  /** How many parts the kernels may split a phase into (1: never, and `env.parallel` is never called). */
  setThreads(n: number): void;
}

/**
 * Runs parts 0..parts-1 of parallel phase `kind` (each as `exports.task(kind, arena, count, part, parts)`, exactly
 * once, on any thread sharing the memory) and returns when all are done and their writes are visible.
 */
export type ParallelRunner = (kind: number, arena: number, count: number, parts: number) => void;

// The module's instance, for the serial runner (set by instantiate: there is one per realm).
let mainExports: WasmExports | null = null;

const serialRunner: ParallelRunner = (kind, arena, count, parts) => {
  for (let part = 0; part < parts; part++) mainExports!.task(kind, arena, count, part, parts);
};

let runner: ParallelRunner = serialRunner;

/** Installs the runner of parallel phases (the worker pool's); `null` restores the default, every part in order on the calling thread. */
export function setParallelRunner(next: ParallelRunner | null): void {
  runner = next ?? serialRunner;
}

/** The loaded module: its exports, a heap over its memory and whether it is the SIMD build. */
export interface WasmModule {
  exports: WasmExports;
  heap: Heap;
  simd: boolean;
  /** Whether the memory is a shared WebAssembly.Memory, which worker threads can run kernels over. */
  shared: boolean;
  /** Why the memory is not shared (absent when it is). */
  unshared?: string;
  /** The variant's bytes as built, from which the pool makes its workers' copy. */
  source: Uint8Array;
}

/** The values of the module's mutable globals (exported as `~g<index>`), for a worker's instance to adopt. */
export function wasmGlobals(wasm: WasmModule): [string, unknown][] {
  const exports = wasm.exports as unknown as Record<string, unknown>;
  return Object.keys(exports).filter((name) => name.startsWith(GLOBAL_EXPORT_PREFIX)).map((name) => [name, (exports[name] as WebAssembly.Global).value]);
}

// A minimal module using v128 (i8x16.popcnt): valid only where WebAssembly SIMD is supported.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

let loaded: WasmModule | null = null;
let loading: Promise<WasmModule | null> | null = null;
let failure: unknown = null;

function supportsSimd(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

// How the kernels' refusals of an unknown kind code begin ("unknown activation code", src/math/ and assembly/).
const UNKNOWN_CODE = 'unknown ';

/** Why this environment gives no shared memory, or undefined when it may. */
export function sharingRefused(): string | undefined {
  // Browsers withhold SharedArrayBuffer from pages that are not cross-origin isolated: name the cause first.
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
    return 'the page is not cross-origin isolated (serve it with the COOP and COEP headers)';
  }
  if (typeof SharedArrayBuffer !== 'function') return 'SharedArrayBuffer is not available';
  return undefined;
}

interface Prepared {
  bytes: Uint8Array<ArrayBuffer>;
  memory: WebAssembly.Memory;
  simd: boolean;
  unshared?: string;
}

// The memory is created here and imported: shared from the start where allowed, so threads can start any time later.
function prepare(simd: boolean): Prepared {
  const source = simd ? simdBytes : plainBytes;
  let unshared = sharingRefused();
  if (!unshared) {
    const { bytes, initialPages } = patchModule(source, { shared: true, worker: false });
    try {
      return { bytes, simd, memory: new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES, shared: true }) };
    } catch (error) {
      unshared = `a shared WebAssembly.Memory could not be created: ${String(error)}`;
    }
  }
  const { bytes, initialPages } = patchModule(source, { shared: false, worker: false });
  return { bytes, simd, unshared, memory: new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES }) };
}

function instantiate(compiled: WebAssembly.Module, { simd, memory, unshared }: Prepared): WasmModule {
  let exports: WasmExports;
  const readString = (ptr: number): string => {
    if (!ptr) return '';
    const bytes = new Uint32Array(exports.memory.buffer)[(ptr - 4) >>> 2]!;
    return String.fromCharCode(...new Uint16Array(exports.memory.buffer, ptr, bytes >>> 1));
  };
  const imports = {
    env: {
      memory,
      // The allocator aborts when memory runs out; a kernel aborts on a kind code it does not know (a corrupt arena).
      abort(message: number, file: number, line: number, column: number): never {
        const text = `WebAssembly kernel aborted: ${readString(message)} (${readString(file)}:${line}:${column})`;
        throw readString(message).startsWith(UNKNOWN_CODE) ? new BackendError(text) : new MemoryError(text);
      },
      // A kernel that split a phase into parts (setThreads > 1) has them run.
      parallel(kind: number, arena: number, count: number, parts: number): void {
        runner(kind, arena, count, parts);
      },
    },
  };
  exports = new WebAssembly.Instance(compiled, imports).exports as unknown as WasmExports;
  mainExports = exports;
  exports._start();
  const wasm: WasmModule = { exports, heap: new Heap(memory), simd, shared: !unshared, source: simd ? simdBytes : plainBytes };
  if (unshared) wasm.unshared = unshared;
  return wasm;
}

/**
 * The wasm module, compiled synchronously on first use where the platform allows
 * (Node, workers); `null` until `ready()` resolves where it does not (browser main thread).
 */
export function wasmModule(): WasmModule | null {
  if (loaded || failure || typeof WebAssembly !== 'object') return loaded;
  try {
    const prepared = prepare(supportsSimd());
    loaded = instantiate(new WebAssembly.Module(prepared.bytes), prepared);
  } catch (error) {
    // Browsers refuse synchronous compiles of large modules on the main thread: ready() compiles async.
    if (!(error instanceof globalThis.RangeError)) failure = error;
  }
  return loaded;
}

/** Compiles the wasm module asynchronously if needed; resolves when it is usable (or known unusable). */
export function loadWasm(): Promise<WasmModule | null> {
  if (loaded || failure || typeof WebAssembly !== 'object') return Promise.resolve(loaded);
  loading ??= (async () => {
    try {
      const prepared = prepare(supportsSimd());
      loaded = instantiate(await WebAssembly.compile(prepared.bytes), prepared);
    } catch (error) {
      failure = error;
    }
    return loaded;
  })();
  return loading;
}

/** Why the wasm module is unusable, for error messages. */
export function wasmFailure(): string {
  if (typeof WebAssembly !== 'object') return 'WebAssembly is not available in this environment';
  if (failure) return `WebAssembly failed to load: ${String(failure)}`;
  return 'the WebAssembly module is still compiling: await ready() first';
}

const WASM_MAX_BYTES = 2 ** 32;

/** Allocates an arena in wasm memory, or throws MemoryError when it cannot fit. */
export function allocateWasm(wasm: WasmModule, bytes: number): number {
  if (bytes + wasm.heap.byteLength > WASM_MAX_BYTES) {
    throw new MemoryError(`cannot allocate ${bytes} bytes: WebAssembly memory is limited to 4 GiB (${wasm.heap.byteLength} bytes in use)`);
  }
  try {
    const ptr = wasm.exports.alloc(bytes);
    // Allocation is the only thing that grows wasm memory, and a shared memory's views do not notice by themselves.
    wasm.heap.grown();
    // Arena offsets are signed i32 on the JS side (base >> 2, base >> 3): a block must end below 2 GiB.
    if (ptr <= 0 || ptr + bytes > 2 ** 31) {
      if (ptr !== 0) wasm.exports.free(ptr);
      throw new MemoryError(`cannot allocate ${bytes} bytes: arenas must lie in the first 2 GiB of WebAssembly memory, and no free block there is large enough`);
    }
    return ptr;
  } catch (error) {
    if (error instanceof MemoryError) throw error;
    throw new MemoryError(`cannot allocate ${bytes} bytes of WebAssembly memory: ${String(error)}`);
  }
}

/** The wasm kernel table: each entry forwards the arena's address to the exported kernel. */
export function wasmKernels(wasm: WasmModule): Kernels {
  const x = wasm.exports;
  return {
    forwardSeed: (arena: Arena, first: number, end: number, inputCount: number) => x.forwardSeed(arena.base, first, end, inputCount),
    updateSeed: (arena: Arena, first: number, end: number, rate: number) => x.updateSeed(arena.base, first, end, rate),
    forwardDense: (arena: Arena, count: number) => x.forwardDense(arena.base, count),
    trainDense: (arena: Arena, count: number) => x.trainDense(arena.base, count),
    evaluateDense: (arena: Arena, count: number) => x.evaluateDense(arena.base, count),
    // Small per-sample SGD and momentum networks run a kernel generated for their shape (specialized.ts); the same bits.
    trainEpochsDense: (arena: Arena, rows: number, batchSize: number, epochs: number, threshold: number) =>
      (specializedEpochs(wasm, arena, rows, batchSize, epochs) ?? x.trainEpochsDense)(arena.base, rows, batchSize, epochs, threshold),
    findNonFinite: (arena: Arena, index: number, n: number) => x.findNonFinite(arena.base, index, n),
    predict32: (arena: Arena, count: number) => x.predict32(arena.base, count),
    forwardRecurrent: (arena: Arena, count: number, steps: number) => x.forwardRecurrent(arena.base, count, steps),
    trainRecurrent: (arena: Arena, count: number, steps: number) => x.trainRecurrent(arena.base, count, steps),
    evaluateRecurrent: (arena: Arena, count: number, steps: number) => x.evaluateRecurrent(arena.base, count, steps),
    forecastRecurrent: (arena: Arena, prime: number, horizon: number) => x.forecastRecurrent(arena.base, prime, horizon),
  };
}

