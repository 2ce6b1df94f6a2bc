// Measures the JS heap and wasm memory around many predictInto/predictBatchInto/trainStep/predict/predictBatch calls (run with --expose-gc).
import { DenseNetwork } from '../../dist/index.js';

const backend = process.argv[2];
const calls = Number(process.argv[3]);
const net = new DenseNetwork({ layers: [16, 32, 32, 4], activation: 'sigmoid', seed: 1, backend });
const input = new Float64Array(16).fill(0.3);
const batchIn = new Float64Array(16 * 8).fill(0.2);
const batchOut = new Float64Array(4 * 8).fill(0.1);
const out = new Float64Array(4);
const batchResult = new Float64Array(4 * 8);
const sink = new Float64Array(1);
// The Into forms and trainStep allocate nothing; predict and predictBatch allocate their result, which the collector takes back.
const ops = {
  predictInto: () => { sink[0] += net.predictInto(out, input)[0]; },
  predictBatchInto: () => { sink[0] += net.predictBatchInto(batchResult, batchIn, 8)[3]; },
  trainStep: () => { sink[0] += net.trainStep(batchIn, batchOut, 8); },
  predict: () => { sink[0] += net.predict(input)[0]; },
  predictBatch: () => { sink[0] += net.predictBatch(batchIn, 8)[3]; },
};
const memory = () => (backend === 'wasm' ? net['model']['arena'].heap.byteLength : 0);
const result = {};
for (const [name, op] of Object.entries(ops)) {
  for (let i = 0; i < calls; i++) op(); // warm up: JIT tiers, arena at capacity 8
  // Three rounds, keeping the smallest figures: a per-call allocation shows in every round,
  // while the engine's own work (optimizing compiles, feedback) lands in one at most.
  let bytesPerCall = Infinity;
  let retained = Infinity;
  const wasm0 = memory();
  for (let round = 0; round < 3; round++) {
    globalThis.gc();
    const heap0 = process.memoryUsage().heapUsed;
    // The young generation is sized (--max-semi-space-size) so that no collection runs here:
    // the difference is what the calls allocated.
    for (let i = 0; i < calls; i++) op();
    bytesPerCall = Math.min(bytesPerCall, (process.memoryUsage().heapUsed - heap0) / calls);
    globalThis.gc();
    retained = Math.min(retained, process.memoryUsage().heapUsed - heap0);
  }
  result[name] = { bytesPerCall, retained, wasmGrowth: memory() - wasm0 };
}
process.stdout.write(JSON.stringify(result));
