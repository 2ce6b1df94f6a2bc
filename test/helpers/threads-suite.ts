// The kernels' side of threads (issue 16), run once per wasm build (test/threads-kernels*.test.ts): with the kernels
// allowed 1, 2 or 3 parts and a runner that runs the parts on this thread (in reverse order, so that no part relies on
// another having run first), training, predictBatch and the float32 predictor give the same bits as one part and as
// the js backend. A plain-loop reference pins the slice order: slices of SLICE rows, each slice's gradient summed
// over its rows, the slices' gradients summed in slice order.
import { afterEach, describe, expect, it } from 'vitest';
import { DenseNetwork, type DenseNetworkOptions, wasmSimd } from '../../src/index.js';
import { setParallelRunner, wasmModule } from '../../src/backend/index.js';
import { SLICE, TASK_FORWARD, TASK_GRADIENTS, TASK_GRADIENTS_STEP, TASK_PREDICT32, TASK_SLICES } from '../../src/header.js';
import { BackendError } from '../../src/errors.js';
import { derivative } from '../../src/math/activations.js';
import { mseGradient } from '../../src/math/losses.js';
import { expectSameBits } from './bits.js';
import { randomArray, rng } from './data.js';

const OPTIMIZERS: DenseNetworkOptions['optimizer'][] = [
  { type: 'sgd', learningRate: 0.05 },
  { type: 'momentum', learningRate: 0.02, nesterov: true, weightDecay: 1e-3 },
  { type: 'adam', learningRate: 0.01 },
  // Clipping needs the norm before any step: the gradient phase without steps, then the optimizer on its own.
  { type: 'rmsprop', learningRate: 0.01, clipNorm: 0.5 },
];
const BATCHES = [1, 16, 17, 32, 33, 100];
// Wide enough that each phase pays for 3 parts (assembly/parallel.ts MIN_PART_WORK).
const LAYERS = [64, 160, 33, 7];

/** Phase kind → the largest `parts` seen, recorded by the runner. */
let seen = new Map<number, number>();

function useParts(threads: number): void {
  const exports = wasmModule()!.exports;
  exports.setThreads(threads);
  setParallelRunner((kind, arena, count, parts) => {
    seen.set(kind, Math.max(seen.get(kind) ?? 0, parts));
    for (let part = parts - 1; part >= 0; part--) exports.task(kind, arena, count, part, parts);
  });
}

function data(seed: number, rows: number): { inputs: Float64Array; targets: Float64Array } {
  const random = rng(seed);
  const nOut = LAYERS.at(-1)!;
  const targets = new Float64Array(rows * nOut);
  for (let r = 0; r < rows; r++) targets[r * nOut + Math.floor(random() * nOut)] = 1;
  return { inputs: randomArray(random, rows * LAYERS[0]!, 2), targets };
}

const network = (backend: 'wasm' | 'js', optimizer: DenseNetworkOptions['optimizer']) =>
  new DenseNetwork({ layers: LAYERS, activation: 'relu', outputActivation: 'softmax', optimizer, seed: 7, backend });

/** Parameters after two fit epochs and then three trainStep calls of `batch` rows, and the losses on the way. */
function train(backend: 'wasm' | 'js', optimizer: DenseNetworkOptions['optimizer'], batch: number): { params: Float64Array; losses: number[] } {
  const net = network(backend, optimizer);
  const set = data(batch, Math.max(batch * 2 + 3, 40));
  const history = net.fit(set, { epochs: 2, batchSize: batch, shuffle: true });
  const losses = history.epochs.flatMap((e) => [e.loss, e.accuracy]);
  const step = data(1000 + batch, batch);
  for (let k = 0; k < 3; k++) losses.push(net.trainStep(step.inputs, step.targets, batch));
  const params = net.getParameters().slice();
  net.dispose();
  return { params, losses };
}

