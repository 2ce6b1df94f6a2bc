// `npm run bench`: every workload on every library and backend, timed by tinybench, written to bench/RESULTS.md.
// BENCH_QUICK=1 runs each task briefly (a smoke run); BENCH_ONLY=xor,seed limits the workloads.
import { Bench } from 'tinybench';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { WORKLOADS } from './workloads.mjs';
import { measureLimit, SIMD128_FLAGS } from './limit.mjs';
import { environment, renderResults } from './report.mjs';

const quick = /^(1|true|yes)$/i.test(process.env.BENCH_QUICK ?? '');
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const timing = quick
  ? { time: 100, iterations: 1, warmupTime: 20, warmupIterations: 1 }
  : { time: 1000, iterations: 3, warmupTime: 200, warmupIterations: 2 };
const rounds = quick ? 1 : 3;

// Each library is loaded on its own so that one failing to load is reported, not fatal.
async function load(file, exportName, name) {
  try {
    return (await import(file))[exportName];
  } catch (error) {
    return { name, loadError: error, backends: ['-'], workloads: {} };
  }
}
const libraries = [
  await load('./lib-neurite.mjs', 'neuriteLibrary', 'neurite'),
  await load('./lib-neurite.mjs', 'neuriteStepLibrary', 'neurite trainStep'),
  await load('./lib-neurite.mjs', 'neuriteThreadsLibrary', 'neurite 2 threads'),
  await load('./lib-brain.mjs', 'brainLibrary', 'brain.js'),
  await load('./lib-synaptic.mjs', 'synapticLibrary', 'synaptic'),
  await load('./lib-tfjs.mjs', 'tfjsLibrary', 'tfjs'),
  await load('./lib-predictor.mjs', 'predictorLibrary', 'neurite float32'),
  await load('./lib-predictor.mjs', 'predictorThreadsLibrary', 'neurite float32 2 threads'),
  await load('./lib-onnx.mjs', 'onnxWebLibrary', 'onnxruntime-web'),
  await load('./lib-onnx.mjs', 'onnxNodeLibrary', 'onnxruntime-node'),
  ...(await loadLstm()),
];

/** The lstm workloads' libraries (bench/lib-lstm.mjs), or one row saying why they could not load. */
async function loadLstm() {
  const names = ['neuriteLstmLibrary', 'neuriteLstmBatchLibrary', 'brainLstmLibrary', 'synapticLstmLibrary', 'tfjsLstmLibrary', 'tfjsLstmBatchLibrary'];
  try {
    const module = await import('./lib-lstm.mjs');
    return names.map((name) => module[name]);
  } catch (error) {
    return [{ name: 'lstm libraries', loadError: error, backends: ['-'], workloads: {} }];
  }
}

/** Times one runner with tinybench; returns the median ms per iteration, the relative margin of error and the sample count. */
async function time(label, runner) {
  const bench = new Bench({ ...timing, name: label });
  bench.add(label, runner.run, { beforeEach: runner.beforeEach });
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state === 'errored') throw result.error;
  return { ms: result.latency.p50, rme: result.latency.rme, samples: result.latency.samplesCount };
}

const errorText = (error) => `${error?.name ?? 'Error'}: ${error?.message ?? error}`.split('\n')[0];

