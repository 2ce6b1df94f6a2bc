// exp and the activations, written with + - * / only so the JS twin (src/backend/js/activations.ts)
// gives the same bits: WebAssembly has no exp instruction and Math.exp differs across engines.
import {
  ACT_IDENTITY, ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_LEAKY_RELU, ACT_ELU, ACT_SOFTMAX,
} from "../src/header";

type float = f64;

const LN2_HI: float = 6.93147180369123816490e-01; // ln 2 = LN2_HI + LN2_LO; LN2_HI·k is exact for |k| < 2^21
const LN2_LO: float = 1.90821492927058770002e-10;
const N_OVER_LN2: float = 92.33248261689366; // 64 / ln 2
const SHIFTER: float = 6755399441055744.0; // 1.5·2^52: adding it rounds to an integer (ties to even), kept in the low bits
const TWO_M1000: float = 9.33263618503218878990e-302; // 2^-1000

// 2^(j/64) for j = 0..63, correctly rounded (made with Python's decimal at 60 digits).
const EXP2_TABLE = memory.data<f64>([
  1.0, 1.0108892860517005, 1.0218971486541166, 1.0330248790212284,
  1.0442737824274138, 1.0556451783605572, 1.0671404006768237, 1.0787607977571199,
  1.0905077326652577, 1.102382583307841, 1.1143867425958924, 1.1265216186082418,
  1.1387886347566916, 1.1511892299529827, 1.1637248587775775, 1.1763969916502812,
  1.189207115002721, 1.202156731452703, 1.215247359980469, 1.22848053610687,
  1.241857812073484, 1.255380757024691, 1.2690509571917332, 1.2828700160787783,
  1.2968395546510096, 1.3109612115247644, 1.3252366431597413, 1.339667524053303,
  1.3542555469368927, 1.3690024229745905, 1.383909881963832, 1.3989796725383112,
  1.4142135623730951, 1.42961333839197, 1.4451808069770467, 1.460917794180647,
  1.4768261459394993, 1.4929077282912648, 1.5091644275934228, 1.5255981507445384,
  1.5422108254079407, 1.559004400237837, 1.5759808451078865, 1.593142151342267,
  1.6104903319492543, 1.6280274218573478, 1.645755478153965, 1.6636765803267364,
  1.681792830507429, 1.7001063537185235, 1.718619298122478, 1.7373338352737062,
  1.7562521603732995, 1.7753764925265212, 1.7947090750031072, 1.8142521755003989,
  1.8340080864093424, 1.8539791250833855, 1.8741676341103, 1.8945759815869656,
  1.9152065613971474, 1.9360617934922943, 1.9571441241754002, 1.978456026387951,
]);

/** Where the table lies in memory: the kernels src/backend/specialized.ts generates read it there. */
export function expTable(): usize {
  return EXP2_TABLE;
}

// @ts-ignore: decorator
@inline function pow2(k: i32): float {
  return reinterpret<f64>(<u64>(k + 1023) << 52);
}

/**
 * e^x: x = (64m + j)·ln2/64 + r with |r| <= ln2/128, so e^x = 2^m · 2^(j/64) · e^r, with
 * 2^(j/64) from a table and e^r from its degree-5 Taylor polynomial (remainder < 4e-17),
 * evaluated as 1 + (r + r²·((1/2 + r/6) + r²·(1/24 + r/120))): a shorter dependency chain than
 * Horner's with one rounding near 1. k = 64m + j is rounded by adding SHIFTER (no float-to-int
 * conversion on the chain). Error <= 2 ulp of Math.exp over |x| <= 700; no division, so it
 * pipelines. The JS twin computes the same bits.
 */
// @ts-ignore: decorator
@inline export function exp(x: float): float {
  if (x != x) return x;
  if (x > 709.782712893383973096) return Infinity;
  if (x < -745.13321910194110842) return 0.0;
  const kd = x * N_OVER_LN2 + SHIFTER;
  const kf = kd - SHIFTER;
  const k = <i32>reinterpret<i64>(kd);
  const r = (x - kf * (LN2_HI / 64.0)) - kf * (LN2_LO / 64.0);
  const r2 = r * r;
  const p = 1.0 + (r + r2 * ((0.5 + r * (1.0 / 6.0)) + r2 * (1.0 / 24.0 + r * (1.0 / 120.0))));
  const y = load<f64>(EXP2_TABLE + (<usize>(k & 63) << 3)) * p;
  const m = k >> 6;
  if (m >= -1021) return m == 1024 ? y * 2.0 * pow2(1023) : y * pow2(m);
  return y * pow2(m + 1000) * TWO_M1000;
}

