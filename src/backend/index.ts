// Backend choice and arena allocation. 'wasm' runs the AssemblyScript kernels, 'js' their twins.
import { BackendError, MemoryError } from '../errors.js';
import { oneOf } from '../validate.js';
import { Arena, Heap } from './arena.js';
import { jsKernels } from './js/index.js';
import type { Kernels } from './kernels.js';
import { allocateWasm, loadWasm, wasmFailure, wasmKernels, wasmModule } from './wasm.js';

export { setParallelRunner, type ParallelRunner, type WasmExports, type WasmModule, wasmModule, loadWasm } from './wasm.js';

/** Names accepted by {@link setBackend} and the `{ backend }` option. */
export type BackendName = 'wasm' | 'js';
const BACKEND_NAMES: readonly BackendName[] = ['wasm', 'js'];

/** A place to run kernels: where arenas live and which implementation runs over them. */
export interface Backend {
  readonly name: BackendName;
  readonly kernels: Kernels;
  /** A zeroed arena of `bytes` bytes. */
  allocate(bytes: number): Arena;
  /** Returns an arena's memory; the arena must not be used afterwards. */
  release(arena: Arena): void;
}

// An ArrayBuffer can hold at most this much in V8; larger networks are refused up front.
const JS_MAX_BYTES = 2 ** 32;

const jsBackend: Backend = {
  name: 'js',
  kernels: jsKernels,
  allocate(bytes) {
    if (bytes > JS_MAX_BYTES) throw new MemoryError(`cannot allocate ${bytes} bytes: the js backend holds at most 4 GiB per network`);
    let buffer: ArrayBuffer;
    try {
      buffer = new ArrayBuffer(bytes);
    } catch (error) {
      throw new MemoryError(`cannot allocate ${bytes} bytes: ${String(error)}`);
    }
    return new Arena(jsBackend, new Heap({ buffer }), 0, bytes);
  },
  release() {},
};

let wasmBackendCache: Backend | null = null;

function wasmBackend(): Backend | null {
  if (wasmBackendCache) return wasmBackendCache;
  const wasm = wasmModule();
  if (!wasm) return null;
  const backend: Backend = {
    name: 'wasm',
    kernels: wasmKernels(wasm),
    allocate: (bytes) => new Arena(backend, wasm.heap, allocateWasm(wasm, bytes), bytes),
    release: (arena) => wasm.exports.free(arena.base),
  };
  wasmBackendCache = backend;
  return backend;
}

let preferred: BackendName = 'wasm';

/**
 * Chooses the backend for objects created from now on. `'wasm'` throws
 * {@link BackendError} where WebAssembly is unavailable; in a browser before
 * `await ready()` it is accepted and the js path serves until the module is compiled.
 */
export function setBackend(name: BackendName): void {
  oneOf(name, 'name', BACKEND_NAMES);
  if (name === 'wasm' && !wasmBackend() && typeof WebAssembly !== 'object') throw new BackendError(wasmFailure(), 'name');
  preferred = name;
}

/** The backend new objects get now: `'wasm'` when chosen and loaded, else `'js'`. */
export function getBackend(): BackendName {
  return preferred === 'wasm' && wasmBackend() ? 'wasm' : 'js';
}

/** Whether the loaded wasm module is the SIMD build (false when wasm is not loaded). */
export function wasmSimd(): boolean {
  return wasmModule()?.simd ?? false;
}

/**
 * Resolves once the wasm backend is usable. Needed only in browsers (Node compiles
 * synchronously at first use); resolves too where WebAssembly is missing, and then
 * `getBackend()` says `'js'`.
 */
export async function ready(): Promise<void> {
  await loadWasm();
}

/** The backend for a new object: the one named in its options, else the current default. */
export function resolveBackend(name: BackendName | undefined, argument = 'options.backend'): Backend {
  if (name === undefined) return getBackend() === 'wasm' ? wasmBackend()! : jsBackend;
  oneOf(name, argument, BACKEND_NAMES);
  if (name === 'js') return jsBackend;
  const backend = wasmBackend();
  if (!backend) throw new BackendError(`${argument} is 'wasm' but ${wasmFailure()}`, argument);
  return backend;
}

// Frees the wasm arenas of objects that were garbage-collected without dispose().
const forgotten = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<Arena>((arena) => arena.backend.release(arena))
  : null;

/** Registers `owner` so that its arena is freed when it is garbage-collected. */
export function track(owner: object, arena: Arena): void {
  forgotten?.register(owner, arena, owner);
}

/** Frees `arena` now and forgets the registration made by {@link track}. */
export function untrack(owner: object, arena: Arena): void {
  forgotten?.unregister(owner);
  arena.backend.release(arena);
}

export { Arena };
