// Concurrency: networks trained in two worker_threads at once (each with its own wasm instance) end bit-identical
// to the same training on the main thread. Workers import the built package (dist/index.js, copied so a rebuild
// running meanwhile cannot pull it away); the main-thread reference uses that same copy.
import { execSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Neurite from '../src/index.js';
import { rng } from './helpers/data.js';
import { expectSameBits } from './helpers/bits.js';

const root = join(import.meta.dirname, '..');
const worker = join(import.meta.dirname, 'workers', 'train.mjs');
let dir: string;
let moduleUrl: string;
let neurite: typeof Neurite;

beforeAll(async () => {
  const dist = join(root, 'dist', 'index.js');
  if (!existsSync(dist)) execSync('npm run build', { cwd: root, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'neurite-workers-'));
  // Retry once: another session may be rebuilding dist/ right now.
  for (let attempt = 0; ; attempt++) {
    try {
      copyFileSync(dist, join(dir, 'index.js'));
      break;
    } catch (error) {
      if (attempt > 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  moduleUrl = pathToFileURL(join(dir, 'index.js')).href;
  neurite = await import(/* @vite-ignore */ moduleUrl);
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Job {
  options: Neurite.DenseNetworkOptions;
  data: { inputs: number[]; targets: number[] };
  fit: Neurite.FitOptions;
  steps: { inputs: number[]; targets: number[]; rows: number }[];
  probe: number[];
}

function job(seed: number, backend: 'wasm' | 'js'): Job {
  const random = rng(seed);
  const nIn = 12;
  const rows = 300;
  const inputs = Array.from({ length: rows * nIn }, () => 2 * random() - 1);
  const targets = Array.from({ length: rows * 3 }, () => 0);
  for (let r = 0; r < rows; r++) targets[r * 3 + (inputs[r * nIn]! > 0 ? 0 : inputs[r * nIn + 1]! > 0 ? 1 : 2)] = 1;
  return {
    options: { layers: [nIn, 24, 16, 3], activation: 'tanh', outputActivation: 'softmax', optimizer: { type: 'adam', learningRate: 0.01 }, seed, backend },
    data: { inputs, targets },
    fit: { epochs: 40, batchSize: 16, validationSplit: 0.2 },
    steps: Array.from({ length: 10 }, () => ({ inputs: Array.from({ length: 4 * nIn }, () => random()), targets: [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0], rows: 4 })),
    probe: Array.from({ length: 8 * nIn }, () => 3 * random() - 1.5),
  };
}

interface Result {
  backend: string;
  parameters: Float64Array;
  history: Neurite.FitHistory;
  predictions: Float64Array;
}

function runHere(j: Job): Result {
  const net = new neurite.DenseNetwork(j.options);
  const history = net.fit({ inputs: Float64Array.from(j.data.inputs), targets: Float64Array.from(j.data.targets) }, j.fit);
  for (const s of j.steps) net.trainStep(s.inputs, s.targets, s.rows);
  const result = { backend: net.backend, parameters: net.getParameters(), history, predictions: net.predictBatch(j.probe, j.probe.length / 12).slice() };
  net.dispose();
  return result;
}

function runInWorker(j: Job): Promise<Result> {
  return new Promise((resolve, reject) => {
    const w = new Worker(worker, { workerData: { module: moduleUrl, ...j } });
    w.once('message', (message: Result) => {
      resolve(message);
      void w.terminate();
    });
    w.once('error', reject);
    w.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
  });
}

describe('training in worker_threads', () => {
  it('two workers training in parallel give bit-identical parameters, histories and predictions to the main thread', async () => {
    const jobs = [job(1, 'wasm'), job(2, 'wasm'), job(1, 'js')];
    // All three at once: two wasm workers (separate instances) and a js one, overlapping in time.
    const results = await Promise.all(jobs.map(runInWorker));
    jobs.forEach((j, i) => {
      const reference = runHere(j);
      expect(results[i]!.backend).toBe(j.options.backend);
      expectSameBits(results[i]!.parameters, reference.parameters, `job ${i} parameters`);
      expectSameBits(results[i]!.predictions, reference.predictions, `job ${i} predictions`);
      expect(results[i]!.history).toEqual(reference.history);
      expect(results[i]!.history.epochs).toHaveLength(40);
    });
    // The same seed on js and wasm: the same bits too; different seeds: different networks.
    expectSameBits(results[0]!.parameters, results[2]!.parameters, 'wasm vs js worker');
    expect(results[0]!.parameters).not.toEqual(results[1]!.parameters);
  });
});
