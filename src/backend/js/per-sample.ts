/**
 * trainEpochsDense for batch size 1 (per-sample training) with SGD or momentum. The generic kernel (dense.ts) copies
 * each row into the staging buffers, walks the optimizer's settings and running state through the arena (prepareStep,
 * stepBound, commitStep) and sums the gradient norm on every step: on a small network (xor's 13 parameters) that
 * fixed cost is most of a step. This path trains on each row where the data set holds it, keeps the settings and
 * running state in locals, applies each weight row's step as its gradient d·x is formed, and leaves the staged row,
 * the gradients and their norm in the arena once, after the last step. It performs the generic kernel's
 * operations in the same order, so it leaves the same bits; a step the divergence bound cannot prove safe is
 * staged and run by the generic kernel.
 */
import type { Arena } from '../arena.js';
import { deltasRows, forwardRows, gradientsDense, matches, rowLoss, trainDense } from './dense.js';
import { type Header, headerOf } from './header.js';
import { SAFE_GRADIENT } from '../../math/losses.js';
import { advancePower, applyStep, boundStep, effectiveGradient, momentumDirection, SAFE_VALUE, velocity } from '../../math/optimizers.js';
import {
  DENSE_OPTIMIZER, DENSE_SETTINGS, DENSE_STATUS, DENSE_FAILED_EPOCH, DENSE_FAILED_BATCH, S_LEAKY_ALPHA, S_ELU_ALPHA, S_CORRECT,
  S_GRAD_NORM, S_CLIP_NORM, S_LEARNING_RATE, S_MOMENTUM, S_WEIGHT_DECAY, S_BETA1, S_BETA2, S_BETA1_POWER, S_BETA2_POWER,
  S_PEAK_PARAM, S_PEAK_M, S_PEAK_V, OPT_SGD, OPT_MOMENTUM,
} from '../../header.js';

/**
 * Whether this path trains the arena: batch size 1, SGD or momentum (Nesterov's too), and no clipping (whose norm
 * must come before any step, so the scale of every step is 1).
 */
export function perSampleCovers(arena: Arena, rows: number, batchSize: number, epochs: number): boolean {
  const optimizer = arena.word(DENSE_OPTIMIZER);
  return batchSize === 1 && rows >= 1 && epochs >= 1 && (optimizer === OPT_SGD || optimizer === OPT_MOMENTUM)
    && arena.f64[arena.at(DENSE_SETTINGS) + S_CLIP_NORM] === 0.0;
}

/** See assembly/dense.ts `trainEpochsDense`, for the arenas `perSampleCovers` accepts. */
export function perSampleEpochs(arena: Arena, rows: number, epochs: number, threshold: number): number {
  // The loop is a function of its own, on plain numbers: the header's getters inlined into it would use up
  // V8's inlining budget, and the formulas would then be calls returning boxed numbers.
  return runEpochs(arena, arena.f64, arena.i32, headerOf(arena), rows, epochs, threshold);
}

