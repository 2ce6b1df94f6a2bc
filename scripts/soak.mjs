// Soak test (not in CI): trains (in memory, from checkpoints resumed on the other backend, and from streams) and
// predicts in a loop for N minutes and prints heap, RSS and WebAssembly
// memory figures every 10 s. Pass = flat memory: after the first quarter (warm-up), WebAssembly memory does
// not grow and the heap after a full GC stays within 16 MiB of its warm-up level.
//
//   npm run soak [-- minutes]      (default 2; node --expose-gc scripts/soak.mjs 3)
//
// The library is bundled from src/ with esbuild (as tsup does for dist/, .wasm inlined) plus one extra export,
// the wasm module, so that the figures are the real size of the WebAssembly memory.
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rng } from './random.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const minutes = Number(process.argv[2] ?? 2);
const gc = globalThis.gc ?? (() => {});
if (!globalThis.gc) console.warn('run with node --expose-gc for heap figures after a full GC');

const tmp = mkdtempSync(join(tmpdir(), 'neurite-soak-'));
writeFileSync(join(tmp, 'entry.ts'), `export * from ${JSON.stringify(join(root, 'src/index.ts'))};\nexport { wasmModule } from ${JSON.stringify(join(root, 'src/backend/wasm.ts'))};\n`);
await build({ entryPoints: [join(tmp, 'entry.ts')], bundle: true, format: 'esm', platform: 'node', target: 'es2022', loader: { '.wasm': 'binary' }, outfile: join(tmp, 'neurite.mjs'), logLevel: 'silent' });
const neurite = await import(pathToFileURL(join(tmp, 'neurite.mjs')).href);
rmSync(tmp, { recursive: true, force: true });
const { DenseNetwork, Network, DivergenceError, wasmModule } = neurite;

const random = rng(1);
const array = (n, scale = 1) => Float64Array.from({ length: n }, () => (2 * random() - 1) * scale);
const MiB = 2 ** 20;
const wasmBytes = () => wasmModule().exports.memory.buffer.byteLength;

const CONFIGS = [
  { layers: [8, 16, 3], activation: 'tanh', outputActivation: 'softmax', optimizer: 'adam' },
  { layers: [4, 32, 32, 1], activation: 'relu', outputActivation: 'sigmoid', loss: 'binaryCrossEntropy', optimizer: 'momentum' },
  { layers: [16, 8, 16], activation: 'elu', outputActivation: 'identity', optimizer: { type: 'sgd', learningRate: 0.01 } },
];
function dataFor(net, rows) {
  const inputs = array(rows * net.inputSize, 2);
  const targets = new Float64Array(rows * net.outputSize);
  for (let r = 0; r < rows; r++) targets[r * net.outputSize + Math.floor(random() * net.outputSize)] = 1;
  return { inputs, targets };
}

// One long-lived network trained all along, and a steady stream of short-lived ones.
const resident = new DenseNetwork({ ...CONFIGS[0], seed: 1, backend: 'wasm' });
const residentData = dataFor(resident, 256);
let iterations = 0;
let networks = 0;
let forgotten = 0;
let divergences = 0;
let resumes = 0;
let streamed = 0;

/** The rows of `data` as a stream of samples and batches, a fresh one per call. */
function* streamOf(net, data) {
  const rows = data.inputs.length / net.inputSize;
  for (let r = 0; r < rows; r += 3) {
    const end = Math.min(rows, r + 3);
    if (r % 2 === 0) yield { inputs: data.inputs.subarray(r * net.inputSize, end * net.inputSize), targets: data.targets.subarray(r * net.outputSize, end * net.outputSize) };
    else for (let k = r; k < end; k++) yield { input: data.inputs.subarray(k * net.inputSize, (k + 1) * net.inputSize), output: data.targets.subarray(k * net.outputSize, (k + 1) * net.outputSize) };
  }
}

/** A run saved after its first epoch, resumed on the other backend: it must end with the uninterrupted run's parameters. */
function checkpointResume(net, data, backend, i) {
  const options = { epochs: 3, batchSize: 8 + (i % 9) };
  let checkpoint = '';
  net.fit(data, { ...options, onEpoch: ({ epoch }) => { if (epoch === 0) checkpoint = JSON.stringify(net.toJSON({ training: true })); } });
  const resumed = DenseNetwork.fromJSON(checkpoint, { backend: backend === 'js' ? 'wasm' : 'js' });
  resumed.fit(data, options);
  const a = resumed.getParameters();
  const b = net.getParameters();
  if (a.some((v, k) => !Object.is(v, b[k]))) throw new Error(`iteration ${i}: the resumed run differs from the uninterrupted one`);
  resumed.dispose();
  resumes++;
}

