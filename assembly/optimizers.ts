// The optimizer step, elementwise over the parameter block. The scalar formulas are src/math/optimizers.ts
// (the JS twin calls them too); the f64x2 loops perform the same operations lane by lane, and elementwise
// f64x2 ops round each lane like scalar code, so the JS twin matches bit for bit.
import { word, at, slot } from "./layout";
import {
  SAFE_VALUE, FIRST_MOMENT, SECOND_MOMENT, clipScale, advancePower, effectiveGradient, applyStep, boundStep, momentsOf,
  nextMoment1, nextMoment2, direction, directionBound, velocity, momentumDirection, adamMoment1, secondMoment, adamDirection,
} from "../src/math/optimizers";
import {
  DENSE_LAYER_COUNT, DENSE_OPTIMIZER, DENSE_NESTEROV, DENSE_PARAM_COUNT, DENSE_SETTINGS, DENSE_PARAMS,
  DENSE_GRADS, DENSE_MOMENT1, DENSE_MOMENT2, denseEntry, DENSE_IN, DENSE_OUT,
  DENSE_WEIGHT, S_LEARNING_RATE, S_MOMENTUM, S_BETA1, S_BETA2, S_EPSILON, S_WEIGHT_DECAY, S_CLIP_NORM,
  S_BETA1_POWER, S_BETA2_POWER, S_PEAK_PARAM, S_PEAK_M, S_PEAK_V, OPT_SGD, OPT_MOMENTUM, OPT_ADAM,
  S_STEP_SCALE, S_STEP_C1, S_STEP_C2,
} from "../src/header";

export { SAFE_VALUE };

type float = f64;

// The optimizer's settings, read once per kernel call by loadSettings, and the current step's
// scale and Adam terms, set by prepareStep (globals: no closures in AssemblyScript).
let kind: i32 = 0, nesterov: bool = false, first: bool = false, second: bool = false;
let lr: float = 0.0, clip: float = 0.0, decay: float = 0.0, mu: float = 0.0;
let b1: float = 0.0, b2: float = 0.0, eps: float = 0.0;
let scale: float = 1.0, c1: float = 1.0, c2: float = 1.0;
// Adam's advanced powers β^t and the peaks (bounds) of what this step writes, and the same of the
// last applied step, which commitStep moves over and saveState writes to the arena.
let power1: float = 1.0, power2: float = 1.0;
let peakP: float = 0.0, peakM: float = 0.0, peakV: float = 0.0;
let lastPower1: float = 1.0, lastPower2: float = 1.0;
let lastPeakP: float = 0.0, lastPeakM: float = 0.0, lastPeakV: float = 0.0;

/**
 * Reads the optimizer settings, which stay the same for a whole kernel call (a step or a run of
 * epochs), and the optimizer's running state (Adam's powers, the peaks), which stays in globals
 * until saveState (writing it back and re-reading the settings every step cost ~9 ns of a ~135 ns
 * 2-3-1 step).
 */
export function loadSettings(arena: usize): void {
  readSettings(arena);
  lastPower1 = slot(arena, DENSE_SETTINGS, S_BETA1_POWER);
  lastPower2 = slot(arena, DENSE_SETTINGS, S_BETA2_POWER);
  lastPeakP = slot(arena, DENSE_SETTINGS, S_PEAK_PARAM);
  lastPeakM = slot(arena, DENSE_SETTINGS, S_PEAK_M);
  lastPeakV = slot(arena, DENSE_SETTINGS, S_PEAK_V);
}

/** Reads the optimizer's kind and settings. */
function readSettings(arena: usize): void {
  kind = word(arena, DENSE_OPTIMIZER);
  const moments = momentsOf(kind);
  first = (moments & FIRST_MOMENT) != 0;
  second = (moments & SECOND_MOMENT) != 0;
  nesterov = word(arena, DENSE_NESTEROV) != 0;
  lr = slot(arena, DENSE_SETTINGS, S_LEARNING_RATE);
  mu = slot(arena, DENSE_SETTINGS, S_MOMENTUM);
  b1 = slot(arena, DENSE_SETTINGS, S_BETA1);
  b2 = slot(arena, DENSE_SETTINGS, S_BETA2);
  eps = slot(arena, DENSE_SETTINGS, S_EPSILON);
  decay = slot(arena, DENSE_SETTINGS, S_WEIGHT_DECAY);
  clip = slot(arena, DENSE_SETTINGS, S_CLIP_NORM);
}

