// The thread pool: workers over the shared wasm memory run parts of a phase, report failures as the serial path's
// error classes, stop on setThreads(1) and never keep the process alive; where threads are unavailable the
// report says why. The parts are the kernels' own phases (TASK_* in src/header.ts), reached through public calls.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { wasmGlobals, wasmModule } from '../src/backend/wasm.js';
import { TASK_FORWARD } from '../src/header.js';
import { patchModule } from '../src/backend/wasm-patch.js';
import { BackendError, DenseNetwork, InvalidArgumentError, OutOfRangeError, setThreads, threadInfo } from '../src/index.js';
import { poolRunner, threadRuns } from '../src/threads/pool.js';
import { rng as rngFor } from './helpers/data.js';
import { expectError } from './helpers/errors.js';

const root = join(import.meta.dirname, '..');

afterAll(async () => {
  await setThreads(1);
});

// A batch that splits into parts (784-128-10 × 256 rows: far above a part's minimum work) and the js twin's outputs.
const BIG = { layers: [784, 128, 10], activation: 'relu', outputActivation: 'softmax', seed: 2 } as const;
const ROWS = 256;
const inputs = Float64Array.from({ length: ROWS * 784 }, rngFor(9));
const twin = new DenseNetwork({ ...BIG, backend: 'js' });
const reference = twin.predictBatch(inputs, ROWS);

/** predictBatch of a new wasm network of BIG's shape; its bits must equal the js twin's. */
function predictBig(): Float64Array {
  const net = new DenseNetwork({ ...BIG, backend: 'wasm' });
  try {
    return net.predictBatch(inputs, ROWS);
  } finally {
    net.dispose();
  }
}

const bits = (values: Float64Array) => new Uint8Array(values.buffer, values.byteOffset, values.byteLength);

describe('setThreads', () => {
  it('refuses a count that is not an integer in [1, 256] or \'auto\', naming n', () => {
    expectError(() => setThreads(0), OutOfRangeError, 'n');
    expectError(() => setThreads(257), OutOfRangeError, 'n');
    expectError(() => setThreads(1.5), OutOfRangeError, 'n');
    expectError(() => setThreads('all' as never), InvalidArgumentError, 'n');
  });

  it('starts a pool of the requested size in Node, where the memory is shared from the start', async () => {
    expect(wasmModule()!.shared).toBe(true);
    const report = await setThreads(3);
    expect(report).toEqual({ threads: 3, requested: 3 });
    expect(threadInfo()).toEqual(report);
    expect(threadRuns()).toEqual([0, 0, 0]);
  });

  it('\'auto\' asks for one thread per core', async () => {
    const { availableParallelism } = await import('node:os');
    const report = await setThreads('auto');
    expect(report.requested).toBe(availableParallelism());
    expect(report.threads).toBe(report.requested);
  });
});

describe('a worker\'s instance of the kernels', () => {
  const imports = (memory: WebAssembly.Memory) => ({ env: { memory, abort() { throw new Error('abort'); }, parallel() {} } });

  it('does not write the data segments again over live memory', () => {
    const wasm = wasmModule()!;
    const table = wasm.exports.expTable();
    const word = new Float64Array(wasm.exports.memory.buffer, table, 1);
    const original = word[0]!;
    word[0] = 12345;
    new WebAssembly.Instance(new WebAssembly.Module(patchModule(wasm.source, { shared: true, worker: true }).bytes), imports(wasm.exports.memory));
    expect(word[0], 'the worker copy left memory alone').toBe(12345);
    // The main copy (data segments kept) does write them: the check above can fail.
    new WebAssembly.Instance(new WebAssembly.Module(patchModule(wasm.source, { shared: true, worker: false }).bytes), imports(wasm.exports.memory));
    expect(word[0]).toBe(original);
  });

  it('adopts the main instance\'s globals (a worker never runs the start function), so its kernels give the same bits', () => {
    const wasm = wasmModule()!;
    const adopted = new WebAssembly.Instance(new WebAssembly.Module(patchModule(wasm.source, { shared: true, worker: true }).bytes), imports(wasm.exports.memory)).exports as Record<string, unknown>;
    const globals = wasmGlobals(wasm);
    expect(globals.length).toBeGreaterThan(0);
    for (const [name, value] of globals) (adopted[name] as WebAssembly.Global).value = value;
    expect(globals.map(([name]) => (adopted[name] as WebAssembly.Global).value)).toEqual(globals.map(([, value]) => value));
    const xs = [-3.25, -0.5, 0.125, 1, 2.5, 40, 700.5, -745.2];
    expect(xs.map(adopted.exp as (x: number) => number)).toEqual(xs.map(wasm.exports.exp));
  });
});

