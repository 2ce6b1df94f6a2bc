// JS twin of assembly/optimizers.ts: the formulas are src/math/optimizers.ts, shared with the wasm kernels.
import type { Arena } from '../arena.js';
import { BackendError } from '../../errors.js';
import {
  adamDirection, adamDirectionBound, adamMoment1, adamMoment2, advancePower, applyStep, boundStep, clipScale, effectiveGradient,
  momentumDirection, velocity,
} from '../../math/optimizers.js';
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
const step = new Float64Array(14);
const LR = 0, SCALE = 1, DECAY = 2, MU = 3, B1 = 4, B2 = 5, C1 = 6, C2 = 7, EPS = 8;
const POWER1 = 9, POWER2 = 10, PEAK_P = 11, PEAK_M = 12, PEAK_V = 13;

const unknownOptimizer = (): never => {
  throw new BackendError(`unknown optimizer code ${kind}`);
};

/** See assembly/optimizers.ts `prepareStep`. */
export function prepareStep(arena: Arena, norm: number): void {
  const f = arena.f64;
  const settings = arena.at(DENSE_SETTINGS);
  kind = arena.word(DENSE_OPTIMIZER);
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
  const lr = step[LR]!, mu = step[MU]!, b1 = step[B1]!, b2 = step[B2]!;
  const p = f[settings + S_PEAK_PARAM]!;
  const g = effectiveGradient(gradient, p, step[SCALE]!, step[DECAY]!);
  let peakP: number;
  let peakM = 0.0;
  let peakV = 0.0;
  switch (kind) {
    case OPT_SGD:
      peakP = boundStep(p, lr, g);
      break;
    case OPT_MOMENTUM:
      peakM = velocity(f[settings + S_PEAK_M]!, g, mu);
      peakP = boundStep(p, lr, momentumDirection(g, peakM, mu, nesterov));
      break;
    case OPT_ADAM:
      peakM = adamMoment1(f[settings + S_PEAK_M]!, g, b1);
      peakV = adamMoment2(f[settings + S_PEAK_V]!, g, b2);
      peakP = boundStep(p, lr, adamDirectionBound(peakM, step[C1]!, step[EPS]!));
      break;
    default:
      return unknownOptimizer();
  }
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
    let direction: number;
    switch (kind) {
      case OPT_SGD:
        direction = gk;
        break;
      case OPT_MOMENTUM: {
        const vel = velocity(f[p + toM + k]!, gk, mu);
        direction = momentumDirection(gk, vel, mu, nesterov);
        peakM = Math.max(peakM, Math.abs(vel));
        break;
      }
      case OPT_ADAM: {
        const mm = adamMoment1(f[p + toM + k]!, gk, b1);
        const vv = adamMoment2(f[p + toV + k]!, gk, b2);
        direction = adamDirection(mm, vv, c1, c2, eps);
        peakM = Math.max(peakM, Math.abs(mm));
        peakV = Math.max(peakV, vv);
        break;
      }
      default:
        return unknownOptimizer();
    }
    peakP = Math.max(peakP, Math.abs(applyStep(pk, lr, direction)));
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

/** See assembly/optimizers.ts `stepRange`: one loop per optimizer, same formulas. */
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
        const vv = (f[v + k] = adamMoment2(f[v + k]!, gk, b2));
        f[p + k] = applyStep(f[p + k]!, lr, adamDirection(mm, vv, c1, c2, eps));
      }
      return;
    default:
      unknownOptimizer();
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
