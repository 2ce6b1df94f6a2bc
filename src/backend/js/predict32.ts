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
      // Each output's sum from input 0 up, as one wasm lane: the Float32Array store rounds each addition.
      for (let o = 0; o < stride; o++) f32[ob + o] = 0;
      for (let o0 = 0; o0 < stride; o0 += P32_PANEL) {
        const width = Math.min(P32_PANEL, stride - o0);
        const panel = w + o0 * nIn;
        for (let k = 0; k < nIn; k++) {
          const xk = f32[xb + k]!;
          const wk = panel + k * width;
          for (let j = 0; j < width; j++) f32[ob + o0 + j] = f32[ob + o0 + j]! + fround(xk * f32[wk + j]!);
        }
      }
      for (let o = 0; o < stride; o++) f32[ob + o] = f32[ob + o]! + f32[bias + o]!;
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
