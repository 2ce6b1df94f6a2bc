// ONNX Runtime on the inference workloads, running neurite's own ONNX export (toONNX) of the same networks:
// onnxruntime-node (native CPU provider) and onnxruntime-web (its WebAssembly build, SIMD, one thread), float32
// and float64 graphs; onnxruntime-node with 1 and 2 intra-op threads.
import * as ortWeb from 'onnxruntime-web';
import * as ortNode from 'onnxruntime-node';
import * as neurite from '../dist/index.js';

const { DenseNetwork } = neurite;

/** The ONNX bytes of the workload's network, built by neurite with the same seed as neurite's rows. */
function onnxModel(w, precision, hidden, output, loss) {
  const net = new DenseNetwork({ layers: w.sizes, activation: hidden, outputActivation: output, loss, seed: 1 });
  const bytes = net.toONNX({ precision });
  net.dispose();
  return bytes;
}

/** Backends as `<precision> <threads>`, e.g. 'float32 2 threads'. */
const parse = (backend) => ({ precision: backend.split(' ')[0], threads: Number(backend.split(' ')[1]) });
const arrayType = (precision) => (precision === 'float64' ? Float64Array : Float32Array);

/** The runners of one ONNX Runtime package (`ort`), creating sessions with `sessionOptions(threads)`. */
function onnxWorkloads(ort, sessionOptions) {
  return {
    async 'infer-small'(w, data, quick, backend) {
      const { precision, threads } = parse(backend);
      const session = await ort.InferenceSession.create(onnxModel(w, precision, 'sigmoid', 'sigmoid', 'mse'), sessionOptions(threads));
      const Type = arrayType(precision);
      const inputs = Array.from({ length: 64 }, (_, k) => Type.from(data.input(k)));
      const calls = quick ? 20 : 200;
      let sink = 0;
      return {
        perIteration: calls,
        run: async () => {
          for (let k = 0; k < calls; k++) {
            const result = await session.run({ input: new ort.Tensor(precision, inputs[k & 63], [1, 16]) });
            sink += result.output.data[0];
          }
        },
        check: () => (Number.isFinite(sink) ? '' : 'non-finite output'),
        note: 'Tensor + await run per call',
        dispose: () => session.release(),
      };
    },
    async 'infer-batch'(w, data, quick, backend) {
      const { precision, threads } = parse(backend);
      const session = await ort.InferenceSession.create(onnxModel(w, precision, 'relu', 'softmax', 'crossEntropy'), sessionOptions(threads));
      const pixels = arrayType(precision).from(data.inputs);
      return {
        perIteration: data.count,
        run: async () => {
          const result = await session.run({ input: new ort.Tensor(precision, pixels, [data.count, 784]) });
          return result.output.data;
        },
        dispose: () => session.release(),
      };
    },
  };
}

/** onnxruntime-node: the native CPU execution provider, 1 and 2 intra-op threads. */
export const onnxNodeLibrary = {
  name: 'onnxruntime-node',
  backends: ['float32 1 thread', 'float32 2 threads', 'float64 1 thread', 'float64 2 threads'],
  async prepare() {},
  workloads: onnxWorkloads(ortNode, (threads) => ({
    executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  })),
};

/** onnxruntime-web: its WebAssembly build (SIMD) in Node, one thread (the thread count is fixed at its first session). */
export const onnxWebLibrary = {
  name: 'onnxruntime-web',
  backends: ['float32 1 thread', 'float64 1 thread'],
  async prepare() {
    ortWeb.env.wasm.numThreads = 1;
  },
  workloads: onnxWorkloads(ortWeb, () => ({ executionProviders: ['wasm'], graphOptimizationLevel: 'all' })),
};
