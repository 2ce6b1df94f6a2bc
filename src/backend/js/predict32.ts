// JS twin of assembly/predict32.ts: float32 inference over a predictor arena (src/predictor/header.ts).
// Every float32 operation is a float64 one rounded by Math.fround (or by a store into a Float32Array): for
// + and × of float32 values that is the correctly rounded float32 result, so the bits are the wasm lanes'.
import type { Arena } from '../arena.js';
import { ACT_IDENTITY, ACT_RELU } from '../../header.js';
import {
  P32_ACTIVATION, P32_BIAS, P32_ELU_ALPHA, P32_IN, P32_INPUT, P32_LAYER_COUNT, P32_LEAKY_ALPHA, P32_OUT, P32_OUTPUT,
  P32_PANEL, P32_SCRATCH, P32_STRIDE, P32_WEIGHT, p32Entry as entry,
} from '../../predictor/header.js';
import { activate } from './activations.js';

const fround = Math.fround;

/** See assembly/predict32.ts `predict32`. */
export function predict32(arena: Arena, count: number): number {
  const bad = findNonFinite32(arena, count * arena.word(entry(1, P32_IN)));
  if (bad >= 0) return bad;
  const { f32, f64 } = arena.heap.fresh();
  const word = (index: number) => arena.word(index);
  const floatAt = (index: number) => (arena.base + word(index)) >> 2;
  const layers = word(P32_LAYER_COUNT);
  const scratch = arena.at(P32_SCRATCH);
  const leaky = f64[(arena.base >> 3) + (P32_LEAKY_ALPHA >> 1)]!;
  const elu = f64[(arena.base >> 3) + (P32_ELU_ALPHA >> 1)]!;
  let x = floatAt(P32_INPUT);
  let xRow = word(entry(1, P32_IN));
  for (let l = 1; l <= layers; l++) {
    const nIn = word(entry(l, P32_IN));
    const nOut = word(entry(l, P32_OUT));
    const stride = word(entry(l, P32_STRIDE));
    const kind = word(entry(l, P32_ACTIVATION));
    const w = floatAt(entry(l, P32_WEIGHT));
    const bias = floatAt(entry(l, P32_BIAS));
    const out = floatAt(entry(l, P32_OUTPUT));
    for (let b = 0; b < count; b++) {
      const xb = x + b * xRow;
      const ob = out + b * stride;
      // Each output's sum from input 0 up, as one wasm lane, in locals; the Float32Array store rounds the bias's addition.
      for (let o0 = 0; o0 < stride; o0 += P32_PANEL) {
        const panel = w + o0 * nIn;
        if (stride - o0 >= 8) {
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
          for (let k = 0, wk = panel; k < nIn; k++, wk += 8) {
            const xk = f32[xb + k]!;
            s0 = fround(s0 + fround(xk * f32[wk]!)); s1 = fround(s1 + fround(xk * f32[wk + 1]!));
            s2 = fround(s2 + fround(xk * f32[wk + 2]!)); s3 = fround(s3 + fround(xk * f32[wk + 3]!));
            s4 = fround(s4 + fround(xk * f32[wk + 4]!)); s5 = fround(s5 + fround(xk * f32[wk + 5]!));
            s6 = fround(s6 + fround(xk * f32[wk + 6]!)); s7 = fround(s7 + fround(xk * f32[wk + 7]!));
          }
          const o = ob + o0, c = bias + o0;
          f32[o] = s0 + f32[c]!; f32[o + 1] = s1 + f32[c + 1]!; f32[o + 2] = s2 + f32[c + 2]!; f32[o + 3] = s3 + f32[c + 3]!;
          f32[o + 4] = s4 + f32[c + 4]!; f32[o + 5] = s5 + f32[c + 5]!; f32[o + 6] = s6 + f32[c + 6]!; f32[o + 7] = s7 + f32[c + 7]!;
        } else {
          // The last panel, 4 outputs wide.
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (let k = 0, wk = panel; k < nIn; k++, wk += 4) {
            const xk = f32[xb + k]!;
            s0 = fround(s0 + fround(xk * f32[wk]!)); s1 = fround(s1 + fround(xk * f32[wk + 1]!));
            s2 = fround(s2 + fround(xk * f32[wk + 2]!)); s3 = fround(s3 + fround(xk * f32[wk + 3]!));
          }
          const o = ob + o0, c = bias + o0;
          f32[o] = s0 + f32[c]!; f32[o + 1] = s1 + f32[c + 1]!; f32[o + 2] = s2 + f32[c + 2]!; f32[o + 3] = s3 + f32[c + 3]!;
        }
      }
      if (kind === ACT_IDENTITY) continue;
      if (kind === ACT_RELU) {
        for (let o = ob; o < ob + stride; o++) f32[o] = f32[o]! > 0 ? f32[o]! : 0;
        continue;
      }
      for (let i = 0; i < nOut; i++) f64[scratch + i] = f32[ob + i]!;
      activate(f64, scratch, nOut, kind, leaky, elu);
      for (let i = 0; i < nOut; i++) f32[ob + i] = f64[scratch + i]!;
    }
    x = out;
    xRow = stride;
  }
  return -1;
}

/** Index of the first non-finite float among the first `n` staged at P32_INPUT, or -1. */
function findNonFinite32(arena: Arena, n: number): number {
  const f32 = arena.f32;
  const start = (arena.base + arena.word(P32_INPUT)) >> 2;
  for (let k = 0; k < n; k++) {
    const v = f32[start + k]!;
    if (v - v !== 0) return k;
  }
  return -1;
}
