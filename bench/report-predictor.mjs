// RESULTS.md's section on issue 16's float32 predictor targets, against TensorFlow.js, onnxruntime-web and onnxruntime-node.

/** The lines of the issue 16 table (empty when the inference workloads were not run). */
export function predictorTargetLines(rows) {
  const figure = (id, library, backend) => rows.find((r) => r.workload === id && r.library === library && r.backend === backend)?.figure;
  const lines = [];
  const row = (text, ratio, goal, lowerIsBetter = false) => {
    const measured = ratio === undefined ? 'missing figures' : `${ratio.toFixed(2)}×`;
    const met = goal === undefined ? 'for information' : ratio === undefined ? 'not measured' : ratio >= goal ? 'yes' : '**no**';
    lines.push(`| ${text} | ${measured}${lowerIsBetter ? ' (time ratio)' : ''} | ${met} |`);
  };
  const ratio = (a, b) => (a === undefined || b === undefined ? undefined : a / b);
  const f32 = (id, backend = 'wasm') => figure(id, 'neurite float32', backend);
  if (rows.some((r) => r.workload === 'infer-batch')) {
    row('infer-batch: float32 predictor (wasm, 1 thread) ≥ 1.5× tfjs wasm', ratio(f32('infer-batch'), figure('infer-batch', 'tfjs', 'wasm')), 1.5);
    row('infer-batch: float32 predictor (wasm, 1 thread) ≥ 1.5× onnxruntime-web float32', ratio(f32('infer-batch'), figure('infer-batch', 'onnxruntime-web', 'float32 1 thread')), 1.5);
    row('infer-batch: float32 predictor (wasm) against neurite float64 (wasm)', ratio(f32('infer-batch'), figure('infer-batch', 'neurite', 'wasm')));
    row('infer-batch: float32 predictor (wasm, 1 thread) against onnxruntime-node float32, 1 thread (native AVX-512)', ratio(f32('infer-batch'), figure('infer-batch', 'onnxruntime-node', 'float32 1 thread')));
    row('infer-batch: float32 predictor (js) against tfjs cpu (the pure-JS peers\' batch path)', ratio(f32('infer-batch', 'js'), figure('infer-batch', 'tfjs', 'cpu')));
  }
  if (rows.some((r) => r.workload === 'infer-small')) {
    row('infer-small: float32 predictor latency ≤ float64 predictInto (both wasm)', ratio(figure('infer-small', 'neurite', 'wasm'), f32('infer-small')), 1, true);
  }
  if (lines.length === 0) return [];
  return ['## Targets (issue 16: the float32 predictor)', '', 'Ratios > 1: the float32 predictor is faster.', '', '| target | measured | met |', '|---|---|---|', ...lines, ''];
}
