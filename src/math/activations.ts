/**
 * The activations and their derivatives, one definition each, valid AssemblyScript and TypeScript:
 * assembly/activations.ts and src/backend/js/activations.ts both call these, so both give the same bits.
 * Softmax acts on a whole row (each backend's `activate`); its derivative is folded into the loss.
 */
import { ACT_IDENTITY, ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_LEAKY_RELU, ACT_ELU, ACT_SOFTPLUS } from "../header";
import { LN2_HI, LN2_LO, exp } from "./exp";

/** 1/(1 + e^-z), from e = e^-|z| (never overflows): 1/(1+e) for z >= 0, e/(1+e) below. */
export function sigmoid(z: f64): f64 {
  const e = exp(-Math.abs(z));
  return (z >= 0.0 ? 1.0 : e) / (1.0 + e);
}

/** tanh z = (1 - e)/(1 + e) with e = e^-2|z|, with the sign of z put back. */
export function tanh(z: f64): f64 {
  const e = exp(-2.0 * Math.abs(z));
  const t = (1.0 - e) / (1.0 + e);
  return z < 0.0 ? -t : t;
}

/** max(z, 0), with 0 for NaN. */
export function relu(z: f64): f64 {
  return z > 0.0 ? z : 0.0;
}

/** z above 0, alpha·z below. */
export function leakyRelu(z: f64, alpha: f64): f64 {
  return z > 0.0 ? z : alpha * z;
}

/** z above 0, alpha·(e^z - 1) below. */
export function elu(z: f64, alpha: f64): f64 {
  return z > 0.0 ? z : alpha * (exp(z) - 1.0);
}

/**
 * ln(1 + x) for x in [0, 1] (what softplus needs), with + - * / only: Math.log1p differs between engines.
 * From x >= 1/2 on, ln 2 + ln(1 + y) with y = (x - 1)/2, exact (Sterbenz), so the series argument stays small.
 * Error <= 2 ulp (test/math-log1p.test.ts measures it against a 256-bit reference on 42,000 arguments).
 */
export function log1p(x: f64): f64 {
  return x >= 0.5 ? LN2_HI + (log1pSeries(0.5 * (x - 1.0)) + LN2_LO) : log1pSeries(x);
}

/** ln(1 + x) = 2 atanh(s), s = x/(2 + x), for x in [-1/4, 1/2): |s| <= 1/5, so the terms to s^23 leave a tail below 2^-60. */
function log1pSeries(x: f64): f64 {
  const twice = (2.0 * x) / (2.0 + x); // 2s, formed from 2x (exact) so that a subnormal x comes back exact
  const s2 = 0.25 * (twice * twice);
  const odd = 1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 * (1.0 / 11.0 + s2 * (1.0 / 13.0
    + s2 * (1.0 / 15.0 + s2 * (1.0 / 17.0 + s2 * (1.0 / 19.0 + s2 * (1.0 / 21.0 + s2 * (1.0 / 23.0))))))))));
  return twice + twice * (s2 * odd);
}

/** ln(1 + e^z) = max(z, 0) + ln(1 + e^-|z|): e^-|z| is in (0, 1], so nothing overflows. */
export function softplus(z: f64): f64 {
  const t = log1p(exp(-Math.abs(z)));
  return z > 0.0 ? z + t : t;
}

/** Activation `kind` (not softmax) of one pre-activation; an unknown kind throws (traps in wasm). */
export function activation(z: f64, kind: i32, leakyAlpha: f64, eluAlpha: f64): f64 {
  switch (kind) {
    case ACT_IDENTITY: return z;
    case ACT_SIGMOID: return sigmoid(z);
    case ACT_TANH: return tanh(z);
    case ACT_RELU: return relu(z);
    case ACT_LEAKY_RELU: return leakyRelu(z, leakyAlpha);
    case ACT_ELU: return elu(z, eluAlpha);
    case ACT_SOFTPLUS: return softplus(z);
    default: throw new Error("unknown activation code");
  }
}

/** d activation / dz from the activation's output `a` (not softmax); an unknown kind throws (traps in wasm). */
export function derivative(a: f64, kind: i32, leakyAlpha: f64, eluAlpha: f64): f64 {
  switch (kind) {
    case ACT_IDENTITY: return 1.0;
    case ACT_SIGMOID: return a * (1.0 - a);
    case ACT_TANH: return 1.0 - a * a;
    case ACT_RELU: return a > 0.0 ? 1.0 : 0.0;
    case ACT_LEAKY_RELU: return a > 0.0 ? 1.0 : leakyAlpha;
    case ACT_ELU: return a > 0.0 ? 1.0 : a + eluAlpha;
    case ACT_SOFTPLUS: return 1.0 - exp(-a); // sigmoid(z), as e^-a = 1/(1 + e^z)
    default: throw new Error("unknown activation code");
  }
}