const started = Date.now();
const loadBefore = os.loadavg();
// The C limits are measured before and after the libraries and the better figures kept, for the same reason as the rounds.
const limitRounds = quick ? 2 : 10;
const limit128Before = measureLimit(limitRounds, SIMD128_FLAGS);
const limitBefore = measureLimit(limitRounds);
const rows = [];
const datasets = new Map();
/** Creates this round's runners of one workload (rows are made in the first round), times each and disposes of them. */
async function runWorkload(workload, round) {
  if (!datasets.has(workload.id)) datasets.set(workload.id, workload.data());
  const data = datasets.get(workload.id);
  for (const library of libraries) {
    for (const backend of library.backends) {
      const factory = library.workloads[workload.id];
      // A library without a runner for this workload (the seed network is neurite's own) gets no row.
      if (!factory && !library.loadError) continue;
      let row = rows.find((r) => r.workload === workload.id && r.library === library.name && r.backend === backend);
      if (!row) rows.push(row = { workload: workload.id, library: library.name, backend });
      if (library.loadError) { row.error = `could not load: ${library.loadError.message}`; continue; }
      if (row.error || row.unsupported) continue;
      let runner;
      try {
        await library.prepare(backend);
        runner = await factory(workload, data, quick, backend);
        if (runner.unsupported) { row.unsupported = runner.unsupported; continue; }
        const { ms, rme, samples } = await time(`${workload.id} ${library.name} ${backend}`, runner);
        const figure = workload.figure(ms, runner.perIteration, runner.scale ?? 1);
        const improved = row.figure === undefined || (workload.better === 'lower' ? figure < row.figure : figure > row.figure);
        if (improved) Object.assign(row, { figure, rme, samples });
        if (round === rounds - 1) row.note = [runner.note, runner.check?.()].filter(Boolean).join('; ');
      } catch (error) {
        Object.assign(row, { error: errorText(error), figure: undefined });
      } finally {
        try {
          runner?.dispose?.();
        } catch (error) {
          row.note = [row.note, `after the run: ${errorText(error)}`].filter(Boolean).join('; ');
        }
      }
    }
  }
}

// Each round runs the whole suite and each task keeps its best round: a slow spell of the machine (on this VM
// they last tens of seconds) then costs one round of a workload, not every round of it. Runners live for one
// workload of one round only, so no library's models sit in the heap while another library is timed.
const selected = WORKLOADS.filter((w) => !only || only.has(w.id));
for (let round = 0; round < rounds; round++) {
  console.log(`round ${round + 1} of ${rounds}`);
  for (const workload of selected) await runWorkload(workload, round);
}
for (const workload of selected) {
  for (const row of rows.filter((r) => r.workload === workload.id)) {
    const shown = row.figure !== undefined ? `${row.figure.toPrecision(4)} ${workload.unit} ±${row.rme.toFixed(1)}%` : row.error ?? `n/a (${row.unsupported})`;
    console.log(`${workload.id.padEnd(12)} ${`${row.library} ${row.backend}`.padEnd(24)} ${shown}`);
  }
}

/** The better of two measurements of the same build, figure by figure (or the one without an error). */
const better = (a, b) => (a.error || b.error
  ? (a.error ? b : a)
  : Object.fromEntries(Object.keys(a).map((key) => [key, Math.max(a[key], b[key])])));
const limit128 = better(limit128Before, measureLimit(limitRounds, SIMD128_FLAGS));
// Built last, so the gitignored binary left behind is the -march=native one.
const limit = better(limitBefore, measureLimit(limitRounds));
console.log('C limit (GFLOP/s):', JSON.stringify(limit), '128-bit SIMD build:', JSON.stringify(limit128));
const env = { ...(await environment()), load: [loadBefore, os.loadavg()].map((l) => l.map((v) => v.toFixed(2)).join(' ')), rounds };
const lstm = selected.find((w) => w.id === 'lstm');
const lossCurve = lstm ? await (await import('./lib-lstm.mjs')).lstmLossCurve(lstm, datasets.get('lstm').series, quick).catch((error) => console.log(`lstm loss curve: ${errorText(error)}`)) : undefined;
const markdown = renderResults({ rows, limit, limit128, quick, env, seconds: (Date.now() - started) / 1000, workloads: WORKLOADS, lossCurve });
writeFileSync(fileURLToPath(new URL('./RESULTS.md', import.meta.url)), markdown);
console.log(`wrote bench/RESULTS.md in ${((Date.now() - started) / 1000).toFixed(0)} s`);