/**
 * Starts one step after loadSettings (Adam's powers β^t advance in commitStep, so a step
 * that is refused leaves no trace). `norm` is ‖grad‖ (gradients are scaled by clipNorm / norm
 * when that is below 1).
 */
export function prepareStep(norm: float): void {
  scale = clipScale(clip, norm);
  power1 = advancePower(lastPower1, b1);
  power2 = advancePower(lastPower2, b2);
  c1 = 1.0 - power1;
  c2 = 1.0 - power2;
}

/** Writes the prepared step's terms (S_STEP_*) for loadStepTerms in the instances that run parts of a step. */
export function saveStepTerms(arena: usize): void {
  const settings = at(arena, DENSE_SETTINGS);
  store<float>(settings + (<usize>S_STEP_SCALE << 3), scale);
  store<float>(settings + (<usize>S_STEP_C1 << 3), c1);
  store<float>(settings + (<usize>S_STEP_C2 << 3), c2);
}

/**
 * Sets what stepRange reads from the arena alone: the settings and the terms saveStepTerms wrote (a worker's
 * instance has globals of its own). Leaves the running state (powers, peaks) alone.
 */
export function loadStepTerms(arena: usize): void {
  readSettings(arena);
  scale = slot(arena, DENSE_SETTINGS, S_STEP_SCALE);
  c1 = slot(arena, DENSE_SETTINGS, S_STEP_C1);
  c2 = slot(arena, DENSE_SETTINGS, S_STEP_C2);
}

/** Whether gradient clipping is on (the step then needs ‖grad‖ before it can start). */
export function clipping(): bool {
  return clip > 0.0;
}

/** Records the applied step: Adam's powers, and the peaks for the next step's bound. */
export function commitStep(): void {
  lastPower1 = power1;
  lastPower2 = power2;
  lastPeakP = peakP;
  lastPeakM = peakM;
  lastPeakV = peakV;
}

/** Writes the running state of the last applied step to the arena: call before a kernel returns. */
export function saveState(arena: usize): void {
  const settings = at(arena, DENSE_SETTINGS);
  store<float>(settings + (<usize>S_BETA1_POWER << 3), lastPower1);
  store<float>(settings + (<usize>S_BETA2_POWER << 3), lastPower2);
  store<float>(settings + (<usize>S_PEAK_PARAM << 3), lastPeakP);
  store<float>(settings + (<usize>S_PEAK_M << 3), lastPeakM);
  store<float>(settings + (<usize>S_PEAK_V << 3), lastPeakV);
}

/**
 * An upper bound on every |new parameter| and |new moment| of a step whose gradients are at
 * most `gradient` in size, from the previous peaks (a triangle inequality per formula). The
 * bounds become the peaks that commitStep records: no pass over the parameters is needed.
 */
export function stepBound(gradient: float): float {
  const p = lastPeakP;
  const g = effectiveGradient(gradient, p, scale, decay);
  peakM = first ? nextMoment1(kind, lastPeakM, g, mu, b1) : 0.0;
  peakV = second ? nextMoment2(kind, lastPeakV, g, b2) : 0.0;
  peakP = boundStep(p, lr, directionBound(kind, g, peakM, mu, nesterov, c1, eps));
  return Math.max(peakP, Math.max(peakM, peakV));
}

