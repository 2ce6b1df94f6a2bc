// The activations over a row: the scalar formulas are src/math/activations.ts (the JS twin calls them too);
// the SIMD forms here perform the same operations lane by lane, so both give the same bits.
import {
  ACT_IDENTITY, ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_LEAKY_RELU, ACT_ELU, ACT_SOFTMAX,
} from "../src/header";
import { EXP2_TABLE, EXP_TABLE_LIMIT, N_OVER_LN2, SHIFTER, LN2_HI, LN2_LO, exp } from "../src/math/exp";
import { sigmoid, tanh, relu, leakyRelu, elu, activation } from "../src/math/activations";

type float = f64;

/** Where exp's table lies in memory: the kernels src/backend/specialized.ts generates read it there. */
export function expTable(): usize {
  return changetype<usize>(EXP2_TABLE);
}

// Both lanes take the table path when |x| <= 700 (2^m stays normal); otherwise, and for NaN, the scalar exp.
// As integers, the bits of |x| order like |x|, NaN and Infinity above every finite value: one signed
// 64-bit compare against 700's bits catches them all (the table path would not keep a NaN a NaN).
const SIMD_EXP_LIMIT_BITS: i64 = reinterpret<i64>(EXP_TABLE_LIMIT);

/** exp of both lanes: the same operations as src/math/exp.ts `exp`, lane by lane, so the same bits. */
// @ts-ignore: decorator
@inline function exp2x(x: v128): v128 {
  if (v128.any_true(i64x2.gt_s(f64x2.abs(x), i64x2.splat(SIMD_EXP_LIMIT_BITS)))) {
    return f64x2.replace_lane(f64x2.splat(exp(f64x2.extract_lane(x, 0))), 1, exp(f64x2.extract_lane(x, 1)));
  }
  const kd = f64x2.add(f64x2.mul(x, f64x2.splat(N_OVER_LN2)), f64x2.splat(SHIFTER));
  const kf = f64x2.sub(kd, f64x2.splat(SHIFTER));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(kf, f64x2.splat(LN2_HI / 64.0))), f64x2.mul(kf, f64x2.splat(LN2_LO / 64.0)));
  const r2 = f64x2.mul(r, r);
  const high = f64x2.add(f64x2.splat(1.0 / 24.0), f64x2.mul(r, f64x2.splat(1.0 / 120.0)));
  const low = f64x2.add(f64x2.splat(0.5), f64x2.mul(r, f64x2.splat(1.0 / 6.0)));
  const q = f64x2.add(r, f64x2.mul(r2, f64x2.add(low, f64x2.mul(r2, high))));
  const p = f64x2.add(f64x2.splat(1.0), q);
  // The two table entries, loaded straight into the lanes.
  const table = changetype<usize>(EXP2_TABLE);
  const t = v128.load64_lane(table + (<usize>(<i32>i64x2.extract_lane(kd, 1) & 63) << 3),
    v128.load64_splat(table + (<usize>(<i32>i64x2.extract_lane(kd, 0) & 63) << 3)), 1);
  const y = f64x2.mul(t, p);
  // y·2^m, exactly, by adding m to y's exponent field (y is in [1, 2) and 2^m stays normal, so nothing
  // overflows it). kd's bits are SHIFTER's plus k, and SHIFTER's are a multiple of 64: >> 6 leaves m in the
  // low 12 bits, the only ones << 52 keeps, so a logical shift does (x64 has no 64-bit arithmetic vector
  // shift before AVX-512).
  return i64x2.add(y, i64x2.shl(i64x2.shr_u(kd, 6), 52));
}

/**
 * sigmoid of both lanes: e = e^-|z| never overflows; 1/(1+e) for z >= 0, e/(1+e) below. The numerator is
 * chosen before the one division, so nothing waits on it after; -|z| is z with its sign bit set.
 */
// @ts-ignore: decorator
@inline function sigmoid2x(z: v128): v128 {
  const e = exp2x(v128.or(z, f64x2.splat(-0.0)));
  return f64x2.div(v128.bitselect(f64x2.splat(1.0), e, f64x2.ge(z, f64x2.splat(0.0))), f64x2.add(f64x2.splat(1.0), e));
}

/** tanh of both lanes: (1 - e)/(1 + e) with e = e^-2|z|, with the sign of z put on the numerator (exact) before the division. */
// @ts-ignore: decorator
@inline function tanh2x(z: v128): v128 {
  const e = exp2x(f64x2.mul(f64x2.splat(-2.0), f64x2.abs(z)));
  const a = f64x2.sub(f64x2.splat(1.0), e);
  return f64x2.div(v128.bitselect(f64x2.neg(a), a, f64x2.lt(z, f64x2.splat(0.0))), f64x2.add(f64x2.splat(1.0), e));
}

