/**
 * The optimizer formulas, one definition each, valid AssemblyScript and TypeScript: the step, the bound
 * on a step (stepBound) and the exact peak of a step (peekStep) of both kernel sets are written with these,
 * so a change to one formula changes all of them. Only the SIMD loops of assembly/optimizers.ts are
 * written by hand, with the same operations lane by lane.
 *
 * With g the effective gradient scale·grad + d·p (d the weight decay for a weight, 0 for a bias):
 * sgd p -= lr·g; momentum v = μv + g, p -= lr·(nesterov ? g + μv : v);
 * adam m = β1m + (1-β1)g, v = β2v + (1-β2)g², p -= lr·(m/c1) / (sqrt(v/c2) + ε), c = 1 - β^t.
 */

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

/** Adam's new second moment β2v + (1-β2)g². */
export function adamMoment2(v: f64, g: f64, beta2: f64): f64 {
  return beta2 * v + (1.0 - beta2) * (g * g);
}

/** Adam's direction from the new moments: (m/c1) / (sqrt(v/c2) + ε), c1 and c2 the bias corrections 1 - β^t. */
export function adamDirection(m: f64, v: f64, c1: f64, c2: f64, epsilon: f64): f64 {
  return (m / c1) / (Math.sqrt(v / c2) + epsilon);
}

/** A bound on |adamDirection| from a bound on |m|: (m/c1)/ε, as sqrt(v/c2) >= 0. */
export function adamDirectionBound(m: f64, c1: f64, epsilon: f64): f64 {
  return (m / c1) / epsilon;
}
