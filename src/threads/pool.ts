// The thread pool: workers that each hold an instance of the kernels over the one shared wasm memory. A kernel
// splits a phase into parts (env.parallel); the runner installed here hands parts 1.. to the workers through a
// control block of shared words, runs its own share on the calling thread and waits for the rest.
import { loadWasm, setParallelRunner, wasmFailure, wasmGlobals, type ParallelRunner, type WasmModule } from '../backend/wasm.js';
import { patchModule } from '../backend/wasm-patch.js';
import { BackendError, InvalidArgumentError, MemoryError } from '../errors.js';
import { describe, integer } from '../validate.js';
import { Control, ErrorCode, STOP, workerMain, type WorkerInit } from './worker.js';

/** What {@link setThreads} resolves to and {@link threadInfo} returns. */
export interface ThreadReport {
  /** Threads the wasm kernels may split work over now, the calling thread included (1: no pool). */
  threads: number;
  /** Threads asked for last (`'auto'` resolved to the core count). */
  requested: number;
  /** Why `threads` is less than `requested`, when it is. */
  reason?: string;
}

/** The most threads a pool may have (the control block keeps a counter per thread). */
export const MAX_THREADS = 256;

// Rounds the calling thread spins on the workers before it sleeps in Atomics.wait, and workers on the next phase.
const MAIN_SPIN = 20_000;
const WORKER_SPIN = 20_000;
// How long a worker may take to start before the pool gives up on it.
const START_TIMEOUT_MS = 30_000;

interface WorkerHandle {
  terminate(): unknown;
}

interface Pool {
  wasm: WasmModule;
  runner: ParallelRunner;
  control: Int32Array;
  workers: WorkerHandle[];
}

let report: ThreadReport = { threads: 1, requested: 1 };
let pool: Pool | null = null;
let queue: Promise<unknown> = Promise.resolve();
// The workers' copy of the module (no data segments), compiled once.
let workerModule: { wasm: WasmModule; module: WebAssembly.Module } | null = null;

/**
 * Sets how many threads the wasm kernels may use: `n` >= 1 (the calling thread included), or `'auto'` for
 * one per core. Resolves when the workers are running, with what was granted: `threads` is 1 and `reason`
 * says why when threads are unavailable (no SharedArrayBuffer, a page that is not cross-origin isolated, a
 * browser's main thread, workers that cannot start, no WebAssembly). `setThreads(1)` stops the workers.
 * Results are the same bits for any thread count. Networks created before the call use the pool too.
 */
export function setThreads(n: number | 'auto'): Promise<ThreadReport> {
  if (typeof n === 'string' && n !== 'auto') throw new InvalidArgumentError(`n must be an integer in [1, ${MAX_THREADS}] or 'auto', got ${describe(n)}`, 'n');
  const requested = n === 'auto' ? cores() : integer(n, 'n', 1, MAX_THREADS);
  const next = queue.then(() => apply(requested));
  queue = next.catch(() => {});
  return next;
}

/** The pool as it is now: the same report {@link setThreads} last resolved to. */
export function threadInfo(): ThreadReport {
  return { ...report };
}

function cores(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const count = nav?.hardwareConcurrency ?? nodeModule<{ availableParallelism?(): number; cpus(): unknown[] }>('os')?.availableParallelism?.();
  return Math.max(1, Math.min(MAX_THREADS, Math.floor(count ?? 1)));
}

function nodeModule<T>(name: string): T | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  try {
    return process?.getBuiltinModule?.(`node:${name}`) as T | undefined;
  } catch {
    return undefined;
  }
}

async function apply(requested: number): Promise<ThreadReport> {
  await stop();
  const reason = requested > 1 ? await start(requested) : undefined;
  report = reason ? { threads: 1, requested, reason } : { threads: requested, requested };
  return threadInfo();
}

async function stop(): Promise<void> {
  if (!pool) return;
  const { wasm, control, workers } = pool;
  pool = null;
  setParallelRunner(null);
  wasm.exports.setThreads(1);
  Atomics.store(control, Control.Kind, STOP);
  Atomics.add(control, Control.Generation, 1);
  Atomics.notify(control, Control.Generation);
  await Promise.all(workers.map((worker) => worker.terminate()));
}

// Whether this thread may block in Atomics.wait (a browser's main thread may not).
function canWait(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a pool of `threads` (the caller and threads - 1 workers); returns why it could not. */
async function start(threads: number): Promise<string | undefined> {
  const wasm = await loadWasm();
  if (!wasm) return `the wasm backend is unavailable, and the js backend runs on one thread: ${wasmFailure()}`;
  if (!wasm.shared) return `the WebAssembly memory is not shared: ${wasm.unshared}`;
  if (!canWait()) return 'this thread may not block in Atomics.wait (a browser\'s main thread): call setThreads from a worker';
  const control = new Int32Array(new SharedArrayBuffer(Control.Words * 4));
  control[Control.Spin] = WORKER_SPIN;
  const workers: WorkerHandle[] = [];
  try {
    const bytes = patchModule(wasm.source, { shared: true, worker: true }).bytes;
    if (workerModule?.wasm !== wasm) workerModule = { wasm, module: await WebAssembly.compile(bytes) };
    const module = workerModule.module;
    const globals = wasmGlobals(wasm);
    const started = Array.from({ length: threads - 1 }, (_, i) =>
      spawn({ module, memory: wasm.exports.memory, control: control.buffer as SharedArrayBuffer, globals, index: i + 1, threads }, bytes, workers));
    await Promise.all(started);
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.terminate()));
    return `workers could not be started: ${error instanceof Error ? error.message : String(error)}`;
  }
  pool = { wasm, control, workers, runner: runner(wasm, control, threads) };
  setParallelRunner(pool.runner);
  wasm.exports.setThreads(threads);
  return undefined;
}

