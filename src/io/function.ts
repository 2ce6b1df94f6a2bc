// toFunction: a saved dense model as standalone JavaScript that computes predict with no dependency.
import type { DenseModelJSON } from '../dense/types.js';
import { ACTIVATION_SPECS } from '../spec/activations.js';
import { vector } from '../validate.js';
import { parseDenseModel } from './json.js';

/** Writes a float64 so that it reads back bit for bit (String() already does, except for -0). */
function literal(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

/**
 * The JavaScript source of a function computing the model's predict: an expression that evaluates to
 * `function predict(input) → Float64Array` (a fresh array each call). It needs nothing but the language,
 * so it can be saved, e.g. `writeFileSync('predict.mjs', 'export default ' + toFunctionSource(model))`.
 * The weights are written as exact float64 literals.
 * @param model a `DenseModelJSON` (e.g. `net.toJSON()`), checked by {@link parseDenseModel}
 * @throws FormatError when the model is malformed
 */
export function toFunctionSource(model: DenseModelJSON): string {
  return generate(parseDenseModel(model));
}

/** The source of an already checked model. */
function generate({ layers, weights, biases, scaling }: DenseModelJSON): string {
  const inputSize = layers[0]!.size;
  const lines = [
    '(function () {',
    '  "use strict";',
    `  // neurite dense model ${layers.map((l) => l.size).join('-')} (${layers.slice(1).map((l) => l.activation).join(', ')})`,
  ];
  for (let l = 1; l < layers.length; l++) {
    lines.push(`  const W${l} = new Float64Array([${weights[l - 1]!.map(literal).join(',')}]);`);
    lines.push(`  const B${l} = new Float64Array([${biases[l - 1]!.map(literal).join(',')}]);`);
  }
  // The standardization figures, applied as DenseNetwork applies them (dense/scaling.ts).
  for (const [name, block] of [['IN', scaling?.inputs], ['OUT', scaling?.targets]] as const) {
    if (block) lines.push(`  const ${name}_MEAN = [${block.mean.map(literal).join(',')}], ${name}_STD = [${block.std.map(literal).join(',')}];`);
  }
  lines.push(
    '  return function predict(input) {',
    `    if (input == null || input.length !== ${inputSize}) throw new RangeError("input must hold ${inputSize} numbers, got " + (input == null ? input : input.length));`,
    scaling?.inputs ? `    let x = Float64Array.from(input, (v, i) => (v - IN_MEAN[i]) / IN_STD[i]);` : '    let x = input;',
  );
  for (let l = 1; l < layers.length; l++) {
    const rows = layers[l]!.size;
    const columns = layers[l - 1]!.size;
    const activation = layers[l]!.activation!;
    lines.push(
      `    const y${l} = new Float64Array(${rows});`,
      `    for (let o = 0; o < ${rows}; o++) {`,
      `      let s = B${l}[o];`,
      `      for (let i = 0, r = o * ${columns}; i < ${columns}; i++) s += W${l}[r + i] * x[i];`,
      `      y${l}[o] = ${ACTIVATION_SPECS.find((spec) => spec.name === activation)!.source};`,
      '    }',
    );
    if (activation === 'softmax') {
      // Subtracting the maximum keeps exp() finite for large logits without changing the result.
      lines.push(
        `    let max${l} = -Infinity, sum${l} = 0;`,
        `    for (let o = 0; o < ${rows}; o++) if (y${l}[o] > max${l}) max${l} = y${l}[o];`,
        `    for (let o = 0; o < ${rows}; o++) sum${l} += (y${l}[o] = Math.exp(y${l}[o] - max${l}));`,
        `    for (let o = 0; o < ${rows}; o++) y${l}[o] /= sum${l};`,
      );
    }
    lines.push(`    x = y${l};`);
  }
  if (scaling?.targets) lines.push(`    for (let o = 0; o < ${layers[layers.length - 1]!.size}; o++) x[o] = x[o] * OUT_STD[o] + OUT_MEAN[o];`);
  lines.push('    return x;', '  };', '})()');
  return lines.join('\n');
}

/**
 * Compiles {@link toFunctionSource} into a function: `predict(input)` returns a fresh Float64Array
 * of the model's outputs. Checks its input like `DenseNetwork.predict` does.
 * @param model a `DenseModelJSON` (e.g. `net.toJSON()`)
 * @throws FormatError when the model is malformed
 */
export function toFunction(model: DenseModelJSON): (input: ArrayLike<number>) => Float64Array {
  const checked = parseDenseModel(model);
  const predict = new Function(`return ${generate(checked)};`)() as (input: ArrayLike<number>) => Float64Array;
  const inputSize = checked.layers[0]!.size;
  return (input) => predict(vector(input, 'input', inputSize));
}