// Both lanes take the table path when |x| <= 700 (2^m stays normal); otherwise, and for NaN, the scalar exp.
// As integers, the bits of |x| order like |x|, NaN and Infinity above every finite value: one signed
// 64-bit compare against 700's bits catches them all (the table path would not keep a NaN a NaN).
const SIMD_EXP_LIMIT_BITS: i64 = reinterpret<i64>(<f64>700.0);

/** exp of both lanes: the same operations as `exp`, lane by lane, so the same bits. */
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
  const t = v128.load64_lane(EXP2_TABLE + (<usize>(<i32>i64x2.extract_lane(kd, 1) & 63) << 3),
    v128.load64_splat(EXP2_TABLE + (<usize>(<i32>i64x2.extract_lane(kd, 0) & 63) << 3)), 1);
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
  if (kind == ACT_SIGMOID) return sigmoid2x(z);
  if (kind == ACT_TANH) return tanh2x(z);
  return elu2x(z, eluAlpha);
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

/** Activation `kind` (not softmax) of one pre-activation: the scalar form of `activate`. */
// @ts-ignore: decorator
@inline export function activation(z: float, kind: i32, leakyAlpha: float, eluAlpha: float): float {
  if (kind == ACT_SIGMOID) {
    const e = exp(-Math.abs(z));
    return (z >= 0.0 ? 1.0 : e) / (1.0 + e);
  }
  if (kind == ACT_TANH) {
    const e = exp(-2.0 * Math.abs(z));
    const t = (1.0 - e) / (1.0 + e);
    return z < 0.0 ? -t : t;
  }
  if (kind == ACT_RELU) return z > 0.0 ? z : 0.0;
  if (kind == ACT_LEAKY_RELU) return z > 0.0 ? z : leakyAlpha * z;
  if (kind == ACT_ELU) return z > 0.0 ? z : eluAlpha * (exp(z) - 1.0);
  return z;
}

/** Applies activation `kind` in place to `n` pre-activations at `row`. */
// @ts-ignore: decorator
@inline export function activate(row: usize, n: i32, kind: i32, leakyAlpha: float, eluAlpha: float): void {
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
  // One loop per kind, so each is a tight loop the engine can pipeline (exp is inlined).
  const end = row + (<usize>n << 3);
  let p = row;
  if (kind == ACT_SIGMOID) {
    if (ASC_FEATURE_SIMD) p = expPairs(p, end, ACT_SIGMOID, eluAlpha);
    for (; p < end; p += 8) store<float>(p, activation(load<float>(p), ACT_SIGMOID, leakyAlpha, eluAlpha));
  } else if (kind == ACT_TANH) {
    if (ASC_FEATURE_SIMD) p = expPairs(p, end, ACT_TANH, eluAlpha);
    for (; p < end; p += 8) store<float>(p, activation(load<float>(p), ACT_TANH, leakyAlpha, eluAlpha));
  } else if (kind == ACT_RELU) {
    if (ASC_FEATURE_SIMD) {
      // A compare and a select: no branch to mispredict on outputs of mixed sign.
      const zero = f64x2.splat(0.0);
      for (; p + 16 <= end; p += 16) {
        const z = v128.load(p);
        v128.store(p, v128.bitselect(z, zero, f64x2.gt(z, zero)));
      }
    }
    for (; p < end; p += 8) store<float>(p, activation(load<float>(p), ACT_RELU, leakyAlpha, eluAlpha));
  } else if (kind == ACT_LEAKY_RELU) {
    if (ASC_FEATURE_SIMD) {
      const zero = f64x2.splat(0.0), alpha = f64x2.splat(leakyAlpha);
      for (; p + 16 <= end; p += 16) {
        const z = v128.load(p);
        v128.store(p, v128.bitselect(z, f64x2.mul(alpha, z), f64x2.gt(z, zero)));
      }
    }
    for (; p < end; p += 8) store<float>(p, activation(load<float>(p), ACT_LEAKY_RELU, leakyAlpha, eluAlpha));
  } else {
    if (ASC_FEATURE_SIMD) p = expPairs(p, end, ACT_ELU, eluAlpha);
    for (; p < end; p += 8) store<float>(p, activation(load<float>(p), ACT_ELU, leakyAlpha, eluAlpha));
  }
}

/** d activation / dz, from the activation's output `a` (softmax is handled by the loss). */
// @ts-ignore: decorator
@inline export function derivative(a: float, kind: i32, leakyAlpha: float, eluAlpha: float): float {
  if (kind == ACT_SIGMOID) return a * (1.0 - a);
  if (kind == ACT_TANH) return 1.0 - a * a;
  if (kind == ACT_RELU) return a > 0.0 ? 1.0 : 0.0;
  if (kind == ACT_LEAKY_RELU) return a > 0.0 ? 1.0 : leakyAlpha;
  if (kind == ACT_ELU) return a > 0.0 ? 1.0 : a + eluAlpha;
  return 1.0;
}
