// neurite's float32 predictor (`net.toPredictor()`), from the built package, on the inference workloads.
import * as neurite from '../dist/index.js';
import { useThreads } from './lib-neurite.mjs';

const { DenseNetwork } = neurite;

const network = (w, backend, hidden, output, loss) => new DenseNetwork({ layers: w.sizes, activation: hidden, outputActivation: output, loss, seed: 1, backend });

/** The float32 predictor of the same networks as neurite's own rows; float32 inputs, float32 outputs. */
export const predictorLibrary = {
  name: 'neurite float32',
  backends: ['wasm', 'js'],
  prepare: () => useThreads(1),
  workloads: {
    'infer-small'(w, data, quick, backend) {
      const net = network(w, backend, 'sigmoid', 'sigmoid', 'mse');
      const predictor = net.toPredictor();
      net.dispose();
      // Plain arrays, as neurite's float64 row reads them.
      const inputs = Array.from({ length: 64 }, (_, k) => data.input(k));
      const out = new Float32Array(predictor.outputSize);
      let sink = 0;
      return {
        perIteration: 1000,
        run: () => { for (let k = 0; k < 1000; k++) sink += predictor.predictInto(out, inputs[k & 63])[0]; },
        check: () => (Number.isFinite(sink) ? '' : 'non-finite output'),
        note: 'toPredictor(), predictInto',
        dispose: () => predictor.dispose(),
      };
    },
    'infer-batch'(w, data, quick, backend) {
      const net = network(w, backend, 'relu', 'softmax', 'crossEntropy');
      const predictor = net.toPredictor();
      net.dispose();
      const pixels = Float32Array.from(data.inputs);
      const out = new Float32Array(data.count * predictor.outputSize);
      return {
        perIteration: data.count,
        run: () => predictor.predictBatchInto(out, pixels, data.count),
        note: 'toPredictor(), predictBatchInto, Float32Array input',
        dispose: () => predictor.dispose(),
      };
    },
  },
};

/** The float32 predictor's batch workload with a pool of 2 threads (`setThreads(2)`). */
export const predictorThreadsLibrary = {
  name: 'neurite float32 2 threads',
  backends: ['wasm'],
  prepare: () => useThreads(2),
  workloads: { 'infer-batch': predictorLibrary.workloads['infer-batch'] },
};
