// Float32 inference over a predictor arena (src/predictor/header.ts); the JS twin is src/backend/js/predict32.ts.
// Each output is one f32x4 lane: its products are summed from input 0 to the last, in order, then its bias is
// added, so neither the blocking nor the lanes change a result, and the JS twin gets the same bits through
// Math.fround. Activations other than identity and relu run in float64 through the network's own formulas
// (assembly/activations.ts) and are rounded to float32, which both sides do alike.
import { word, at } from "./layout";
import { activate } from "./activations";
import { partsFor, parallel } from "./parallel";
import { ACT_IDENTITY, ACT_RELU, TASK_PREDICT32 } from "../src/header";
import {
  P32_LAYER_COUNT, P32_INPUT, P32_SCRATCH, P32_PACK, P32_LEAKY_ALPHA, P32_ELU_ALPHA,
  P32_IN, P32_OUT, P32_STRIDE, P32_ACTIVATION, P32_WEIGHT, P32_BIAS, P32_OUTPUT, P32_PANEL, P32_BLOCK, p32Entry as entry,
  P32_PARTS, P32_PART_BUFFERS, p32PartBytes,
} from "../src/predictor/header";

// @ts-ignore: decorator
@inline function add4(acc: v128, x: v128, w: v128): v128 {
  return f32x4.add(acc, f32x4.mul(x, w));
}

/**
 * out[b][o] = (Σ_k x[b][k]·w[k][o]) + bias[o] for `count` rows of `nIn` inputs (rows `xRow` bytes apart) and
 * `stride` outputs. The SIMD build takes P32_BLOCK (4) rows × one 8-output panel per pass: 8 running f32x4 sums,
 * each weight load serving 4 rows and each broadcast input 2 vectors; the 4 rows are first interleaved at `pack`
 * ([k][row]) so that one pointer walks them. Then single rows, two panels per pass. Returns false when an input
 * of a 4-row block is not finite (what the interleaving saw; the plain build and single rows are not looked at).
 */
