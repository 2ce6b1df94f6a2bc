// Dense layers: forward, backward and a whole minibatch step, over a dense arena (src/layout.ts).
// Every dot product sums its even and odd terms in two running sums (the two lanes of an f64x2),
// adds them, then the odd tail: the JS twin sums in that order too, so both give the same bits.
import { word, at, slot } from "./layout";
import { activate } from "./activations";
import { f, dot, affineRows, axpy } from "./rows";
import { matches, rowLoss } from "./loss";
import { activation, derivative } from "../src/math/activations";
import { SAFE_GRADIENT } from "../src/math/losses";
import { SAFE_VALUE } from "../src/math/optimizers";
import {
  optimize, loadSettings, saveState, prepareStep, clipping, stepRange, stepRowSgd, isSgd, commitStep, stepBound, peekStep, saveStepTerms, loadStepTerms,
} from "./optimizers";
import { partsFor, parallel } from "./parallel";
import {
  DENSE_LAYER_COUNT, DENSE_LOSS_KIND, DENSE_SETTINGS, DENSE_PARAMS, DENSE_GRADS, DENSE_MOMENT1, DENSE_MOMENT2,
  DENSE_INPUT, DENSE_TARGET, DENSE_DATA_INPUTS, DENSE_DATA_TARGETS, DENSE_DATA_ORDER, DENSE_DATA_LOSSES,
  DENSE_STATUS, DENSE_FAILED_EPOCH, DENSE_FAILED_BATCH, denseEntry as entry,
  DENSE_IN, DENSE_OUT, DENSE_ACTIVATION, DENSE_WEIGHT, DENSE_BIAS, DENSE_OUTPUT, DENSE_DELTA,
  S_LEAKY_ALPHA, S_ELU_ALPHA, S_CORRECT, S_GRAD_NORM, ACT_SOFTMAX, DENSE_PARAM_COUNT, DENSE_SLICE_STATS,
  SLICE, SLICE_WORDS, SLICE_LOSS, SLICE_CORRECT, SLICE_BOUND, TASK_SLICES, TASK_GRADIENTS, TASK_GRADIENTS_STEP, TASK_FORWARD,
} from "../src/header";

type float = f64;

/** out[b][o] = Σ_k w[o][k]·x[b][k] + bias[o]: affineRows over all nOut rows of w. */
// @ts-ignore: decorator
@inline function affine(x: usize, w: usize, bias: usize, out: usize, nIn: i32, nOut: i32, count: i32): void {
  affineRows(x, w, bias, out, nIn, 0, nOut, nOut, count);
}

/** y[k] = a·x[k] for k < n. */
// @ts-ignore: decorator
@inline function scaleInto(y: usize, a: float, x: usize, n: i32): void {
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    const av = f64x2.splat(a);
    for (; k + 2 <= n; k += 2) {
      const kb = <usize>k << 3;
      v128.store(y + kb, f64x2.mul(av, v128.load(x + kb)));
    }
  }
  for (; k < n; k++) store<float>(y + (<usize>k << 3), a * f(x, k));
}

/** Forward pass of `count` rows staged at DENSE_INPUT; the last layer's DENSE_OUTPUT holds the result. Rows may be split into parts. */
export function forwardDense(arena: usize, count: i32): void {
  const parts = partsFor((count + 1) >> 1, <f64>count * <f64>word(arena, DENSE_PARAM_COUNT));
  if (parts > 1) parallel(TASK_FORWARD, arena, count, parts);
  else forwardRows(arena, 0, count);
}

/** Part `part` of `parts` of forwardDense: a range of rows, cut at even rows (each row's result does not depend on the cut). */
export function forwardTask(arena: usize, count: i32, part: i32, parts: i32): void {
  const pairs = (count + 1) >> 1;
  const first = 2 * <i32>(<i64>pairs * part / parts), end = min(count, 2 * <i32>(<i64>pairs * (part + 1) / parts));
  if (end > first) forwardRows(arena, first, end - first);
}

