// Renders bench/RESULTS.md: the machine, one table per workload, the C limit and the issue's targets.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { threadTargetLines } from './report-threads.mjs';
import { renderLstm } from './report-lstm.mjs';

// Read from node_modules directly: some packages' export maps hide their package.json.
function version(pkg) {
  try {
    return JSON.parse(readFileSync(new URL(`../node_modules/${pkg}/package.json`, import.meta.url), 'utf8')).version;
  } catch {
    return '?';
  }
}

/** Node, CPU, date and the versions of every library measured. */
export async function environment() {
  let cpu = os.cpus()[0]?.model ?? '?';
  try {
    cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch { /* not Linux: keep os.cpus() */ }
  let simd = '?';
  try {
    simd = (await import('../dist/index.js')).wasmSimd() ? 'SIMD build' : 'non-SIMD build';
  } catch { /* reported as '?' */ }
  let tfjsWasm = '?';
  try {
    tfjsWasm = await (await import('./lib-tfjs.mjs')).tfjsWasmFeatures();
  } catch { /* reported as '?' */ }
  return {
    node: process.version, cpu, cores: os.cpus().length, date: new Date().toISOString(), simd, tfjsWasm,
    versions: ['brain.js', 'synaptic', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'onnxruntime-web', 'onnxruntime-node', 'tinybench'].map((p) => `${p} ${version(p)}`).join(', '),
  };
}

/** A figure as the tables print it. */
export const fmt = (value) => (value >= 100 ? Math.round(value).toLocaleString('en-US') : value >= 1 ? value.toFixed(2) : value.toPrecision(3));
/** A ratio as the tables print it. */
export const times = (ratio) => (ratio === undefined || !Number.isFinite(ratio) ? '-' : `${ratio >= 100 ? ratio.toFixed(0) : ratio.toPrecision(3)}×`);

/** How many times better `a` is than `b` for a workload (> 1: `a` is faster). */
export const speedup = (workload, a, b) => (a === undefined || b === undefined ? undefined : workload.better === 'lower' ? b / a : a / b);

const gflops = (workload, row) => (workload.flopsPerSample && row.figure !== undefined ? (row.figure * workload.flopsPerSample) / 1e9 : undefined);

/** The whole RESULTS.md text. */
export function renderResults({ rows, limit, limit128, quick, env, seconds, workloads, lossCurve }) {
  const figure = (id, library, backend) => rows.find((r) => r.workload === id && r.library === library && r.backend === backend)?.figure;
  // Both builds measure the same loop (128-bit multiply and add, no contraction): the better figure is the peak.
  const peak128 = Math.max(limit128.peak128 ?? 0, limit.peak128 ?? 0) || undefined;
  const out = [];
  out.push('# Benchmark results', '');
  out.push(`Written by \`npm run bench\` (bench/run.mjs)${quick ? ' in **quick mode** (BENCH_QUICK=1: short smoke timings, not for comparison)' : ''}; every figure below was measured in that one run.`, '');
  out.push(`- Date: ${env.date}`, `- Node ${env.node}, CPU: ${env.cpu} (${env.cores} cores), neurite wasm: ${env.simd}, tfjs wasm: ${env.tfjsWasm}`, `- ${env.versions}`, `- Total run time: ${seconds.toFixed(0)} s; load average (1, 5, 15 min) at the start: ${env.load[0]} (includes the build \`npm run bench\` runs first), at the end: ${env.load[1]} (includes the bench itself, one core)${Number(env.load[1].split(' ')[0]) > env.cores ? ' — **other processes were busy: figures are noisy**' : ''}`, '');
  out.push(`Each figure is the median of tinybench's samples (± the relative margin of error of their mean), the best of ${env.rounds} round${env.rounds > 1 ? 's' : ''}, each over the whole suite (so a slow spell of the machine costs one round of a workload, not all). "neurite wasm ×" says how many times faster neurite (wasm) is than that row (> 1: neurite is faster). TensorFlow.js, neurite float32 (the predictor of \`toPredictor()\`) and the onnxruntime float32 rows compute in float32, everything else in float64; onnxruntime runs neurite's own ONNX export of the same network. GFLOP/s counts 2·in·out flops per sample per layer forward, and training as 3× forward.`, '');

  for (const workload of workloads) {
    const mine = rows.filter((r) => r.workload === workload.id);
    if (mine.length === 0) continue;
    const reference = figure(workload.id, 'neurite', 'wasm');
    out.push(`## ${workload.title}`, '');
    out.push(`| library | backend | ${workload.unit} | ± | neurite wasm × |${workload.flopsPerSample ? ' GFLOP/s |' : ''} notes |`);
    out.push(`|---|---|---:|---:|---:|${workload.flopsPerSample ? '---:|' : ''}---|`);
    for (const row of mine) {
      const cells = row.figure !== undefined
        ? [fmt(row.figure), `${row.rme.toFixed(1)}%`, times(speedup(workload, reference, row.figure))]
        : [row.error ? `**error**` : 'n/a', '', ''];
      const flops = workload.flopsPerSample ? [row.figure !== undefined ? gflops(workload, row).toFixed(2) : ''] : [];
      const note = row.error ?? row.unsupported ?? row.note ?? '';
      out.push(`| ${row.library} | ${row.backend} | ${[...cells, ...flops, note.replace(/\|/g, '\\|')].join(' | ')} |`);
    }
    out.push('');
  }

  out.push('## The machine\'s float64 limit (bench/limit)', '');
  if (limit.error) {
    out.push(`The C limit could not be measured: ${limit.error}`, '');
  } else {
    out.push('bench/limit/limit.cpp, compiled with `g++ -O3 -march=native`, best of several rounds. "Naive" is the textbook loop (a serial sum the compiler does not vectorize); "blocked" keeps several rows and partial sums in registers, which the compiler vectorizes. The blocked figures are the limit below.', '');
    out.push('The last column is the same source built for 128-bit SIMD without FMA (`-march=x86-64-v2`), the width WebAssembly\'s f64x2 has. Its matrix-matrix product has its own tile for 16 SSE registers (3 rows of W × 4 rows of X), so that figure is what 128-bit code reaches on this product; its matrix-vector product is the native loop, rough context only.', '');
    const narrow = (key) => (limit128.error ? '-' : limit128[key].toFixed(2));
    out.push('| product | naive GFLOP/s | blocked GFLOP/s | blocked, 128-bit SIMD build |', '|---|---:|---:|---:|');
    out.push(`| matrix-vector 128×784 · 784 | ${limit.matvecNaive.toFixed(2)} | ${limit.matvecBlocked.toFixed(2)} | ${narrow('matvecBlocked')} |`);
    out.push(`| matrix-matrix [32×784]·[784×128]ᵀ | ${limit.matmulNaive.toFixed(2)} | ${limit.matmulBlocked.toFixed(2)} | ${narrow('matmulBlocked')} |`, '');
    out.push('The peaks are loops of independent sums `acc += t·t` on values already in registers: the arithmetic pipes alone, with no memory traffic.', '');
    out.push('| peak | GFLOP/s | what it is |', '|---|---:|---|');
    out.push(`| 128-bit multiply + add, no FMA | ${peak128 === undefined ? '-' : peak128.toFixed(2)} | the ceiling of f64x2 code without FMA, such as neurite's wasm kernels |`);
    if (limit.peak256Fma !== undefined) out.push(`| 256-bit FMA | ${limit.peak256Fma.toFixed(2)} | AVX2 fused multiply-add, native build |`);
    if (limit.peak512Fma !== undefined) out.push(`| 512-bit FMA | ${limit.peak512Fma.toFixed(2)} | AVX-512 fused multiply-add, native build (\`-march=native\` enables AVX-512 here) |`);
    out.push('');
    out.push('| neurite workload | backend | GFLOP/s | compared with | fraction of the limit | fraction of the 128-bit peak |', '|---|---|---:|---|---:|---:|');
    for (const [id, product, key] of [['mlp-sgd', 'matrix-vector', 'matvecBlocked'], ['mlp-batch', 'matrix-matrix', 'matmulBlocked'], ['infer-batch', 'matrix-matrix', 'matmulBlocked']]) {
      const workload = workloads.find((w) => w.id === id);
      for (const backend of ['wasm', 'js']) {
        const row = rows.find((r) => r.workload === id && r.library === 'neurite' && r.backend === backend);
        if (row?.figure === undefined) continue;
        const g = gflops(workload, row);
        out.push(`| ${id} | ${backend} | ${g.toFixed(2)} | ${product} ${limit[key].toFixed(2)} | ${((100 * g) / limit[key]).toFixed(1)}% | ${peak128 === undefined ? '-' : `${((100 * g) / peak128).toFixed(1)}%`} |`);
      }
    }
    out.push('');
  }

  out.push('## Targets (issue 7)', '');
  out.push('| target | measured | met |', '|---|---|---|');
  const peers = (id) => rows.filter((r) => r.workload === id && !r.library.startsWith('neurite') && r.figure !== undefined);
  const byId = (id) => workloads.find((w) => w.id === id);
  // Targets of workloads left out of this run (BENCH_ONLY) are not listed.
  const ran = (text) => rows.some((r) => r.workload === text.split(':')[0]);
  const target = (text, measured, met) => ran(text) && out.push(`| ${text} | ${measured} | ${met === undefined ? 'not measured' : met ? 'yes' : '**no**'} |`);
  const versusBest = (id, goal) => {
    const w = byId(id);
    const mine = figure(id, 'neurite', 'wasm');
    const list = peers(id);
    if (mine === undefined || list.length === 0) return target(`${id}: ≥ ${goal}× the best peer`, 'missing figures', undefined);
    const best = list.reduce((a, b) => (speedup(w, a.figure, b.figure) >= 1 ? a : b));
    const ratio = speedup(w, mine, best.figure);
    target(`${id}: ≥ ${goal}× the best peer`, `${times(ratio)} ${best.library} ${best.backend} (${fmt(best.figure)} vs ${fmt(mine)} ${w.unit})`, ratio >= goal);
  };
  const versus = (id, library, backends, goal) => {
    const w = byId(id);
    const mine = figure(id, 'neurite', 'wasm');
    const list = peers(id).filter((r) => r.library === library && backends.includes(r.backend));
    const label = `${id}: ≥ ${goal}× ${library}${backends.length === 1 && library === 'tfjs' ? `-${backends[0]}` : ''}`;
    if (mine === undefined || list.length === 0) return target(label, 'missing figures', undefined);
    const best = list.reduce((a, b) => (speedup(w, a.figure, b.figure) >= 1 ? a : b));
    const ratio = speedup(w, mine, best.figure);
    target(label, `${times(ratio)}${list.length > 1 ? ` (against ${best.library} ${best.backend}, the faster one)` : ''}`, ratio >= goal);
  };
  versusBest('mlp-sgd', 10);
  versus('mlp-batch', 'tfjs', ['wasm'], 2);
  versusBest('xor', 3);
  versus('infer-small', 'brain.js', ['js'], 10);
  versus('infer-small', 'tfjs', ['cpu', 'wasm'], 50);
  const inferBatch = rows.find((r) => r.workload === 'infer-batch' && r.library === 'neurite' && r.backend === 'wasm');
  if (inferBatch?.figure !== undefined && !limit.error) {
    const g = gflops(byId('infer-batch'), inferBatch);
    const fraction = g / limit.matmulBlocked;
    const tf = figure('infer-batch', 'tfjs', 'wasm');
    // 50% of the limit is limit / (2·peak128) of the 128-bit peak: over 100% means 128-bit code without FMA cannot meet it.
    const peak = peak128 === undefined ? '' : `; ${((100 * g) / peak128).toFixed(0)}% of the measured 128-bit no-FMA peak (${peak128.toFixed(1)} GFLOP/s), which is itself ${((100 * peak128) / limit.matmulBlocked).toFixed(0)}% of the C limit, so the target asks for ${((100 * limit.matmulBlocked) / (2 * peak128)).toFixed(0)}% of that peak`;
    target('infer-batch: ≥ 50% of the C limit in GFLOP/s', `${(100 * fraction).toFixed(1)}%${peak}${tf ? `; ${(inferBatch.figure / tf).toFixed(2)}× tfjs-wasm (float32)` : ''}`, fraction >= 0.5);
  } else {
    target('infer-batch: ≥ 50% of the C limit in GFLOP/s', 'missing figures', undefined);
  }
  for (const workload of workloads) {
    const wasm = figure(workload.id, 'neurite', 'wasm');
    const js = figure(workload.id, 'neurite', 'js');
    if (!rows.some((r) => r.workload === workload.id)) continue;
    const ratio = speedup(workload, wasm, js);
    target(`${workload.id}: neurite wasm beats js`, ratio === undefined ? 'missing figures' : `${times(ratio)}`, ratio === undefined ? undefined : ratio > 1);
  }
  out.push('');
  out.push(...threadTargetLines(rows, workloads));
  out.push(...renderLstm({ rows, workloads, lossCurve }));
  return out.join('\n');
}