/** The largest |value| the prepared step would write over `n` params at `p` (NaN if one is NaN); writes nothing. */
function peekRange(p: usize, toGrads: usize, toM: usize, toV: usize, n: i32, withDecay: bool): void {
  const d = withDecay ? decay : 0.0;
  for (let k = 0; k < n; k++) {
    const o = <usize>k << 3;
    const pk = load<float>(p + o);
    const gk = effectiveGradient(load<float>(p + toGrads + o), pk, scale, d);
    let mm: float = 0.0, vv: float = 0.0;
    if (first) {
      mm = nextMoment1(kind, load<float>(p + toM + o), gk, mu, b1);
      peakM = Math.max(peakM, Math.abs(mm));
    }
    if (second) {
      vv = nextMoment2(kind, load<float>(p + toV + o), gk, b2);
      peakV = Math.max(peakV, vv);
    }
    peakP = Math.max(peakP, Math.abs(applyStep(pk, lr, direction(kind, gk, mm, vv, mu, nesterov, c1, c2, eps))));
  }
}

/** The largest |value| the prepared step would write anywhere (exact peaks, which commitStep records); writes nothing else. */
export function peekStep(arena: usize): float {
  peakP = 0.0;
  peakM = 0.0;
  peakV = 0.0;
  eachRange(arena, true);
  return Math.max(peakP, Math.max(peakM, peakV));
}

/** The SGD step of one parameter with gradient g, d the decay for a weight, 0 for a bias. */
// @ts-ignore: decorator
@inline function sgd(p: float, g: float, d: float): float {
  return applyStep(p, lr, effectiveGradient(g, p, scale, d));
}

/** `sgd` of both lanes, with lr, scale and d splatted once by the caller's loop. */
// @ts-ignore: decorator
@inline function sgd2x(pv: v128, gv: v128, lrv: v128, sv: v128, dv: v128): v128 {
  return f64x2.sub(pv, f64x2.mul(lrv, f64x2.add(f64x2.mul(sv, gv), f64x2.mul(dv, pv))));
}

/** Momentum's step of the parameter at byte offset o (d: the decay of a weight, 0 for a bias). */
// @ts-ignore: decorator
@inline function momentumAt(p: usize, g: usize, m: usize, o: usize, d: float): void {
  const pk = load<float>(p + o);
  const gk = effectiveGradient(load<float>(g + o), pk, scale, d);
  const vel = velocity(load<float>(m + o), gk, mu);
  store<float>(m + o, vel);
  store<float>(p + o, applyStep(pk, lr, momentumDirection(gk, vel, mu, nesterov)));
}

/** Adam's step of the parameter at byte offset o. */
// @ts-ignore: decorator
@inline function adamAt(p: usize, g: usize, m: usize, v: usize, o: usize, d: float): void {
  const pk = load<float>(p + o);
  const gk = effectiveGradient(load<float>(g + o), pk, scale, d);
  const mm = adamMoment1(load<float>(m + o), gk, b1), vv = secondMoment(load<float>(v + o), gk, b2);
  store<float>(m + o, mm);
  store<float>(v + o, vv);
  store<float>(p + o, applyStep(pk, lr, adamDirection(mm, vv, c1, c2, eps)));
}

/**
 * One step over `n` params at `p` (gradients at p + toGrads, moments at p + toM, p + toV), with effective
 * gradient g = scale·grad + d·p (d = the weight decay for weights, 0 for biases), by the formulas of
 * src/math/optimizers.ts. The SIMD build runs the optimizers that have an f64x2 loop two at a time; a scalar
 * loop takes the rest of the range, and all of it for the others.
 */
export function stepRange(p: usize, toGrads: usize, toM: usize, toV: usize, n: i32, withDecay: bool): void {
  const g = p + toGrads, m = p + toM, v = p + toV;
  const d = withDecay ? decay : 0.0;
  let k = 0;
  if (ASC_FEATURE_SIMD) k = stepPairs(p, g, m, v, n, d);
  // Dedicated scalar loops (optional, same bits) keep the kind test out of the plain build's hot loop, which
  // Binaryen does not unswitch; an optimizer without one runs the dispatching loop.
  switch (kind) {
    case OPT_SGD: {
      for (; k < n; k++) {
        const o = <usize>k << 3;
        store<float>(p + o, sgd(load<float>(p + o), load<float>(g + o), d));
      }
      break;
    }
    case OPT_MOMENTUM: {
      for (; k < n; k++) momentumAt(p, g, m, <usize>k << 3, d);
      break;
    }
    case OPT_ADAM: {
      for (; k < n; k++) adamAt(p, g, m, v, <usize>k << 3, d);
      break;
    }
    default: stepScalars(p, g, m, v, k, n, d);
  }
}

