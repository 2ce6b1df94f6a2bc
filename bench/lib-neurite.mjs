// neurite, from the built package (dist/), on its wasm and js backends.
import * as neurite from '../dist/index.js';
import { mse } from './lib-brain.mjs';

const { DenseNetwork, Network, LayerConfiguration, NeuriteError, ready } = neurite;

/** Sets the thread pool to `n` (rows of one thread reset it); refuses a threaded row where threads are not available. */
export async function useThreads(n) {
  await ready();
  if (typeof neurite.setThreads !== 'function') {
    if (n === 1) return;
    throw new Error('setThreads is not exported by dist/index.js');
  }
  const report = await neurite.setThreads(n);
  if (report.threads !== n) throw new Error(`${n} threads unavailable: ${report.reason ?? `got ${report.threads}`}`);
}

function dense(backend, layers, extra) {
  if (typeof DenseNetwork !== 'function') throw new Error('DenseNetwork is not exported by dist/index.js yet');
  return new DenseNetwork({ layers, seed: 1, backend, ...extra });
}

const mnistNetwork = (w, backend) => dense(backend, [
  { size: 784 }, { size: 128, activation: 'relu' }, { size: 10, activation: 'softmax' },
], { loss: 'crossEntropy', optimizer: { type: 'sgd', learningRate: w.learningRate ?? 0.01 } });

/** Rows `0..count` of `data` as neurite's row-major DenseData. */
const rows = (data, count) => ({ inputs: data.inputs.subarray(0, count * data.inputSize), targets: data.targets.subarray(0, count * data.outputSize) });

/** neurite's runners. */
export const neuriteLibrary = {
  name: 'neurite',
  backends: ['wasm', 'js'],
  prepare: () => useThreads(1),
  workloads: {
    xor(w, data, quick, backend) {
      let net;
      const set = Array.from({ length: 4 }, (_, k) => ({ input: data.input(k), output: data.target(k) }));
      return {
        perIteration: 1,
        beforeEach: () => {
          net?.dispose();
          net = dense(backend, w.sizes, { activation: 'sigmoid', loss: 'mse', optimizer: { type: 'sgd', learningRate: w.learningRate } });
        },
        run: () => net.fit(set, { epochs: w.epochs, batchSize: 1, shuffle: false }),
        check: () => `final MSE ${mse(set, (x) => net.predict(x)).toExponential(1)}`,
        dispose: () => net?.dispose(),
      };
    },
    'mlp-sgd'(w, data, quick, backend) {
      const net = mnistNetwork(w, backend);
      const set = rows(data, data.count);
      return { perIteration: data.count, run: () => net.fit(set, { epochs: 1, batchSize: 1, shuffle: false }), note: 'fit()', dispose: () => net.dispose() };
    },
    'mlp-batch'(w, data, quick, backend) {
      const net = mnistNetwork(w, backend);
      const set = rows(data, data.count);
      return { perIteration: data.count, run: () => net.fit(set, { epochs: 1, batchSize: 32, shuffle: false }), note: 'fit()', dispose: () => net.dispose() };
    },
    'infer-small'(w, data, quick, backend) {
      const net = dense(backend, w.sizes, { activation: 'sigmoid' });
      const inputs = Array.from({ length: 64 }, (_, k) => data.input(k));
      // The zero-allocation form, as a latency-bound loop would use it (predict itself returns a new array).
      const out = new Float64Array(net.outputSize);
      let sink = 0;
      return {
        perIteration: 1000,
        run: () => { for (let k = 0; k < 1000; k++) sink += net.predictInto(out, inputs[k & 63])[0]; },
        check: () => (Number.isFinite(sink) ? '' : 'non-finite output'),
        dispose: () => net.dispose(),
      };
    },
    'infer-batch'(w, data, quick, backend) {
      const net = mnistNetwork(w, backend);
      const out = new Float64Array(data.count * net.outputSize);
      return { perIteration: data.count, run: () => net.predictBatchInto(out, data.inputs, data.count), dispose: () => net.dispose() };
    },
    // The seed rule can blow up or hit a zero weight on random data: the network is then re-created and the event counted.
    seed(w, data, quick, backend) {
      const [input, hidden, output] = [0.5, 0.5, 0.5].map((weight, k) => new LayerConfiguration(weight, 0.1 * k, 64));
      const configuration = input.plus(hidden.times(2)).plus(output);
      const create = () => new Network(configuration, w.learningRate, { backend });
      let net = create();
      let restarts = 0;
      const samples = Array.from({ length: data.count }, (_, k) => [data.inputs.subarray(k * 64, k * 64 + 64), data.targets.subarray(k * 64, k * 64 + 64)]);
      return {
        perIteration: samples.length,
        run: () => {
          for (const [x, y] of samples) {
            net.process(x);
            try {
              net.update(y);
            } catch (error) {
              if (!(error instanceof NeuriteError)) throw error;
              restarts++;
              net.dispose();
              net = create();
            }
          }
        },
        check: () => (restarts ? `${restarts} re-creations after a seed-rule error` : ''),
        dispose: () => net.dispose(),
      };
    },
  },
};

/** A loop of `trainStep` over `batchSize`-row views made once, so the step itself is timed without fit()'s bookkeeping. */
function stepLoop(w, data, quick, backend) {
  const net = mnistNetwork(w, backend);
  const size = w.batchSize;
  const batches = Array.from({ length: data.count / size }, (_, b) => [
    data.inputs.subarray(b * size * 784, (b + 1) * size * 784), data.targets.subarray(b * size * 10, (b + 1) * size * 10),
  ]);
  return { perIteration: data.count, run: () => { for (const [x, y] of batches) net.trainStep(x, y, size); }, note: 'trainStep() loop', dispose: () => net.dispose() };
}

/** neurite's training workloads again, as a loop of `trainStep` calls instead of `fit`. */
export const neuriteStepLibrary = {
  name: 'neurite trainStep',
  backends: ['wasm', 'js'],
  prepare: neuriteLibrary.prepare,
  workloads: { 'mlp-sgd': stepLoop, 'mlp-batch': stepLoop },
};

/** neurite's batch workloads on the wasm backend with a pool of 2 threads (`setThreads(2)`). */
export const neuriteThreadsLibrary = {
  name: 'neurite 2 threads',
  backends: ['wasm'],
  prepare: () => useThreads(2),
  workloads: { 'mlp-batch': neuriteLibrary.workloads['mlp-batch'], 'infer-batch': neuriteLibrary.workloads['infer-batch'] },
};
