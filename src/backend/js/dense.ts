// JS twin of assembly/dense.ts: the same loops and summation order (two-lane dot products), same bits.
import type { Arena } from '../arena.js';
import { type Header, headerOf } from './header.js';
import { BackendError } from '../../errors.js';
import { activate, derivative } from './activations.js';
import { commitStep, optimize, peekStep, prepareStep, stepBound, stepRange } from './optimizers.js';
import {
  binaryCrossEntropyDelta, binaryCrossEntropyTerm, crossEntropyDelta, crossEntropyTerm, mseGradient, SAFE_GRADIENT, softmaxDelta,
} from '../../math/losses.js';
import { SAFE_VALUE } from '../../math/optimizers.js';
import {
  DENSE_SETTINGS, DENSE_STATUS, DENSE_FAILED_EPOCH, DENSE_FAILED_BATCH, S_LEAKY_ALPHA, S_ELU_ALPHA, S_CORRECT, S_GRAD_NORM,
  S_CLIP_NORM, ACT_SOFTMAX, LOSS_MSE, LOSS_BINARY_CROSS_ENTROPY, LOSS_CROSS_ENTROPY, SLICE, SLICE_WORDS, SLICE_LOSS, SLICE_CORRECT, SLICE_BOUND,
} from '../../header.js';

/** Σ w[k]·x[k], k < n: even and odd terms in two sums, then their sum, then the odd tail. */
export function dot(f: Float64Array, w: number, x: number, n: number): number {
  const pairs = n & ~1;
  let s0 = 0.0;
  let s1 = 0.0;
  for (let k = 0; k < pairs; k += 2) {
    s0 += f[w + k]! * f[x + k]!;
    s1 += f[w + k + 1]! * f[x + k + 1]!;
  }
  let s = s0 + s1;
  if (n & 1) s += f[w + n - 1]! * f[x + n - 1]!;
  return s;
}

/** out[b·stride + o] = dot(w[o], x[b]) + bias[o] for rows o in [first, end) of w (nIn wide), `count` rows of x. */
export function affine(f: Float64Array, x: number, w: number, bias: number, out: number, nIn: number, first: number, end: number, stride: number, count: number): void {
  for (let b = 0; b < count; b++) {
    const xb = x + b * nIn;
    const ob = out + b * stride;
    for (let o = first; o < end; o++) f[ob + o] = dot(f, w + o * nIn, xb, nIn) + f[bias + o]!;
  }
}

/** See assembly/dense.ts `forwardDense`. */
export function forwardDense(arena: Arena, count: number): void {
  const h = headerOf(arena);
  forwardRows(arena.f64, h, h.input, count);
}

/** forwardDense of `count` rows at f[x...] (the staged input, or a row of the data set), outputs from row `first` on. */
export function forwardRows(f: Float64Array, h: Header, x: number, count: number, first = 0): void {
  const leaky = f[h.settings + S_LEAKY_ALPHA]!;
  const elu = f[h.settings + S_ELU_ALPHA]!;
  for (let l = 1; l <= h.layers; l++) {
    const nOut = h.nOut[l]!;
    const out = h.output[l]! + first * nOut;
    affine(f, x, h.weight[l]!, h.bias[l]!, out, h.nIn[l]!, 0, nOut, nOut, count);
    for (let b = 0; b < count; b++) activate(f, out + b * nOut, nOut, h.kind[l]!, leaky, elu);
    x = out;
  }
}

// See assembly/dense.ts `outputDelta`.
function outputDelta(arena: Arena, count: number): number {
  const perRow = 1.0 / count;
  const total = lossRows(arena.f64, headerOf(arena), 0, count, perRow);
  arena.f64[headerOf(arena).settings + S_CORRECT] = matched;
  return total * perRow;
}

// Rows that lossRows found matching their target.
let matched = 0;

