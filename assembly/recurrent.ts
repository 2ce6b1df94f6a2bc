// Recurrent layers (lstm, gru, rnn) and their dense head: the forward pass over a batch of sequences, and
// backpropagation through time with the optimizer step, over a recurrent arena (src/layout.ts). The cell formulas
// are src/math/recurrent.ts; every dot product sums its even and odd terms in two running sums (the two lanes of
// an f64x2), adds them, then the odd tail; elementwise SIMD rounds each lane as scalar code does. The JS twin,
// src/backend/js/recurrent.ts, performs the same operations in the same order, so both give the same bits.
import { word, at, slot } from "./layout";
import { f, put, bytes, dot, affineRows, axpy } from "./rows";
import { matches, rowLoss as inlineRowLoss } from "./loss";
import { activate } from "./activations";
import { derivative } from "../src/math/activations";
import { SAFE_VALUE } from "../src/math/optimizers";
import {
  feedBack, gruCandidateGradient, gruOutput, gruUpdateGradient, lstmMemoryGradient, lstmOutput, lstmState, lstmStateGradient,
} from "../src/math/recurrent";
import { optimize, loadSettings, saveState, prepareStep, commitStep, stepBound, peekStep } from "./optimizers";
import {
  DENSE_LAYER_COUNT, DENSE_LOSS_KIND, DENSE_SETTINGS, DENSE_PARAMS, DENSE_GRADS, DENSE_PARAM_COUNT, DENSE_INPUT, DENSE_TARGET,
  DENSE_STATUS, DENSE_IN, DENSE_OUT, DENSE_ACTIVATION, DENSE_WEIGHT, DENSE_BIAS, DENSE_OUTPUT, DENSE_DELTA, denseEntry,
  S_LEAKY_ALPHA, S_ELU_ALPHA, S_CORRECT, S_GRAD_NORM, ACT_SIGMOID, ACT_TANH,
  RNN_OUTPUT_MODE, RNN_WINDOW, RNN_LENGTHS, RNN_FEED, RNN_HEAD_INPUT, RNN_CELL, RNN_SIZE, RNN_WIDTH,
  RNN_XH, RNN_GATES, RNN_EXTRA, RNN_DXH, RNN_DXR, RNN_CARRY_H, RNN_CARRY_C, RNN_MEMORY, CELL_LSTM, CELL_GRU,
  MEMORY_HIDDEN, OUTPUT_SEQUENCE, recurrentWord, recurrentEntry, cellGates,
} from "../src/header";

type float = f64;

/** Fills n float64s at p with 0 (a loop: the short rows here cost more as a memory.fill call). */
// @ts-ignore: decorator
@inline function zero(p: usize, n: i32): void {
  let k = 0;
  if (ASC_FEATURE_SIMD) for (; k + 2 <= n; k += 2) v128.store(p + bytes(k), f64x2.splat(0.0));
  for (; k < n; k++) put(p, k, 0.0);
}

/** Copies n float64s from src to dst (not overlapping; a loop, as for zero). */
// @ts-ignore: decorator
@inline function copy(dst: usize, src: usize, n: i32): void {
  let k = 0;
  if (ASC_FEATURE_SIMD) for (; k + 2 <= n; k += 2) v128.store(dst + bytes(k), v128.load(src + bytes(k)));
  for (; k < n; k++) put(dst, k, f(src, k));
}

/** affineRows behind one call, not inlined at each of its calls (which would grow the module). */
function affine(x: usize, w: usize, bias: usize, out: usize, nIn: i32, first: i32, end: i32, stride: i32, count: i32): void {
  affineRows(x, w, bias, out, nIn, first, end, stride, count);
}

/**
 * c[r][k] = (add ? c[r][k] : 0) + Σ_j a[r][j]·m[j][k] for 4 rows r (at c, nIn wide) and every column k, j running
 * over `steps` blocks of `count` from `from`, the last block first and each block in order; a[r][j] is at
 * a + r·aRow + j·aCol, m[j] at m + j·8·nIn. 4 rows × 4 columns of sums stay in registers across every j (8
 * independent f64x2 chains) and each m[j] is read once for the 4 rows. The SIMD build's block of transposed and accumulate.
 */