describe('parts of a phase', () => {
  it('run on the workers over the shared memory, and give the js twin\'s bits', async () => {
    await setThreads(3);
    const before = threadRuns();
    expect(bits(predictBig())).toEqual(bits(reference));
    const runs = threadRuns().map((n, i) => n - before[i]!);
    expect(runs.every((n) => n > 0), `parts per thread: ${runs}`).toBe(true);
  });

  it('see memory that grew after the pool started', async () => {
    await setThreads(2);
    const wasm = wasmModule()!;
    const bytes = wasm.exports.memory.buffer.byteLength;
    const big = wasm.exports.alloc(bytes + (16 << 20));
    expect(wasm.exports.memory.buffer.byteLength).toBeGreaterThan(bytes);
    const before = threadRuns();
    expect(bits(predictBig())).toEqual(bits(reference));
    expect(threadRuns()[1]).toBeGreaterThan(before[1]!);
    wasm.exports.free(big);
  });

  it('rethrow a worker\'s failure on the calling thread as the serial path\'s error class, and the pool keeps working', async () => {
    await setThreads(3);
    const run = poolRunner()!;
    // An unknown task code aborts in every part: BackendError, as the serial path throws.
    expect(() => run(12345, 0, 8, 3)).toThrow(BackendError);
    expect(() => run(12345, 0, 8, 3)).toThrow(/unknown task code/);
    // An arena beyond the memory: every part traps.
    expect(() => run(TASK_FORWARD, 2 ** 32 - 64, 300, 3)).toThrow(WebAssembly.RuntimeError);
    expect(bits(predictBig())).toEqual(bits(reference));
  });
});

describe('setThreads(1)', () => {
  it('stops the workers and restores the serial runner', async () => {
    const { Worker } = await import('node:worker_threads');
    const exited: number[] = [];
    class Watched extends Worker {
      constructor(...args: ConstructorParameters<typeof Worker>) {
        super(...args);
        this.on('exit', (code) => exited.push(code));
      }
    }
    const original = process.getBuiltinModule.bind(process);
    const spy = vi.spyOn(process, 'getBuiltinModule').mockImplementation(((id: string) => (id === 'node:worker_threads' ? { Worker: Watched } : original(id))) as typeof process.getBuiltinModule);
    try {
      await setThreads(1);
      expect(await setThreads(3)).toEqual({ threads: 3, requested: 3 });
      expect(exited).toEqual([]);
      expect(await setThreads(1)).toEqual({ threads: 1, requested: 1 });
      await vi.waitFor(() => expect(exited).toHaveLength(2));
      expect(poolRunner()).toBeNull();
      expect(threadRuns()).toEqual([]);
      // The serial default runs the module's parallel phases now.
      expect(bits(predictBig())).toEqual(bits(reference));
    } finally {
      spy.mockRestore();
    }
  });
});