/** Forward pass of the `count` staged rows from row `first` on. */
function forwardRows(arena: usize, first: i32, count: i32): void {
  const layers = word(arena, DENSE_LAYER_COUNT);
  const leaky = slot(arena, DENSE_SETTINGS, S_LEAKY_ALPHA), elu = slot(arena, DENSE_SETTINGS, S_ELU_ALPHA);
  let x = at(arena, DENSE_INPUT) + (<usize>(first * word(arena, entry(1, DENSE_IN))) << 3);
  for (let l = 1; l <= layers; l++) {
    const nIn = word(arena, entry(l, DENSE_IN)), nOut = word(arena, entry(l, DENSE_OUT));
    const kind = word(arena, entry(l, DENSE_ACTIVATION));
    const out = at(arena, entry(l, DENSE_OUTPUT)) + (<usize>(first * nOut) << 3);
    const w = at(arena, entry(l, DENSE_WEIGHT)), bias = at(arena, entry(l, DENSE_BIAS));
    if (count == 1 && nOut < 4 && kind != ACT_SOFTMAX) {
      // Too narrow for affine's 4-row blocks: one dot and one activation per output, without a pass over memory.
      for (let o = 0; o < nOut; o++) {
        store<float>(out + (<usize>o << 3), activation(dot(w + (<usize>(o * nIn) << 3), x, nIn) + f(bias, o), kind, leaky, elu));
      }
    } else {
      affine(x, w, bias, out, nIn, nOut, count);
      for (let b = 0; b < count; b++) activate(out + (<usize>(b * nOut) << 3), nOut, kind, leaky, elu);
    }
    x = out;
  }
}

/**
 * Loss of the last forward pass against DENSE_TARGET, averaged over `count` rows, and
 * the output layer's delta dL/dz (already divided by count). mse: mean over outputs of
 * (a - y)²; binaryCrossEntropy (sigmoid): mean over outputs, delta (a - y)/n;
 * crossEntropy (softmax): -Σ y·ln a, delta a - y. (Both fused deltas assume that output,
 * which the facade enforces.) ln is only in the loss value, never in a gradient.
 */
function outputDelta(arena: usize, count: i32): float {
  const perRow: float = 1.0 / <float>count;
  const total = lossRows(arena, 0, count, perRow);
  store<float>(at(arena, DENSE_SETTINGS) + (<usize>S_CORRECT << 3), <float>matched);
  return total * perRow;
}

// Rows that lossRows found matching their target (no tuples in AssemblyScript).
let matched = 0;

/** outputDelta's sum of row losses over `count` rows from row `first` on, each delta times `perRow`; sets `matched`. */
function lossRows(arena: usize, first: i32, count: i32, perRow: float): float {
  const layers = word(arena, DENSE_LAYER_COUNT);
  const n = word(arena, entry(layers, DENSE_OUT));
  const kind = word(arena, entry(layers, DENSE_ACTIVATION));
  const lossKind = word(arena, DENSE_LOSS_KIND);
  const leaky = slot(arena, DENSE_SETTINGS, S_LEAKY_ALPHA), elu = slot(arena, DENSE_SETTINGS, S_ELU_ALPHA);
  const skip = <usize>(first * n) << 3;
  const out = at(arena, entry(layers, DENSE_OUTPUT)) + skip;
  const delta = at(arena, entry(layers, DENSE_DELTA)) + skip;
  const target = at(arena, DENSE_TARGET) + skip;
  let total: float = 0.0;
  let correct = 0;
  for (let b = 0; b < count; b++) {
    const row = b * n;
    if (matches(out + (<usize>row << 3), target + (<usize>row << 3), n)) correct++;
    total += rowLoss(out + (<usize>row << 3), target + (<usize>row << 3), delta + (<usize>row << 3), n, kind, lossKind, perRow, leaky, elu);
  }
  matched = correct;
  return total;
}

/** Loss and S_CORRECT of `count` staged rows against DENSE_TARGET, without training. */
export function evaluateDense(arena: usize, count: i32): float {
  forwardDense(arena, count);
  return outputDelta(arena, count);
}

/** Largest |value| among `n` numbers at `p` (NaN if any is NaN). */
function maxAbs(p: usize, n: i32): float {
  let m: float = 0.0;
  for (let k = 0; k < n; k++) {
    const a = Math.abs(f(p, k));
    m = a > m || a != a ? a : m;
  }
  return m;
}