/** The f64x2 loop of the prepared optimizer over the pairs of the range, if it has one; returns the first index left. */
function stepPairs(p: usize, g: usize, m: usize, v: usize, n: i32, d: float): i32 {
  let k = 0;
  switch (kind) {
    case OPT_SGD: {
      const lrv = f64x2.splat(lr), sv = f64x2.splat(scale), dv = f64x2.splat(d);
      for (; k + 2 <= n; k += 2) {
        const o = <usize>k << 3;
        v128.store(p + o, sgd2x(v128.load(p + o), v128.load(g + o), lrv, sv, dv));
      }
      break;
    }
    case OPT_MOMENTUM: {
      const lrv = f64x2.splat(lr), sv = f64x2.splat(scale), dv = f64x2.splat(d), muv = f64x2.splat(mu);
      for (; k + 2 <= n; k += 2) {
        const o = <usize>k << 3;
        const pv = v128.load(p + o);
        const gv = f64x2.add(f64x2.mul(sv, v128.load(g + o)), f64x2.mul(dv, pv));
        const vel = f64x2.add(f64x2.mul(muv, v128.load(m + o)), gv);
        v128.store(m + o, vel);
        const step = nesterov ? f64x2.add(gv, f64x2.mul(muv, vel)) : vel;
        v128.store(p + o, f64x2.sub(pv, f64x2.mul(lrv, step)));
      }
      break;
    }
    case OPT_ADAM: {
      const lrv = f64x2.splat(lr), sv = f64x2.splat(scale), dv = f64x2.splat(d);
      const b1v = f64x2.splat(b1), b2v = f64x2.splat(b2), r1 = f64x2.splat(1.0 - b1), r2 = f64x2.splat(1.0 - b2);
      const c1v = f64x2.splat(c1), c2v = f64x2.splat(c2), ev = f64x2.splat(eps);
      for (; k + 2 <= n; k += 2) {
        const o = <usize>k << 3;
        const pv = v128.load(p + o);
        const gv = f64x2.add(f64x2.mul(sv, v128.load(g + o)), f64x2.mul(dv, pv));
        const mm = f64x2.add(f64x2.mul(b1v, v128.load(m + o)), f64x2.mul(r1, gv));
        const vv = f64x2.add(f64x2.mul(b2v, v128.load(v + o)), f64x2.mul(r2, f64x2.mul(gv, gv)));
        v128.store(m + o, mm);
        v128.store(v + o, vv);
        const step = f64x2.div(f64x2.div(mm, c1v), f64x2.add(f64x2.sqrt(f64x2.div(vv, c2v)), ev));
        v128.store(p + o, f64x2.sub(pv, f64x2.mul(lrv, step)));
      }
      break;
    }
    // The others have no f64x2 loop: the scalar loop takes the whole range.
  }
  return k;
}

/** The scalar step of params k0..n-1 for any optimizer, its formulas dispatched per parameter. */
function stepScalars(p: usize, g: usize, m: usize, v: usize, k0: i32, n: i32, d: float): void {
  for (let k = k0; k < n; k++) {
    const o = <usize>k << 3;
    const pk = load<float>(p + o);
    const gk = effectiveGradient(load<float>(g + o), pk, scale, d);
    let mm: float = 0.0, vv: float = 0.0;
    if (first) {
      mm = nextMoment1(kind, load<float>(m + o), gk, mu, b1);
      store<float>(m + o, mm);
    }
    if (second) {
      vv = nextMoment2(kind, load<float>(v + o), gk, b2);
      store<float>(v + o, vv);
    }
    store<float>(p + o, applyStep(pk, lr, direction(kind, gk, mm, vv, mu, nesterov, c1, c2, eps)));
  }
}

