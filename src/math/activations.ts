/**
 * The activations and their derivatives, one definition each, valid AssemblyScript and TypeScript:
 * assembly/activations.ts and src/backend/js/activations.ts both call these, so both give the same bits.
 * Softmax acts on a whole row (each backend's `activate`); its derivative is folded into the loss.
 */
import { ACT_IDENTITY, ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_LEAKY_RELU, ACT_ELU } from "../header";
import { exp } from "./exp";

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

/** Activation `kind` (not softmax) of one pre-activation; an unknown kind throws (traps in wasm). */
export function activation(z: f64, kind: i32, leakyAlpha: f64, eluAlpha: f64): f64 {
  switch (kind) {
    case ACT_IDENTITY: return z;
    case ACT_SIGMOID: return sigmoid(z);
    case ACT_TANH: return tanh(z);
    case ACT_RELU: return relu(z);
    case ACT_LEAKY_RELU: return leakyRelu(z, leakyAlpha);
    case ACT_ELU: return elu(z, eluAlpha);
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
    default: throw new Error("unknown activation code");
  }
}