async function iteration(i) {
  const config = CONFIGS[i % CONFIGS.length];
  const backend = i % 4 === 3 ? 'js' : 'wasm';
  const net = new DenseNetwork({ ...config, seed: i, backend });
  networks++;
  const rows = 16 + (i % 7) * 40;
  const data = dataFor(net, rows);
  if (i % 5 === 0) await net.fitAsync(data, { epochs: 2, batchSize: 16 });
  else net.fit(data, { epochs: 3, batchSize: 1 + (i % 32), validationSplit: 0.25 });
  checkpointResume(net, data, backend, i);
  // A small stream: a factory of mixed samples and batches, through a shuffle buffer smaller than the data.
  await net.fitAsync(() => streamOf(net, data), { epochs: 2, batchSize: 8, shuffleBuffer: 16 });
  streamed++;
  const batch = dataFor(net, 8);
  net.trainStep(batch.inputs, batch.targets, 8);
  const out = new Float64Array(net.outputSize);
  for (let k = 0; k < 20; k++) {
    net.predict(batch.inputs.subarray(0, net.inputSize));
    net.predictInto(out, batch.inputs.subarray(0, net.inputSize));
  }
  const outs = new Float64Array(rows * net.outputSize);
  net.predictBatch(array(rows * net.inputSize), rows);
  net.predictBatchInto(outs, array(rows * net.inputSize), rows);
  net.evaluate(data);
  // Round trip through JSON text, on the other backend.
  const copy = DenseNetwork.fromJSON(JSON.stringify(net.toJSON()), { backend: backend === 'js' ? 'wasm' : 'js' });
  copy.predict(batch.inputs.subarray(0, net.inputSize));
  copy.dispose();
  // A divergence now and then: the error path must not leak either (on the identity-output config: mse takes any target).
  if (i % 9 === 2) {
    try {
      net.trainStep(new Float64Array(net.inputSize).fill(1e200), new Float64Array(net.outputSize).fill(-1e200));
    } catch (error) {
      if (!(error instanceof DivergenceError)) throw error;
      divergences++;
    }
  }
  // Every 10th network is simply dropped: the FinalizationRegistry must free it.
  if (i % 10 === 0) forgotten++;
  else net.dispose();
  const seed = new Network([{ weight: 0.5, bias: 0.1, size: 16 }, { weight: 0.3, bias: -0.2, size: 16 }], 0.01, { backend: 'wasm' });
  for (let k = 0; k < 10; k++) {
    seed.process(array(16));
    seed.update(array(16));
  }
  seed.dispose();
  resident.fit(residentData, { epochs: 1, batchSize: 32 });
  resident.predictBatch(residentData.inputs, 256);
}

const samples = [];
function sample(elapsed) {
  gc();
  const m = process.memoryUsage();
  const s = { elapsed, iterations, heap: m.heapUsed, rss: m.rss, external: m.external, wasm: wasmBytes() };
  samples.push(s);
  console.log(`${(elapsed / 1000).toFixed(0).padStart(5)} s  ${String(iterations).padStart(7)} iterations  ${String(networks).padStart(7)} networks  heap ${(s.heap / MiB).toFixed(1).padStart(6)} MiB  rss ${(s.rss / MiB).toFixed(0).padStart(5)} MiB  external ${(s.external / MiB).toFixed(1).padStart(6)} MiB  wasm ${(s.wasm / MiB).toFixed(1).padStart(6)} MiB`);
}

console.log(`soak for ${minutes} min (node ${process.version}${wasmModule().simd ? ', SIMD wasm' : ''})`);
const started = Date.now();
const end = started + minutes * 60_000;
let next = started;
sample(0);
while (Date.now() < end) {
  await iteration(iterations++);
  // Let finalizers run between iterations.
  if (iterations % 25 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
  if (Date.now() >= next + 10_000) {
    next += 10_000;
    sample(Date.now() - started);
  }
}
sample(Date.now() - started);
resident.dispose();

const warm = samples.find((s) => s.elapsed >= (end - started) / 4) ?? samples[0];
const last = samples.at(-1);
const wasmGrowth = last.wasm - warm.wasm;
const heapGrowth = last.heap - warm.heap;
const pass = wasmGrowth <= 0 && heapGrowth < 16 * MiB;
console.log(`\n${iterations} iterations, ${networks} networks (${forgotten} never disposed), ${resumes} checkpoint resumes, ${streamed} stream fits, ${divergences} divergences caught, in ${((Date.now() - started) / 1000).toFixed(0)} s`);
const first = samples[0];
console.log(`start → end: wasm memory ${(first.wasm / MiB).toFixed(1)} → ${(last.wasm / MiB).toFixed(1)} MiB, heap after GC ${(first.heap / MiB).toFixed(1)} → ${(last.heap / MiB).toFixed(1)} MiB, rss ${(first.rss / MiB).toFixed(0)} → ${(last.rss / MiB).toFixed(0)} MiB`);
console.log(`after warm-up (${(warm.elapsed / 1000).toFixed(0)} s → end): wasm memory ${(warm.wasm / MiB).toFixed(1)} → ${(last.wasm / MiB).toFixed(1)} MiB, heap after GC ${(warm.heap / MiB).toFixed(1)} → ${(last.heap / MiB).toFixed(1)} MiB, rss ${(warm.rss / MiB).toFixed(0)} → ${(last.rss / MiB).toFixed(0)} MiB`);
console.log(pass ? 'PASS: memory is flat' : 'FAIL: memory grew');
process.exit(pass ? 0 : 1);