function affine32(x: usize, xRow: usize, nIn: i32, w: usize, bias: usize, out: usize, stride: i32, count: i32, pack: usize): bool {
  const outRow = <usize>stride << 2;
  let finite = true;
  const panelBytes = <usize>nIn * (P32_PANEL << 2);
  if (ASC_FEATURE_SIMD) {
    let b = 0;
    const packEnd = pack + (<usize>nIn << 4);
    for (; b + P32_BLOCK <= count; b += P32_BLOCK) {
      finite &= interleave4(x + <usize>b * xRow, xRow, nIn, pack);
      const o0 = out + <usize>b * outRow, o1 = o0 + outRow, o2 = o1 + outRow, o3 = o2 + outRow;
      let o = 0;
      let p = w;
      for (; o + P32_PANEL <= stride; o += P32_PANEL, p += panelBytes) {
        let a00 = f32x4.splat(0.0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        let pw = p;
        for (let px = pack; px < packEnd; px += 16, pw += 32) {
          const wa = v128.load(pw), wb = v128.load(pw, 16);
          const s0 = v128.load32_splat(px);
          a00 = add4(a00, s0, wa); a01 = add4(a01, s0, wb);
          const s1 = v128.load32_splat(px, 4);
          a10 = add4(a10, s1, wa); a11 = add4(a11, s1, wb);
          const s2 = v128.load32_splat(px, 8);
          a20 = add4(a20, s2, wa); a21 = add4(a21, s2, wb);
          const s3 = v128.load32_splat(px, 12);
          a30 = add4(a30, s3, wa); a31 = add4(a31, s3, wb);
        }
        const ob = <usize>o << 2;
        const ba = v128.load(bias + ob), bb = v128.load(bias + ob, 16);
        v128.store(o0 + ob, f32x4.add(a00, ba)); v128.store(o0 + ob, f32x4.add(a01, bb), 16);
        v128.store(o1 + ob, f32x4.add(a10, ba)); v128.store(o1 + ob, f32x4.add(a11, bb), 16);
        v128.store(o2 + ob, f32x4.add(a20, ba)); v128.store(o2 + ob, f32x4.add(a21, bb), 16);
        v128.store(o3 + ob, f32x4.add(a30, ba)); v128.store(o3 + ob, f32x4.add(a31, bb), 16);
      }
      if (o < stride) {
        // The last panel, 4 outputs wide.
        let a0 = f32x4.splat(0.0), a1 = a0, a2 = a0, a3 = a0;
        let pw = p;
        for (let px = pack; px < packEnd; px += 16, pw += 16) {
          const wa = v128.load(pw);
          a0 = add4(a0, v128.load32_splat(px), wa);
          a1 = add4(a1, v128.load32_splat(px, 4), wa);
          a2 = add4(a2, v128.load32_splat(px, 8), wa);
          a3 = add4(a3, v128.load32_splat(px, 12), wa);
        }
        const ob = <usize>o << 2;
        const ba = v128.load(bias + ob);
        v128.store(o0 + ob, f32x4.add(a0, ba)); v128.store(o1 + ob, f32x4.add(a1, ba));
        v128.store(o2 + ob, f32x4.add(a2, ba)); v128.store(o3 + ob, f32x4.add(a3, ba));
      }
    }
    for (; b < count; b++) {
      const xb = x + <usize>b * xRow, ob = out + <usize>b * outRow;
      const xEnd = xb + (<usize>nIn << 2);
      let o = 0;
      let p = w;
      // One row: two panels per pass, so that four sums are in flight.
      for (; o + 2 * P32_PANEL <= stride; o += 2 * P32_PANEL, p += 2 * panelBytes) {
        let a0 = f32x4.splat(0.0), a1 = a0, a2 = a0, a3 = a0;
        let pw = p, qw = p + panelBytes;
        for (let px = xb; px < xEnd; px += 4, pw += 32, qw += 32) {
          const s = v128.load32_splat(px);
          a0 = add4(a0, s, v128.load(pw)); a1 = add4(a1, s, v128.load(pw, 16));
          a2 = add4(a2, s, v128.load(qw)); a3 = add4(a3, s, v128.load(qw, 16));
        }
        const at = ob + (<usize>o << 2), bo = bias + (<usize>o << 2);
        v128.store(at, f32x4.add(a0, v128.load(bo))); v128.store(at, f32x4.add(a1, v128.load(bo, 16)), 16);
        v128.store(at, f32x4.add(a2, v128.load(bo, 32)), 32); v128.store(at, f32x4.add(a3, v128.load(bo, 48)), 48);
      }
      for (; o < stride; o += P32_PANEL, p += panelBytes) {
        const at = ob + (<usize>o << 2), bo = bias + (<usize>o << 2);
        let pw = p;
        if (o + P32_PANEL <= stride) {
          let a0 = f32x4.splat(0.0), a1 = a0;
          for (let px = xb; px < xEnd; px += 4, pw += 32) {
            const s = v128.load32_splat(px);
            a0 = add4(a0, s, v128.load(pw)); a1 = add4(a1, s, v128.load(pw, 16));
          }
          v128.store(at, f32x4.add(a0, v128.load(bo))); v128.store(at, f32x4.add(a1, v128.load(bo, 16)), 16);
        } else {
          let a0 = f32x4.splat(0.0);
          for (let px = xb; px < xEnd; px += 4, pw += 16) a0 = add4(a0, v128.load32_splat(px), v128.load(pw));
          v128.store(at, f32x4.add(a0, v128.load(bo)));
        }
      }
    }
  } else {
    for (let b = 0; b < count; b++) {
      const xb = x + <usize>b * xRow, ob = out + <usize>b * outRow;
      for (let o0 = 0; o0 < stride; o0 += P32_PANEL) {
        const width = min(P32_PANEL, stride - o0);
        const p = w + <usize>o0 * <usize>nIn * 4;
        for (let j = 0; j < width; j++) {
          let s: f32 = 0.0;
          for (let k = 0; k < nIn; k++) s += load<f32>(xb + (<usize>k << 2)) * load<f32>(p + (<usize>(k * width + j) << 2));
          store<f32>(ob + (<usize>(o0 + j) << 2), s + load<f32>(bias + (<usize>(o0 + j) << 2)));
        }
      }
    }
  }
  return finite;
}

/**
 * Writes inputs [0, nIn) of the 4 rows at `x` (`xRow` bytes apart) interleaved at `pack` ([k][row]), by 4×4
 * transposes; returns whether all of them are finite (v - v is 0 for a finite v, NaN otherwise).
 */
function interleave4(x: usize, xRow: usize, nIn: i32, pack: usize): bool {
  let check = f32x4.splat(0.0);
  let k = 0;
  for (; k + 4 <= nIn; k += 4) {
    const from = x + (<usize>k << 2), to = pack + (<usize>k << 4);
    const r0 = v128.load(from), r1 = v128.load(from + xRow), r2 = v128.load(from + 2 * xRow), r3 = v128.load(from + 3 * xRow);
    check = f32x4.add(check, f32x4.add(f32x4.add(f32x4.sub(r0, r0), f32x4.sub(r1, r1)), f32x4.add(f32x4.sub(r2, r2), f32x4.sub(r3, r3))));
    const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
    const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    v128.store(to, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
    v128.store(to, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
    v128.store(to, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
    v128.store(to, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
  }
  for (; k < nIn; k++) {
    const from = x + (<usize>k << 2), to = pack + (<usize>k << 4);
    const v = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(load<f32>(from)),
      1, load<f32>(from + xRow)), 2, load<f32>(from + 2 * xRow)), 3, load<f32>(from + 3 * xRow));
    check = f32x4.add(check, f32x4.sub(v, v));
    v128.store(to, v);
  }
  return !v128.any_true(f32x4.ne(check, f32x4.splat(0.0)));
}

/** Applies activation `kind` to the first `n` of each of `count` rows of `stride` floats at `out`. */
function activate32(out: usize, stride: i32, n: i32, count: i32, kind: i32, scratch: usize, leaky: f64, elu: f64): void {
  if (kind == ACT_IDENTITY) return;
  const end = out + (<usize>(count * stride) << 2);
  if (kind == ACT_RELU) {
    // relu of a float32 is exact: the same in float32 as through float64. Padding lanes are 0 and stay 0.
    let p = out;
    if (ASC_FEATURE_SIMD) {
      const zero = f32x4.splat(0.0);
      for (; p < end; p += 16) {
        const z = v128.load(p);
        v128.store(p, v128.bitselect(z, zero, f32x4.gt(z, zero)));
      }
    }
    for (; p < end; p += 4) {
      const z = load<f32>(p);
      store<f32>(p, z > 0 ? z : 0);
    }
    return;
  }
  for (let row = out; row < end; row += <usize>stride << 2) {
    // The whole padded row goes to float64 and back (exact), the activation covers the first n.
    if (ASC_FEATURE_SIMD) {
      for (let i = 0; i < stride; i += 4) {
        const v = v128.load(row + (<usize>i << 2)), to = scratch + (<usize>i << 3);
        v128.store(to, f64x2.promote_low_f32x4(v));
        v128.store(to, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)), 16);
      }
    } else {
      for (let i = 0; i < n; i++) store<f64>(scratch + (<usize>i << 3), <f64>load<f32>(row + (<usize>i << 2)));
    }
    activate(scratch, n, kind, leaky, elu);
    if (ASC_FEATURE_SIMD) {
      for (let i = 0; i < stride; i += 4) {
        const from = scratch + (<usize>i << 3);
        const lo = f32x4.demote_f64x2_zero(v128.load(from)), hi = f32x4.demote_f64x2_zero(v128.load(from, 16));
        v128.store(row + (<usize>i << 2), v128.shuffle<f32>(lo, hi, 0, 1, 4, 5));
      }
    } else {
      for (let i = 0; i < n; i++) store<f32>(row + (<usize>i << 2), <f32>load<f64>(scratch + (<usize>i << 3)));
    }
  }
}

