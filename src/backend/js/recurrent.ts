// JS twin of assembly/recurrent.ts: the same loops and summation order (two-lane dot products), same bits.
import type { Arena } from '../arena.js';
import { activate, derivative } from './activations.js';
import { affine, dot, matches, rowLoss } from './dense.js';
import { commitStep, optimize, peekStep, prepareStep, stepBound } from './optimizers.js';
import { SAFE_VALUE } from '../../math/optimizers.js';
import {
  feedBack, gruCandidateGradient, gruOutput, gruUpdateGradient, lstmMemoryGradient, lstmOutput, lstmState, lstmStateGradient,
} from '../../math/recurrent.js';
import {
  ACT_SIGMOID, ACT_TANH, CELL_GRU, CELL_LSTM, DENSE_ACTIVATION, DENSE_BIAS, DENSE_DELTA, DENSE_GRADS, DENSE_IN, DENSE_INPUT, DENSE_LAYER_COUNT,
  DENSE_LOSS_KIND, DENSE_OUT, DENSE_OUTPUT, DENSE_PARAM_COUNT, DENSE_PARAMS, DENSE_SETTINGS, DENSE_STATUS, DENSE_TARGET, DENSE_WEIGHT, denseEntry,
  OUTPUT_SEQUENCE, RNN_FEED, RNN_HEAD_INPUT, RNN_LENGTHS, RNN_OUTPUT_MODE, RNN_WINDOW, recurrentWord, S_CORRECT, S_ELU_ALPHA, S_GRAD_NORM,
  S_LEAKY_ALPHA,
} from '../../header.js';
import { type Layer, recurrentLayers } from './recurrent-layer.js';

/** y[k] += a·x[k], k < n. */
function axpy(f: Float64Array, y: number, a: number, x: number, n: number): void {
  for (let k = 0; k < n; k++) f[y + k] = f[y + k]! + a * f[x + k]!;
}

/** out[k] = Σ_o w[o][k]·d[o] for rows o in [first, end), summed over o in order from 0. */
function transposed(f: Float64Array, out: number, w: number, d: number, nIn: number, first: number, end: number): void {
  f.fill(0, out, out + nIn);
  for (let o = first; o < end; o++) axpy(f, out, f[d + o]!, w + o * nIn, nIn);
}

/**
 * Gradient rows [first, end) (nIn wide, at g) += Σ_r d[r][o]·x[r], bias gradients gb[o] += Σ_r d[r][o], over the
 * `steps` blocks of `count` rows, the last block first and each block's rows in order.
 */
function accumulate(f: Float64Array, g: number, gb: number, d: number, x: number, nIn: number, first: number, end: number, stride: number, count: number, steps: number): void {
  for (let o = first; o < end; o++) {
    const row = g + o * nIn;
    let sum = f[gb + o]!;
    for (let t = steps - 1; t >= 0; t--) {
      for (let b = t * count; b < (t + 1) * count; b++) {
        const delta = f[d + b * stride + o]!;
        axpy(f, row, delta, x + b * nIn, nIn);
        sum += delta;
      }
    }
    f[gb + o] = sum;
  }
}

