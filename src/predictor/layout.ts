// The one description of a float32 predictor's arena: offsets and sizes (src/predictor/header.ts names the words).
import type { Arena } from '../backend/arena.js';
import {
  P32_ACTIVATION, P32_BIAS, P32_BLOCK, P32_CAPACITY, P32_PACK, P32_ELU_ALPHA, P32_HEADER_WORDS, P32_IN, P32_INPUT, P32_LAYER_COUNT,
  P32_LAYER_WORDS, P32_LEAKY_ALPHA, P32_OUT, P32_OUTPUT, P32_PANEL, P32_SCRATCH, P32_STRIDE, P32_WEIGHT, p32Entry,
  P32_MAX_PARTS, P32_PARTS, P32_PART_BUFFERS, p32PartBytes,
} from './header.js';

/** Byte offsets of one predictor arena: the fixed part (header, weights, biases, scratch) first, then the per-row buffers. */
export interface Predictor32Layout {
  sizes: readonly number[];
  /** Floats per output row of each layer (index 0 unused): the size rounded up to a multiple of 4. */
  strides: number[];
  weights: number[];
  biases: number[];
  scratch: number;
  pack: number;
  /** Bytes of everything that does not depend on the capacity. */
  fixedBytes: number;
  capacity: number;
  input: number;
  outputs: number[];
  /** The per-part buffers (P32_PART_BUFFERS) and how many parts they serve. */
  partBuffers: number;
  parts: number;
  bytes: number;
}

const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/** The layout of a predictor for layer `sizes` (input first) holding `capacity` rows per kernel call. */
export function predictor32Layout(sizes: readonly number[], capacity: number): Predictor32Layout {
  const layers = sizes.length - 1;
  let at = align16((P32_HEADER_WORDS + layers * P32_LAYER_WORDS) * 4);
  const strides = [0], weights = [0], biases = [0], outputs = [0];
  for (let l = 1; l <= layers; l++) {
    const stride = Math.ceil(sizes[l]! / 4) * 4;
    strides.push(stride);
    weights.push(at);
    at += sizes[l - 1]! * stride * 4;
    biases.push(at);
    at += stride * 4;
  }
  const scratch = at;
  at = align16(at + Math.max(...strides) * 8);
  const pack = at;
  at = align16(at + P32_BLOCK * Math.max(...sizes.slice(0, -1)) * 4);
  const fixedBytes = at;
  const input = at;
  at = align16(at + capacity * sizes[0]! * 4);
  for (let l = 1; l <= layers; l++) {
    outputs.push(at);
    at += capacity * strides[l]! * 4;
  }
  // A part takes whole P32_BLOCK-row blocks: a capacity of one block is never split.
  const parts = Math.min(P32_MAX_PARTS, Math.ceil(capacity / P32_BLOCK));
  const partBuffers = at = align16(at);
  if (parts > 1) at += parts * p32PartBytes(Math.max(...strides), Math.max(...sizes.slice(0, -1)));
  return { sizes, strides, weights, biases, scratch, pack, fixedBytes, capacity, input, outputs, partBuffers, parts: parts > 1 ? parts : 0, bytes: at };
}

/** Bytes each row of a batch takes in the per-row buffers. */
export function predictor32RowBytes(layout: Predictor32Layout): number {
  return layout.sizes[0]! * 4 + layout.strides.reduce((sum, stride) => sum + stride * 4, 0);
}

/** Writes the header of `layout` (activation codes per layer, index 0 unused; the leakyRelu and elu settings). */
export function writePredictor32Header(arena: Arena, layout: Predictor32Layout, activations: readonly number[], leakyAlpha: number, eluAlpha: number): void {
  const i32 = arena.i32;
  const words = arena.base >> 2;
  const layers = layout.sizes.length - 1;
  i32[words + P32_LAYER_COUNT] = layers;
  i32[words + P32_CAPACITY] = layout.capacity;
  i32[words + P32_INPUT] = layout.input;
  i32[words + P32_SCRATCH] = layout.scratch;
  i32[words + P32_PACK] = layout.pack;
  i32[words + P32_PART_BUFFERS] = layout.partBuffers;
  i32[words + P32_PARTS] = layout.parts;
  for (let l = 1; l <= layers; l++) {
    i32[words + p32Entry(l, P32_IN)] = layout.sizes[l - 1]!;
    i32[words + p32Entry(l, P32_OUT)] = layout.sizes[l]!;
    i32[words + p32Entry(l, P32_STRIDE)] = layout.strides[l]!;
    i32[words + p32Entry(l, P32_ACTIVATION)] = activations[l]!;
    i32[words + p32Entry(l, P32_WEIGHT)] = layout.weights[l]!;
    i32[words + p32Entry(l, P32_BIAS)] = layout.biases[l]!;
    i32[words + p32Entry(l, P32_OUTPUT)] = layout.outputs[l]!;
  }
  const f64 = arena.f64;
  f64[(arena.base >> 3) + (P32_LEAKY_ALPHA >> 1)] = leakyAlpha;
  f64[(arena.base >> 3) + (P32_ELU_ALPHA >> 1)] = eluAlpha;
}

/**
 * Writes float64 parameters `[W1 b1 W2 b2 …]` (W row-major [out][in]) into the arena as float32, rounded to
 * nearest, weights transposed into panels (see header.ts).
 */
export function writePredictor32Weights(arena: Arena, layout: Predictor32Layout, parameters: Float64Array): void {
  const f32 = arena.f32;
  const floats = arena.base >> 2;
  let at = 0;
  for (let l = 1; l < layout.sizes.length; l++) {
    const nIn = layout.sizes[l - 1]!, nOut = layout.sizes[l]!, stride = layout.strides[l]!;
    const w = floats + (layout.weights[l]! >> 2);
    for (let o = 0; o < nOut; o++) {
      const o0 = o - (o % P32_PANEL);
      const width = Math.min(P32_PANEL, stride - o0);
      const panel = w + o0 * nIn + (o - o0);
      for (let k = 0; k < nIn; k++) f32[panel + k * width] = parameters[at + o * nIn + k]!;
    }
    at += nIn * nOut;
    f32.set(parameters.subarray(at, at + nOut), floats + (layout.biases[l]! >> 2));
    at += nOut;
  }
}
