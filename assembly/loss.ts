// Per output row: whether the prediction counts as right, and the loss with its deltas, for the dense and
// recurrent kernels alike.
import { f, put } from "./rows";
import { derivative } from "../src/math/activations";
import {
  mseGradient, softmaxDelta, binaryCrossEntropyTerm, binaryCrossEntropyDelta, crossEntropyTerm, crossEntropyDelta,
} from "../src/math/losses";
import { ACT_SOFTMAX, LOSS_MSE, LOSS_BINARY_CROSS_ENTROPY, LOSS_CROSS_ENTROPY } from "../src/header";

type float = f64;

/** Whether a prediction counts as right: same argmax (first maximum), or same side of 0.5 for one output. */
export function matches(out: usize, target: usize, n: i32): bool {
  if (n == 1) return (f(out, 0) >= 0.5) == (f(target, 0) >= 0.5);
  let best = 0, expected = 0;
  for (let i = 1; i < n; i++) {
    if (f(out, i) > f(out, best)) best = i;
    if (f(target, i) > f(target, expected)) expected = i;
  }
  return best == expected;
}

/**
 * The loss of one output row against its target, and its delta dL/dz (times perRow) at `delta`: mse through any
 * head activation (softmax: its Jacobian), binaryCrossEntropy after sigmoid, crossEntropy after softmax.
 */
// @ts-ignore: decorator
@inline export function rowLoss(out: usize, target: usize, delta: usize, n: i32, kind: i32, lossKind: i32, perRow: float, leaky: float, elu: float): float {
  const perOutput: float = 1.0 / <float>n;
  let loss: float = 0.0;
  switch (lossKind) {
    case LOSS_MSE: {
      let weighted: float = 0.0;
      for (let i = 0; i < n; i++) {
        const a = f(out, i), e = a - f(target, i);
        loss += e * e;
        const g = mseGradient(e, perOutput);
        put(delta, i, g);
        weighted += g * a;
      }
      for (let i = 0; i < n; i++) {
        const a = f(out, i), g = f(delta, i);
        put(delta, i, (kind == ACT_SOFTMAX ? softmaxDelta(a, g, weighted) : g * derivative(a, kind, leaky, elu)) * perRow);
      }
      return loss * perOutput;
    }
    case LOSS_BINARY_CROSS_ENTROPY: {
      for (let i = 0; i < n; i++) {
        const a = f(out, i), y = f(target, i);
        loss -= binaryCrossEntropyTerm(a, y);
        put(delta, i, binaryCrossEntropyDelta(a, y, perOutput, perRow));
      }
      return loss * perOutput;
    }
    case LOSS_CROSS_ENTROPY: {
      for (let i = 0; i < n; i++) {
        const a = f(out, i), y = f(target, i);
        loss -= crossEntropyTerm(a, y);
        put(delta, i, crossEntropyDelta(a, y, perRow));
      }
      return loss;
    }
    default: throw new Error("unknown loss code");
  }
}
