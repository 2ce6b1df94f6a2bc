// `npm run bench`: every workload on every library and backend, timed by tinybench, written to bench/RESULTS.md.
// BENCH_QUICK=1 runs each task briefly (a smoke run); BENCH_ONLY=xor,seed limits the workloads.
import { Bench } from 'tinybench';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WORKLOADS } from './workloads.mjs';
import { measureLimit } from './limit.mjs';
import { environment, renderResults } from './report.mjs';

const quick = /^(1|true|yes)$/i.test(process.env.BENCH_QUICK ?? '');
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const timing = quick
  ? { time: 100, iterations: 1, warmupTime: 20, warmupIterations: 1 }
  : { time: 1500, iterations: 3, warmupTime: 300, warmupIterations: 2 };

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
  await load('./lib-brain.mjs', 'brainLibrary', 'brain.js'),
  await load('./lib-synaptic.mjs', 'synapticLibrary', 'synaptic'),
  await load('./lib-tfjs.mjs', 'tfjsLibrary', 'tfjs'),
];

/** Times one runner with tinybench; returns the mean ms per iteration, its relative margin of error and samples. */
async function time(label, runner) {
  const bench = new Bench({ ...timing, name: label });
  bench.add(label, runner.run, { beforeEach: runner.beforeEach });
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state === 'errored') throw result.error;
  return { ms: result.latency.mean, rme: result.latency.rme, samples: result.latency.samplesCount };
}

const started = Date.now();
const rows = [];
for (const workload of WORKLOADS) {
  if (only && !only.has(workload.id)) continue;
  const data = workload.data();
  for (const library of libraries) {
    for (const backend of library.backends) {
      const row = { workload: workload.id, library: library.name, backend };
      rows.push(row);
      if (library.loadError) { row.error = `could not load: ${library.loadError.message}`; continue; }
      const factory = library.workloads[workload.id];
      let runner;
      try {
        await library.prepare(backend);
        runner = factory ? await factory(workload, data, quick, backend) : { unsupported: 'not implemented' };
        if (runner.unsupported) { row.unsupported = runner.unsupported; continue; }
        const { ms, rme, samples } = await time(`${workload.id} ${library.name} ${backend}`, runner);
        row.figure = workload.figure(ms, runner.perIteration, runner.scale ?? 1);
        row.rme = rme;
        row.samples = samples;
        row.note = [runner.note, runner.check?.()].filter(Boolean).join('; ');
      } catch (error) {
        row.error = `${error?.name ?? 'Error'}: ${error?.message ?? error}`.split('\n')[0];
      } finally {
        try { runner?.dispose?.(); } catch { /* a failed dispose must not hide the figure */ }
      }
      const shown = row.figure !== undefined ? `${row.figure.toPrecision(4)} ${workload.unit} ±${row.rme.toFixed(1)}%` : row.error ?? `n/a (${row.unsupported})`;
      console.log(`${workload.id.padEnd(12)} ${`${library.name} ${backend}`.padEnd(16)} ${shown}`);
    }
  }
}

const limit = measureLimit(quick ? 2 : 10);
console.log('C limit (GFLOP/s):', JSON.stringify(limit));
const markdown = renderResults({ rows, limit, quick, env: await environment(), seconds: (Date.now() - started) / 1000, workloads: WORKLOADS });
writeFileSync(fileURLToPath(new URL('./RESULTS.md', import.meta.url)), markdown);
console.log(`wrote bench/RESULTS.md in ${((Date.now() - started) / 1000).toFixed(0)} s`);