/** The whole suite, against the wasm build the loader chose, which must be `build`. */
export function threadsKernelsTests(build: 'SIMD' | 'plain'): void {
  describe(`kernels split into parts give the same bits, ${build} wasm build`, () => {
    afterEach(() => {
      wasmModule()!.exports.setThreads(1);
      setParallelRunner(null);
    });

    it(`runs on the ${build} wasm build`, () => {
      expect(wasmModule()).not.toBeNull();
      expect(wasmSimd()).toBe(build === 'SIMD');
    });

    for (const optimizer of OPTIMIZERS) {
      for (const batch of BATCHES) {
        it(`${JSON.stringify(optimizer)}, batch ${batch}: fit and trainStep give the same bits in 1, 2 and 3 parts and on js`, () => {
          const js = train('js', optimizer, batch);
          let one: { params: Float64Array; losses: number[] } | undefined;
          for (const threads of [1, 2, 3]) {
            seen = new Map();
            useParts(threads);
            const wasm = train('wasm', optimizer, batch);
            one ??= wasm;
            expectSameBits(wasm.params, js.params, `parameters, ${threads} parts against js`);
            expectSameBits(wasm.losses, one.losses, `losses and accuracies, ${threads} parts against 1`);
            // The js backend's loss takes ln from Math.log, the kernels from their own: the last bits may differ.
            wasm.losses.forEach((loss, k) => expect(Math.abs(loss - js.losses[k]!)).toBeLessThanOrEqual(1e-12 * Math.abs(loss)));
            const slices = Math.ceil(batch / SLICE);
            const expected = threads === 1 || slices === 1 ? 0 : Math.min(threads, slices);
            expect(seen.get(TASK_SLICES) ?? 0, 'parts of the slices phase').toBe(expected);
            const gradient = Math.max(seen.get(TASK_GRADIENTS) ?? 0, seen.get(TASK_GRADIENTS_STEP) ?? 0);
            expect(gradient > 1, 'the gradient phase split').toBe(expected > 1);
            expect(gradient).toBeLessThanOrEqual(threads);
          }
        });
      }
    }

    it('predictBatch gives the same bits in 1, 2 and 3 parts, for every row count up to 41, and on js', () => {
      const js = network('js', 'sgd');
      const wasm = network('wasm', 'sgd');
      const set = data(5, 41);
      for (const threads of [1, 2, 3]) {
        seen = new Map();
        useParts(threads);
        for (let rows = 1; rows <= 41; rows += rows < 8 ? 1 : 5) {
          const x = set.inputs.subarray(0, rows * LAYERS[0]!);
          expectSameBits(wasm.predictBatch(x, rows), js.predictBatch(x, rows), `${rows} rows, ${threads} parts`);
        }
        expect(seen.get(TASK_FORWARD) ?? 0).toBe(threads === 1 ? 0 : threads);
      }
    });

    it('predictBatch of a few rows of a wide network with narrow layers gives the same bits in 1, 2 and 3 parts (a part of one row takes the one-row path)', () => {
      const options: DenseNetworkOptions = { layers: [50000, 3, 2], activation: 'sigmoid', outputActivation: 'tanh', seed: 2 };
      const js = new DenseNetwork({ ...options, backend: 'js' });
      const wasm = new DenseNetwork({ ...options, backend: 'wasm' });
      const x = randomArray(rng(8), 5 * 50000, 0.05);
      for (const threads of [1, 2, 3]) {
        seen = new Map();
        useParts(threads);
        for (let rows = 1; rows <= 5; rows++) {
          const inputs = x.subarray(0, rows * 50000);
          expectSameBits(wasm.predictBatch(inputs, rows), js.predictBatch(inputs, rows), `${rows} rows, ${threads} parts`);
        }
        expect(seen.get(TASK_FORWARD) ?? 0).toBe(threads === 1 ? 0 : threads);
      }
    });

    it('the float32 predictor gives the same bits in 1, 2 and 3 parts and on js, and finds a non-finite input in any part', () => {
      const net = network('wasm', 'sgd');
      const set = data(6, 64);
      const js = DenseNetwork.fromJSON(net.toJSON(), { backend: 'js' }).toPredictor({ precision: 'float32' });
      const wasm = net.toPredictor({ precision: 'float32' });
      for (const threads of [1, 2, 3]) {
        seen = new Map();
        useParts(threads);
        for (const rows of [1, 3, 4, 5, 13, 21, 64]) {
          const x = set.inputs.subarray(0, rows * LAYERS[0]!);
          expectSameBits(wasm.predictBatch(x, rows), js.predictBatch(x, rows), `${rows} rows, ${threads} parts`);
        }
        const bad = set.inputs.slice();
        bad[50 * LAYERS[0]! + 3] = NaN;
        expect(() => wasm.predictBatch(bad, 64)).toThrow(/inputs\[3203\]/);
        expect(seen.get(TASK_PREDICT32) ?? 0).toBe(threads === 1 ? 0 : threads);
      }
    });

    it('an unknown task code is refused with a BackendError', () => {
      const net = network('wasm', 'sgd');
      const exports = wasmModule()!.exports;
      // Any arena: the dispatch refuses the code before reading it.
      expect(() => exports.task(99, 0, 1, 0, 1)).toThrow(BackendError);
      expect(() => exports.task(-1, 0, 1, 0, 1)).toThrow(/unknown task code/);
      net.dispose();
    });

    it('one SGD step on 40 rows sums the gradients of slices [0, 16), [16, 32), [32, 40) in that order', () => {
      const sizes = [5, 6, 3];
      const count = 40;
      const lr = 0.1;
      const random = rng(9);
      const inputs = randomArray(random, count * sizes[0]!, 2);
      const targets = randomArray(random, count * sizes[2]!, 1);
      for (const threads of [1, 3]) {
        useParts(threads);
        for (const backend of ['wasm', 'js'] as const) {
          const net = new DenseNetwork({
            layers: [{ size: 5 }, { size: 6, activation: 'relu' }, { size: 3, activation: 'identity' }],
            loss: 'mse', optimizer: { type: 'sgd', learningRate: lr }, seed: 3, backend,
          });
          const before = net.getParameters().slice();
          net.trainStep(inputs, targets, count);
          const sliced = referenceStep(before, sizes, inputs, targets, count, lr, SLICE);
          expectSameBits(net.getParameters(), sliced, `${backend} parameters after the step, ${threads} parts`);
          // The same step summed over all 40 rows at once is another number: the test tells the orders apart.
          const whole = referenceStep(before, sizes, inputs, targets, count, lr, count);
          expect(Array.from(whole).some((v, k) => !Object.is(v, sliced[k]))).toBe(true);
        }
      }
    });
  });
}