/**
 * Deltas dL/dz of every layer before the output, from the output delta back:
 * delta_prev[b][k] = (Σ_o w[o][k]·delta[b][o]) · act'(x[b][k]), summed over o in order.
 * Returns a bound on every |gradient|: count·max|delta|·max(max|x|, 1) over the layers
 * (NaN when a delta or input is NaN).
 */
function deltasDense(arena: usize, count: i32): float {
  return deltasRows(arena, 0, count, count);
}

/** deltasDense of `count` rows from row `first` on, its bound for a batch of `batch` rows. */
function deltasRows(arena: usize, first: i32, count: i32, batch: i32): float {
  const layers = word(arena, DENSE_LAYER_COUNT);
  const leaky = slot(arena, DENSE_SETTINGS, S_LEAKY_ALPHA), elu = slot(arena, DENSE_SETTINGS, S_ELU_ALPHA);
  let bound: float = 0.0;
  for (let l = layers; l >= 1; l--) {
    const nIn = word(arena, entry(l, DENSE_IN)), nOut = word(arena, entry(l, DENSE_OUT));
    const delta = at(arena, entry(l, DENSE_DELTA)) + (<usize>(first * nOut) << 3);
    const x = (l == 1 ? at(arena, DENSE_INPUT) : at(arena, entry(l - 1, DENSE_OUTPUT))) + (<usize>(first * nIn) << 3);
    // The max(…, 1) covers the biases, whose gradients are sums of deltas alone.
    bound = Math.max(bound, <float>batch * maxAbs(delta, count * nOut) * Math.max(maxAbs(x, count * nIn), 1.0));
    if (l == 1) break;
    const w = at(arena, entry(l, DENSE_WEIGHT));
    const prevDelta = at(arena, entry(l - 1, DENSE_DELTA)) + (<usize>(first * nIn) << 3);
    const prevKind = word(arena, entry(l - 1, DENSE_ACTIVATION));
    for (let b = 0; b < count; b++) {
      const row = prevDelta + (<usize>(b * nIn) << 3);
      scaleInto(row, f(delta, b * nOut), w, nIn);
      for (let o = 1; o < nOut; o++) axpy(row, f(delta, b * nOut + o), w + (<usize>(o * nIn) << 3), nIn);
      const xb = x + (<usize>(b * nIn) << 3);
      for (let k = 0; k < nIn; k++) {
        const p = row + (<usize>k << 3);
        store<float>(p, load<float>(p) * derivative(f(xb, k), prevKind, leaky, elu));
      }
    }
  }
  return bound;
}

/**
 * Gradients of every parameter into DENSE_GRADS from the deltas: gw[o][k] = Σ_b delta[b][o]·x[b][k],
 * gb[o] = Σ_b delta[b][o], summed over b in order (by slices, gradientsPhase, for more than one row). With
 * `apply`, each weight row (then the biases) takes its optimizer step as soon as its gradient is known, while
 * it is in cache. Returns ‖grad‖²: layers last to first, each row's dot(row, row) in order, then dot(gb, gb).
 */
function gradientsDense(arena: usize, count: i32, apply: bool): float {
  if (count > 1) return gradientsPhase(arena, count, apply);
  let squares: float = 0.0;
  const layers = word(arena, DENSE_LAYER_COUNT);
  const params = at(arena, DENSE_PARAMS);
  const toGrads = at(arena, DENSE_GRADS) - params;
  const toM = at(arena, DENSE_MOMENT1) - params;
  const toV = at(arena, DENSE_MOMENT2) - params;
  // Plain SGD: each row's gradient and step in one pass (the same operations).
  const fused = apply && isSgd();
  for (let l = layers; l >= 1; l--) {
    const nIn = word(arena, entry(l, DENSE_IN)), nOut = word(arena, entry(l, DENSE_OUT));
    const w = at(arena, entry(l, DENSE_WEIGHT));
    const bias = at(arena, entry(l, DENSE_BIAS));
    const gb = bias + toGrads;
    const delta = at(arena, entry(l, DENSE_DELTA));
    const x = l == 1 ? at(arena, DENSE_INPUT) : at(arena, entry(l - 1, DENSE_OUTPUT));
    for (let o = 0; o < nOut; o++) {
      const weights = w + (<usize>(o * nIn) << 3);
      const d = f(delta, o);
      store<float>(gb + (<usize>o << 3), d);
      if (fused) {
        squares += stepRowSgd(weights, toGrads, d, x, nIn);
        continue;
      }
      const row = weights + toGrads;
      scaleInto(row, d, x, nIn);
      squares += dot(row, row, nIn);
      if (apply) stepRange(weights, toGrads, toM, toV, nIn, true);
    }
    squares += dot(gb, gb, nOut);
    if (apply) stepRange(bias, toGrads, toM, toV, nOut, false);
  }
  return squares;
}