// See assembly/dense.ts `lossRows`.
function lossRows(f: Float64Array, h: Header, first: number, count: number, perRow: number): number {
  const n = h.nOut[h.layers]!;
  const kind = h.kind[h.layers]!;
  const leaky = f[h.settings + S_LEAKY_ALPHA]!;
  const elu = f[h.settings + S_ELU_ALPHA]!;
  const out = h.output[h.layers]! + first * n;
  const delta = h.delta[h.layers]! + first * n;
  const target = h.target + first * n;
  let total = 0.0;
  let correct = 0;
  for (let b = 0; b < count; b++) {
    const row = b * n;
    if (matches(f, out + row, target + row, n)) correct++;
    total += rowLoss(f, out + row, target + row, delta + row, n, kind, h.lossKind, leaky, elu, perRow);
  }
  matched = correct;
  return total;
}

/** One row's loss; writes its output deltas (dL/dz of `kind`'s outputs, times `perRow`) at f[delta...]. */
export function rowLoss(
  f: Float64Array, out: number, target: number, delta: number, n: number, kind: number, lossKind: number, leaky: number, elu: number, perRow: number,
): number {
  const perOutput = 1.0 / n;
  let loss = 0.0;
  switch (lossKind) {
    case LOSS_MSE: {
      let weighted = 0.0;
      for (let i = 0; i < n; i++) {
        const a = f[out + i]!;
        const e = a - f[target + i]!;
        loss += e * e;
        const g = mseGradient(e, perOutput);
        f[delta + i] = g;
        weighted += g * a;
      }
      loss *= perOutput;
      for (let i = 0; i < n; i++) {
        const a = f[out + i]!;
        const g = f[delta + i]!;
        f[delta + i] = (kind === ACT_SOFTMAX ? softmaxDelta(a, g, weighted) : g * derivative(a, kind, leaky, elu)) * perRow;
      }
      return loss;
    }
    case LOSS_BINARY_CROSS_ENTROPY: {
      for (let i = 0; i < n; i++) {
        const a = f[out + i]!, y = f[target + i]!;
        loss -= binaryCrossEntropyTerm(a, y);
        f[delta + i] = binaryCrossEntropyDelta(a, y, perOutput, perRow);
      }
      return loss * perOutput;
    }
    case LOSS_CROSS_ENTROPY: {
      for (let i = 0; i < n; i++) {
        const a = f[out + i]!, y = f[target + i]!;
        loss -= crossEntropyTerm(a, y);
        f[delta + i] = crossEntropyDelta(a, y, perRow);
      }
      return loss;
    }
    default: throw new BackendError(`unknown loss code ${lossKind}`);
  }
}

/** See assembly/loss.ts `matches`. */
export function matches(f: Float64Array, out: number, target: number, n: number): boolean {
  if (n === 1) return (f[out]! >= 0.5) === (f[target]! >= 0.5);
  let best = 0;
  let expected = 0;
  for (let i = 1; i < n; i++) {
    if (f[out + i]! > f[out + best]!) best = i;
    if (f[target + i]! > f[target + expected]!) expected = i;
  }
  return best === expected;
}

/** See assembly/dense.ts `evaluateDense`. */
export function evaluateDense(arena: Arena, count: number): number {
  forwardDense(arena, count);
  return outputDelta(arena, count);
}

function maxAbs(f: Float64Array, p: number, n: number): number {
  let m = 0.0;
  for (let k = 0; k < n; k++) {
    const a = Math.abs(f[p + k]!);
    m = a > m || a !== a ? a : m;
  }
  return m;
}

/**
 * See assembly/dense.ts `deltasDense`: each earlier layer's deltas, for `count` rows whose input is at f[x0...];
 * returns the bound on the gradients, count·max|delta|·max(max|x|, 1) over the layers.
 */
