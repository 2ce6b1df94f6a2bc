// The optimizer step, elementwise over the parameter block.
// Elementwise f64x2 ops round each lane like scalar code, so the JS twin matches bit for bit.
import { word, at, slot } from "./layout";
import {
  DENSE_LAYER_COUNT, DENSE_OPTIMIZER, DENSE_NESTEROV, DENSE_PARAM_COUNT, DENSE_SETTINGS, DENSE_PARAMS,
  DENSE_GRADS, DENSE_MOMENT1, DENSE_MOMENT2, DENSE_HEADER_WORDS, DENSE_LAYER_WORDS, DENSE_IN, DENSE_OUT,
  DENSE_WEIGHT, S_LEARNING_RATE, S_MOMENTUM, S_BETA1, S_BETA2, S_EPSILON, S_WEIGHT_DECAY, S_CLIP_NORM,
  S_BETA1_POWER, S_BETA2_POWER, OPT_SGD, OPT_MOMENTUM,
} from "../src/header";

type float = f64;

// The current step's settings, set once per step by prepareStep (globals: no closures in AssemblyScript).
let kind: i32 = 0, nesterov: bool = false;
let lr: float = 0.0, scale: float = 1.0, decay: float = 0.0, mu: float = 0.0;
let b1: float = 0.0, b2: float = 0.0, c1: float = 1.0, c2: float = 1.0, eps: float = 0.0;

/**
 * Reads the optimizer settings for one step and advances Adam's running powers β^t.
 * `norm` is ‖grad‖ (gradients are scaled by clipNorm / norm when that is below 1).
 */
export function prepareStep(arena: usize, norm: float): void {
  const settings = at(arena, DENSE_SETTINGS);
  kind = word(arena, DENSE_OPTIMIZER);
  nesterov = word(arena, DENSE_NESTEROV) != 0;
  const clip = slot(arena, DENSE_SETTINGS, S_CLIP_NORM);
  scale = clip > 0.0 && norm > clip ? clip / norm : 1.0;
  b1 = slot(arena, DENSE_SETTINGS, S_BETA1);
  b2 = slot(arena, DENSE_SETTINGS, S_BETA2);
  const p1 = slot(arena, DENSE_SETTINGS, S_BETA1_POWER) * b1, p2 = slot(arena, DENSE_SETTINGS, S_BETA2_POWER) * b2;
  store<float>(settings + (<usize>S_BETA1_POWER << 3), p1);
  store<float>(settings + (<usize>S_BETA2_POWER << 3), p2);
  c1 = 1.0 - p1;
  c2 = 1.0 - p2;
  lr = slot(arena, DENSE_SETTINGS, S_LEARNING_RATE);
  mu = slot(arena, DENSE_SETTINGS, S_MOMENTUM);
  eps = slot(arena, DENSE_SETTINGS, S_EPSILON);
  decay = slot(arena, DENSE_SETTINGS, S_WEIGHT_DECAY);
}

/**
 * One step over `n` params at `p` (gradients at p + toGrads, moments at p + toM, p + toV), with
 * effective gradient g = scale·grad + d·p (d = the weight decay for weights, 0 for biases):
 * sgd p -= lr·g; momentum v = μv + g, p -= lr·(nesterov ? g + μv : v);
 * adam m = β1m + (1-β1)g, v = β2v + (1-β2)g², p -= lr·(m/c1) / (sqrt(v/c2) + ε).
 */
export function stepRange(p: usize, toGrads: usize, toM: usize, toV: usize, n: i32, withDecay: bool): void {
  const g = p + toGrads, m = p + toM, v = p + toV;
  const d = withDecay ? decay : 0.0;
  // One loop per optimizer (unswitched by hand): the kind test stays out of the hot loop.
  let k = 0;
  if (kind == OPT_SGD) {
    if (ASC_FEATURE_SIMD) {
      const lrv = f64x2.splat(lr), sv = f64x2.splat(scale), dv = f64x2.splat(d);
      for (; k + 2 <= n; k += 2) {
        const o = <usize>k << 3;
        const pv = v128.load(p + o);
        const gv = f64x2.add(f64x2.mul(sv, v128.load(g + o)), f64x2.mul(dv, pv));
        v128.store(p + o, f64x2.sub(pv, f64x2.mul(lrv, gv)));
      }
    }
    for (; k < n; k++) {
      const o = <usize>k << 3;
      const pk = load<float>(p + o);
      store<float>(p + o, pk - lr * (scale * load<float>(g + o) + d * pk));
    }
  } else if (kind == OPT_MOMENTUM) {
    if (ASC_FEATURE_SIMD) {
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
    }
    for (; k < n; k++) {
      const o = <usize>k << 3;
      const pk = load<float>(p + o);
      const gk = scale * load<float>(g + o) + d * pk;
      const vel = mu * load<float>(m + o) + gk;
      store<float>(m + o, vel);
      store<float>(p + o, pk - lr * (nesterov ? gk + mu * vel : vel));
    }
  } else {
    if (ASC_FEATURE_SIMD) {
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
    }
    for (; k < n; k++) {
      const o = <usize>k << 3;
      const pk = load<float>(p + o);
      const gk = scale * load<float>(g + o) + d * pk;
      const mm = b1 * load<float>(m + o) + (1.0 - b1) * gk;
      const vv = b2 * load<float>(v + o) + (1.0 - b2) * (gk * gk);
      store<float>(m + o, mm);
      store<float>(v + o, vv);
      store<float>(p + o, pk - lr * ((mm / c1) / (Math.sqrt(vv / c2) + eps)));
    }
  }
}

/** Applies the prepared step to every parameter: weights get L2 decay, biases do not. */
export function optimize(arena: usize): void {
  const params = at(arena, DENSE_PARAMS);
  const toGrads = at(arena, DENSE_GRADS) - params;
  const toM = at(arena, DENSE_MOMENT1) - params;
  const toV = at(arena, DENSE_MOMENT2) - params;
  if (decay == 0.0) {
    // Without decay, weights and biases are one contiguous block: one pass over all of it.
    stepRange(params, toGrads, toM, toV, word(arena, DENSE_PARAM_COUNT), false);
    return;
  }
  const layers = word(arena, DENSE_LAYER_COUNT);
  for (let l = 1; l <= layers; l++) {
    const base = DENSE_HEADER_WORDS + (l - 1) * DENSE_LAYER_WORDS;
    const nIn = word(arena, base + DENSE_IN), nOut = word(arena, base + DENSE_OUT);
    const w = at(arena, base + DENSE_WEIGHT);
    // Weights then biases: the layout puts each layer's biases right after its weights.
    stepRange(w, toGrads, toM, toV, nIn * nOut, true);
    stepRange(w + (<usize>(nIn * nOut) << 3), toGrads, toM, toV, nOut, false);
  }
}