/**
 * One optimizer step on the `count` rows staged at DENSE_INPUT / DENSE_TARGET.
 * Returns the batch's mean loss; ‖grad‖ goes to S_GRAD_NORM. When the loss or the gradient is not
 * finite, or the step would write a parameter or moment beyond SAFE_VALUE (or not finite),
 * nothing is updated and DENSE_STATUS is set to 1.
 */
export function trainDense(arena: usize, count: i32): float {
  loadSettings(arena);
  const loss = step(arena, count);
  saveState(arena);
  return loss;
}

/** trainDense between loadSettings and saveState, so a run of steps reads and writes them once. */
function step(arena: usize, count: i32): float {
  let loss: float, gradient: float;
  if (count > SLICE) {
    loss = slicesPhase(arena, count);
    gradient = sliceBound;
  } else {
    forwardDense(arena, count);
    loss = outputDelta(arena, count);
    gradient = deltasDense(arena, count);
  }
  let norm: float;
  prepareStep(0.0);
  if (isFinite(loss) && !clipping() && gradient < SAFE_GRADIENT && stepBound(gradient) < SAFE_VALUE) {
    // The step is proven finite and no clipping needs the norm first: step row by row, in cache.
    norm = Math.sqrt(gradientsDense(arena, count, true));
  } else {
    norm = Math.sqrt(gradientsDense(arena, count, false));
    prepareStep(norm);
    // Unless a bound proves the step safe, look at what it would write before writing anything.
    if (!isFinite(loss) || !isFinite(norm) || (!(stepBound(norm) < SAFE_VALUE) && !(peekStep(arena) < SAFE_VALUE))) {
      store<float>(at(arena, DENSE_SETTINGS) + (<usize>S_GRAD_NORM << 3), norm);
      store<i32>(arena + (<usize>DENSE_STATUS << 2), 1);
      return loss;
    }
    optimize(arena);
  }
  commitStep();
  store<float>(at(arena, DENSE_SETTINGS) + (<usize>S_GRAD_NORM << 3), norm);
  return loss;
}

// The gradient bound of the last slicesPhase (its return value is the loss).
let sliceBound: float = 0.0;

/** Multiply-adds of a forward and backward pass of `count` rows, for partsFor. */
function batchWork(arena: usize, count: i32): f64 {
  return 3.0 * <f64>count * <f64>word(arena, DENSE_PARAM_COUNT);
}

/**
 * Forward pass, loss and deltas of each SLICE-row slice of a batch of `count` rows (possibly in parallel), then
 * their partials combined in slice order: the loss sums added (then divided by count), the matched rows added
 * into S_CORRECT, the gradient bounds' max into sliceBound. Returns the batch's mean loss.
 */
function slicesPhase(arena: usize, count: i32): float {
  const slices = (count + SLICE - 1) / SLICE;
  const parts = partsFor(slices, batchWork(arena, count));
  if (parts > 1) parallel(TASK_SLICES, arena, count, parts);
  else slicesTask(arena, count, 0, 1);
  const stats = at(arena, DENSE_SLICE_STATS);
  let total: float = 0.0, correct: float = 0.0, bound: float = 0.0;
  for (let s = 0; s < slices; s++) {
    const p = stats + (<usize>(s * SLICE_WORDS) << 3);
    total += f(p, SLICE_LOSS);
    correct += f(p, SLICE_CORRECT);
    bound = Math.max(bound, f(p, SLICE_BOUND));
  }
  store<float>(at(arena, DENSE_SETTINGS) + (<usize>S_CORRECT << 3), correct);
  sliceBound = bound;
  return total * (1.0 / <float>count);
}