/**
 * Forward pass of `count` rows staged at P32_INPUT; each layer's P32_OUTPUT holds its rows, `stride` floats apart.
 * Returns the index of the first non-finite staged input, or -1 (the outputs are then meaningless; the caller throws).
 * Splits the rows into parts of whole P32_BLOCK-row blocks when the arena has per-part buffers (P32_PARTS).
 */
export function predict32(arena: usize, count: i32): i32 {
  const layers = word(arena, P32_LAYER_COUNT);
  const nInputs = word(arena, entry(1, P32_IN));
  // The SIMD build sees the inputs of whole 4-row blocks while interleaving them: only the rest is scanned first.
  const seen = ASC_FEATURE_SIMD ? count - count % P32_BLOCK : 0;
  if (findNonFinite32From(arena, seen * nInputs, count * nInputs) >= 0) return findNonFinite32(arena, count * nInputs);
  let weights: f64 = 0.0;
  for (let l = 1; l <= layers; l++) weights += <f64>word(arena, entry(l, P32_IN)) * <f64>word(arena, entry(l, P32_STRIDE));
  // float32 lanes do twice the multiply-adds of float64 ones in the same time.
  const parts = min(partsFor((count + P32_BLOCK - 1) / P32_BLOCK, 0.5 * <f64>count * weights), word(arena, P32_PARTS));
  if (parts > 1) {
    parallel(TASK_PREDICT32, arena, count, parts);
    const buffers = at(arena, P32_PART_BUFFERS), bytes = <usize>partBytes(arena);
    for (let p = 0; p < parts; p++) {
      if (load<i32>(buffers + <usize>p * bytes) == 0) return findNonFinite32(arena, count * nInputs);
    }
    return -1;
  }
  if (!predictRows(arena, 0, count, at(arena, P32_SCRATCH), at(arena, P32_PACK))) return findNonFinite32(arena, count * nInputs);
  return -1;
}

