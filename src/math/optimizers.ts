/**
 * The optimizer formulas, one definition each, valid AssemblyScript and TypeScript: the step, the bound
 * on a step (stepBound) and the exact peak of a step (peekStep) of both kernel sets are written with these,
 * so a change to one formula changes all of them. Only the SIMD loops of assembly/optimizers.ts are
 * written by hand, with the same operations lane by lane.
 *
 * With g the effective gradient scale·grad + d·p (d the weight decay for a weight, 0 for a bias):
 * sgd p -= lr·g; momentum v = μv + g, p -= lr·(nesterov ? g + μv : v);
 * adam m = β1m + (1-β1)g, v = β2v + (1-β2)g², p -= lr·(m/c1) / (sqrt(v/c2) + ε), c = 1 - β^t;
 * rmsprop v = ρv + (1-ρ)g², p -= lr·g / (sqrt(v) + ε).
 *
 * The kernels' loops reach each optimizer through the dispatch at the end (momentsOf, nextMoment1, nextMoment2,
 * direction, directionBound): adding an optimizer adds a case there, and no loop changes.
 */
import { OPT_SGD, OPT_MOMENTUM, OPT_ADAM, OPT_RMSPROP } from "../header";

/** New values at most this large keep a step (and the next one's bound) finite. */
export const SAFE_VALUE: f64 = 1e300;

/**
 * β^t below this (2^-60) leaves 1 - β^t exactly 1, so it is flushed to 0 there: left alone it sinks into the
 * subnormals and sticks at the smallest one, and every later step pays the slow path for subnormal arithmetic.
 */
export const POWER_FLOOR: f64 = 8.673617379884035e-19;

/** The factor on every gradient: clipNorm / ‖grad‖ when clipping is on and the norm exceeds it, else 1. */
export function clipScale(clip: f64, norm: f64): f64 {
  return clip > 0.0 && norm > clip ? clip / norm : 1.0;
}

/** β^t from β^(t-1): Adam's bias-correction power, flushed to 0 below POWER_FLOOR. */
export function advancePower(last: f64, beta: f64): f64 {
  const power = last * beta;
  return power < POWER_FLOOR ? 0.0 : power;
}

/** The gradient the optimizer sees: scale·grad + decay·p (L2 weight decay). */
export function effectiveGradient(grad: f64, p: f64, scale: f64, decay: f64): f64 {
  return scale * grad + decay * p;
}

/** The new parameter: p - lr·direction. */
export function applyStep(p: f64, lr: f64, direction: f64): f64 {
  return p - lr * direction;
}

/** A bound on |p - lr·direction| from bounds on |p| and |direction|: peak + lr·direction. */
export function boundStep(peak: f64, lr: f64, direction: f64): f64 {
  return peak + lr * direction;
}

/** Momentum's new velocity μv + g. */
export function velocity(v: f64, g: f64, mu: f64): f64 {
  return mu * v + g;
}

/** Momentum's direction from g and the new velocity: g + μ·velocity (Nesterov) or the velocity. */
export function momentumDirection(g: f64, vel: f64, mu: f64, nesterov: bool): f64 {
  return nesterov ? g + mu * vel : vel;
}

/** Adam's new first moment β1m + (1-β1)g. */
export function adamMoment1(m: f64, g: f64, beta1: f64): f64 {
  return beta1 * m + (1.0 - beta1) * g;
}

/** The new second moment β2v + (1-β2)g² (Adam's v; RMSprop's mean square, with ρ for β2). */
export function secondMoment(v: f64, g: f64, beta2: f64): f64 {
  return beta2 * v + (1.0 - beta2) * (g * g);
}

/** Adam's direction from the new moments: (m/c1) / (sqrt(v/c2) + ε), c1 and c2 the bias corrections 1 - β^t. */
export function adamDirection(m: f64, v: f64, c1: f64, c2: f64, epsilon: f64): f64 {
  return (m / c1) / (Math.sqrt(v / c2) + epsilon);
}

/** RMSprop's direction from the new mean square: g / (sqrt(v) + ε). */
export function rmspropDirection(g: f64, v: f64, epsilon: f64): f64 {
  return g / (Math.sqrt(v) + epsilon);
}

/** momentsOf's bit for a first moment per parameter (momentum's velocity, Adam's m), kept in DENSE_MOMENT1. */
export const FIRST_MOMENT: i32 = 1;
/** momentsOf's bit for a second moment per parameter (Adam's v, RMSprop's mean square), kept in DENSE_MOMENT2. */
export const SECOND_MOMENT: i32 = 2;

/** The moments optimizer `kind` keeps per parameter (FIRST_MOMENT | SECOND_MOMENT); an unknown kind throws (traps in wasm). */
export function momentsOf(kind: i32): i32 {
  switch (kind) {
    case OPT_SGD: return 0;
    case OPT_MOMENTUM: return FIRST_MOMENT;
    case OPT_ADAM: return FIRST_MOMENT | SECOND_MOMENT;
    case OPT_RMSPROP: return SECOND_MOMENT;
    default: throw new Error("unknown optimizer code");
  }
}

/** Optimizer `kind`'s new first moment from the old one `m` and the effective gradient `g` (called only when it keeps one). */
export function nextMoment1(kind: i32, m: f64, g: f64, mu: f64, beta1: f64): f64 {
  switch (kind) {
    case OPT_MOMENTUM: return velocity(m, g, mu);
    case OPT_ADAM: return adamMoment1(m, g, beta1);
    default: throw new Error("optimizer code without a first moment");
  }
}

/** Optimizer `kind`'s new second moment from the old one `v` and `g` (called only when it keeps one); β2 is RMSprop's ρ. */
export function nextMoment2(kind: i32, v: f64, g: f64, beta2: f64): f64 {
  switch (kind) {
    case OPT_ADAM:
    case OPT_RMSPROP: return secondMoment(v, g, beta2);
    default: throw new Error("optimizer code without a second moment");
  }
}

/** Optimizer `kind`'s step direction (p -= lr·direction) from `g` and the new moments `m` and `v` (0 where not kept). */
export function direction(kind: i32, g: f64, m: f64, v: f64, mu: f64, nesterov: bool, c1: f64, c2: f64, epsilon: f64): f64 {
  switch (kind) {
    case OPT_SGD: return g;
    case OPT_MOMENTUM: return momentumDirection(g, m, mu, nesterov);
    case OPT_ADAM: return adamDirection(m, v, c1, c2, epsilon);
    case OPT_RMSPROP: return rmspropDirection(g, v, epsilon);
    default: throw new Error("unknown optimizer code");
  }
}

/**
 * A bound on |direction| from bounds `g` on |g|, `m` on |new m| (0 where not kept): for Adam (m/c1)/ε and for
 * RMSprop g/ε, as their roots are >= 0.
 */
export function directionBound(kind: i32, g: f64, m: f64, mu: f64, nesterov: bool, c1: f64, epsilon: f64): f64 {
  switch (kind) {
    case OPT_SGD: return g;
    case OPT_MOMENTUM: return momentumDirection(g, m, mu, nesterov);
    case OPT_ADAM: return (m / c1) / epsilon;
    case OPT_RMSPROP: return g / epsilon;
    default: throw new Error("unknown optimizer code");
  }
}
