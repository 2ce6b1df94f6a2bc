// Memory on the wasm backend: dispose()/using free arenas, a FinalizationRegistry frees forgotten networks,
// 10,000 create/dispose cycles keep WebAssembly memory flat, absurd sizes are refused with typed errors,
// and many networks share one instance without touching each other's numbers.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { allocateWasm, type WasmModule, wasmModule } from '../src/backend/wasm.js';
import {
  ConfigurationError, DenseNetwork, type DenseNetworkOptions, MemoryError, Network, NeuriteError, OutOfRangeError, StateError,
} from '../src/index.js';
import { rng } from './helpers/data.js';
import { expectSameBits } from './helpers/bits.js';

// A gc() for this process only (the same as node --expose-gc).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const wasmBytes = () => wasmModule()!.exports.memory.buffer.byteLength;
const MiB = 2 ** 20;

const randomArray = (random: () => number, n: number) => Float64Array.from({ length: n }, () => 2 * random() - 1);

describe('dispose', () => {
  it('a disposed network throws StateError on every use (fitAsync rejects with it); dispose twice is harmless', async () => {
    const net = new DenseNetwork({ layers: [2, 3, 1], seed: 1, backend: 'wasm' });
    net.dispose();
    net.dispose();
    const uses: [string, () => unknown][] = [
      ['predict', () => net.predict([1, 2])],
      ['predictBatch', () => net.predictBatch([1, 2], 1)],
      ['trainStep', () => net.trainStep([1, 2], [1])],
      ['fit', () => net.fit([{ input: [1, 2], output: [1] }])],
      ['evaluate', () => net.evaluate([{ input: [1, 2], output: [1] }])],
      ['getParameters', () => net.getParameters()],
      ['setParameters', () => net.setParameters(new Float64Array(13))],
      ['lastGradients', () => net.lastGradients()],
      ['toJSON', () => net.toJSON()],
      ['learningRate', () => { net.learningRate = 0.1; }],
      ['layers[1].weights', () => net.layers[1]!.weights],
    ];
    for (const [name, use] of uses) expect(use, name).toThrow(StateError);
    let sync: unknown;
    let promise: Promise<unknown> | undefined;
    try {
      promise = net.fitAsync([{ input: [1, 2], output: [1] }]);
    } catch (error) {
      sync = error;
    }
    expect(sync, 'fitAsync must not throw synchronously').toBeUndefined();
    await expect(promise).rejects.toThrow(StateError);
  });

  it('`using` disposes at the end of the block (Symbol.dispose)', () => {
    let escaped: DenseNetwork;
    {
      using net = new DenseNetwork({ layers: [2, 3, 1], seed: 1, backend: 'wasm' });
      escaped = net;
      expect(net.predict([0, 1]).length).toBe(1);
    }
    expect(() => escaped.predict([0, 1])).toThrow(StateError);
    expect(typeof DenseNetwork.prototype[Symbol.dispose]).toBe('function');
  });

  it('10,000 networks created, trained, grown and disposed keep WebAssembly memory flat', () => {
    const random = rng(1);
    const cycle = (i: number) => {
      const net = new DenseNetwork({ layers: [20, 20, 20, 5], seed: i, backend: 'wasm' });
      net.trainStep(randomArray(random, 20 * 4), randomArray(random, 5 * 4), 4);
      // A bigger batch grows the arena: the old block must be freed too.
      if (i % 10 === 0) net.predictBatch(randomArray(random, 20 * 64), 64);
      net.dispose();
    };
    for (let i = 0; i < 200; i++) cycle(i);
    const before = wasmBytes();
    for (let i = 200; i < 10_000; i++) cycle(i);
    // Each network holds ~25 KB; without freeing, 10,000 would take ~250 MB.
    expect(wasmBytes() - before).toBeLessThanOrEqual(MiB);
  });

  it('seed Networks are freed by dispose too', () => {
    const layers = [{ weight: 0.5, bias: 0.1, size: 200 }, { weight: 0.3, bias: 0.2, size: 200 }];
    for (let i = 0; i < 100; i++) new Network(layers, 0.1, { backend: 'wasm' }).dispose();
    const before = wasmBytes();
    for (let i = 0; i < 5000; i++) {
      const net = new Network(layers, 0.1, { backend: 'wasm' });
      net.process(new Array(200).fill(0.5));
      net.dispose();
    }
    expect(wasmBytes() - before).toBeLessThanOrEqual(MiB);
  });

  it('kept networks do grow memory (so the measurement above can fail)', () => {
    const before = wasmBytes();
    const kept = Array.from({ length: 400 }, (_, i) => new DenseNetwork({ layers: [64, 64, 64, 8], seed: i, backend: 'wasm' }));
    expect(wasmBytes() - before).toBeGreaterThan(30 * MiB);
    kept.forEach((n) => n.dispose());
  });
});