/** Step t of layer L over `count` rows, reading its inputs at x ([row][width], time-major) and its own state at t − 1. */
function layerStep(f: Float64Array, L: Layer, x: number, t: number, count: number): void {
  const { cell, size, width, nIn, nOut } = L;
  const xh = L.xh + t * count * nIn;
  const gates = L.gates + t * count * nOut;
  for (let b = 0; b < count; b++) {
    const row = xh + b * nIn;
    f.copyWithin(row, x + (t * count + b) * width, x + (t * count + b + 1) * width);
    if (t === 0) f.fill(0, row + width, row + nIn);
    else f.copyWithin(row + width, L.h + ((t - 1) * count + b) * size, L.h + ((t - 1) * count + b + 1) * size);
  }
  affine(f, xh, L.w, L.bias, gates, nIn, 0, cell === CELL_GRU ? 2 * size : nOut, nOut, count);
  const h = L.h + t * count * size;
  if (cell === CELL_LSTM) {
    // [c | tanh c] per row: the backward pass reads both.
    const c = L.extra + t * count * 2 * size;
    for (let b = 0; b < count; b++) {
      const a = gates + b * nOut;
      activate(f, a, 2 * size, ACT_SIGMOID, 0.0, 0.0);
      activate(f, a + 2 * size, size, ACT_TANH, 0.0, 0.0);
      activate(f, a + 3 * size, size, ACT_SIGMOID, 0.0, 0.0);
      const cb = c + b * 2 * size;
      // The forget gate's operand: c' (0 at step 0), or with memory 'hidden' h' (its [x | h'] row, 0 at step 0).
      const previous = L.hidden ? xh + b * nIn + width : c - count * 2 * size + b * 2 * size;
      for (let u = 0; u < size; u++) {
        const state = lstmState(f[a + size + u]!, t === 0 ? 0.0 : f[previous + u]!, f[a + u]!, f[a + 2 * size + u]!);
        f[cb + u] = state;
        f[cb + size + u] = state;
      }
      activate(f, cb + size, size, ACT_TANH, 0.0, 0.0);
      for (let u = 0; u < size; u++) f[h + b * size + u] = lstmOutput(f[a + 3 * size + u]!, f[cb + size + u]!);
    }
  } else if (cell === CELL_GRU) {
    const xr = L.extra + t * count * nIn;
    for (let b = 0; b < count; b++) {
      const a = gates + b * nOut;
      const row = xh + b * nIn;
      const rrow = xr + b * nIn;
      activate(f, a, 2 * size, ACT_SIGMOID, 0.0, 0.0);
      f.copyWithin(rrow, row, row + width);
      for (let u = 0; u < size; u++) f[rrow + width + u] = f[a + size + u]! * f[row + width + u]!;
    }
    affine(f, xr, L.w, L.bias, gates, nIn, 2 * size, nOut, nOut, count);
    for (let b = 0; b < count; b++) {
      const a = gates + b * nOut;
      const row = xh + b * nIn;
      activate(f, a + 2 * size, size, ACT_TANH, 0.0, 0.0);
      for (let u = 0; u < size; u++) f[h + b * size + u] = gruOutput(f[a + u]!, f[a + 2 * size + u]!, f[row + width + u]!);
    }
  } else {
    for (let b = 0; b < count; b++) {
      const a = gates + b * nOut;
      activate(f, a, size, L.activation, 0.0, 0.0);
      f.copyWithin(h + b * size, a, a + size);
    }
  }
}

/** The head over `rows` rows of x (its input, `nIn` wide), outputs at out. */
function headForward(arena: Arena, f: Float64Array, head: number, x: number, out: number, rows: number): void {
  const nIn = arena.word(denseEntry(head, DENSE_IN));
  const nOut = arena.word(denseEntry(head, DENSE_OUT));
  const kind = arena.word(denseEntry(head, DENSE_ACTIVATION));
  const settings = arena.at(DENSE_SETTINGS);
  affine(f, x, arena.at(denseEntry(head, DENSE_WEIGHT)), arena.at(denseEntry(head, DENSE_BIAS)), out, nIn, 0, nOut, nOut, rows);
  for (let r = 0; r < rows; r++) activate(f, out + r * nOut, nOut, kind, f[settings + S_LEAKY_ALPHA]!, f[settings + S_ELU_ALPHA]!);
}

/** See assembly/recurrent.ts `forwardRecurrent`. */
export function forwardRecurrent(arena: Arena, count: number, steps: number): void {
  const f = arena.f64;
  const layers = arena.word(DENSE_LAYER_COUNT);
  const recurrent = layers - 1;
  const all = recurrentLayers(arena, layers);
  for (let t = 0; t < steps; t++) {
    let x = arena.at(DENSE_INPUT);
    for (const L of all) {
      layerStep(f, L, x, t, count);
      x = L.h;
    }
  }
  const top = all[recurrent - 1]!;
  const out = arena.at(denseEntry(layers, DENSE_OUTPUT));
  if (arena.word(recurrentWord(layers, RNN_OUTPUT_MODE)) === OUTPUT_SEQUENCE) {
    headForward(arena, f, layers, top.h, out, steps * count);
    return;
  }
  // 'last': each row's state at its own last step.
  const lengths = (arena.base + arena.word(recurrentWord(layers, RNN_LENGTHS))) >> 2;
  const input = arena.at(recurrentWord(layers, RNN_HEAD_INPUT));
  const size = top.size;
  for (let b = 0; b < count; b++) {
    const from = top.h + ((arena.i32[lengths + b]! - 1) * count + b) * size;
    f.copyWithin(input + b * size, from, from + size);
  }
  headForward(arena, f, layers, input, out, count);
}

