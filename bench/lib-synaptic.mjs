// synaptic 1.1.4 (`Architect.Perceptron`): per-sample activate + propagate on its compiled (optimized) network.
import synaptic from 'synaptic';
import { mse } from './lib-brain.mjs';

const { Architect } = synaptic;

// Building and compiling a 784-128-10 Perceptron takes seconds; it is built once and shared by two workloads.
let mnistNet = null;
function mnistNetwork() {
  mnistNet ??= new Architect.Perceptron(784, 128, 10);
  return mnistNet;
}

function rows(data, count = data.count) {
  return Array.from({ length: count }, (_, k) => ({ input: data.input(k), output: data.target(k) }));
}

/** synaptic's runners; its Perceptron is logistic throughout (squared error, no softmax). */
export const synapticLibrary = {
  name: 'synaptic',
  backends: ['js'],
  async prepare() {},
  workloads: {
    xor(w, data) {
      let net;
      const set = rows(data);
      return {
        perIteration: 1,
        beforeEach: () => { net = new Architect.Perceptron(2, 3, 1); },
        run: () => {
          for (let e = 0; e < w.epochs; e++) for (const { input, output } of set) { net.activate(input); net.propagate(w.learningRate, output); }
        },
        check: () => `final MSE ${mse(set, (x) => net.activate(x)).toExponential(1)}`,
      };
    },
    'mlp-sgd'(w, data, quick) {
      if (quick) return { unsupported: 'skipped in quick mode (compiling a 784-128-10 network takes seconds)' };
      const net = mnistNetwork();
      const set = rows(data, 4);
      return {
        perIteration: set.length,
        run: () => { for (const { input, output } of set) { net.activate(input); net.propagate(w.learningRate, output); } },
        note: 'logistic hidden and output',
      };
    },
    'mlp-batch': () => ({ unsupported: 'no minibatch training (per-sample only)' }),
    'infer-small'(w, data) {
      const net = new Architect.Perceptron(16, 32, 32, 4);
      const inputs = rows(data).map((r) => r.input);
      return { perIteration: 1000, run: () => { for (let k = 0; k < 1000; k++) net.activate(inputs[k & 63]); } };
    },
    'infer-batch'(w, data, quick) {
      if (quick) return { unsupported: 'skipped in quick mode (compiling a 784-128-10 network takes seconds)' };
      const net = mnistNetwork();
      const inputs = rows(data, 32).map((r) => r.input);
      return { perIteration: inputs.length, run: () => { for (const x of inputs) net.activate(x); }, note: 'a loop of activate() over 32 of the 256 (no batch API)' };
    },
  },
};
