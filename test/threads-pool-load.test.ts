// Load: with the pool on, many networks of varied sizes are created, trained (fit, fitAsync interleaved), predicted
// with (predictBatch, float32 predictors) and disposed, while the workers write into the same memory. The results
// equal a single-thread run bit for bit, and the wasm heap returns to its baseline: no block is lost.
import { afterAll, describe, expect, it } from 'vitest';
import { wasmModule } from '../src/backend/wasm.js';
import { DenseNetwork, setThreads, type DenseNetworkOptions } from '../src/index.js';
import { threadRuns } from '../src/threads/pool.js';
import { randomArray, rng } from './helpers/data.js';

afterAll(async () => {
  await setThreads(1);
});

const SHAPES: DenseNetworkOptions[] = [
  { layers: [4, 16, 3], activation: 'tanh', outputActivation: 'softmax', loss: 'crossEntropy', optimizer: 'adam' },
  { layers: [20, 64, 32, 5], activation: 'relu', outputActivation: 'softmax', loss: 'crossEntropy', optimizer: { type: 'momentum', nesterov: true } },
  { layers: [8, 96, 2], activation: 'elu', outputActivation: 'sigmoid', loss: 'binaryCrossEntropy', optimizer: 'adam' },
  { layers: [12, 24, 24, 1], activation: 'leakyRelu', outputActivation: 'identity', optimizer: { type: 'sgd', learningRate: 0.01 } },
  { layers: [3, 5, 2], activation: 'sigmoid', optimizer: 'momentum' },
];

function dataFor(options: DenseNetworkOptions, rows: number, seed: number): { inputs: Float64Array; targets: Float64Array } {
  const layers = options.layers as number[];
  const r = rng(seed);
  const inputs = randomArray(r, rows * layers[0]!);
  const outputs = layers.at(-1)!;
  const targets = new Float64Array(rows * outputs);
  for (let k = 0; k < rows; k++) targets[k * outputs + Math.floor(r() * outputs)] = 1;
  return { inputs, targets };
}

// One round: networks made, trained and predicted with in an interleaved order; the numbers they leave, in order.
async function round(seed: number): Promise<Float64Array[]> {
  const results: Float64Array[] = [];
  const random = rng(seed);
  const nets = Array.from({ length: 12 }, (_, i) => {
    const options = SHAPES[i % SHAPES.length]!;
    return { options, net: new DenseNetwork({ ...options, seed: seed * 100 + i, backend: 'wasm' }), rows: 64 + Math.floor(random() * 600) };
  });
  // Half of them train at once with fitAsync (their batches interleave); the others with fit, one by one.
  const together = nets.slice(0, 6).map(({ options, net, rows }, i) => {
    const { inputs, targets } = dataFor(options, rows, seed + i);
    return net.fitAsync({ inputs, targets }, { epochs: 2, batchSize: 16 + 16 * i });
  });
  for (const [i, { options, net, rows }] of nets.slice(6).entries()) {
    const { inputs, targets } = dataFor(options, rows, seed + 50 + i);
    net.fit({ inputs, targets }, { epochs: 2, batchSize: 128 });
  }
  await Promise.all(together);
  for (const [i, { options, net, rows }] of nets.entries()) {
    const { inputs } = dataFor(options, rows * 2, seed + 90 + i);
    results.push(net.getParameters(), net.predictBatch(inputs, rows * 2));
    const predictor = net.toPredictor({ precision: 'float32' });
    results.push(Float64Array.from(predictor.predictBatch(Float32Array.from(inputs), rows * 2)));
    predictor.dispose();
    // Disposed in an order unlike creation's, so blocks are freed out of order.
    if (i % 2 === 1) nets[i - 1]!.net.dispose();
  }
  nets.forEach(({ net }, i) => i % 2 === 1 && net.dispose());
  return results;
}

// Where the heap's first free block starts, and whether all the rest of the memory is free in that one block:
// true only once every network is gone (a lost block would split it, and the probe would grow the memory).
function probe(): { first: number; whole: boolean } {
  const wasm = wasmModule()!;
  const memory = wasm.exports.memory;
  const size = memory.buffer.byteLength;
  const first = wasm.exports.alloc(16);
  wasm.exports.free(first);
  // TLSF looks for a large block in the size class above the request (up to 1/32 more): ask 1/16 short of the end.
  const ptr = wasm.exports.alloc(size - first - size / 16);
  wasm.exports.free(ptr);
  return { first, whole: ptr === first && memory.buffer.byteLength === size };
}

describe('many networks with the pool on', () => {
  it('give the single-thread bits and leave the heap as they found it', async () => {
    const wasm = wasmModule()!;
    await setThreads(1);
    const single = [await round(1), await round(2)];

    const baseline = probe();
    expect(baseline.whole, 'the heap is one free block before').toBe(true);
    expect(await setThreads(3)).toEqual({ threads: 3, requested: 3 });
    const before = threadRuns();
    const threaded = [await round(1), await round(2)];
    expect(threadRuns().every((n, i) => n > before[i]! + 10), 'every thread ran parts').toBe(true);
    expect(wasm.shared).toBe(true);

    expect(threaded.length).toBe(single.length);
    threaded.forEach((results, r) => {
      expect(results.length).toBe(single[r]!.length);
      results.forEach((values, i) => expect(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), `round ${r}, result ${i}`)
        .toEqual(new Uint8Array(single[r]![i]!.buffer, single[r]![i]!.byteOffset, single[r]![i]!.byteLength)));
    });

    // Every block was returned: the whole free memory is one block again, where it was.
    expect(probe()).toEqual(baseline);
  }, 240_000);
});
