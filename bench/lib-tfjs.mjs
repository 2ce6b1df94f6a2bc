// TensorFlow.js 4.22 (`@tensorflow/tfjs` layers API, float32) on its `cpu` and `wasm` backends (wasm: SIMD, one thread).
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';

// The wasm binaries ship in the package's dist/ folder: a file path, so nothing is fetched.
const require = createRequire(import.meta.url);
setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + path.sep + 'dist' + path.sep);

function model(sizes, hidden, output, loss, learningRate) {
  const m = tf.sequential();
  for (let l = 1; l < sizes.length; l++) {
    m.add(tf.layers.dense({ units: sizes[l], activation: l === sizes.length - 1 ? output : hidden, ...(l === 1 ? { inputShape: [sizes[0]] } : {}) }));
  }
  m.compile({ optimizer: tf.train.sgd(learningRate), loss });
  return m;
}

const mnistModel = (w) => model(w.sizes, 'relu', 'softmax', 'categoricalCrossentropy', w.learningRate ?? 0.01);

/** Rows `0..count` of `data` as float32 tensors. */
function tensors(data, count = data.count) {
  return {
    x: tf.tensor2d(Float32Array.from(data.inputs.subarray(0, count * data.inputSize)), [count, data.inputSize]),
    y: tf.tensor2d(Float32Array.from(data.targets.subarray(0, count * data.outputSize)), [count, data.outputSize]),
  };
}

/** Trains one epoch of `fit` over `x`, `y` in minibatches of `batchSize`, in order. */
const fitOnce = (m, x, y, batchSize) => m.fit(x, y, { epochs: 1, batchSize, shuffle: false, verbose: 0 });

/** TensorFlow.js's runners. */
export const tfjsLibrary = {
  name: 'tfjs',
  backends: ['cpu', 'wasm'],
  async prepare(backend) {
    if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialize`);
    await tf.ready();
  },
  workloads: {
    // 80,000 fit steps take minutes here: a slice of the epochs runs as one epoch of the samples tiled (the same
    // sequence of SGD steps, fewer fit() calls), and the time is scaled to 20,000 epochs.
    xor(w, data, quick) {
      const epochs = quick ? 10 : 200;
      const tiled = { ...data, count: 4 * epochs, inputs: tile(data.inputs, epochs), targets: tile(data.targets, epochs) };
      const { x, y } = tensors(tiled);
      let m = null;
      return {
        perIteration: 1,
        scale: w.epochs / epochs,
        beforeEach: () => { m?.dispose(); m = model(w.sizes, 'sigmoid', 'sigmoid', 'meanSquaredError', w.learningRate); },
        run: async () => await fitOnce(m, x, y, 1),
        note: `${epochs} epochs measured, scaled ×${w.epochs / epochs}`,
      };
    },
    'mlp-sgd'(w, data, quick) {
      const m = mnistModel(w);
      const { x, y } = tensors(data, quick ? 16 : 128);
      return { perIteration: x.shape[0], run: async () => await fitOnce(m, x, y, 1) };
    },
    'mlp-batch'(w, data) {
      const m = mnistModel(w);
      const { x, y } = tensors(data);
      return { perIteration: data.count, run: async () => await fitOnce(m, x, y, 32) };
    },
    'infer-small'(w, data, quick) {
      const m = model(w.sizes, 'sigmoid', 'sigmoid', 'meanSquaredError', 0.1);
      const inputs = Array.from({ length: 64 }, (_, k) => Float32Array.from(data.input(k)));
      const calls = quick ? 20 : 200;
      return {
        perIteration: calls,
        run: () => {
          for (let k = 0; k < calls; k++) {
            const out = tf.tidy(() => m.predict(tf.tensor2d(inputs[k & 63], [1, 16])));
            out.dataSync();
            out.dispose();
          }
        },
        note: 'tensor2d + predict + dataSync per call',
      };
    },
    'infer-batch'(w, data) {
      const m = mnistModel(w);
      const pixels = Float32Array.from(data.inputs);
      return {
        perIteration: data.count,
        run: () => {
          const out = tf.tidy(() => m.predict(tf.tensor2d(pixels, [data.count, 784]), { batchSize: data.count }));
          out.dataSync();
          out.dispose();
        },
      };
    },
  },
};

function tile(values, times) {
  const out = new Float64Array(values.length * times);
  for (let t = 0; t < times; t++) out.set(values, t * values.length);
  return out;
}

/** What the tfjs wasm backend runs with here: SIMD and threads, as tfjs itself detects them. */
export async function tfjsWasmFeatures() {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return `${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'multi-threaded' : 'one thread'}`;
}