/** Bytes of one part's buffers in this arena (p32PartBytes of its widest stride and input). */
function partBytes(arena: usize): i32 {
  const layers = word(arena, P32_LAYER_COUNT);
  let stride = 0, nIn = 0;
  for (let l = 1; l <= layers; l++) {
    stride = max(stride, word(arena, entry(l, P32_STRIDE)));
    nIn = max(nIn, word(arena, entry(l, P32_IN)));
  }
  return p32PartBytes(stride, nIn);
}

/** Part `part` of `parts` of predict32: blocks of P32_BLOCK rows in the part's share, with the part's own buffers; its flag says whether its inputs were finite. */
export function predict32Task(arena: usize, count: i32, part: i32, parts: i32): void {
  const blocks = (count + P32_BLOCK - 1) / P32_BLOCK;
  const first = P32_BLOCK * <i32>(<i64>blocks * part / parts), end = min(count, P32_BLOCK * <i32>(<i64>blocks * (part + 1) / parts));
  const buffers = at(arena, P32_PART_BUFFERS) + <usize>part * <usize>partBytes(arena);
  let finite = true;
  if (end > first) {
    const layers = word(arena, P32_LAYER_COUNT);
    let stride = 0;
    for (let l = 1; l <= layers; l++) stride = max(stride, word(arena, entry(l, P32_STRIDE)));
    const scratch = buffers + 16;
    finite = predictRows(arena, first, end - first, scratch, scratch + ((<usize>(stride * 8) + 15) & ~15));
  }
  store<i32>(buffers, finite ? 1 : 0);
}

/** The forward pass of `count` rows from row `first` on, with these scratch and pack buffers; false when an input of a 4-row block was not finite. */
function predictRows(arena: usize, first: i32, count: i32, scratch: usize, pack: usize): bool {
  const layers = word(arena, P32_LAYER_COUNT);
  const leaky = load<f64>(arena + (<usize>P32_LEAKY_ALPHA << 2)), elu = load<f64>(arena + (<usize>P32_ELU_ALPHA << 2));
  const nInputs = word(arena, entry(1, P32_IN));
  let xRow = <usize>nInputs << 2;
  let x = at(arena, P32_INPUT) + <usize>first * xRow;
  for (let l = 1; l <= layers; l++) {
    const nIn = word(arena, entry(l, P32_IN)), nOut = word(arena, entry(l, P32_OUT)), stride = word(arena, entry(l, P32_STRIDE));
    const out = at(arena, entry(l, P32_OUTPUT)) + <usize>first * (<usize>stride << 2);
    const finite = affine32(x, xRow, nIn, at(arena, entry(l, P32_WEIGHT)), at(arena, entry(l, P32_BIAS)), out, stride, count, pack);
    if (l == 1 && !finite) return false;
    activate32(out, stride, nOut, count, word(arena, entry(l, P32_ACTIVATION)), scratch, leaky, elu);
    x = out;
    xRow = <usize>stride << 2;
  }
  return true;
}

/** Index of the first non-finite float among the first `n` staged at P32_INPUT, or -1. */
function findNonFinite32(arena: usize, n: i32): i32 {
  return findNonFinite32From(arena, 0, n);
}

/** Index of the first non-finite float among staged inputs [from, to), or -1. */
function findNonFinite32From(arena: usize, from: i32, to: i32): i32 {
  const x = at(arena, P32_INPUT);
  let k = from;
  if (ASC_FEATURE_SIMD) {
    // v - v is 0 for a finite v and NaN for NaN and ±Infinity; NaN != 0. Eight numbers per test.
    const zero = f32x4.splat(0.0);
    for (; k + 8 <= to; k += 8) {
      const a = v128.load(x + (<usize>k << 2)), b = v128.load(x + (<usize>k << 2), 16);
      if (v128.any_true(v128.or(f32x4.ne(f32x4.sub(a, a), zero), f32x4.ne(f32x4.sub(b, b), zero)))) break;
    }
  }
  for (; k < to; k++) {
    const v = load<f32>(x + (<usize>k << 2));
    if (v - v != 0) return k;
  }
  return -1;
}
