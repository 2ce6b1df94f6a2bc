// JS twin of assembly/activations.ts: the formulas are src/math/activations.ts, shared with the wasm kernels.
import { BackendError } from '../../errors.js';
import { ACT_IDENTITY, ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_LEAKY_RELU, ACT_ELU, ACT_SOFTMAX } from '../../header.js';
import { activation, elu, leakyRelu, relu, sigmoid, tanh } from '../../math/activations.js';
import { ACTIVATION_SPECS } from '../../spec/activations.js';
import { exp } from '../../math/exp.js';

export { derivative } from '../../math/activations.js';

/** Applies activation `kind` in place to `n` pre-activations at f[row...]; an unknown kind throws. */
export function activate(f: Float64Array, row: number, n: number, kind: number, leakyAlpha: number, eluAlpha: number): void {
  const end = row + n;
  // One loop per kind, each a tight loop around one small formula the engine inlines.
  switch (kind) {
    case ACT_IDENTITY: return;
    case ACT_SIGMOID: for (let i = row; i < end; i++) f[i] = sigmoid(f[i]!); return;
    case ACT_TANH: for (let i = row; i < end; i++) f[i] = tanh(f[i]!); return;
    case ACT_RELU: for (let i = row; i < end; i++) f[i] = relu(f[i]!); return;
    case ACT_LEAKY_RELU: for (let i = row; i < end; i++) f[i] = leakyRelu(f[i]!, leakyAlpha); return;
    case ACT_ELU: for (let i = row; i < end; i++) f[i] = elu(f[i]!, eluAlpha); return;
    case ACT_SOFTMAX: {
      // e^(z - max z) / Σ: the shift keeps every exponent <= 0, so nothing overflows.
      let max = f[row]!;
      for (let i = 1; i < n; i++) max = Math.max(max, f[row + i]!);
      let sum = 0.0;
      for (let i = 0; i < n; i++) {
        const e = exp(f[row + i]! - max);
        f[row + i] = e;
        sum += e;
      }
      for (let i = 0; i < n; i++) f[row + i] = f[row + i]! / sum;
      return;
    }
    default:
      // A kind without a loop of its own: its scalar formula per unit.
      if (ACTIVATION_SPECS[kind] === undefined) throw new BackendError(`unknown activation code ${kind}`);
      for (let i = row; i < end; i++) f[i] = activation(f[i]!, kind, leakyAlpha, eluAlpha);
  }
}
