// brain.js 1.6.1 (`new brain.NeuralNetwork`): per-sample SGD with momentum in plain JS; sigmoid on every layer.
import brain from 'brain.js';

// brain.js refuses momentum 0 and errorThresh 0; these values make both inert while it still runs every step.
const NO_MOMENTUM = 1e-12;
const NEVER_MET = 1e-12;

function pairs(data, count = data.count) {
  return Array.from({ length: count }, (_, k) => ({ input: data.input(k), output: data.target(k) }));
}

function trained(hiddenLayers, data, learningRate) {
  const net = new brain.NeuralNetwork({ hiddenLayers, activation: 'sigmoid' });
  net.train(pairs(data, 1), { iterations: 1, errorThresh: NEVER_MET, learningRate, momentum: NO_MOMENTUM });
  return net;
}

/** brain.js's runners; every network uses sigmoid throughout and MSE (brain.js 1.6.1 has no softmax output). */
export const brainLibrary = {
  name: 'brain.js',
  backends: ['js'],
  async prepare() {},
  workloads: {
    xor(w, data) {
      let net;
      const set = pairs(data);
      return {
        perIteration: 1,
        beforeEach: () => { net = new brain.NeuralNetwork({ hiddenLayers: [3], activation: 'sigmoid' }); },
        run: () => net.train(set, { iterations: w.epochs, errorThresh: NEVER_MET, learningRate: w.learningRate, momentum: NO_MOMENTUM }),
        check: () => `final MSE ${mse(set, (x) => net.run(x)).toExponential(1)}`,
        note: 'momentum 1e-12 (brain.js refuses 0)',
      };
    },
    'mlp-sgd'(w, data, quick) {
      const net = trained([128], data, w.learningRate);
      const set = pairs(data, quick ? 16 : 128);
      return {
        perIteration: set.length,
        run: () => net.train(set, { iterations: 1, errorThresh: NEVER_MET, learningRate: w.learningRate, momentum: NO_MOMENTUM }),
        note: 'sigmoid hidden and output, MSE',
      };
    },
    'mlp-batch': () => ({ unsupported: 'no minibatch training (per-sample only)' }),
    'infer-small'(w, data) {
      const net = trained([32, 32], data, 0.1);
      const inputs = pairs(data).map((p) => p.input);
      return { perIteration: 1000, run: () => { for (let k = 0; k < 1000; k++) net.run(inputs[k & 63]); } };
    },
    'infer-batch'(w, data) {
      const net = trained([128], data, 0.01);
      const inputs = pairs(data).map((p) => p.input);
      return { perIteration: inputs.length, run: () => { for (const x of inputs) net.run(x); }, note: 'a loop of run() (no batch API)' };
    },
  },
};

/** Mean squared error of `predict` over `set`. */
export function mse(set, predict) {
  let sum = 0;
  let n = 0;
  for (const { input, output } of set) {
    const y = predict(input);
    for (let j = 0; j < output.length; j++) { sum += (y[j] - output[j]) ** 2; n++; }
  }
  return sum / n;
}