describe('forgotten networks', () => {
  it('are freed by the FinalizationRegistry after garbage collection', async () => {
    const make = (i: number) => {
      // ~170 KB each, never disposed, immediately unreachable.
      const net = new DenseNetwork({ layers: [64, 64, 64, 8], seed: i, backend: 'wasm' });
      net.predict(new Float64Array(64));
      new Network([{ weight: 0.5, bias: 0.1, size: 500 }, { weight: 0.3, bias: 0.2, size: 500 }], 0.1, { backend: 'wasm' });
    };
    const settle = async () => {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 0));
    };
    for (let i = 0; i < 50; i++) make(i);
    await settle();
    const before = wasmBytes();
    for (let i = 0; i < 3000; i++) {
      make(i);
      if (i % 50 === 49) await settle();
    }
    await settle();
    // 3000 × ~200 KB ≈ 600 MB if nothing were freed.
    expect(wasmBytes() - before).toBeLessThan(64 * MiB);
  });
});

describe('absurd sizes', () => {
  it.each(['js', 'wasm'] as const)('%s: a layer of 2^31 neurons or a network over the 2 GiB arena limit throws a typed error, fast', (backend) => {
    const cases: [DenseNetworkOptions['layers'], typeof NeuriteError][] = [
      [[2 ** 31, 1], OutOfRangeError],
      [[1, 2 ** 31], OutOfRangeError],
      [[2 ** 24, 2 ** 24], MemoryError],
      [[20000, 20000], MemoryError],
      [[4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 1], MemoryError],
      [[1.5, 2], OutOfRangeError],
      [[], ConfigurationError],
    ];
    for (const [layers, kind] of cases) {
      const start = performance.now();
      expect(() => new DenseNetwork({ layers, backend }), JSON.stringify(layers)).toThrow(kind);
      expect(performance.now() - start, JSON.stringify(layers)).toBeLessThan(2000);
    }
  });

  it('wasm: a network larger than the allocator can place (1.5 GiB) throws MemoryError, and the instance keeps working', () => {
    const before = wasmBytes();
    expect(() => new DenseNetwork({ layers: [7000, 7000], backend: 'wasm' })).toThrow(MemoryError);
    expect(wasmBytes() - before).toBeLessThan(64 * MiB);
    const nets = (['wasm', 'js'] as const).map((backend) => new DenseNetwork({ layers: [5, 7, 2], seed: 3, backend }));
    const random = rng(2);
    for (let s = 0; s < 20; s++) {
      const x = randomArray(random, 15);
      const y = randomArray(random, 6);
      nets.forEach((n) => n.trainStep(x, y, 3));
    }
    expectSameBits(nets[0]!.getParameters(), nets[1]!.getParameters(), 'wasm vs js after the failed allocation');
  });

  it('an arena placed past 2 GiB of wasm memory is refused with MemoryError and its block freed (arena offsets are signed 32-bit)', () => {
    const free = vi.fn();
    const fake = (ptr: number) => ({ exports: { alloc: () => ptr, free }, heap: { byteLength: 3 * 2 ** 30, grown() {} } }) as unknown as WasmModule;
    // alloc's i32 result: an address past 2 GiB comes back negative.
    expect(() => allocateWasm(fake(-2147483632), 1024)).toThrow(MemoryError);
    expect(free).toHaveBeenCalledWith(-2147483632);
    expect(() => allocateWasm(fake(2 ** 31 - 512), 1024)).toThrow(MemoryError);
    expect(free).toHaveBeenCalledTimes(2);
    expect(allocateWasm(fake(2 ** 31 - 1024), 1024)).toBe(2 ** 31 - 1024);
  });
});