// @ts-ignore: decorator
@inline function fourRows(c: usize, a: usize, aRow: usize, aCol: usize, m: usize, nIn: i32, from: i32, count: i32, steps: i32, add: bool): void {
  const rowBytes = bytes(nIn);
  const c0 = c, c1 = c0 + rowBytes, c2 = c1 + rowBytes, c3 = c2 + rowBytes;
  const p0 = a, p1 = p0 + aRow, p2 = p1 + aRow, p3 = p2 + aRow;
  let k = 0;
  for (; k + 4 <= nIn; k += 4) {
    const kb = bytes(k);
    let a00 = f64x2.splat(0.0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    if (add) {
      a00 = v128.load(c0 + kb); a01 = v128.load(c0 + kb + 16); a10 = v128.load(c1 + kb); a11 = v128.load(c1 + kb + 16);
      a20 = v128.load(c2 + kb); a21 = v128.load(c2 + kb + 16); a30 = v128.load(c3 + kb); a31 = v128.load(c3 + kb + 16);
    }
    for (let t = steps - 1; t >= 0; t--) {
      for (let j = from + t * count, last = j + count; j < last; j++) {
        const mj = m + <usize>j * rowBytes + kb, aj = <usize>j * aCol;
        const m0 = v128.load(mj), m1 = v128.load(mj + 16);
        const s0 = v128.load64_splat(p0 + aj), s1 = v128.load64_splat(p1 + aj), s2 = v128.load64_splat(p2 + aj), s3 = v128.load64_splat(p3 + aj);
        a00 = f64x2.add(a00, f64x2.mul(s0, m0)); a01 = f64x2.add(a01, f64x2.mul(s0, m1));
        a10 = f64x2.add(a10, f64x2.mul(s1, m0)); a11 = f64x2.add(a11, f64x2.mul(s1, m1));
        a20 = f64x2.add(a20, f64x2.mul(s2, m0)); a21 = f64x2.add(a21, f64x2.mul(s2, m1));
        a30 = f64x2.add(a30, f64x2.mul(s3, m0)); a31 = f64x2.add(a31, f64x2.mul(s3, m1));
      }
    }
    v128.store(c0 + kb, a00); v128.store(c0 + kb + 16, a01);
    v128.store(c1 + kb, a10); v128.store(c1 + kb + 16, a11);
    v128.store(c2 + kb, a20); v128.store(c2 + kb + 16, a21);
    v128.store(c3 + kb, a30); v128.store(c3 + kb + 16, a31);
  }
  for (; k + 2 <= nIn; k += 2) {
    const kb = bytes(k);
    let a0 = f64x2.splat(0.0), a1 = a0, a2 = a0, a3 = a0;
    if (add) { a0 = v128.load(c0 + kb); a1 = v128.load(c1 + kb); a2 = v128.load(c2 + kb); a3 = v128.load(c3 + kb); }
    for (let t = steps - 1; t >= 0; t--) {
      for (let j = from + t * count, last = j + count; j < last; j++) {
        const mv = v128.load(m + <usize>j * rowBytes + kb), aj = <usize>j * aCol;
        a0 = f64x2.add(a0, f64x2.mul(v128.load64_splat(p0 + aj), mv));
        a1 = f64x2.add(a1, f64x2.mul(v128.load64_splat(p1 + aj), mv));
        a2 = f64x2.add(a2, f64x2.mul(v128.load64_splat(p2 + aj), mv));
        a3 = f64x2.add(a3, f64x2.mul(v128.load64_splat(p3 + aj), mv));
      }
    }
    v128.store(c0 + kb, a0); v128.store(c1 + kb, a1); v128.store(c2 + kb, a2); v128.store(c3 + kb, a3);
  }
  if (k < nIn) {
    let s0: float = 0.0, s1: float = 0.0, s2: float = 0.0, s3: float = 0.0;
    if (add) { s0 = f(c0, k); s1 = f(c1, k); s2 = f(c2, k); s3 = f(c3, k); }
    for (let t = steps - 1; t >= 0; t--) {
      for (let j = from + t * count, last = j + count; j < last; j++) {
        const mk = f(m, j * nIn + k), aj = <usize>j * aCol;
        s0 += load<float>(p0 + aj) * mk; s1 += load<float>(p1 + aj) * mk; s2 += load<float>(p2 + aj) * mk; s3 += load<float>(p3 + aj) * mk;
      }
    }
    put(c0, k, s0); put(c1, k, s1); put(c2, k, s2); put(c3, k, s3);
  }
}

/**
 * out[b][k] = Σ_o w[o][k]·d[b][o] for weight rows o in [first, end) and `count` rows b (out nIn wide, d `stride`
 * wide), summed over o in order from 0 (what zeroing out[b] and adding d[b][o]·w[o] row by row gives). The SIMD
 * build keeps 4 rows × 4 columns of sums in registers (8 independent f64x2 chains) and reads each weight once for
 * the 4 rows; rows left over take 8 columns at a time.
 */
function transposed(out: usize, w: usize, d: usize, nIn: i32, first: i32, end: i32, stride: i32, count: i32): void {
  const rowBytes = bytes(nIn);
  let b = 0;
  if (ASC_FEATURE_SIMD) {
    for (; b + 4 <= count; b += 4) {
      fourRows(out + <usize>b * rowBytes, d + bytes(b * stride), bytes(stride), 8, w, nIn, first, end - first, 1, false);
    }
    // Rows left one by one (batch size 1): 8 columns of sums in registers per pass over the weight rows, then the
    // last 0 to 7 columns in one more pass, so no column's chain of sums waits on a pass of its own.
    for (; b < count; b++) {
      const ob = out + <usize>b * rowBytes;
      const db = d + bytes(b * stride);
      let k = 0;
      for (; k + 8 <= nIn; k += 8) {
        const wk = w + bytes(k);
        let a0 = f64x2.splat(0.0), a1 = a0, a2 = a0, a3 = a0;
        for (let o = first; o < end; o++) {
          const wo = wk + <usize>o * rowBytes;
          const s = v128.load64_splat(db + bytes(o));
          a0 = f64x2.add(a0, f64x2.mul(s, v128.load(wo))); a1 = f64x2.add(a1, f64x2.mul(s, v128.load(wo + 16)));
          a2 = f64x2.add(a2, f64x2.mul(s, v128.load(wo + 32))); a3 = f64x2.add(a3, f64x2.mul(s, v128.load(wo + 48)));
        }
        const ok = ob + bytes(k);
        v128.store(ok, a0); v128.store(ok + 16, a1); v128.store(ok + 32, a2); v128.store(ok + 48, a3);
      }
      const pairs = (nIn - k) >> 1;
      if (k < nIn) {
        const wk = w + bytes(k);
        let a0 = f64x2.splat(0.0), a1 = a0, a2 = a0;
        let last: float = 0.0;
        for (let o = first; o < end; o++) {
          const wo = wk + <usize>o * rowBytes;
          const dv = f(db, o);
          const s = f64x2.splat(dv);
          if (pairs > 0) a0 = f64x2.add(a0, f64x2.mul(s, v128.load(wo)));
          if (pairs > 1) a1 = f64x2.add(a1, f64x2.mul(s, v128.load(wo + 16)));
          if (pairs > 2) a2 = f64x2.add(a2, f64x2.mul(s, v128.load(wo + 32)));
          if (nIn & 1) last += dv * f(wo, 2 * pairs);
        }
        const ok = ob + bytes(k);
        if (pairs > 0) v128.store(ok, a0);
        if (pairs > 1) v128.store(ok + 16, a1);
        if (pairs > 2) v128.store(ok + 32, a2);
        if (nIn & 1) put(ok, 2 * pairs, last);
      }
    }
  }
  for (; b < count; b++) {
    const ob = out + <usize>b * rowBytes;
    const db = d + bytes(b * stride);
    zero(ob, nIn);
    for (let o = first; o < end; o++) axpy(ob, f(db, o), w + <usize>o * rowBytes, nIn);
  }
}

/**
 * Gradient rows [first, end) (nIn wide, at g) += Σ_r d[r][o]·x[r], bias gradients gb[o] += Σ_r d[r][o], over the
 * `steps` blocks of `count` rows of d (`stride` wide) and x, the last block first and each block's rows in order
 * (what backpropagation through time adding each step's products as it goes back gives). The SIMD build keeps 4
 * gradient rows × 4 columns in registers across every row (8 independent f64x2 chains) and reads each x once for
 * the 4 rows, so the gradients are read and written once per call, not once per step.
 */
function accumulate(g: usize, gb: usize, d: usize, x: usize, nIn: i32, first: i32, end: i32, stride: i32, count: i32, steps: i32): void {
  const rowBytes = bytes(nIn);
  let o = first;
  if (ASC_FEATURE_SIMD) {
    for (; o + 4 <= end; o += 4) {
      fourRows(g + <usize>o * rowBytes, d + bytes(o), 8, bytes(stride), x, nIn, 0, count, steps, true);
      const dd = d + bytes(o);
      let b0 = f(gb, o), b1 = f(gb, o + 1), b2 = f(gb, o + 2), b3 = f(gb, o + 3);
      for (let t = steps - 1; t >= 0; t--) {
        for (let b = t * count, last = b + count; b < last; b++) {
          const db = dd + bytes(b * stride);
          b0 += f(db, 0); b1 += f(db, 1); b2 += f(db, 2); b3 += f(db, 3);
        }
      }
      put(gb, o, b0); put(gb, o + 1, b1); put(gb, o + 2, b2); put(gb, o + 3, b3);
    }
  }
  for (; o < end; o++) {
    const row = g + <usize>o * rowBytes;
    let sum = f(gb, o);
    for (let t = steps - 1; t >= 0; t--) {
      for (let b = t * count, last = b + count; b < last; b++) {
        const delta = f(d, b * stride + o);
        axpy(row, delta, x + <usize>b * rowBytes, nIn);
        sum += delta;
      }
    }
    put(gb, o, sum);
  }
}

/** activate() behind one call: inlined at each of this file's call sites, its SIMD exp would be copied eight times. */
function activateRow(row: usize, n: i32, kind: i32, leaky: float, elu: float): void {
  activate(row, n, kind, leaky, elu);
}

// A recurrent layer's header entries.
// @ts-ignore: decorator
@inline function entry(arena: usize, layers: i32, l: i32, field: i32): i32 {
  return word(arena, recurrentEntry(layers, l, field));
}
// @ts-ignore: decorator
@inline function buffer(arena: usize, layers: i32, l: i32, field: i32): usize {
  return at(arena, recurrentEntry(layers, l, field));
}

/** Step t of layer l over `count` rows, reading its inputs at x ([row][width], time-major) and its own state at t − 1. */
function layerStep(arena: usize, layers: i32, l: i32, x: usize, t: i32, count: i32): void {
  const cell = entry(arena, layers, l, RNN_CELL), size = entry(arena, layers, l, RNN_SIZE), width = entry(arena, layers, l, RNN_WIDTH);
  // The cell's branches below take any code but lstm and gru as rnn: refuse one that is no cell (every pass starts here).
  if (cellGates(cell) == 0) throw new Error("unknown cell code");
  const nIn = word(arena, denseEntry(l, DENSE_IN)), nOut = word(arena, denseEntry(l, DENSE_OUT));
  const w = at(arena, denseEntry(l, DENSE_WEIGHT)), bias = at(arena, denseEntry(l, DENSE_BIAS));
  const states = at(arena, denseEntry(l, DENSE_OUTPUT));
  const xh = buffer(arena, layers, l, RNN_XH) + bytes(t * count * nIn);
  const gates = buffer(arena, layers, l, RNN_GATES) + bytes(t * count * nOut);
  const extra = buffer(arena, layers, l, RNN_EXTRA);
  for (let b = 0; b < count; b++) {
    const row = xh + bytes(b * nIn);
    copy(row, x + bytes((t * count + b) * width), width);
    if (t == 0) zero(row + bytes(width), size);
    else copy(row + bytes(width), states + bytes(((t - 1) * count + b) * size), size);
  }
  affine(xh, w, bias, gates, nIn, 0, cell == CELL_GRU ? 2 * size : nOut, nOut, count);
  const h = states + bytes(t * count * size);
  if (cell == CELL_LSTM) {
    // [c | tanh c] per row: the backward pass reads both.
    const c = extra + bytes(t * count * 2 * size);
    const hidden = entry(arena, layers, l, RNN_MEMORY) == MEMORY_HIDDEN;
    for (let b = 0; b < count; b++) {
      const a = gates + bytes(b * nOut);
      activateRow(a, 2 * size, ACT_SIGMOID, 0.0, 0.0);
      activateRow(a + bytes(2 * size), size, ACT_TANH, 0.0, 0.0);
      activateRow(a + bytes(3 * size), size, ACT_SIGMOID, 0.0, 0.0);
      const cb = c + bytes(b * 2 * size);
      // The forget gate's operand: c' (0 at step 0), or with memory 'hidden' h' (its [x | h'] row, 0 at step 0).
      const previous = hidden ? xh + bytes(b * nIn + width) : cb - bytes(count * 2 * size);
      for (let u = 0; u < size; u++) {
        const state = lstmState(f(a, size + u), t == 0 ? 0.0 : f(previous, u), f(a, u), f(a, 2 * size + u));
        put(cb, u, state);
        put(cb, size + u, state);
      }
      activateRow(cb + bytes(size), size, ACT_TANH, 0.0, 0.0);
      const hb = h + bytes(b * size);
      for (let u = 0; u < size; u++) put(hb, u, lstmOutput(f(a, 3 * size + u), f(cb, size + u)));
    }
  } else if (cell == CELL_GRU) {
    const xr = extra + bytes(t * count * nIn);
    for (let b = 0; b < count; b++) {
      const a = gates + bytes(b * nOut);
      const row = xh + bytes(b * nIn);
      const rrow = xr + bytes(b * nIn);
      activateRow(a, 2 * size, ACT_SIGMOID, 0.0, 0.0);
      copy(rrow, row, width);
      for (let u = 0; u < size; u++) put(rrow, width + u, f(a, size + u) * f(row, width + u));
    }
    affine(xr, w, bias, gates, nIn, 2 * size, nOut, nOut, count);
    for (let b = 0; b < count; b++) {
      const a = gates + bytes(b * nOut);
      const row = xh + bytes(b * nIn);
      activateRow(a + bytes(2 * size), size, ACT_TANH, 0.0, 0.0);
      const hb = h + bytes(b * size);
      for (let u = 0; u < size; u++) put(hb, u, gruOutput(f(a, u), f(a, 2 * size + u), f(row, width + u)));
    }
  } else {
    const kind = word(arena, denseEntry(l, DENSE_ACTIVATION));
    for (let b = 0; b < count; b++) {
      const a = gates + bytes(b * nOut);
      activateRow(a, size, kind, 0.0, 0.0);
      copy(h + bytes(b * size), a, size);
    }
  }
}

/** The head (layer `head`) over `rows` rows of x, outputs at out. */
function headForward(arena: usize, head: i32, x: usize, out: usize, rows: i32): void {
  const nIn = word(arena, denseEntry(head, DENSE_IN)), nOut = word(arena, denseEntry(head, DENSE_OUT));
  const kind = word(arena, denseEntry(head, DENSE_ACTIVATION));
  const leaky = slot(arena, DENSE_SETTINGS, S_LEAKY_ALPHA), elu = slot(arena, DENSE_SETTINGS, S_ELU_ALPHA);
  affine(x, at(arena, denseEntry(head, DENSE_WEIGHT)), at(arena, denseEntry(head, DENSE_BIAS)), out, nIn, 0, nOut, nOut, rows);
  for (let r = 0; r < rows; r++) activateRow(out + bytes(r * nOut), nOut, kind, leaky, elu);
}

/** Each staged sequence's length (RNN_LENGTHS). */
// @ts-ignore: decorator
@inline function lengthOf(arena: usize, layers: i32, b: i32): i32 {
  return load<i32>(at(arena, recurrentWord(layers, RNN_LENGTHS)) + (<usize>b << 2));
}

/**
 * Forward pass of `count` sequences of up to `steps` steps staged at DENSE_INPUT ([step][row][feature]): every
 * layer's states, gates and cell states, then the head's outputs at every step (output 'sequence') or at each
 * row's last step (RNN_LENGTHS; output 'last').
 */
export function forwardRecurrent(arena: usize, count: i32, steps: i32): void {
  const layers = word(arena, DENSE_LAYER_COUNT);
  const recurrent = layers - 1;
  for (let t = 0; t < steps; t++) {
    let x = at(arena, DENSE_INPUT);
    for (let l = 1; l <= recurrent; l++) {
      layerStep(arena, layers, l, x, t, count);
      x = at(arena, denseEntry(l, DENSE_OUTPUT));
    }
  }
  const top = at(arena, denseEntry(recurrent, DENSE_OUTPUT));
  const out = at(arena, denseEntry(layers, DENSE_OUTPUT));
  if (word(arena, recurrentWord(layers, RNN_OUTPUT_MODE)) == OUTPUT_SEQUENCE) {
    headForward(arena, layers, top, out, steps * count);
    return;
  }
  // 'last': each row's state at its own last step.
  const size = entry(arena, layers, recurrent, RNN_SIZE);
  const input = at(arena, recurrentWord(layers, RNN_HEAD_INPUT));
  for (let b = 0; b < count; b++) {
    copy(input + bytes(b * size), top + bytes(((lengthOf(arena, layers, b) - 1) * count + b) * size), size);
  }
  headForward(arena, layers, input, out, count);
}

/**
 * Runs the one sequence of `prime` steps staged at DENSE_INPUT, then `horizon - 1` steps more, each fed the previous
 * step's output through RNN_FEED (y·scale + shift per feature). The head's outputs of steps prime − 1 … prime +
 * horizon − 2 are the forecast.
 */
export function forecastRecurrent(arena: usize, prime: i32, horizon: i32): void {
  const layers = word(arena, DENSE_LAYER_COUNT);
  const recurrent = layers - 1;
  const nOut = word(arena, denseEntry(layers, DENSE_OUT));
  const out = at(arena, denseEntry(layers, DENSE_OUTPUT));
  const input = at(arena, DENSE_INPUT);
  const feed = at(arena, recurrentWord(layers, RNN_FEED));
  const top = at(arena, denseEntry(recurrent, DENSE_OUTPUT));
  const size = entry(arena, layers, recurrent, RNN_SIZE);
  for (let t = 0; t < prime + horizon - 1; t++) {
    if (t >= prime) {
      for (let k = 0; k < nOut; k++) put(input, t * nOut + k, feedBack(f(out, (t - 1) * nOut + k), f(feed, k), f(feed, nOut + k)));
    }
    let x = input;
    for (let l = 1; l <= recurrent; l++) {
      layerStep(arena, layers, l, x, t, 1);
      x = at(arena, denseEntry(l, DENSE_OUTPUT));
    }
    headForward(arena, layers, top + bytes(t * size), out + bytes(t * nOut), 1);
  }
}

/** The shared rowLoss behind one call, not inlined at each of its calls (which would grow the module). */
function rowLoss(out: usize, target: usize, delta: usize, n: i32, kind: i32, lossKind: i32, perRow: float, leaky: float, elu: float): float {
  return inlineRowLoss(out, target, delta, n, kind, lossKind, perRow, leaky, elu);
}

/**
 * The mean loss of the last forward pass against DENSE_TARGET and the head's deltas (already divided by the rows
 * counted). Output 'sequence' counts each row's steps before its length (later steps get delta 0: masked, not
 * padded into the loss); 'last' counts each row once. S_CORRECT gets the rows counted right.
 */
function outputDelta(arena: usize, count: i32, steps: i32): float {
  const layers = word(arena, DENSE_LAYER_COUNT);
  const n = word(arena, denseEntry(layers, DENSE_OUT));
  const kind = word(arena, denseEntry(layers, DENSE_ACTIVATION));
  const lossKind = word(arena, DENSE_LOSS_KIND);
  const leaky = slot(arena, DENSE_SETTINGS, S_LEAKY_ALPHA), elu = slot(arena, DENSE_SETTINGS, S_ELU_ALPHA);
  const out = at(arena, denseEntry(layers, DENSE_OUTPUT));
  const delta = at(arena, denseEntry(layers, DENSE_DELTA));
  const target = at(arena, DENSE_TARGET);
  const settings = at(arena, DENSE_SETTINGS);
  let total: float = 0.0;
  let correct = 0;
  if (word(arena, recurrentWord(layers, RNN_OUTPUT_MODE)) == OUTPUT_SEQUENCE) {
    let counted = 0;
    for (let b = 0; b < count; b++) counted += lengthOf(arena, layers, b);
    const perRow: float = 1.0 / <float>counted;
    for (let t = 0; t < steps; t++) {
      for (let b = 0; b < count; b++) {
        const row = (t * count + b) * n;
        if (t >= lengthOf(arena, layers, b)) {
          zero(delta + bytes(row), n);
          continue;
        }
        if (matches(out + bytes(row), target + bytes(row), n)) correct++;
        total += rowLoss(out + bytes(row), target + bytes(row), delta + bytes(row), n, kind, lossKind, perRow, leaky, elu);
      }
    }
    put(settings, S_CORRECT, <float>correct);
    return total * perRow;
  }
  const perRow: float = 1.0 / <float>count;
  for (let b = 0; b < count; b++) {
    const row = b * n;
    if (matches(out + bytes(row), target + bytes(row), n)) correct++;
    total += rowLoss(out + bytes(row), target + bytes(row), delta + bytes(row), n, kind, lossKind, perRow, leaky, elu);
  }
  put(settings, S_CORRECT, <float>correct);
  return total * perRow;
}

/** Loss (and S_CORRECT) of `count` staged sequences against DENSE_TARGET, without training. */
export function evaluateRecurrent(arena: usize, count: i32, steps: i32): float {
  forwardRecurrent(arena, count, steps);
  return outputDelta(arena, count, steps);
}

/**
 * Backpropagation through time of layer l, from its last step back, given dL/dh of every step from above (its
 * DENSE_DELTA): the gates' deltas per step, their gradients added to the layer's, dL/d(input) added to the layer
 * below's DENSE_DELTA, and dL/dh' (and an lstm's dL/dc') carried to the step before; an lstm with memory 'hidden'
 * carries no dL/dc': its forget product's gradient dc·f joins dL/dh'. With a window w > 0 nothing
 * is carried from a window's first step (a multiple of w) back into the window before.
 */
function layerBackward(arena: usize, layers: i32, l: i32, toGrads: usize, count: i32, steps: i32, window: i32): void {
  const cell = entry(arena, layers, l, RNN_CELL), size = entry(arena, layers, l, RNN_SIZE), width = entry(arena, layers, l, RNN_WIDTH);
  const nIn = word(arena, denseEntry(l, DENSE_IN)), nOut = word(arena, denseEntry(l, DENSE_OUT));
  const kind = word(arena, denseEntry(l, DENSE_ACTIVATION));
  const w = at(arena, denseEntry(l, DENSE_WEIGHT));
  const g = w + toGrads;
  const gb = at(arena, denseEntry(l, DENSE_BIAS)) + toGrads;
  const dhAll = at(arena, denseEntry(l, DENSE_DELTA));
  const xhAll = buffer(arena, layers, l, RNN_XH), gatesAll = buffer(arena, layers, l, RNN_GATES), extra = buffer(arena, layers, l, RNN_EXTRA);
  const dxhAll = buffer(arena, layers, l, RNN_DXH), dxrAll = buffer(arena, layers, l, RNN_DXR);
  const carryHAll = buffer(arena, layers, l, RNN_CARRY_H), carryCAll = buffer(arena, layers, l, RNN_CARRY_C);
  const below = l > 1 ? at(arena, denseEntry(l - 1, DENSE_DELTA)) : 0;
  const hidden = cell == CELL_LSTM && entry(arena, layers, l, RNN_MEMORY) == MEMORY_HIDDEN;
  const zr = cell == CELL_GRU ? 2 * size : nOut;
  zero(carryHAll, count * size);
  zero(carryCAll, count * size);
  if (l > 1) zero(below, steps * count * width);
  for (let t = steps - 1; t >= 0; t--) {
    if (window > 0 && (t + 1) % window == 0) {
      zero(carryHAll, count * size);
      zero(carryCAll, count * size);
    }
    const xh = xhAll + bytes(t * count * nIn);
    const gates = gatesAll + bytes(t * count * nOut);
    const dh = dhAll + bytes(t * count * size);
    for (let b = 0; b < count; b++) {
      const a = gates + bytes(b * nOut);
      // The deltas overwrite the step's gate activations, each read for the last time just before.
      const d = a;
      const carryH = carryHAll + bytes(b * size);
      const carryC = carryCAll + bytes(b * size);
      const dhb = dh + bytes(b * size);
      if (cell == CELL_LSTM) {
        const c = extra + bytes((t * count + b) * 2 * size);
        // As in layerStep: the forget gate's operand, c' or (memory 'hidden') h'.
        const previous = hidden ? xh + bytes(b * nIn + width) : c - bytes(count * 2 * size);
        for (let u = 0; u < size; u++) {
          const dhu = f(dhb, u) + f(carryH, u);
          const i = f(a, u), fg = f(a, size + u), gg = f(a, 2 * size + u), o = f(a, 3 * size + u);
          const tc = f(c, size + u);
          const dc = lstmStateGradient(hidden ? 0.0 : f(carryC, u), dhu, o, tc);
          put(d, u, dc * gg * derivative(i, ACT_SIGMOID, 0.0, 0.0));
          put(d, size + u, dc * (t == 0 ? 0.0 : f(previous, u)) * derivative(fg, ACT_SIGMOID, 0.0, 0.0));
          put(d, 2 * size + u, dc * i * derivative(gg, ACT_TANH, 0.0, 0.0));
          put(d, 3 * size + u, dhu * tc * derivative(o, ACT_SIGMOID, 0.0, 0.0));
          // dLoss/dc' for the step before, or (memory 'hidden') the forget product's share of dLoss/dh', added below.
          put(carryC, u, lstmMemoryGradient(dc, fg));
        }
      } else if (cell == CELL_GRU) {
        const row = xh + bytes(b * nIn);
        for (let u = 0; u < size; u++) {
          const dhu = f(dhb, u) + f(carryH, u);
          const z = f(a, u), n = f(a, 2 * size + u);
          put(d, u, gruUpdateGradient(dhu, f(row, width + u), n) * derivative(z, ACT_SIGMOID, 0.0, 0.0));
          put(d, 2 * size + u, gruCandidateGradient(dhu, z) * derivative(n, ACT_TANH, 0.0, 0.0));
          put(carryH, u, dhu * z);
        }
        const dxr = dxrAll + bytes(b * nIn);
        transposed(dxr, w, d, nIn, 2 * size, nOut, nOut, 1);
        for (let u = 0; u < size; u++) {
          const r = f(a, size + u);
          const drh = f(dxr, width + u);
          put(d, size + u, drh * f(row, width + u) * derivative(r, ACT_SIGMOID, 0.0, 0.0));
          put(carryH, u, f(carryH, u) + drh * r);
        }
      } else {
        for (let u = 0; u < size; u++) put(d, u, (f(dhb, u) + f(carryH, u)) * derivative(f(a, u), kind, 0.0, 0.0));
      }
    }
    transposed(dxhAll, w, gates, nIn, 0, zr, nOut, count);
    for (let b = 0; b < count; b++) {
      const dxh = dxhAll + bytes(b * nIn);
      const carryH = carryHAll + bytes(b * size);
      if (cell == CELL_GRU) {
        const dxr = dxrAll + bytes(b * nIn);
        axpy(carryH, 1.0, dxh + bytes(width), size);
        axpy(dxh, 1.0, dxr, width);
      } else if (hidden) {
        const carryC = carryCAll + bytes(b * size);
        for (let u = 0; u < size; u++) put(carryH, u, f(dxh, width + u) + f(carryC, u));
      } else {
        copy(carryH, dxh + bytes(width), size);
      }
      if (l > 1) axpy(below + bytes((t * count + b) * width), 1.0, dxh, width);
    }
  }
  // Every step's weight and bias gradients at once, added last step first as if step by step.
  accumulate(g, gb, gatesAll, xhAll, nIn, 0, zr, nOut, count, steps);
  if (cell == CELL_GRU) accumulate(g, gb, gatesAll, extra, nIn, zr, nOut, nOut, count, steps);
}

/** Every gradient into DENSE_GRADS, the head first, then each recurrent layer from the top; returns ‖grad‖². */
function backward(arena: usize, count: i32, steps: i32): float {
  const layers = word(arena, DENSE_LAYER_COUNT);
  const recurrent = layers - 1;
  const params = at(arena, DENSE_PARAMS);
  const toGrads = at(arena, DENSE_GRADS) - params;
  const paramCount = word(arena, DENSE_PARAM_COUNT);
  zero(params + toGrads, paramCount);
  const nIn = entry(arena, layers, recurrent, RNN_SIZE);
  const nOut = word(arena, denseEntry(layers, DENSE_OUT));
  const w = at(arena, denseEntry(layers, DENSE_WEIGHT));
  const delta = at(arena, denseEntry(layers, DENSE_DELTA));
  const top = at(arena, denseEntry(recurrent, DENSE_OUTPUT));
  const topDelta = at(arena, denseEntry(recurrent, DENSE_DELTA));
  const sequence = word(arena, recurrentWord(layers, RNN_OUTPUT_MODE)) == OUTPUT_SEQUENCE;
  const rows = sequence ? steps * count : count;
  const x = sequence ? top : at(arena, recurrentWord(layers, RNN_HEAD_INPUT));
  accumulate(w + toGrads, at(arena, denseEntry(layers, DENSE_BIAS)) + toGrads, delta, x, nIn, 0, nOut, nOut, rows, 1);
  if (sequence) {
    transposed(topDelta, w, delta, nIn, 0, nOut, nOut, rows);
  } else {
    zero(topDelta, steps * count * nIn);
    for (let b = 0; b < count; b++) {
      transposed(topDelta + bytes(((lengthOf(arena, layers, b) - 1) * count + b) * nIn), w, delta + bytes(b * nOut), nIn, 0, nOut, nOut, 1);
    }
  }
  const window = word(arena, recurrentWord(layers, RNN_WINDOW));
  for (let l = recurrent; l >= 1; l--) layerBackward(arena, layers, l, toGrads, count, steps, window);
  const grads = params + toGrads;
  return dot(grads, grads, paramCount);
}

/**
 * One optimizer step on `count` staged sequences of up to `steps` steps: forward pass, backpropagation through
 * time, then the step (gradients scaled to clipNorm first when their norm exceeds it). Returns the mean loss;
 * ‖grad‖ goes to S_GRAD_NORM. When the loss or the gradient is not finite, or the step would write a parameter or
 * moment beyond SAFE_VALUE, nothing is updated and DENSE_STATUS is set to 1.
 */
export function trainRecurrent(arena: usize, count: i32, steps: i32): float {
  loadSettings(arena);
  forwardRecurrent(arena, count, steps);
  const loss = outputDelta(arena, count, steps);
  const norm = Math.sqrt(backward(arena, count, steps));
  put(at(arena, DENSE_SETTINGS), S_GRAD_NORM, norm);
  prepareStep(norm);
  if (!isFinite(loss) || !isFinite(norm) || (!(stepBound(norm) < SAFE_VALUE) && !(peekStep(arena) < SAFE_VALUE))) {
    store<i32>(arena + (<usize>DENSE_STATUS << 2), 1);
    saveState(arena);
    return loss;
  }
  optimize(arena);
  commitStep();
  saveState(arena);
  return loss;
}