describe('fallback to one thread, with the reason', () => {
  it('when workers cannot be created', async () => {
    const original = process.getBuiltinModule.bind(process);
    const spy = vi.spyOn(process, 'getBuiltinModule').mockImplementation(((id: string) => (id === 'node:worker_threads'
      ? { Worker: class { constructor() { throw new Error('no threads in this sandbox'); } } }
      : original(id))) as typeof process.getBuiltinModule);
    try {
      expect(await setThreads(2)).toEqual({ threads: 1, requested: 2, reason: 'workers could not be started: no threads in this sandbox' });
      expect(threadInfo()).toEqual({ threads: 1, requested: 2, reason: 'workers could not be started: no threads in this sandbox' });
      expect(poolRunner()).toBeNull();
    } finally {
      spy.mockRestore();
    }
  });

  it('when this thread may not block in Atomics.wait (a browser\'s main thread)', async () => {
    const spy = vi.spyOn(Atomics, 'wait').mockImplementation(() => {
      throw new TypeError('Atomics.wait cannot be called in this context');
    });
    try {
      const report = await setThreads(4);
      expect(report).toMatchObject({ threads: 1, requested: 4 });
      expect(report.reason).toMatch(/Atomics\.wait/);
    } finally {
      spy.mockRestore();
    }
  });

  for (const [name, setup, reason] of [
    ['without SharedArrayBuffer', () => vi.stubGlobal('SharedArrayBuffer', undefined), /not shared: SharedArrayBuffer is not available/],
    ['on a page that is not cross-origin isolated', () => vi.stubGlobal('crossOriginIsolated', false), /not shared: the page is not cross-origin isolated/],
    ['without WebAssembly (the js backend)', () => vi.stubGlobal('WebAssembly', undefined), /wasm backend is unavailable/],
  ] as const) {
    it(name, async () => {
      vi.resetModules();
      setup();
      try {
        const fresh = await import('../src/index.js');
        const freshWasm = await import('../src/backend/wasm.js');
        const report = await fresh.setThreads(2);
        expect(report).toMatchObject({ threads: 1, requested: 2 });
        expect(report.reason).toMatch(reason);
        // The network still works, with the same bits as the js twin.
        const options = { layers: [3, 5, 2], seed: 4 } as const;
        const net = new fresh.DenseNetwork(options);
        const twin = new fresh.DenseNetwork({ ...options, backend: 'js' });
        const x = [0.1, -0.2, 0.3];
        expect(net.predict(x)).toEqual(twin.predict(x));
        if (typeof WebAssembly === 'object') expect(freshWasm.wasmModule()!.shared).toBe(false);
      } finally {
        vi.unstubAllGlobals();
        vi.resetModules();
      }
    });
  }
});

describe('the process', () => {
  it('exits while the workers are alive (they are unref\'d)', () => {
    const dist = join(root, 'dist', 'index.js');
    if (!existsSync(dist)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
    const script = `
      const m = await import(${JSON.stringify(dist)});
      const report = await m.setThreads(2);
      const net = new m.DenseNetwork({ layers: [2, 4, 1], seed: 1 });
      console.log(JSON.stringify({ report, out: Array.from(net.predict([0.5, -0.5])) }));`;
    const start = Date.now();
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(JSON.parse(output).report).toEqual({ threads: 2, requested: 2 });
    expect(Date.now() - start).toBeLessThan(20_000);
  });
});

describe('kernels\' phases on the pool', () => {
  it('predictBatch and fit run parts on the workers and give the same bits for 1, 2 and 3 threads', async () => {
    const r = rngFor(5);
    const inputs = Float64Array.from({ length: 784 * 512 }, r);
    const targets = new Float64Array(10 * 512);
    for (let i = 0; i < 512; i++) targets[i * 10 + (i % 10)] = 1;
    const results: Float64Array[][] = [];
    for (const threads of [1, 2, 3]) {
      expect((await setThreads(threads)).threads).toBe(threads);
      const net = new DenseNetwork({ layers: [784, 128, 10], activation: 'relu', outputActivation: 'softmax', loss: 'crossEntropy', optimizer: 'adam', seed: 3 });
      const before = threadRuns();
      net.fit({ inputs, targets }, { epochs: 2, batchSize: 256, shuffle: false });
      results.push([net.getParameters(), net.predictBatch(inputs, 512)]);
      if (threads > 1) expect(threadRuns().slice(1).every((n, i) => n > before[i + 1]!), 'every worker ran parts').toBe(true);
      net.dispose();
    }
    for (const other of results.slice(1)) {
      other.forEach((values, i) => expect(new Uint8Array(values.buffer)).toEqual(new Uint8Array(results[0]![i]!.buffer)));
    }
  }, 120_000);
});
