// JS twin of assembly/optimizers.ts: the formulas are src/math/optimizers.ts, shared with the wasm kernels.
import type { Arena } from '../arena.js';
import { BackendError } from '../../errors.js';
import {
  FIRST_MOMENT, SECOND_MOMENT, adamDirection, adamMoment1, advancePower, applyStep, boundStep, clipScale, direction, directionBound,
  effectiveGradient, momentsOf, momentumDirection, nextMoment1, nextMoment2, secondMoment, velocity,
} from '../../math/optimizers.js';
import { OPTIMIZER_SPECS } from '../../spec/optimizers.js';
import {
  DENSE_LAYER_COUNT, DENSE_OPTIMIZER, DENSE_NESTEROV, DENSE_PARAM_COUNT, DENSE_SETTINGS, DENSE_PARAMS,
  DENSE_GRADS, DENSE_MOMENT1, DENSE_MOMENT2, denseEntry, DENSE_IN, DENSE_OUT,
  DENSE_WEIGHT, S_LEARNING_RATE, S_MOMENTUM, S_BETA1, S_BETA2, S_EPSILON, S_WEIGHT_DECAY, S_CLIP_NORM,
  S_BETA1_POWER, S_BETA2_POWER, S_PEAK_PARAM, S_PEAK_M, S_PEAK_V, OPT_SGD, OPT_MOMENTUM, OPT_ADAM,
} from '../../header.js';

// The current step's settings, set once per step by prepareStep (mirrors the wasm globals).
// The floats live in a Float64Array: module-level `let` doubles would be boxed on every write.
let kind = 0;
let nesterov = false;
let first = false;
let second = false;
const step = new Float64Array(14);
const LR = 0, SCALE = 1, DECAY = 2, MU = 3, B1 = 4, B2 = 5, C1 = 6, C2 = 7, EPS = 8;
const POWER1 = 9, POWER2 = 10, PEAK_P = 11, PEAK_M = 12, PEAK_V = 13;

/** See assembly/optimizers.ts `prepareStep`. */
export function prepareStep(arena: Arena, norm: number): void {
  const f = arena.f64;
  const settings = arena.at(DENSE_SETTINGS);
  kind = arena.word(DENSE_OPTIMIZER);
  if (OPTIMIZER_SPECS[kind] === undefined) throw new BackendError(`unknown optimizer code ${kind}`);
  const moments = momentsOf(kind);
  first = (moments & FIRST_MOMENT) !== 0;
  second = (moments & SECOND_MOMENT) !== 0;
  nesterov = arena.word(DENSE_NESTEROV) !== 0;
  const clip = f[settings + S_CLIP_NORM]!;
  step[SCALE] = clipScale(clip, norm);
  const b1 = (step[B1] = f[settings + S_BETA1]!);
  const b2 = (step[B2] = f[settings + S_BETA2]!);
  const p1 = (step[POWER1] = advancePower(f[settings + S_BETA1_POWER]!, b1));
  const p2 = (step[POWER2] = advancePower(f[settings + S_BETA2_POWER]!, b2));
  step[C1] = 1.0 - p1;
  step[C2] = 1.0 - p2;
  step[LR] = f[settings + S_LEARNING_RATE]!;
  step[MU] = f[settings + S_MOMENTUM]!;
  step[EPS] = f[settings + S_EPSILON]!;
  step[DECAY] = f[settings + S_WEIGHT_DECAY]!;
}

/** See assembly/optimizers.ts `commitStep`. */
export function commitStep(arena: Arena): void {
  const f = arena.f64;
  const settings = arena.at(DENSE_SETTINGS);
  f[settings + S_BETA1_POWER] = step[POWER1]!;
  f[settings + S_BETA2_POWER] = step[POWER2]!;
  f[settings + S_PEAK_PARAM] = step[PEAK_P]!;
  f[settings + S_PEAK_M] = step[PEAK_M]!;
  f[settings + S_PEAK_V] = step[PEAK_V]!;
}

/** See assembly/optimizers.ts `stepBound`. */
export function stepBound(arena: Arena, gradient: number): number {
  const f = arena.f64;
  const settings = arena.at(DENSE_SETTINGS);
  const lr = step[LR]!, mu = step[MU]!;
  const p = f[settings + S_PEAK_PARAM]!;
  const g = effectiveGradient(gradient, p, step[SCALE]!, step[DECAY]!);
  const peakM = first ? nextMoment1(kind, f[settings + S_PEAK_M]!, g, mu, step[B1]!) : 0.0;
  const peakV = second ? nextMoment2(kind, f[settings + S_PEAK_V]!, g, step[B2]!) : 0.0;
  const peakP = boundStep(p, lr, directionBound(kind, g, peakM, mu, nesterov, step[C1]!, step[EPS]!));
  step[PEAK_P] = peakP;
  step[PEAK_M] = peakM;
  step[PEAK_V] = peakV;
  return Math.max(peakP, Math.max(peakM, peakV));
}