function runEpochs(arena: Arena, f: Float64Array, i32: Int32Array, net: Header, rows: number, epochs: number, threshold: number): number {
  const layers = net.layers;
  const nIn = net.nIn[1]!;
  const nOut = net.nOut[layers]!;
  const { settings, lossKind, momentum, nesterov, toM, inputs, targets, order, losses, words } = net;
  const leaky = f[settings + S_LEAKY_ALPHA]!;
  const elu = f[settings + S_ELU_ALPHA]!;
  // prepareStep's settings (the scale is 1: no clipping)
  const lr = f[settings + S_LEARNING_RATE]!, mu = f[settings + S_MOMENTUM]!, decay = f[settings + S_WEIGHT_DECAY]!;
  const b1 = f[settings + S_BETA1]!, b2 = f[settings + S_BETA2]!;
  // The committed running state (commitStep's), kept here and written back when the generic kernel needs it and at the end.
  let power1 = f[settings + S_BETA1_POWER]!, power2 = f[settings + S_BETA2_POWER]!;
  let peakP = f[settings + S_PEAK_PARAM]!, peakM = f[settings + S_PEAK_M]!, peakV = f[settings + S_PEAK_V]!;
  const output = net.output[layers]!;
  const outDelta = net.delta[layers]!;
  const outKind = net.kind[layers]!;
  let last = -1; // the data row of the last step
  let lastCorrect = 0;
  let generic = false; // whether the last step ran in the generic kernel (which left its buffers in the arena)
  let done = epochs;
  for (let epoch = 0; epoch < epochs && done === epochs; epoch++) {
    let total = 0.0;
    let correct = 0.0;
    for (let row = 0; row < rows; row++) {
      const r = (last = i32[order + row]!);
      const x0 = inputs + r * nIn;
      const y = targets + r * nOut;
      forwardRows(f, net, x0, 1);
      const stepCorrect = matches(f, output, y, nOut) ? 1 : 0;
      const loss = rowLoss(f, output, y, outDelta, nOut, outKind, lossKind, leaky, elu, 1.0);
      const bound = deltasRows(f, net, x0, 1);
      // prepareStep and stepBound
      const nextPower1 = advancePower(power1, b1);
      const nextPower2 = advancePower(power2, b2);
      const g = effectiveGradient(bound, peakP, 1.0, decay);
      const nextPeakM = momentum ? velocity(peakM, g, mu) : 0.0;
      const nextPeakP = boundStep(peakP, lr, momentum ? momentumDirection(g, nextPeakM, mu, nesterov) : g);
      if (Number.isFinite(loss) && bound < SAFE_GRADIENT && Math.max(nextPeakP, Math.max(nextPeakM, 0.0)) < SAFE_VALUE) {
        // gradientsDense with each row's step (stepRange) as soon as its gradient d·x is known
        for (let l = layers; l >= 1; l--) {
          const n = net.nIn[l]!, m = net.nOut[l]!, w = net.weight[l]!, b = net.bias[l]!, delta = net.delta[l]!;
          const xl = l === 1 ? x0 : net.output[l - 1]!;
          if (momentum) {
            for (let o = 0; o < m; o++) momentumRange(f, w + o * n, toM, xl, f[delta + o]!, n, lr, mu, nesterov, decay);
            momentumRange(f, b, toM, delta, 1.0, m, lr, mu, nesterov, 0.0);
          } else {
            for (let o = 0; o < m; o++) sgdRange(f, w + o * n, xl, f[delta + o]!, n, lr, decay);
            sgdRange(f, b, delta, 1.0, m, lr, 0.0);
          }
        }
        // commitStep
        power1 = nextPower1;
        power2 = nextPower2;
        peakP = nextPeakP;
        peakM = nextPeakM;
        peakV = 0.0;
        generic = false;
        total += loss;
        correct += stepCorrect;
        lastCorrect = stepCorrect;
        continue;
      }
      // The careful step: the generic kernel on the staged row (it recomputes the same forward pass and deltas).
      saveState(f, settings, power1, power2, peakP, peakM, peakV);
      stage(f, net, x0, y, nIn, nOut);
      generic = true;
      const checked = trainDense(arena, 1);
      if (i32[words + DENSE_STATUS] !== 0) {
        i32[words + DENSE_FAILED_EPOCH] = epoch;
        i32[words + DENSE_FAILED_BATCH] = row;
        return epoch;
      }
      power1 = f[settings + S_BETA1_POWER]!;
      power2 = f[settings + S_BETA2_POWER]!;
      peakP = f[settings + S_PEAK_PARAM]!;
      peakM = f[settings + S_PEAK_M]!;
      peakV = f[settings + S_PEAK_V]!;
      total += checked;
      lastCorrect = f[settings + S_CORRECT]!;
      correct += lastCorrect;
    }
    const mean = total / rows;
    f[losses + 2 * epoch] = mean;
    f[losses + 2 * epoch + 1] = correct / rows;
    if (mean < threshold) done = epoch + 1;
  }
  saveState(f, settings, power1, power2, peakP, peakM, peakV);
  // The last step's staged row, gradients, norm and correct count, as the generic kernel leaves them.
  if (!generic) {
    stage(f, net, inputs + last * nIn, targets + last * nOut, nIn, nOut);
    f[settings + S_GRAD_NORM] = Math.sqrt(gradientsDense(arena, 1, false));
    f[settings + S_CORRECT] = lastCorrect;
  }
  return done;
}

// The steps of n parameters at p whose gradients are d·f[x + k]: a weight row (x its inputs, d its delta), or
// the biases (x their deltas, d = 1, which leaves every finite delta's bits as they are).

/** stepRange's SGD loop (scale 1). */
function sgdRange(f: Float64Array, p: number, x: number, d: number, n: number, lr: number, decay: number): void {
  for (let k = 0; k < n; k++) {
    const pk = f[p + k]!;
    f[p + k] = applyStep(pk, lr, effectiveGradient(d * f[x + k]!, pk, 1.0, decay));
  }
}

/** stepRange's momentum loop (scale 1); the velocities are at p + toM. */
function momentumRange(f: Float64Array, p: number, toM: number, x: number, d: number, n: number, lr: number, mu: number, nesterov: boolean, decay: number): void {
  const m = p + toM;
  for (let k = 0; k < n; k++) {
    const pk = f[p + k]!;
    const gk = effectiveGradient(d * f[x + k]!, pk, 1.0, decay);
    const vel = (f[m + k] = velocity(f[m + k]!, gk, mu));
    f[p + k] = applyStep(pk, lr, momentumDirection(gk, vel, mu, nesterov));
  }
}

// commitStep's writes. (A closure over the running state would box each of its doubles on every write.)
function saveState(f: Float64Array, settings: number, power1: number, power2: number, peakP: number, peakM: number, peakV: number): void {
  f[settings + S_BETA1_POWER] = power1;
  f[settings + S_BETA2_POWER] = power2;
  f[settings + S_PEAK_PARAM] = peakP;
  f[settings + S_PEAK_M] = peakM;
  f[settings + S_PEAK_V] = peakV;
}

function stage(f: Float64Array, net: Header, x: number, y: number, nIn: number, nOut: number): void {
  f.copyWithin(net.input, x, x + nIn);
  f.copyWithin(net.target, y, y + nOut);
}