/** See assembly/recurrent.ts `forecastRecurrent`. */
export function forecastRecurrent(arena: Arena, prime: number, horizon: number): void {
  const f = arena.f64;
  const layers = arena.word(DENSE_LAYER_COUNT);
  const recurrent = layers - 1;
  const all = recurrentLayers(arena, layers);
  const nOut = arena.word(denseEntry(layers, DENSE_OUT));
  const out = arena.at(denseEntry(layers, DENSE_OUTPUT));
  const input = arena.at(DENSE_INPUT);
  const feed = arena.at(recurrentWord(layers, RNN_FEED));
  const top = all[recurrent - 1]!;
  for (let t = 0; t < prime + horizon - 1; t++) {
    if (t >= prime) {
      for (let k = 0; k < nOut; k++) f[input + t * nOut + k] = feedBack(f[out + (t - 1) * nOut + k]!, f[feed + k]!, f[feed + nOut + k]!);
    }
    let x = input;
    for (const L of all) {
      layerStep(f, L, x, t, 1);
      x = L.h;
    }
    headForward(arena, f, layers, top.h + t * top.size, out + t * nOut, 1);
  }
}

// See assembly/recurrent.ts `outputDelta`.
function outputDelta(arena: Arena, count: number, steps: number): number {
  const f = arena.f64;
  const layers = arena.word(DENSE_LAYER_COUNT);
  const n = arena.word(denseEntry(layers, DENSE_OUT));
  const kind = arena.word(denseEntry(layers, DENSE_ACTIVATION));
  const lossKind = arena.word(DENSE_LOSS_KIND);
  const settings = arena.at(DENSE_SETTINGS);
  const leaky = f[settings + S_LEAKY_ALPHA]!;
  const elu = f[settings + S_ELU_ALPHA]!;
  const out = arena.at(denseEntry(layers, DENSE_OUTPUT));
  const delta = arena.at(denseEntry(layers, DENSE_DELTA));
  const target = arena.at(DENSE_TARGET);
  const lengths = (arena.base + arena.word(recurrentWord(layers, RNN_LENGTHS))) >> 2;
  const i32 = arena.i32;
  let total = 0.0;
  let correct = 0;
  if (arena.word(recurrentWord(layers, RNN_OUTPUT_MODE)) === OUTPUT_SEQUENCE) {
    let counted = 0;
    for (let b = 0; b < count; b++) counted += i32[lengths + b]!;
    const perRow = 1.0 / counted;
    for (let t = 0; t < steps; t++) {
      for (let b = 0; b < count; b++) {
        const row = (t * count + b) * n;
        if (t >= i32[lengths + b]!) {
          f.fill(0, delta + row, delta + row + n);
          continue;
        }
        if (matches(f, out + row, target + row, n)) correct++;
        total += rowLoss(f, out + row, target + row, delta + row, n, kind, lossKind, leaky, elu, perRow);
      }
    }
    f[settings + S_CORRECT] = correct;
    return total * perRow;
  }
  const perRow = 1.0 / count;
  for (let b = 0; b < count; b++) {
    const row = b * n;
    if (matches(f, out + row, target + row, n)) correct++;
    total += rowLoss(f, out + row, target + row, delta + row, n, kind, lossKind, leaky, elu, perRow);
  }
  f[settings + S_CORRECT] = correct;
  return total * perRow;
}

/** See assembly/recurrent.ts `evaluateRecurrent`. */
export function evaluateRecurrent(arena: Arena, count: number, steps: number): number {
  forwardRecurrent(arena, count, steps);
  return outputDelta(arena, count, steps);
}