describe('many networks in one instance', () => {
  it('interleaved training (with arenas growing mid-way) gives the same weights as training each alone', () => {
    const configs: DenseNetworkOptions[] = [
      { layers: [4, 9, 3], activation: 'tanh', outputActivation: 'softmax', optimizer: 'adam' },
      { layers: [7, 5, 5, 1], activation: 'relu', outputActivation: 'sigmoid', loss: 'binaryCrossEntropy', optimizer: 'momentum' },
      { layers: [3, 16, 2], activation: 'elu', outputActivation: 'identity', optimizer: { type: 'sgd', learningRate: 0.05 } },
      { layers: [10, 10], activation: 'sigmoid', optimizer: { type: 'adam', clipNorm: 1 } },
      { layers: [1, 2, 3, 4, 5], activation: 'leakyRelu', outputActivation: 'identity', optimizer: { type: 'momentum', nesterov: true } },
    ];
    // A schedule of (network, batch rows) with rows rising over time, so arenas grow while the others live.
    const random = rng(7);
    const schedule = Array.from({ length: 300 }, (_, i) => ({ n: i % configs.length, rows: 1 + Math.floor(random() * (2 + i / 4)), seed: i }));
    const batchFor = (net: DenseNetwork, rows: number, seed: number) => {
      const r = rng(seed);
      const inputs = randomArray(r, rows * net.inputSize);
      const targets = new Float64Array(rows * net.outputSize);
      for (let k = 0; k < rows; k++) targets[k * net.outputSize + Math.floor(r() * net.outputSize)] = 1;
      return { inputs, targets };
    };
    const together = configs.map((c, i) => new DenseNetwork({ ...c, seed: i, backend: 'wasm' }));
    // Strangers allocated and freed in between, so blocks are reused at other addresses.
    const strangers: DenseNetwork[] = [];
    for (const { n, rows, seed } of schedule) {
      const { inputs, targets } = batchFor(together[n]!, rows, seed);
      together[n]!.trainStep(inputs, targets, rows);
      if (seed % 7 === 0) strangers.push(new DenseNetwork({ layers: [30, 30, 30], seed, backend: 'wasm' }));
      if (seed % 11 === 0) strangers.shift()?.dispose();
    }
    configs.forEach((c, i) => {
      const alone = new DenseNetwork({ ...c, seed: i, backend: 'wasm' });
      for (const { n, rows, seed } of schedule) {
        if (n !== i) continue;
        const { inputs, targets } = batchFor(alone, rows, seed);
        alone.trainStep(inputs, targets, rows);
      }
      expectSameBits(together[i]!.getParameters(), alone.getParameters(), `network ${i}`);
      const probe = randomArray(rng(99), 5 * alone.inputSize);
      expectSameBits(together[i]!.predictBatch(probe, 5), alone.predictBatch(probe, 5), `network ${i} predictions`);
      alone.dispose();
    });
    together.forEach((n) => n.dispose());
    strangers.forEach((n) => n.dispose());
  });
});

