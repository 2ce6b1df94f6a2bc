// JS twin of assembly/optimizers.ts.
import type { Arena } from '../arena.js';
import {
  DENSE_LAYER_COUNT, DENSE_OPTIMIZER, DENSE_NESTEROV, DENSE_PARAM_COUNT, DENSE_SETTINGS, DENSE_PARAMS,
  DENSE_GRADS, DENSE_MOMENT1, DENSE_MOMENT2, DENSE_HEADER_WORDS, DENSE_LAYER_WORDS, DENSE_IN, DENSE_OUT,
  DENSE_WEIGHT, S_LEARNING_RATE, S_MOMENTUM, S_BETA1, S_BETA2, S_EPSILON, S_WEIGHT_DECAY, S_CLIP_NORM,
  S_BETA1_POWER, S_BETA2_POWER, OPT_SGD, OPT_MOMENTUM,
} from '../../header.js';

// The current step's settings, set once per step by prepareStep (mirrors the wasm globals).
// The floats live in a Float64Array: module-level `let` doubles would be boxed on every write.
let kind = 0;
let nesterov = false;
const step = new Float64Array(9);
const LR = 0, SCALE = 1, DECAY = 2, MU = 3, B1 = 4, B2 = 5, C1 = 6, C2 = 7, EPS = 8;

/** See assembly/optimizers.ts `prepareStep`. */
export function prepareStep(arena: Arena, norm: number): void {
  const f = arena.f64;
  const settings = arena.at(DENSE_SETTINGS);
  kind = arena.word(DENSE_OPTIMIZER);
  nesterov = arena.word(DENSE_NESTEROV) !== 0;
  const clip = f[settings + S_CLIP_NORM]!;
  step[SCALE] = clip > 0.0 && norm > clip ? clip / norm : 1.0;
  const b1 = (step[B1] = f[settings + S_BETA1]!);
  const b2 = (step[B2] = f[settings + S_BETA2]!);
  const p1 = f[settings + S_BETA1_POWER]! * b1;
  const p2 = f[settings + S_BETA2_POWER]! * b2;
  f[settings + S_BETA1_POWER] = p1;
  f[settings + S_BETA2_POWER] = p2;
  step[C1] = 1.0 - p1;
  step[C2] = 1.0 - p2;
  step[LR] = f[settings + S_LEARNING_RATE]!;
  step[MU] = f[settings + S_MOMENTUM]!;
  step[EPS] = f[settings + S_EPSILON]!;
  step[DECAY] = f[settings + S_WEIGHT_DECAY]!;
}

/** See assembly/optimizers.ts `stepRange`: one loop per optimizer, same formulas. */
export function stepRange(f: Float64Array, p: number, toGrads: number, toM: number, toV: number, n: number, withDecay: boolean): void {
  const g = p + toGrads;
  const m = p + toM;
  const v = p + toV;
  const lr = step[LR]!, scale = step[SCALE]!, mu = step[MU]!, b1 = step[B1]!, b2 = step[B2]!;
  const c1 = step[C1]!, c2 = step[C2]!, eps = step[EPS]!;
  const d = withDecay ? step[DECAY]! : 0.0;
  if (kind === OPT_SGD) {
    for (let k = 0; k < n; k++) {
      const pk = f[p + k]!;
      f[p + k] = pk - lr * (scale * f[g + k]! + d * pk);
    }
  } else if (kind === OPT_MOMENTUM) {
    for (let k = 0; k < n; k++) {
      const pk = f[p + k]!;
      const gk = scale * f[g + k]! + d * pk;
      const vel = mu * f[m + k]! + gk;
      f[m + k] = vel;
      f[p + k] = pk - lr * (nesterov ? gk + mu * vel : vel);
    }
  } else {
    for (let k = 0; k < n; k++) {
      const pk = f[p + k]!;
      const gk = scale * f[g + k]! + d * pk;
      const mm = b1 * f[m + k]! + (1.0 - b1) * gk;
      const vv = b2 * f[v + k]! + (1.0 - b2) * (gk * gk);
      f[m + k] = mm;
      f[v + k] = vv;
      f[p + k] = pk - lr * ((mm / c1) / (Math.sqrt(vv / c2) + eps));
    }
  }
}

/** See assembly/optimizers.ts `optimize`. */
export function optimize(arena: Arena): void {
  const f = arena.f64;
  const params = arena.at(DENSE_PARAMS);
  const toGrads = arena.at(DENSE_GRADS) - params;
  const toM = arena.at(DENSE_MOMENT1) - params;
  const toV = arena.at(DENSE_MOMENT2) - params;
  if (step[DECAY] === 0.0) {
    stepRange(f, params, toGrads, toM, toV, arena.word(DENSE_PARAM_COUNT), false);
    return;
  }
  const layers = arena.word(DENSE_LAYER_COUNT);
  for (let l = 1; l <= layers; l++) {
    const base = DENSE_HEADER_WORDS + (l - 1) * DENSE_LAYER_WORDS;
    const nIn = arena.word(base + DENSE_IN);
    const nOut = arena.word(base + DENSE_OUT);
    const w = arena.at(base + DENSE_WEIGHT);
    stepRange(f, w, toGrads, toM, toV, nIn * nOut, true);
    stepRange(f, w + nIn * nOut, toGrads, toM, toV, nOut, false);
  }
}