// See assembly/recurrent.ts `layerBackward`.
function layerBackward(f: Float64Array, L: Layer, below: Layer | null, toGrads: number, count: number, steps: number, window: number): void {
  const { cell, size, width, nIn, nOut } = L;
  const g = L.w + toGrads;
  const gb = L.bias + toGrads;
  const zr = cell === CELL_GRU ? 2 * size : nOut;
  f.fill(0, L.carryH, L.carryH + count * size);
  f.fill(0, L.carryC, L.carryC + count * size);
  if (below) f.fill(0, below.dh, below.dh + steps * count * width);
  for (let t = steps - 1; t >= 0; t--) {
    // Truncated BPTT: no gradient crosses from a window's first step back into the previous window.
    if (window > 0 && (t + 1) % window === 0) {
      f.fill(0, L.carryH, L.carryH + count * size);
      f.fill(0, L.carryC, L.carryC + count * size);
    }
    const xh = L.xh + t * count * nIn;
    const gates = L.gates + t * count * nOut;
    const dh = L.dh + t * count * size;
    for (let b = 0; b < count; b++) {
      const a = gates + b * nOut;
      // The deltas overwrite the step's gate activations, each read for the last time just before.
      const d = a;
      const carryH = L.carryH + b * size;
      const carryC = L.carryC + b * size;
      for (let u = 0; u < size; u++) {
        const dhu = f[dh + b * size + u]! + f[carryH + u]!;
        if (cell === CELL_LSTM) {
          const c = L.extra + (t * count + b) * 2 * size;
          const i = f[a + u]!, fg = f[a + size + u]!, gg = f[a + 2 * size + u]!, o = f[a + 3 * size + u]!;
          const tc = f[c + size + u]!;
          // As in layerStep: the forget gate's operand, c' or (memory 'hidden') h'.
          const previous = t === 0 ? 0.0 : L.hidden ? f[xh + b * nIn + width + u]! : f[c - count * 2 * size + u]!;
          const dc = lstmStateGradient(L.hidden ? 0.0 : f[carryC + u]!, dhu, o, tc);
          f[d + u] = dc * gg * derivative(i, ACT_SIGMOID, 0.0, 0.0);
          f[d + size + u] = dc * previous * derivative(fg, ACT_SIGMOID, 0.0, 0.0);
          f[d + 2 * size + u] = dc * i * derivative(gg, ACT_TANH, 0.0, 0.0);
          f[d + 3 * size + u] = dhu * tc * derivative(o, ACT_SIGMOID, 0.0, 0.0);
          // dLoss/dc' for the step before, or (memory 'hidden') the forget product's share of dLoss/dh', added below.
          f[carryC + u] = lstmMemoryGradient(dc, fg);
        } else if (cell === CELL_GRU) {
          const z = f[a + u]!, n = f[a + 2 * size + u]!;
          const previous = f[xh + b * nIn + width + u]!;
          f[d + u] = gruUpdateGradient(dhu, previous, n) * derivative(z, ACT_SIGMOID, 0.0, 0.0);
          f[d + 2 * size + u] = gruCandidateGradient(dhu, z) * derivative(n, ACT_TANH, 0.0, 0.0);
          f[carryH + u] = dhu * z;
        } else {
          f[d + u] = dhu * derivative(f[a + u]!, L.activation, 0.0, 0.0);
        }
      }
      if (cell === CELL_GRU) {
        const dxr = L.dxr + b * nIn;
        transposed(f, dxr, L.w, d, nIn, 2 * size, nOut);
        for (let u = 0; u < size; u++) {
          const r = f[a + size + u]!;
          const drh = f[dxr + width + u]!;
          f[d + size + u] = drh * f[xh + b * nIn + width + u]! * derivative(r, ACT_SIGMOID, 0.0, 0.0);
          f[carryH + u] = f[carryH + u]! + drh * r;
        }
      }
    }
    for (let b = 0; b < count; b++) {
      const dxh = L.dxh + b * nIn;
      transposed(f, dxh, L.w, gates + b * nOut, nIn, 0, zr);
      const carryH = L.carryH + b * size;
      if (cell === CELL_GRU) {
        const dxr = L.dxr + b * nIn;
        for (let u = 0; u < size; u++) f[carryH + u] = f[carryH + u]! + f[dxh + width + u]!;
        for (let k = 0; k < width; k++) f[dxh + k] = f[dxh + k]! + f[dxr + k]!;
      } else if (L.hidden) {
        const carryC = L.carryC + b * size;
        for (let u = 0; u < size; u++) f[carryH + u] = f[dxh + width + u]! + f[carryC + u]!;
      } else {
        f.copyWithin(carryH, dxh + width, dxh + nIn);
      }
      if (below) axpy(f, below.dh + (t * count + b) * width, 1.0, dxh, width);
    }
  }
  // Every step's weight and bias gradients at once, added last step first as if step by step.
  accumulate(f, g, gb, L.gates, L.xh, nIn, 0, zr, nOut, count, steps);
  if (cell === CELL_GRU) accumulate(f, g, gb, L.gates, L.extra, nIn, zr, nOut, nOut, count, steps);
}

