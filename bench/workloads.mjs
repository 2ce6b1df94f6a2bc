// The workloads: network shapes, training settings and how a timing becomes the reported figure.
import { mnistData, randomData, xorData } from './data.mjs';
import { LSTM_WORKLOADS } from './workloads-lstm.mjs';

/** Forward flops of one sample through a dense stack (2·in·out per layer: a multiply and an add per weight). */
export function forwardFlops(sizes) {
  let flops = 0;
  for (let l = 1; l < sizes.length; l++) flops += 2 * sizes[l - 1] * sizes[l];
  return flops;
}

const MLP = [784, 128, 10];

/**
 * Each workload: `unit` of its figure, `better` ('lower' for times), `perSample` flops for GFLOP/s where it applies,
 * and `figure(msPerIteration, perIteration, scale)` turning tinybench's mean latency into that unit.
 */
export const WORKLOADS = [
  {
    id: 'xor', title: 'xor: 2-3-1 sigmoid, MSE, per-sample SGD (learning rate 0.3), 20,000 epochs of the 4 samples',
    unit: 'ms per 20,000 epochs', better: 'lower', sizes: [2, 3, 1], epochs: 20000, learningRate: 0.3,
    data: () => xorData(),
    figure: (ms, perIteration, scale) => ms * scale,
  },
  {
    id: 'mlp-sgd', title: 'mlp-sgd: 784-128-10 (relu, softmax + cross-entropy), SGD (learning rate 0.01), batch 1, MNIST digits',
    unit: 'training samples/s', better: 'higher', sizes: MLP, batchSize: 1, learningRate: 0.01, flopsPerSample: 3 * forwardFlops(MLP),
    data: () => mnistData(512),
    figure: (ms, perIteration) => perIteration / (ms / 1000),
  },
  {
    id: 'mlp-batch', title: 'mlp-batch: 784-128-10 (relu, softmax + cross-entropy), SGD (learning rate 0.01), minibatch 32, MNIST digits',
    unit: 'training samples/s', better: 'higher', sizes: MLP, batchSize: 32, learningRate: 0.01, flopsPerSample: 3 * forwardFlops(MLP),
    data: () => mnistData(512),
    figure: (ms, perIteration) => perIteration / (ms / 1000),
  },
  {
    id: 'infer-small', title: 'infer-small: 16-32-32-4 sigmoid, one sample per call (input as a plain array, output read back)',
    unit: 'ns per predict', better: 'lower', sizes: [16, 32, 32, 4],
    data: () => randomData(64, 16, 4, 7),
    figure: (ms, perIteration) => (ms * 1e6) / perIteration,
  },
  {
    id: 'infer-batch', title: 'infer-batch: 784-128-10 (relu, softmax) on 256 MNIST digits at once (input tensor built and output read back in the timing)',
    unit: 'samples/s', better: 'higher', sizes: MLP, batch: 256, flopsPerSample: forwardFlops(MLP),
    data: () => mnistData(256),
    figure: (ms, perIteration) => perIteration / (ms / 1000),
  },
  {
    id: 'seed', title: 'seed: the article-style Network `input + hidden * 2 + output`, 64 neurons each, process + update per sample (learning rate 1e-4)',
    unit: 'samples/s', better: 'higher', sizes: [64, 64, 64, 64], learningRate: 1e-4,
    data: () => randomData(256, 64, 64, 11),
    figure: (ms, perIteration) => perIteration / (ms / 1000),
  },
  ...LSTM_WORKLOADS,
];