/** Whether the prepared step is plain SGD, which stepRowSgd can fuse with the gradient. */
export function isSgd(): bool {
  return kind == OPT_SGD;
}

/**
 * The SGD step of one weight row fused with its batch-1 gradient, in one pass while the row is in
 * cache: g[k] = d·x[k] is stored (at p + toGrads), then p[k] -= lr·(scale·g[k] + decay·p[k]), the same
 * operations as computing the gradient and then calling stepRange. Returns Σ g[k]² in dot()'s order
 * (even and odd terms in two sums, their sum, then the odd tail).
 */
export function stepRowSgd(p: usize, toGrads: usize, d: float, x: usize, n: i32): float {
  const g = p + toGrads;
  const pairs = n & ~1;
  let squares: float;
  if (ASC_FEATURE_SIMD) {
    const dv = f64x2.splat(d), lrv = f64x2.splat(lr), sv = f64x2.splat(scale), decayv = f64x2.splat(decay);
    let acc = f64x2.splat(0.0);
    for (let k = 0; k < pairs; k += 2) {
      const o = <usize>k << 3;
      const gv = f64x2.mul(dv, v128.load(x + o));
      v128.store(g + o, gv);
      acc = f64x2.add(acc, f64x2.mul(gv, gv));
      v128.store(p + o, sgd2x(v128.load(p + o), gv, lrv, sv, decayv));
    }
    squares = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  } else {
    let s0: float = 0.0, s1: float = 0.0;
    for (let k = 0; k < pairs; k += 2) {
      const o = <usize>k << 3;
      const g0 = d * load<float>(x + o), g1 = d * load<float>(x + o + 8);
      store<float>(g + o, g0);
      store<float>(g + o + 8, g1);
      s0 += g0 * g0;
      s1 += g1 * g1;
      store<float>(p + o, sgd(load<float>(p + o), g0, decay));
      store<float>(p + o + 8, sgd(load<float>(p + o + 8), g1, decay));
    }
    squares = s0 + s1;
  }
  if (n & 1) {
    const o = <usize>(n - 1) << 3;
    const gk = d * load<float>(x + o);
    store<float>(g + o, gk);
    squares += gk * gk;
    store<float>(p + o, sgd(load<float>(p + o), gk, decay));
  }
  return squares;
}

/** Applies the prepared step to every parameter: weights get L2 decay, biases do not. */
export function optimize(arena: usize): void {
  eachRange(arena, false);
}

/** Walks every parameter range with its decay, stepping it or (with `peek`) only measuring the step. */
function eachRange(arena: usize, peek: bool): void {
  const params = at(arena, DENSE_PARAMS);
  const toGrads = at(arena, DENSE_GRADS) - params;
  const toM = at(arena, DENSE_MOMENT1) - params;
  const toV = at(arena, DENSE_MOMENT2) - params;
  if (decay == 0.0) {
    // Without decay, weights and biases are one contiguous block: one pass over all of it.
    const n = word(arena, DENSE_PARAM_COUNT);
    if (peek) peekRange(params, toGrads, toM, toV, n, false);
    else stepRange(params, toGrads, toM, toV, n, false);
    return;
  }
  const layers = word(arena, DENSE_LAYER_COUNT);
  for (let l = 1; l <= layers; l++) {
    const nIn = word(arena, denseEntry(l, DENSE_IN)), nOut = word(arena, denseEntry(l, DENSE_OUT));
    const w = at(arena, denseEntry(l, DENSE_WEIGHT));
    // Weights then biases: the layout puts each layer's biases right after its weights.
    const bias = w + (<usize>(nIn * nOut) << 3);
    if (peek) {
      peekRange(w, toGrads, toM, toV, nIn * nOut, true);
      peekRange(bias, toGrads, toM, toV, nOut, false);
    } else {
      stepRange(w, toGrads, toM, toV, nIn * nOut, true);
      stepRange(bias, toGrads, toM, toV, nOut, false);
    }
  }
}
