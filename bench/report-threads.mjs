// RESULTS.md's section on issue 16's targets: threads, the float32 predictor and the js backend, against
// TensorFlow.js, onnxruntime-web, onnxruntime-node and brain.js.
import { speedup } from './report.mjs';

/** The lines of the issue 16 table (empty when none of its workloads ran). */
export function threadTargetLines(rows, workloads) {
  const figure = (id, library, backend) => rows.find((r) => r.workload === id && r.library === library && r.backend === backend)?.figure;
  const byId = (id) => workloads.find((w) => w.id === id);
  const ran = (id) => rows.some((r) => r.workload === id);
  const lines = [];
  // `ratio` > 1 means the first figure is better (speedup handles workloads whose figure is a time).
  const row = (text, id, a, b, goal) => {
    if (!ran(id)) return;
    const ratio = speedup(byId(id), figure(id, ...a), figure(id, ...b));
    const measured = ratio === undefined ? 'missing figures' : `${ratio.toFixed(2)}×`;
    const met = goal === undefined ? 'for information' : ratio === undefined ? 'not measured' : ratio >= goal ? 'yes' : '**no**';
    lines.push(`| ${text} | ${measured} | ${met} |`);
  };
  const f64 = ['neurite', 'wasm'], f64x2 = ['neurite 2 threads', 'wasm'];
  const f32 = ['neurite float32', 'wasm'], f32x2 = ['neurite float32 2 threads', 'wasm'];
  row('mlp-batch: 2 threads ≥ 1.7× one thread', 'mlp-batch', f64x2, f64, 1.7);
  row('infer-batch: 2 threads ≥ 1.7× one thread', 'infer-batch', f64x2, f64, 1.7);
  row('infer-batch: float64, 2 threads ≥ 1.3× tfjs wasm', 'infer-batch', f64x2, ['tfjs', 'wasm'], 1.3);
  row('infer-batch: float32 predictor, 1 thread ≥ 1.5× tfjs wasm', 'infer-batch', f32, ['tfjs', 'wasm'], 1.5);
  row('infer-batch: float32 predictor, 1 thread ≥ 1.5× onnxruntime-web float32', 'infer-batch', f32, ['onnxruntime-web', 'float32 1 thread'], 1.5);
  row('infer-batch: float32 predictor, 2 threads ≥ 0.5× onnxruntime-node float32, 1 thread (native AVX-512)', 'infer-batch', f32x2, ['onnxruntime-node', 'float32 1 thread'], 0.5);
  row('infer-batch: float32 predictor, 2 threads against one thread', 'infer-batch', f32x2, f32);
  row('infer-batch: float32 predictor against neurite float64 (wasm, 1 thread)', 'infer-batch', f32, f64);
  for (const id of ['xor', 'mlp-sgd', 'infer-small', 'infer-batch']) row(`${id}: js backend ≥ 1× brain.js`, id, ['neurite', 'js'], ['brain.js', 'js'], 1);
  row('infer-small: float32 predictor latency against float64 predictInto (both wasm)', 'infer-small', f32, f64);
  if (lines.length === 0) return [];
  return ['## Targets (issue 16: threads, the float32 predictor, the js backend)', '', 'Ratios > 1: the first named is faster.', '', '| target | measured | met |', '|---|---|---|', ...lines, ''];
}