/** Part `part` of `parts` of slicesPhase: slices part, part + parts, ..., each's partials to its DENSE_SLICE_STATS slots. */
export function slicesTask(arena: usize, count: i32, part: i32, parts: i32): void {
  const slices = (count + SLICE - 1) / SLICE;
  const perRow: float = 1.0 / <float>count;
  const stats = at(arena, DENSE_SLICE_STATS);
  for (let s = part; s < slices; s += parts) {
    const first = s * SLICE, n = min(SLICE, count - first);
    forwardRows(arena, first, n);
    const total = lossRows(arena, first, n, perRow);
    const p = stats + (<usize>(s * SLICE_WORDS) << 3);
    store<float>(p + (<usize>SLICE_LOSS << 3), total);
    store<float>(p + (<usize>SLICE_CORRECT << 3), <float>matched);
    store<float>(p + (<usize>SLICE_BOUND << 3), deltasRows(arena, first, n, count));
  }
}

/**
 * The gradients of a batch of more than one row, by slices (possibly in parallel, by ranges of weight rows), each
 * weight row stepped as soon as it is known with `apply`, then the biases' norms (and steps). Returns ‖grad‖² in
 * gradientsDense's order: layers last to first, each weight row's dot(row, row) in order, then dot(gb, gb).
 */
function gradientsPhase(arena: usize, count: i32, apply: bool): float {
  const slices = (count + SLICE - 1) / SLICE;
  if (apply) saveStepTerms(arena);
  const layers = word(arena, DENSE_LAYER_COUNT);
  let rows = 0;
  for (let l = 1; l <= layers; l++) rows += word(arena, entry(l, DENSE_OUT));
  // A third of a step's multiply-adds, in pairs of weight rows.
  const parts = partsFor((rows + 1) >> 1, batchWork(arena, count) / 3.0);
  const kind = apply ? TASK_GRADIENTS_STEP : TASK_GRADIENTS;
  if (parts > 1) parallel(kind, arena, count, parts);
  else gradientsTask(arena, count, 0, 1, apply);
  const params = at(arena, DENSE_PARAMS);
  const toGrads = at(arena, DENSE_GRADS) - params;
  const toM = at(arena, DENSE_MOMENT1) - params;
  const toV = at(arena, DENSE_MOMENT2) - params;
  const squares = at(arena, DENSE_SLICE_STATS) + (<usize>(slices * SLICE_WORDS) << 3);
  rows -= word(arena, entry(layers, DENSE_OUT));
  let sum: float = 0.0;
  for (let l = layers; l >= 1; l--) {
    const nOut = word(arena, entry(l, DENSE_OUT));
    for (let o = 0; o < nOut; o++) sum += f(squares, rows + o);
    const bias = at(arena, entry(l, DENSE_BIAS));
    sum += dot(bias + toGrads, bias + toGrads, nOut);
    if (apply) stepRange(bias, toGrads, toM, toV, nOut, false);
    if (l > 1) rows -= word(arena, entry(l - 1, DENSE_OUT));
  }
  return sum;
}

/**
 * Part `part` of `parts` of gradientsPhase: the weight rows whose first weight's index falls in the part's share of
 * the weights. Each row's gradient is slice 0's (at DENSE_GRADS) plus slice 1's plus ..., each slice's summed over
 * its rows in order as gradientsDense does; its bias gradient alike; its ‖row‖² goes to DENSE_SLICE_STATS. With
 * `apply` the row takes the step prepared by the main thread (loadStepTerms).
 */