describe('networks sharing memory at run time', () => {
  it('concurrent fitAsync runs of several networks (interleaved on the event loop) equal sequential fit runs', async () => {
    const random = rng(3);
    const configs: DenseNetworkOptions[] = [
      { layers: [6, 12, 2], activation: 'relu', outputActivation: 'softmax' },
      { layers: [6, 5, 5, 1], activation: 'tanh', outputActivation: 'identity', optimizer: 'momentum' },
      { layers: [6, 30, 3], activation: 'elu', outputActivation: 'sigmoid', loss: 'binaryCrossEntropy' },
    ];
    const sets = configs.map((c) => {
      const out = (c.layers.at(-1) as number);
      // Softmax with crossEntropy takes one-hot rows; the others take 0/1 targets.
      const targets = new Float64Array(20000 * out);
      for (let r = 0; r < 20000; r++) {
        if (c.outputActivation === 'softmax') targets[r * out + Math.floor(random() * out)] = 1;
        else for (let k = 0; k < out; k++) targets[r * out + k] = random() < 0.5 ? 0 : 1;
      }
      return { inputs: randomArray(random, 20000 * 6), targets };
    });
    const together = configs.map((c, i) => new DenseNetwork({ ...c, seed: i, backend: 'wasm' }));
    // Batches of 1-3 rows: each run spans many event-loop turns, so the three interleave.
    const order: number[] = [];
    const histories = await Promise.all(together.map((n, i) => n.fitAsync(sets[i]!, { epochs: 3, batchSize: 1 + i, validationSplit: 0.1, onEpoch: () => { order.push(i); } })));
    // They did interleave: some network finished an epoch between two epochs of another.
    expect(order.some((net, k) => order.indexOf(net) < k - 1 && order[k - 1] !== net)).toBe(true);
    configs.forEach((c, i) => {
      const alone = new DenseNetwork({ ...c, seed: i, backend: 'wasm' });
      const history = alone.fit(sets[i]!, { epochs: 3, batchSize: 1 + i, validationSplit: 0.1, onEpoch: () => {} });
      expect(histories[i]).toEqual(history);
      expectSameBits(together[i]!.getParameters(), alone.getParameters(), `network ${i}`);
    });
  });

  it('a live view of wasm memory (a layer\'s weights) fed to a network whose arena grows (moving the memory) gives the same results as a copy', () => {
    const rows = 4000;
    // [rows, 16]'s weights are rows × 16 numbers of wasm memory: rows of 16 inputs for the networks below.
    const a = new DenseNetwork({ layers: [rows, 16], seed: 1, backend: 'wasm' });
    // A hidden layer wide enough that a step on `rows` rows needs more than the whole memory: staging them must grow it.
    const hidden = Math.ceil(wasmBytes() / (16 * rows)) + 1;
    const shape = { layers: [16, hidden, 1], activation: 'relu' as const, seed: 2, backend: 'wasm' as const };
    const [b, c, d, e] = [0, 1, 2, 3].map(() => new DenseNetwork(shape));
    const view = a.layers[1]!.weights;
    const copy = view.slice();
    // predictBatch grows an arena by at most one chunk of rows (32 MiB), which may fit the free memory.
    expectSameBits(b.predictBatch(view, rows), c.predictBatch(copy, rows), 'predictBatch from a live view');
    const targets = new Float64Array(rows).fill(0.5);
    const view2 = a.layers[1]!.weights;
    const before = wasmBytes();
    d.trainStep(view2, targets, rows);
    // The memory grew: an unshared memory's view is detached now, a shared one's still reads the old bytes.
    expect(wasmBytes(), 'the memory grew: the scenario happened').toBeGreaterThan(before);
    if (!wasmModule()!.shared) expect(view2.length, 'the view was detached').toBe(0);
    e.trainStep(copy, targets, rows);
    expectSameBits(d.getParameters(), e.getParameters(), 'trainStep from a live view');
    [a, b, c, d, e].forEach((n) => n.dispose());
  });
});

describe('predict\'s staging row', () => {
  it('predict stages each input afresh after its own arena moves and after another network grows wasm memory', () => {
    const a = new DenseNetwork({ layers: [4, 8, 2], seed: 1, backend: 'wasm' });
    const reference = new DenseNetwork({ layers: [4, 8, 2], seed: 1, backend: 'js' });
    const random = rng(9);
    const check = (label: string) => {
      const input = Array.from(randomArray(random, 4));
      expectSameBits(a.predict(input).slice(), reference.predict(input), label);
    };
    check('first predict');
    // 5000 rows do not fit a's arena: it is re-allocated elsewhere.
    a.predictBatch(randomArray(random, 5000 * 4), 5000);
    check('after its arena moved');
    const big = new DenseNetwork({ layers: [784, 512, 10], seed: 3, backend: 'wasm' });
    big.predictBatch(randomArray(random, 3000 * 784), 3000);
    check('after wasm memory grew');
    big.dispose();
  });
});

describe('dispose while training', () => {
  it('disposing a network during its fitAsync rejects the run with StateError; the network that reuses its memory is untouched', async () => {
    const data = { inputs: randomArray(rng(6), 20000 * 4), targets: Float64Array.from({ length: 20000 }, (_, i) => i % 2) };
    const net = new DenseNetwork({ layers: [4, 8, 1], seed: 1, backend: 'wasm' });
    let successor: DenseNetwork | undefined;
    const run = net.fitAsync(data, { epochs: 5, batchSize: 1 });
    setTimeout(() => {
      net.dispose();
      // Same size: the freed block is the natural place for it.
      successor = new DenseNetwork({ layers: [4, 8, 1], seed: 2, backend: 'wasm' });
    }, 20);
    await expect(run).rejects.toBeInstanceOf(StateError);
    const twin = new DenseNetwork({ layers: [4, 8, 1], seed: 2, backend: 'wasm' });
    expect(successor).toBeDefined();
    expectSameBits(successor!.getParameters(), twin.getParameters(), 'the successor network');
  });
});