export function deltasRows(f: Float64Array, h: Header, x0: number, count: number, first = 0, batch = count): number {
  const leaky = f[h.settings + S_LEAKY_ALPHA]!;
  const elu = f[h.settings + S_ELU_ALPHA]!;
  let bound = 0.0;
  for (let l = h.layers; l >= 1; l--) {
    const nIn = h.nIn[l]!;
    const nOut = h.nOut[l]!;
    const delta = h.delta[l]! + first * nOut;
    const x = l === 1 ? x0 : h.output[l - 1]! + first * nIn;
    bound = Math.max(bound, batch * maxAbs(f, delta, count * nOut) * Math.max(maxAbs(f, x, count * nIn), 1.0));
    if (l === 1) break;
    const w = h.weight[l]!;
    const prevDelta = h.delta[l - 1]! + first * nIn;
    const prevKind = h.kind[l - 1]!;
    for (let b = 0; b < count; b++) {
      const row = prevDelta + b * nIn;
      const d0 = f[delta + b * nOut]!;
      for (let k = 0; k < nIn; k++) f[row + k] = d0 * f[w + k]!;
      for (let o = 1; o < nOut; o++) {
        const d = f[delta + b * nOut + o]!;
        const wo = w + o * nIn;
        for (let k = 0; k < nIn; k++) f[row + k] = f[row + k]! + d * f[wo + k]!;
      }
      const xb = x + b * nIn;
      for (let k = 0; k < nIn; k++) f[row + k] = f[row + k]! * derivative(f[xb + k]!, prevKind, leaky, elu);
    }
  }
  return bound;
}

/**
 * See assembly/dense.ts `gradientsDense` and `gradientsPhase` (one part): the gradients of the staged rows, each
 * weight's summed over every SLICE-row slice's rows in order and the slices added in order (one slice up to SLICE
 * rows), each row's step applied too with `apply`. Returns ‖grad‖²: layers last to first, each weight row's
 * dot(row, row) in order, then dot(gb, gb).
 */
export function gradientsDense(arena: Arena, count: number, apply: boolean): number {
  const f = arena.f64;
  const h = headerOf(arena);
  const { toGrads, toM, toV } = h;
  const slices = Math.ceil(count / SLICE);
  let squares = 0.0;
  for (let l = h.layers; l >= 1; l--) {
    const nIn = h.nIn[l]!;
    const nOut = h.nOut[l]!;
    const w = h.weight[l]!;
    const bias = h.bias[l]!;
    const gb = bias + toGrads;
    const delta = h.delta[l]!;
    const x = l === 1 ? h.input : h.output[l - 1]!;
    for (let o = 0; o < nOut; o++) {
      const weights = w + o * nIn;
      const row = weights + toGrads;
      let sum = 0.0;
      for (let s = 0; s < slices; s++) {
        const b0 = s * SLICE;
        const end = b0 + Math.min(SLICE, count - b0);
        // Each element: the slice's rows summed in order, then added to the slices before.
        const d0 = delta + b0 * nOut + o;
        const dEnd = delta + end * nOut + o;
        for (let k = 0, x0 = x + b0 * nIn; k < nIn; k++, x0++) {
          let a = f[d0]! * f[x0]!;
          for (let d = d0 + nOut, xb = x0 + nIn; d < dEnd; d += nOut, xb += nIn) a += f[d]! * f[xb]!;
          f[row + k] = s === 0 ? a : f[row + k]! + a;
        }
        let partial = f[d0]!;
        for (let d = d0 + nOut; d < dEnd; d += nOut) partial += f[d]!;
        sum = s === 0 ? partial : sum + partial;
      }
      f[gb + o] = sum;
      squares += dot(f, row, row, nIn);
      if (apply) stepRange(f, weights, toGrads, toM, toV, nIn, true);
    }
    squares += dot(f, gb, gb, nOut);
    if (apply) stepRange(f, bias, toGrads, toM, toV, nOut, false);
  }
  return squares;
}