// See assembly/recurrent.ts `backward`.
function backward(arena: Arena, count: number, steps: number): number {
  const f = arena.f64;
  const layers = arena.word(DENSE_LAYER_COUNT);
  const recurrent = layers - 1;
  const params = arena.at(DENSE_PARAMS);
  const toGrads = arena.at(DENSE_GRADS) - params;
  const paramCount = arena.word(DENSE_PARAM_COUNT);
  f.fill(0, params + toGrads, params + toGrads + paramCount);
  const all = recurrentLayers(arena, layers);
  const top = all[recurrent - 1]!;
  const nIn = top.size;
  const nOut = arena.word(denseEntry(layers, DENSE_OUT));
  const w = arena.at(denseEntry(layers, DENSE_WEIGHT));
  const delta = arena.at(denseEntry(layers, DENSE_DELTA));
  const sequence = arena.word(recurrentWord(layers, RNN_OUTPUT_MODE)) === OUTPUT_SEQUENCE;
  const rows = sequence ? steps * count : count;
  const x = sequence ? top.h : arena.at(recurrentWord(layers, RNN_HEAD_INPUT));
  accumulate(f, w + toGrads, arena.at(denseEntry(layers, DENSE_BIAS)) + toGrads, delta, x, nIn, 0, nOut, nOut, rows, 1);
  if (sequence) {
    for (let r = 0; r < rows; r++) transposed(f, top.dh + r * nIn, w, delta + r * nOut, nIn, 0, nOut);
  } else {
    f.fill(0, top.dh, top.dh + steps * count * nIn);
    const lengths = (arena.base + arena.word(recurrentWord(layers, RNN_LENGTHS))) >> 2;
    for (let b = 0; b < count; b++) {
      transposed(f, top.dh + ((arena.i32[lengths + b]! - 1) * count + b) * nIn, w, delta + b * nOut, nIn, 0, nOut);
    }
  }
  const window = arena.word(recurrentWord(layers, RNN_WINDOW));
  for (let l = recurrent; l >= 1; l--) layerBackward(f, all[l - 1]!, l > 1 ? all[l - 2]! : null, toGrads, count, steps, window);
  const grads = params + toGrads;
  return dot(f, grads, grads, paramCount);
}

/** See assembly/recurrent.ts `trainRecurrent`. */
export function trainRecurrent(arena: Arena, count: number, steps: number): number {
  forwardRecurrent(arena, count, steps);
  const loss = outputDelta(arena, count, steps);
  const norm = Math.sqrt(backward(arena, count, steps));
  const f = arena.f64;
  const settings = arena.at(DENSE_SETTINGS);
  f[settings + S_GRAD_NORM] = norm;
  prepareStep(arena, norm);
  if (!Number.isFinite(loss) || !Number.isFinite(norm) || (!(stepBound(arena, norm) < SAFE_VALUE) && !(peekStep(arena) < SAFE_VALUE))) {
    arena.i32[(arena.base >> 2) + DENSE_STATUS] = 1;
    return loss;
  }
  optimize(arena);
  commitStep(arena);
  return loss;
}