/** Σ w[k]·x[k] as the kernels sum it: even and odd terms in two sums, their sum, then the odd tail. */
function dot2(w: ArrayLike<number>, wi: number, x: ArrayLike<number>, xi: number, n: number): number {
  let s0 = 0, s1 = 0;
  for (let k = 0; k + 1 < n; k += 2) {
    s0 += w[wi + k]! * x[xi + k]!;
    s1 += w[wi + k + 1]! * x[xi + k + 1]!;
  }
  let s = s0 + s1;
  if (n & 1) s += w[wi + n - 1]! * x[xi + n - 1]!;
  return s;
}

/**
 * One SGD step of a relu / identity network with mse, written from the definitions: each row's forward pass and
 * deltas (dL/dz of row b, over the whole batch's count), then for each slice of `slice` rows Σ_b delta_b·x_b in row
 * order, the slices' sums added in slice order, and p - lr·g.
 */
function referenceStep(params: Float64Array, sizes: number[], inputs: Float64Array, targets: Float64Array, count: number, lr: number, slice: number): Float64Array {
  const [nIn, nHidden, nOut] = sizes as [number, number, number];
  const w1 = 0, b1 = nIn * nHidden, w2 = b1 + nHidden, b2 = w2 + nHidden * nOut;
  const hidden: number[][] = [], d1: number[][] = [], d2: number[][] = [];
  for (let b = 0; b < count; b++) {
    const h = Array.from({ length: nHidden }, (_, o) => Math.max(0, dot2(params, w1 + o * nIn, inputs, b * nIn, nIn) + params[b1 + o]!));
    const y = Array.from({ length: nOut }, (_, o) => dot2(params, w2 + o * nHidden, h, 0, nHidden) + params[b2 + o]!);
    const dOut = y.map((a, o) => mseGradient(a - targets[b * nOut + o]!, 1 / nOut) * derivative(a, 0, 0, 0) * (1 / count));
    const dHidden = h.map((a, k) => {
      let s = dOut[0]! * params[w2 + k]!;
      for (let o = 1; o < nOut; o++) s += dOut[o]! * params[w2 + o * nHidden + k]!;
      return s * derivative(a, 3, 0, 0);
    });
    hidden.push(h);
    d1.push(dHidden);
    d2.push(dOut);
  }
  const grads = new Float64Array(params.length);
  const layer = (w: number, bias: number, n: number, m: number, delta: number[][], x: (b: number, k: number) => number) => {
    for (let o = 0; o < m; o++) {
      for (let first = 0; first < count; first += slice) {
        const end = Math.min(count, first + slice);
        const row = new Float64Array(n);
        let sum = 0;
        for (let b = first; b < end; b++) {
          for (let k = 0; k < n; k++) row[k] = b === first ? delta[b]![o]! * x(b, k) : row[k]! + delta[b]![o]! * x(b, k);
          sum = b === first ? delta[b]![o]! : sum + delta[b]![o]!;
        }
        for (let k = 0; k < n; k++) grads[w + o * n + k] = first === 0 ? row[k]! : grads[w + o * n + k]! + row[k]!;
        grads[bias + o] = first === 0 ? sum : grads[bias + o]! + sum;
      }
    }
  };
  layer(w1, b1, nIn, nHidden, d1, (b, k) => inputs[b * nIn + k]!);
  layer(w2, b2, nHidden, nOut, d2, (b, k) => hidden[b]![k]!);
  return params.map((p, k) => p - lr * (1 * grads[k]! + 0 * p));
}