/** See assembly/dense.ts `trainDense`. */
export function trainDense(arena: Arena, count: number): number {
  const f = arena.f64;
  const settings = arena.at(DENSE_SETTINGS);
  const h = headerOf(arena);
  let loss: number;
  let gradient: number;
  if (count > SLICE) {
    loss = slicesPhase(f, h, count);
    gradient = sliceBound;
  } else {
    forwardDense(arena, count);
    loss = outputDelta(arena, count);
    gradient = deltasRows(f, h, h.input, count);
  }
  let norm: number;
  prepareStep(arena, 0.0);
  if (Number.isFinite(loss) && f[settings + S_CLIP_NORM] === 0.0 && gradient < SAFE_GRADIENT && stepBound(arena, gradient) < SAFE_VALUE) {
    norm = Math.sqrt(gradientsDense(arena, count, true));
  } else {
    norm = Math.sqrt(gradientsDense(arena, count, false));
    prepareStep(arena, norm);
    if (!Number.isFinite(loss) || !Number.isFinite(norm) || (!(stepBound(arena, norm) < SAFE_VALUE) && !(peekStep(arena) < SAFE_VALUE))) {
      f[settings + S_GRAD_NORM] = norm;
      arena.i32[(arena.base >> 2) + DENSE_STATUS] = 1;
      return loss;
    }
    optimize(arena);
  }
  commitStep(arena);
  f[settings + S_GRAD_NORM] = norm;
  return loss;
}

// The gradient bound of the last slicesPhase.
let sliceBound = 0.0;

// See assembly/dense.ts `slicesPhase` (the slices one after the other).
function slicesPhase(f: Float64Array, h: Header, count: number): number {
  const slices = Math.ceil(count / SLICE);
  const perRow = 1.0 / count;
  const stats = h.sliceStats;
  for (let s = 0; s < slices; s++) {
    const first = s * SLICE;
    const n = Math.min(SLICE, count - first);
    forwardRows(f, h, h.input + first * h.nIn[1]!, n, first);
    const p = stats + s * SLICE_WORDS;
    f[p + SLICE_LOSS] = lossRows(f, h, first, n, perRow);
    f[p + SLICE_CORRECT] = matched;
    f[p + SLICE_BOUND] = deltasRows(f, h, h.input + first * h.nIn[1]!, n, first, count);
  }
  let total = 0.0;
  let correct = 0.0;
  let bound = 0.0;
  for (let s = 0; s < slices; s++) {
    const p = stats + s * SLICE_WORDS;
    total += f[p + SLICE_LOSS]!;
    correct += f[p + SLICE_CORRECT]!;
    bound = Math.max(bound, f[p + SLICE_BOUND]!);
  }
  f[h.settings + S_CORRECT] = correct;
  sliceBound = bound;
  return total * (1.0 / count);
}

/** See assembly/dense.ts `trainEpochsDense`. */
export function trainEpochsDense(arena: Arena, rows: number, batchSize: number, epochs: number, threshold: number): number {
  const h = headerOf(arena);
  const nIn = h.nIn[1]!;
  const nOut = h.nOut[h.layers]!;
  const { inputs, targets, order, losses, input, target } = h;
  const status = h.words + DENSE_STATUS;
  for (let epoch = 0; epoch < epochs; epoch++) {
    let total = 0.0;
    let correct = 0.0;
    let batch = 0;
    for (let start = 0; start < rows; start += batchSize, batch++) {
      const count = Math.min(batchSize, rows - start);
      const f = arena.f64;
      const order32 = arena.i32;
      for (let b = 0; b < count; b++) {
        const r = order32[order + start + b]!;
        f.copyWithin(input + b * nIn, inputs + r * nIn, inputs + (r + 1) * nIn);
        f.copyWithin(target + b * nOut, targets + r * nOut, targets + (r + 1) * nOut);
      }
      const loss = trainDense(arena, count);
      if (arena.i32[status] !== 0) {
        arena.i32[h.words + DENSE_FAILED_EPOCH] = epoch;
        arena.i32[h.words + DENSE_FAILED_BATCH] = batch;
        return epoch;
      }
      total += loss * count;
      correct += arena.f64[h.settings + S_CORRECT]!;
    }
    const mean = total / rows;
    arena.f64[losses + 2 * epoch] = mean;
    arena.f64[losses + 2 * epoch + 1] = correct / rows;
    if (mean < threshold) return epoch + 1;
  }
  return epochs;
}
