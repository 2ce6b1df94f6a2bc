/**
 * Word indices of a float32 predictor's arena header (i32 words; offsets are bytes from the arena's start).
 * Written by `src/predictor/layout.ts`, read by `assembly/predict32.ts` and `src/backend/js/predict32.ts`;
 * valid AssemblyScript and TypeScript, so both sides share the same numbers.
 *
 * Each layer's weights are stored transposed and in panels of P32_PANEL outputs: the weight from input k to
 * output o0 + j of the panel starting at output o0 is float number `o0·nIn + k·width + j`, width being
 * min(P32_PANEL, stride - o0). The stride (a row's outputs, rounded up to a multiple of 4) pads the last
 * panel with zero weights and biases.
 */
export const P32_LAYER_COUNT = 0;
/** Rows the per-row buffers hold. */
export const P32_CAPACITY = 1;
/** The staged input rows (float32, `nIn` per row). */
export const P32_INPUT = 2;
/** A float64 row of the widest layer (its stride), where activations other than identity and relu are evaluated. */
export const P32_SCRATCH = 3;
/** The leakyRelu and elu settings, float64, at byte 4·P32_LEAKY_ALPHA and 4·P32_ELU_ALPHA. */
export const P32_LEAKY_ALPHA = 4;
export const P32_ELU_ALPHA = 6;
/** P32_BLOCK rows of the widest layer input, interleaved input by input ([k][row]), for the blocked product. */
export const P32_PACK = 8;
/**
 * Per-part buffers of a forward pass split into parts, P32_PARTS of them, each P32_PART_FLAG's 16 bytes, then a
 * P32_SCRATCH and a P32_PACK of its own (sizes in {@link p32PartBytes}).
 */
export const P32_PART_BUFFERS = 9;
/** How many parts P32_PART_BUFFERS serves (0: the forward pass is never split). */
export const P32_PARTS = 10;
export const P32_HEADER_WORDS = 12;

/** Per layer l ≥ 1, at `P32_HEADER_WORDS + (l - 1) * P32_LAYER_WORDS`. */
export const P32_IN = 0;
export const P32_OUT = 1;
/** Floats per output row: P32_OUT rounded up to a multiple of 4. */
export const P32_STRIDE = 2;
export const P32_ACTIVATION = 3;
export const P32_WEIGHT = 4;
export const P32_BIAS = 5;
export const P32_OUTPUT = 6;
export const P32_LAYER_WORDS = 8;

/** Outputs per weight panel: two f32x4 vectors. */
export const P32_PANEL = 8;
/** Rows per pass of the blocked product. */
export const P32_BLOCK = 4;

/** Most parts of one predict32 call, so that the per-part buffers stay small beside the weights. */
export const P32_MAX_PARTS = 16;

/** Bytes of one part's buffers: a 16-byte flag, a float64 scratch row of `widestStride`, P32_BLOCK rows of `widestIn` float32s. */
export function p32PartBytes(widestStride: i32, widestIn: i32): i32 {
  return 16 + ((widestStride * 8 + 15) & ~15) + ((P32_BLOCK * widestIn * 4 + 15) & ~15);
}

/** Header word `index` of layer `l` (from 1). */
export function p32Entry(l: i32, index: i32): i32 {
  return P32_HEADER_WORDS + (l - 1) * P32_LAYER_WORDS + index;
}
