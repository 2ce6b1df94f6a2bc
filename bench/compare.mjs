// `node bench/compare.mjs OTHER [rounds]`: neurite's own workloads (dense, and recurrent where both checkouts have
// them), this checkout's build against another checkout's (OTHER: a built clone at another commit), interleaved in
// one process so both see the same machine.
// Each round times every task of both builds back to back, in alternating order; the table gives each build's best
// round and the spread of the per-round ratios.
import { Bench } from 'tinybench';
import os from 'node:os';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WORKLOADS } from './workloads.mjs';

const [other, roundArg] = process.argv.slice(2);
if (!other) throw new Error('usage: node bench/compare.mjs OTHER_CHECKOUT [rounds]');
const rounds = Number(roundArg ?? 7);
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const timing = { time: 300, iterations: 3, warmupTime: 100, warmupIterations: 2 };

/** A checkout's neurite libraries by row label: the dense one, and the recurrent ones where it has bench/lib-lstm.mjs. */
async function load(dir) {
  const url = (file) => pathToFileURL(resolve(dir, 'bench', file)).href;
  const libraries = new Map([['', (await import(url('lib-neurite.mjs'))).neuriteLibrary]]);
  if (existsSync(resolve(dir, 'bench', 'lib-lstm.mjs'))) {
    const lstm = await import(url('lib-lstm.mjs'));
    libraries.set(' (recurrent)', lstm.neuriteLstmLibrary).set(' (recurrent, batch 16)', lstm.neuriteLstmBatchLibrary);
  }
  for (const library of libraries.values()) await library.prepare?.();
  return libraries;
}
const builds = [await load(other), await load('.')];

/** tinybench's median ms per iteration of one runner. */
async function time(runner) {
  const bench = new Bench(timing);
  bench.add('task', runner.run, { beforeEach: runner.beforeEach });
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state === 'errored') throw result.error;
  return result.latency.p50;
}

const cases = [];
for (const w of WORKLOADS) {
  if (only && !only.has(w.id)) continue;
  let data;
  for (const [name, library] of builds[1]) {
    const pair = [builds[0].get(name), library];
    if (!pair.every((l) => l?.workloads[w.id])) continue;
    data ??= w.data();
    for (const backend of library.backends) cases.push({ w, name, pair, data, backend, best: [Infinity, Infinity], ratios: [] });
  }
}

for (let round = 0; round < rounds; round++) {
  for (const c of cases) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    const ms = [0, 0];
    for (const k of order) {
      const runner = c.pair[k].workloads[c.w.id](c.w, c.data, false, c.backend);
      ms[k] = await time(runner);
      runner.dispose?.();
      c.best[k] = Math.min(c.best[k], ms[k]);
    }
    // > 1: this build is faster in this round.
    c.ratios.push(ms[0] / ms[1]);
  }
  process.stderr.write(`round ${round + 1}/${rounds} done (load ${os.loadavg()[0].toFixed(1)})\n`);
}

const fmt = (x) => x.toFixed(3);
console.log(`| workload | backend | other, best ms | this, best ms | speed ratio of bests (this/other) | per-round ratios, min–max |`);
console.log(`|---|---|---:|---:|---:|---:|`);
for (const c of cases) {
  const [lo, hi] = [Math.min(...c.ratios), Math.max(...c.ratios)];
  console.log(`| ${c.w.id}${c.name} | ${c.backend} | ${fmt(c.best[0])} | ${fmt(c.best[1])} | ${fmt(c.best[0] / c.best[1])} | ${fmt(lo)}–${fmt(hi)} |`);
}
console.log(`\n${rounds} rounds; load average at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