// See assembly/optimizers.ts `peekRange`.
function peekRange(f: Float64Array, p: number, toGrads: number, toM: number, toV: number, n: number, withDecay: boolean): void {
  const lr = step[LR]!, scale = step[SCALE]!, mu = step[MU]!, b1 = step[B1]!, b2 = step[B2]!;
  const c1 = step[C1]!, c2 = step[C2]!, eps = step[EPS]!;
  const d = withDecay ? step[DECAY]! : 0.0;
  let peakP = step[PEAK_P]!;
  let peakM = step[PEAK_M]!;
  let peakV = step[PEAK_V]!;
  for (let k = 0; k < n; k++) {
    const pk = f[p + k]!;
    const gk = effectiveGradient(f[p + toGrads + k]!, pk, scale, d);
    let mm = 0.0;
    let vv = 0.0;
    if (first) {
      mm = nextMoment1(kind, f[p + toM + k]!, gk, mu, b1);
      peakM = Math.max(peakM, Math.abs(mm));
    }
    if (second) {
      vv = nextMoment2(kind, f[p + toV + k]!, gk, b2);
      peakV = Math.max(peakV, vv);
    }
    peakP = Math.max(peakP, Math.abs(applyStep(pk, lr, direction(kind, gk, mm, vv, mu, nesterov, c1, c2, eps))));
  }
  step[PEAK_P] = peakP;
  step[PEAK_M] = peakM;
  step[PEAK_V] = peakV;
}

/** See assembly/optimizers.ts `peekStep`. */
export function peekStep(arena: Arena): number {
  step[PEAK_P] = 0.0;
  step[PEAK_M] = 0.0;
  step[PEAK_V] = 0.0;
  eachRange(arena, true);
  return Math.max(step[PEAK_P]!, Math.max(step[PEAK_M]!, step[PEAK_V]!));
}

/**
 * See assembly/optimizers.ts `stepRange`: the formulas of src/math/optimizers.ts, through its dispatch for an
 * optimizer without a loop of its own here. The dedicated loops (optional, same bits) keep the kind test out of the
 * hot loop, which V8 does not unswitch.
 */
export function stepRange(f: Float64Array, p: number, toGrads: number, toM: number, toV: number, n: number, withDecay: boolean): void {
  const g = p + toGrads;
  const m = p + toM;
  const v = p + toV;
  const lr = step[LR]!, scale = step[SCALE]!, mu = step[MU]!, b1 = step[B1]!, b2 = step[B2]!;
  const c1 = step[C1]!, c2 = step[C2]!, eps = step[EPS]!;
  const d = withDecay ? step[DECAY]! : 0.0;
  switch (kind) {
    case OPT_SGD:
      for (let k = 0; k < n; k++) {
        const pk = f[p + k]!;
        f[p + k] = applyStep(pk, lr, effectiveGradient(f[g + k]!, pk, scale, d));
      }
      return;
    case OPT_MOMENTUM:
      for (let k = 0; k < n; k++) {
        const gk = effectiveGradient(f[g + k]!, f[p + k]!, scale, d);
        const vel = (f[m + k] = velocity(f[m + k]!, gk, mu));
        f[p + k] = applyStep(f[p + k]!, lr, momentumDirection(gk, vel, mu, nesterov));
      }
      return;
    case OPT_ADAM:
      for (let k = 0; k < n; k++) {
        const gk = effectiveGradient(f[g + k]!, f[p + k]!, scale, d);
        const mm = (f[m + k] = adamMoment1(f[m + k]!, gk, b1));
        const vv = (f[v + k] = secondMoment(f[v + k]!, gk, b2));
        f[p + k] = applyStep(f[p + k]!, lr, adamDirection(mm, vv, c1, c2, eps));
      }
      return;
    default: {
      const optimizer = kind, one = first, two = second, ahead = nesterov;
      for (let k = 0; k < n; k++) {
        const gk = effectiveGradient(f[g + k]!, f[p + k]!, scale, d);
        const mm = one ? (f[m + k] = nextMoment1(optimizer, f[m + k]!, gk, mu, b1)) : 0.0;
        const vv = two ? (f[v + k] = nextMoment2(optimizer, f[v + k]!, gk, b2)) : 0.0;
        f[p + k] = applyStep(f[p + k]!, lr, direction(optimizer, gk, mm, vv, mu, ahead, c1, c2, eps));
      }
    }
  }
}

/** See assembly/optimizers.ts `optimize`. */
export function optimize(arena: Arena): void {
  eachRange(arena, false);
}

// See assembly/optimizers.ts `eachRange`.
function eachRange(arena: Arena, peek: boolean): void {
  const f = arena.f64;
  const range = peek ? peekRange : stepRange;
  const params = arena.at(DENSE_PARAMS);
  const toGrads = arena.at(DENSE_GRADS) - params;
  const toM = arena.at(DENSE_MOMENT1) - params;
  const toV = arena.at(DENSE_MOMENT2) - params;
  if (step[DECAY] === 0.0) {
    range(f, params, toGrads, toM, toV, arena.word(DENSE_PARAM_COUNT), false);
    return;
  }
  const layers = arena.word(DENSE_LAYER_COUNT);
  for (let l = 1; l <= layers; l++) {
    const nIn = arena.word(denseEntry(l, DENSE_IN));
    const nOut = arena.word(denseEntry(l, DENSE_OUT));
    const w = arena.at(denseEntry(l, DENSE_WEIGHT));
    range(f, w, toGrads, toM, toV, nIn * nOut, true);
    range(f, w + nIn * nOut, toGrads, toM, toV, nOut, false);
  }
}