export function gradientsTask(arena: usize, count: i32, part: i32, parts: i32, apply: bool): void {
  if (apply) loadStepTerms(arena);
  const slices = (count + SLICE - 1) / SLICE;
  const layers = word(arena, DENSE_LAYER_COUNT);
  const params = at(arena, DENSE_PARAMS);
  const toGrads = at(arena, DENSE_GRADS) - params;
  const toM = at(arena, DENSE_MOMENT1) - params;
  const toV = at(arena, DENSE_MOMENT2) - params;
  const squares = at(arena, DENSE_SLICE_STATS) + (<usize>(slices * SLICE_WORDS) << 3);
  let weights: i64 = 0;
  for (let l = 1; l <= layers; l++) weights += <i64>word(arena, entry(l, DENSE_IN)) * word(arena, entry(l, DENSE_OUT));
  const lo = weights * part / parts, hi = weights * (part + 1) / parts;
  let base: i64 = 0;
  let rows = 0;
  for (let l = 1; l <= layers; l++) {
    const nIn = word(arena, entry(l, DENSE_IN)), nOut = word(arena, entry(l, DENSE_OUT));
    const first = <i32>min<i64>(nOut, lo <= base ? 0 : (lo - base + nIn - 1) / nIn);
    const end = <i32>min<i64>(nOut, hi <= base ? 0 : (hi - base + nIn - 1) / nIn);
    const w = at(arena, entry(l, DENSE_WEIGHT));
    const gb = at(arena, entry(l, DENSE_BIAS)) + toGrads;
    const delta = at(arena, entry(l, DENSE_DELTA));
    const x = l == 1 ? at(arena, DENSE_INPUT) : at(arena, entry(l - 1, DENSE_OUTPUT));
    for (let o = first; o < end; o += 2) {
      // Two weight rows at a time where there are two, sharing the loads of x.
      const two = o + 1 < end;
      const weights = w + (<usize>(o * nIn) << 3);
      const row = weights + toGrads;
      for (let s = 0; s < slices; s++) {
        const b0 = s * SLICE;
        sliceRows(row, delta, x, o, nIn, nOut, b0, min(SLICE, count - b0), s > 0, two);
      }
      const after = two ? o + 2 : o + 1;
      for (let r = o; r < after; r++) {
        const gradient = row + (<usize>((r - o) * nIn) << 3);
        let sum: float = 0.0;
        for (let s = 0; s < slices; s++) {
          const b0 = s * SLICE, last = b0 + min(SLICE, count - b0);
          let partial = f(delta, b0 * nOut + r);
          for (let b = b0 + 1; b < last; b++) partial += f(delta, b * nOut + r);
          sum = s == 0 ? partial : sum + partial;
        }
        store<float>(gb + (<usize>r << 3), sum);
        store<float>(squares + (<usize>(rows + r) << 3), dot(gradient, gradient, nIn));
        if (apply) stepRange(gradient - toGrads, toGrads, toM, toV, nIn, true);
      }
    }
    base += <i64>nIn * nOut;
    rows += nOut;
  }
}

/**
 * Σ_b delta[b][o]·x[b] over rows b0..b0+n-1 (from d·x of row b0 on, adding the next rows' in order, as scaleInto then
 * axpy do), summed in registers, then stored at `row` or, with `add`, added to it; with `two`, the same for weight
 * row o + 1 into the next row (nIn further), the loads of x shared.
 */