interface NodeWorker {
  on(event: string, listener: (value: never) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}

// Starts one worker (worker_threads where the runtime has it, else a Web Worker) and resolves once it is ready.
function spawn(init: WorkerInit, bytes: Uint8Array, workers: WorkerHandle[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`a worker did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const settle = (message: { ready?: boolean; error?: string }): void => {
      clearTimeout(timer);
      if (message.ready) resolve();
      else reject(new Error(message.error ?? 'a worker failed to start'));
    };
    const threads = nodeModule<{ Worker: new (source: string, options: object) => NodeWorker }>('worker_threads');
    if (threads) {
      try {
        const source = `const t = process.getBuiltinModule('node:worker_threads'); (${workerMain.toString()})(t.workerData, (m) => t.parentPort.postMessage(m));`;
        const worker = new threads.Worker(source, { eval: true, workerData: init });
        workers.push(worker);
        worker.on('message', settle);
        worker.on('error', (error: Error) => settle({ error: error.message }));
        worker.on('exit', (code: number) => settle({ error: `a worker exited with code ${code}` }));
        // Workers never keep the process alive (they only run while the main thread waits for them); after the listeners, which ref.
        worker.unref();
        return;
      } catch (error) {
        // A runtime whose worker_threads refuses may still have Web Workers.
        if (typeof Worker !== 'function') {
          settle({ error: error instanceof Error ? error.message : String(error) });
          return;
        }
      }
    }
    if (typeof Worker !== 'function') {
      settle({ error: 'this environment has neither worker_threads nor Web Workers' });
      return;
    }
    const source = `self.onmessage = (e) => { self.onmessage = null; (${workerMain.toString()})(e.data, (m) => self.postMessage(m)); };`;
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new Worker(url, { type: 'module' });
    workers.push(worker);
    // Bun's Web Workers can be unref'd; browsers' and Deno's cannot (setThreads(1) stops them).
    (worker as { unref?(): void }).unref?.();
    worker.onmessage = (event) => {
      URL.revokeObjectURL(url);
      settle(event.data as { ready?: boolean; error?: string });
    };
    worker.onerror = (event) => settle({ error: event.message || 'a worker failed to load' });
    try {
      worker.postMessage(init);
    } catch {
      // Where a compiled module cannot be posted, the worker compiles the bytes itself.
      worker.postMessage({ ...init, module: undefined, bytes });
    }
  });
}

function runner(wasm: WasmModule, control: Int32Array, threads: number): ParallelRunner {
  const task = wasm.exports.task;
  return (kind, arena, count, parts) => {
    if (parts <= 1 || threads <= 1) {
      for (let part = 0; part < parts; part++) task(kind, arena, count, part, parts);
      return;
    }
    control[Control.Kind] = kind;
    control[Control.Arena] = arena;
    control[Control.Count] = count;
    control[Control.Parts] = parts;
    Atomics.store(control, Control.Done, 0);
    Atomics.add(control, Control.Generation, 1);
    Atomics.notify(control, Control.Generation);
    let failure: unknown = null;
    try {
      for (let part = 0; part < parts; part += threads) {
        task(kind, arena, count, part, parts);
        control[Control.Runs]!++;
      }
    } catch (error) {
      failure = error;
    }
    // Wait for the workers even when this thread failed: they are still writing into the arena.
    const busy = Math.min(threads - 1, parts - 1);
    for (let spin = MAIN_SPIN; ;) {
      const done = Atomics.load(control, Control.Done);
      if (done >= busy) break;
      if (spin > 0) spin--;
      else Atomics.wait(control, Control.Done, done);
    }
    if (Atomics.load(control, Control.Error) !== ErrorCode.None) {
      const error = workerFailure(control);
      if (!failure) throw error;
    }
    if (failure) throw failure;
  };
}

// The first failure a worker recorded, as the error class the serial path throws; the block is cleared for the next phase.
function workerFailure(control: Int32Array): Error {
  const code = control[Control.Error];
  const length = control[Control.MessageLength]!;
  let message = '';
  for (let i = 0; i < length; i++) message += String.fromCharCode((control[Control.Message + (i >> 1)]! >>> (i & 1 ? 16 : 0)) & 0xffff);
  control[Control.MessageLength] = 0;
  Atomics.store(control, Control.Error, ErrorCode.None);
  if (code === ErrorCode.Backend) return new BackendError(message);
  if (code === ErrorCode.Memory) return new MemoryError(message);
  if (code === ErrorCode.Runtime) return new WebAssembly.RuntimeError(message);
  return new Error(message);
}

/** The runner the pool installed, or null without a pool. @internal */
export function poolRunner(): ParallelRunner | null {
  return pool ? pool.runner : null;
}

/** Parts each thread of the pool has run (index 0: the calling thread); empty without a pool. @internal */
export function threadRuns(): number[] {
  if (!pool) return [];
  const threads = pool.workers.length + 1;
  return Array.from(pool.control.subarray(Control.Runs, Control.Runs + threads));
}