/** elu of both lanes; exp of min(z, 0): lanes with z > 0 keep z, and their exp would only waste the fast path. */
// @ts-ignore: decorator
@inline function elu2x(z: v128, alpha: float): v128 {
  const e = exp2x(f64x2.min(z, f64x2.splat(0.0)));
  return v128.bitselect(z, f64x2.mul(f64x2.splat(alpha), f64x2.sub(e, f64x2.splat(1.0))), f64x2.gt(z, f64x2.splat(0.0)));
}

/** sigmoid, tanh or elu (`kind`, a constant at each call) of both lanes. */
// @ts-ignore: decorator
@inline function exp2xActivation(z: v128, kind: i32, eluAlpha: float): v128 {
  switch (kind) {
    case ACT_SIGMOID: return sigmoid2x(z);
    case ACT_TANH: return tanh2x(z);
    case ACT_ELU: return elu2x(z, eluAlpha);
    default: unreachable();
  }
  return z;
}

/**
 * Applies sigmoid, tanh or elu (`kind`, a constant at each call, so the choice folds away) to the lane
 * pairs in [p, end), two independent pairs per pass: exp's dependency chain is long, so this keeps more of
 * it in flight. Returns where the pairs end.
 */
// @ts-ignore: decorator
@inline function expPairs(p: usize, end: usize, kind: i32, eluAlpha: float): usize {
  for (; p + 32 <= end; p += 32) {
    v128.store(p, exp2xActivation(v128.load(p), kind, eluAlpha));
    v128.store(p + 16, exp2xActivation(v128.load(p + 16), kind, eluAlpha));
  }
  for (; p + 16 <= end; p += 16) v128.store(p, exp2xActivation(v128.load(p), kind, eluAlpha));
  return p;
}

/** Applies activation `kind` in place to `n` pre-activations at `row` (one copy, called by dense.ts and predict32.ts). */
export function activate(row: usize, n: i32, kind: i32, leakyAlpha: float, eluAlpha: float): void {
  if (kind == ACT_IDENTITY) return;
  if (kind == ACT_SOFTMAX) {
    // e^(z - max z) / Σ: the shift keeps every exponent <= 0, so nothing overflows.
    let max = load<float>(row);
    for (let i = 1; i < n; i++) max = Math.max(max, load<float>(row + (<usize>i << 3)));
    let sum: float = 0.0;
    for (let i = 0; i < n; i++) {
      const e = exp(load<float>(row + (<usize>i << 3)) - max);
      store<float>(row + (<usize>i << 3), e);
      sum += e;
    }
    for (let i = 0; i < n; i++) store<float>(row + (<usize>i << 3), load<float>(row + (<usize>i << 3)) / sum);
    return;
  }
  // One loop per kind, so each is a tight loop the engine can pipeline.
  const end = row + (<usize>n << 3);
  let p = row;
  switch (kind) {
    case ACT_SIGMOID: {
      if (ASC_FEATURE_SIMD) p = expPairs(p, end, ACT_SIGMOID, eluAlpha);
      for (; p < end; p += 8) store<float>(p, sigmoid(load<float>(p)));
      break;
    }
    case ACT_TANH: {
      if (ASC_FEATURE_SIMD) p = expPairs(p, end, ACT_TANH, eluAlpha);
      for (; p < end; p += 8) store<float>(p, tanh(load<float>(p)));
      break;
    }
    case ACT_RELU: {
      if (ASC_FEATURE_SIMD) {
        // A compare and a select: no branch to mispredict on outputs of mixed sign.
        const zero = f64x2.splat(0.0);
        for (; p + 16 <= end; p += 16) {
          const z = v128.load(p);
          v128.store(p, v128.bitselect(z, zero, f64x2.gt(z, zero)));
        }
      }
      for (; p < end; p += 8) store<float>(p, relu(load<float>(p)));
      break;
    }
    case ACT_LEAKY_RELU: {
      if (ASC_FEATURE_SIMD) {
        const zero = f64x2.splat(0.0), alpha = f64x2.splat(leakyAlpha);
        for (; p + 16 <= end; p += 16) {
          const z = v128.load(p);
          v128.store(p, v128.bitselect(z, f64x2.mul(alpha, z), f64x2.gt(z, zero)));
        }
      }
      for (; p < end; p += 8) store<float>(p, leakyRelu(load<float>(p), leakyAlpha));
      break;
    }
    case ACT_ELU: {
      if (ASC_FEATURE_SIMD) p = expPairs(p, end, ACT_ELU, eluAlpha);
      for (; p < end; p += 8) store<float>(p, elu(load<float>(p), eluAlpha));
      break;
    }
    default: {
      // A kind without a loop of its own: its scalar formula per unit (which refuses a kind it does not know).
      for (; p < end; p += 8) store<float>(p, activation(load<float>(p), kind, leakyAlpha, eluAlpha));
    }
  }
}