function sliceRows(row: usize, delta: usize, x: usize, o: i32, nIn: i32, nOut: i32, b0: i32, n: i32, add: bool, two: bool): void {
  const stride = <usize>nIn << 3;
  const x0 = x + <usize>b0 * stride;
  const d0 = delta + (<usize>(b0 * nOut + o) << 3), dStride = <usize>nOut << 3;
  const next = row + stride;
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    for (; k + 4 <= nIn; k += 4) {
      const kb = <usize>k << 3;
      let p = x0 + kb, d = d0;
      let xa = v128.load(p), xb = v128.load(p, 16);
      let da = v128.load64_splat(d), db = v128.load64_splat(d, 8);
      let a0 = f64x2.mul(da, xa), a1 = f64x2.mul(da, xb), c0 = f64x2.mul(db, xa), c1 = f64x2.mul(db, xb);
      for (let b = 1; b < n; b++) {
        p += stride;
        d += dStride;
        xa = v128.load(p);
        xb = v128.load(p, 16);
        da = v128.load64_splat(d);
        db = v128.load64_splat(d, 8);
        a0 = f64x2.add(a0, f64x2.mul(da, xa)); a1 = f64x2.add(a1, f64x2.mul(da, xb));
        c0 = f64x2.add(c0, f64x2.mul(db, xa)); c1 = f64x2.add(c1, f64x2.mul(db, xb));
      }
      if (add) {
        a0 = f64x2.add(v128.load(row + kb), a0); a1 = f64x2.add(v128.load(row + kb, 16), a1);
        c0 = f64x2.add(v128.load(next + kb), c0); c1 = f64x2.add(v128.load(next + kb, 16), c1);
      }
      v128.store(row + kb, a0); v128.store(row + kb, a1, 16);
      if (two) { v128.store(next + kb, c0); v128.store(next + kb, c1, 16); }
    }
  }
  for (; k < nIn; k++) {
    const kb = <usize>k << 3;
    let p = x0 + kb, d = d0;
    let a = load<float>(d) * load<float>(p);
    let c = two ? load<float>(d, 8) * load<float>(p) : 0.0;
    for (let b = 1; b < n; b++) {
      p += stride;
      d += dStride;
      a += load<float>(d) * load<float>(p);
      if (two) c += load<float>(d, 8) * load<float>(p);
    }
    store<float>(row + kb, add ? load<float>(row + kb) + a : a);
    if (two) store<float>(next + kb, add ? load<float>(next + kb) + c : c);
  }
}

/**
 * `epochs` passes over `rows` rows of the staged data set (DENSE_DATA_*), visiting rows in
 * DENSE_DATA_ORDER, `batchSize` rows per step. Each epoch's mean loss goes to DENSE_DATA_LOSSES.
 * Stops after an epoch whose loss is below `threshold`, or at a diverging step (DENSE_STATUS 1,
 * DENSE_FAILED_EPOCH/BATCH set, that step not applied). Returns the number of completed epochs.
 */
export function trainEpochsDense(arena: usize, rows: i32, batchSize: i32, epochs: i32, threshold: float): i32 {
  loadSettings(arena);
  const done = runEpochs(arena, rows, batchSize, epochs, threshold);
  saveState(arena);
  return done;
}

/** trainEpochsDense between loadSettings and saveState. */
function runEpochs(arena: usize, rows: i32, batchSize: i32, epochs: i32, threshold: float): i32 {
  const layers = word(arena, DENSE_LAYER_COUNT);
  const nIn = word(arena, entry(1, DENSE_IN)), nOut = word(arena, entry(layers, DENSE_OUT));
  const inputs = at(arena, DENSE_DATA_INPUTS), targets = at(arena, DENSE_DATA_TARGETS);
  const order = at(arena, DENSE_DATA_ORDER), losses = at(arena, DENSE_DATA_LOSSES);
  const input = at(arena, DENSE_INPUT), target = at(arena, DENSE_TARGET);
  for (let epoch = 0; epoch < epochs; epoch++) {
    let total: float = 0.0;
    let correct: float = 0.0;
    let batch = 0;
    for (let start = 0; start < rows; start += batchSize, batch++) {
      const count = min(batchSize, rows - start);
      for (let b = 0; b < count; b++) {
        const r = load<i32>(order + (<usize>(start + b) << 2));
        memory.copy(input + (<usize>(b * nIn) << 3), inputs + (<usize>(r * nIn) << 3), <usize>nIn << 3);
        memory.copy(target + (<usize>(b * nOut) << 3), targets + (<usize>(r * nOut) << 3), <usize>nOut << 3);
      }
      const loss = step(arena, count);
      if (load<i32>(arena + (<usize>DENSE_STATUS << 2)) != 0) {
        store<i32>(arena + (<usize>DENSE_FAILED_EPOCH << 2), epoch);
        store<i32>(arena + (<usize>DENSE_FAILED_BATCH << 2), batch);
        return epoch;
      }
      total += loss * <float>count;
      correct += slot(arena, DENSE_SETTINGS, S_CORRECT);
    }
    const mean = total / <float>rows;
    store<float>(losses + (<usize>(2 * epoch) << 3), mean);
    store<float>(losses + (<usize>(2 * epoch + 1) << 3), correct / <float>rows);
    if (mean < threshold) return epoch + 1;
  }
  return epochs;
}
