/**
 * trainEpochsDense for batch size 1 (per-sample training). The generic kernel (dense.ts) re-reads the arena's
 * header, stages each row and sums the gradient norm on every step: on a small network (xor's 13 parameters)
 * that fixed cost is most of a step. This path reads the header once per call, trains on each row where
 * the data set holds it, and leaves the norm and the staged row in the arena once, after the last step. It
 * performs the generic kernel's operations in the same order, so it leaves the same bits; a step the
 * divergence bound cannot prove safe is staged and run by the generic kernel.
 */
import type { Arena } from '../arena.js';
import { activate, derivative } from './activations.js';
import { dot, matches, maxAbs, rowLoss, trainDense } from './dense.js';
import { SAFE_GRADIENT } from '../../math/losses.js';
import { advancePower, applyStep, boundStep, effectiveGradient, momentumDirection, SAFE_VALUE, velocity } from '../../math/optimizers.js';
import {
  DENSE_LAYER_COUNT, DENSE_LOSS_KIND, DENSE_OPTIMIZER, DENSE_NESTEROV, DENSE_SETTINGS, DENSE_PARAMS, DENSE_GRADS, DENSE_MOMENT1,
  DENSE_INPUT, DENSE_TARGET, DENSE_DATA_INPUTS, DENSE_DATA_TARGETS, DENSE_DATA_ORDER, DENSE_DATA_LOSSES,
  DENSE_STATUS, DENSE_FAILED_EPOCH, DENSE_FAILED_BATCH, denseEntry as entry,
  DENSE_IN, DENSE_OUT, DENSE_ACTIVATION, DENSE_WEIGHT, DENSE_BIAS, DENSE_OUTPUT, DENSE_DELTA,
  S_LEAKY_ALPHA, S_ELU_ALPHA, S_CORRECT, S_GRAD_NORM, S_CLIP_NORM, S_LEARNING_RATE, S_MOMENTUM, S_WEIGHT_DECAY, S_BETA1, S_BETA2,
  S_BETA1_POWER, S_BETA2_POWER, S_PEAK_PARAM, S_PEAK_M, S_PEAK_V, OPT_SGD, OPT_MOMENTUM,
} from '../../header.js';

/** What the header says, read once per call: per layer l >= 1 (index 0 unused), then the buffers and settings. */
interface Network {
  readonly layers: number;
  readonly nIn: Int32Array;
  readonly nOut: Int32Array;
  readonly kind: Int32Array;
  readonly weight: Int32Array;
  readonly bias: Int32Array;
  readonly output: Int32Array;
  readonly delta: Int32Array;
  readonly lossKind: number;
  readonly momentum: boolean;
  readonly nesterov: boolean;
  readonly settings: number;
  readonly toGrads: number;
  readonly toM: number;
  readonly inputs: number;
  readonly targets: number;
  /** int32 index of the visiting order. */
  readonly order: number;
  readonly losses: number;
  /** int32 index of the header. */
  readonly header: number;
  readonly input: number;
  readonly target: number;
}

// Each arena's description: a header is written once, with the arena (a larger one is a new arena).
const networks = new WeakMap<Arena, Network>();

function describe(arena: Arena): Network {
  let net = networks.get(arena);
  if (net === undefined) networks.set(arena, (net = read(arena)));
  return net;
}

function read(arena: Arena): Network {
  const layers = arena.word(DENSE_LAYER_COUNT);
  const perLayer = (field: number, offset: boolean): Int32Array => {
    const values = new Int32Array(layers + 1);
    for (let l = 1; l <= layers; l++) values[l] = offset ? arena.at(entry(l, field)) : arena.word(entry(l, field));
    return values;
  };
  const word = (field: number) => perLayer(field, false);
  const at = (field: number) => perLayer(field, true);
  const params = arena.at(DENSE_PARAMS);
  return {
    layers, nIn: word(DENSE_IN), nOut: word(DENSE_OUT), kind: word(DENSE_ACTIVATION),
    weight: at(DENSE_WEIGHT), bias: at(DENSE_BIAS), output: at(DENSE_OUTPUT), delta: at(DENSE_DELTA),
    lossKind: arena.word(DENSE_LOSS_KIND),
    momentum: arena.word(DENSE_OPTIMIZER) === OPT_MOMENTUM,
    nesterov: arena.word(DENSE_NESTEROV) !== 0,
    settings: arena.at(DENSE_SETTINGS),
    toGrads: arena.at(DENSE_GRADS) - params,
    toM: arena.at(DENSE_MOMENT1) - params,
    inputs: arena.at(DENSE_DATA_INPUTS),
    targets: arena.at(DENSE_DATA_TARGETS),
    order: (arena.base + arena.word(DENSE_DATA_ORDER)) >> 2,
    losses: arena.at(DENSE_DATA_LOSSES),
    header: arena.base >> 2,
    input: arena.at(DENSE_INPUT),
    target: arena.at(DENSE_TARGET),
  };
}

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
  return runEpochs(arena, arena.f64, arena.i32, describe(arena), rows, epochs, threshold);
}

function runEpochs(arena: Arena, f: Float64Array, i32: Int32Array, net: Network, rows: number, epochs: number, threshold: number): number {
  const layers = net.layers;
  const nIn = net.nIn[1]!;
  const nOut = net.nOut[layers]!;
  const { settings, lossKind, momentum, nesterov, toGrads, toM, inputs, targets, order, losses, header } = net;
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
      // forwardDense
      let x = x0;
      for (let l = 1; l <= layers; l++) {
        const n = net.nIn[l]!, m = net.nOut[l]!, w = net.weight[l]!, b = net.bias[l]!, out = net.output[l]!;
        for (let o = 0; o < m; o++) f[out + o] = dot(f, w + o * n, x, n) + f[b + o]!;
        activate(f, out, m, net.kind[l]!, leaky, elu);
        x = out;
      }
      // outputDelta
      const stepCorrect = matches(f, output, y, nOut) ? 1 : 0;
      const loss = rowLoss(f, output, y, outDelta, nOut, outKind, lossKind, leaky, elu, 1.0);
      // deltasDense
      let bound = 0.0;
      for (let l = layers; l >= 1; l--) {
        const n = net.nIn[l]!, m = net.nOut[l]!, delta = net.delta[l]!;
        const xl = l === 1 ? x0 : net.output[l - 1]!;
        bound = Math.max(bound, maxAbs(f, delta, m) * Math.max(maxAbs(f, xl, n), 1.0));
        if (l === 1) break;
        const w = net.weight[l]!, prev = net.delta[l - 1]!, prevKind = net.kind[l - 1]!;
        const d0 = f[delta]!;
        for (let k = 0; k < n; k++) f[prev + k] = d0 * f[w + k]!;
        for (let o = 1; o < m; o++) {
          const d = f[delta + o]!;
          const wo = w + o * n;
          for (let k = 0; k < n; k++) f[prev + k] = f[prev + k]! + d * f[wo + k]!;
        }
        for (let k = 0; k < n; k++) f[prev + k] = f[prev + k]! * derivative(f[xl + k]!, prevKind, leaky, elu);
      }
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
      if (i32[header + DENSE_STATUS] !== 0) {
        i32[header + DENSE_FAILED_EPOCH] = epoch;
        i32[header + DENSE_FAILED_BATCH] = row;
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
    const x0 = inputs + last * nIn;
    stage(f, net, x0, targets + last * nOut, nIn, nOut);
    f[settings + S_GRAD_NORM] = Math.sqrt(storeGradients(f, net, x0, toGrads));
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

function stage(f: Float64Array, net: Network, x: number, y: number, nIn: number, nOut: number): void {
  f.copyWithin(net.input, x, x + nIn);
  f.copyWithin(net.target, y, y + nOut);
}

/**
 * Writes the last step's gradients (each weight's d·x, each bias's delta) where gradientsDense leaves them, and
 * returns ‖grad‖² in its order: layers last to first, each weight row's dot with itself, then the biases'.
 */
function storeGradients(f: Float64Array, net: Network, x0: number, toGrads: number): number {
  let squares = 0.0;
  for (let l = net.layers; l >= 1; l--) {
    const n = net.nIn[l]!, m = net.nOut[l]!, delta = net.delta[l]!;
    const x = l === 1 ? x0 : net.output[l - 1]!;
    for (let o = 0; o < m; o++) {
      const g = net.weight[l]! + o * n + toGrads;
      const d = f[delta + o]!;
      for (let k = 0; k < n; k++) f[g + k] = d * f[x + k]!;
      squares += dot(f, g, g, n);
    }
    const gb = net.bias[l]! + toGrads;
    f.copyWithin(gb, delta, delta + m);
    squares += dot(f, gb, gb, m);
  }
  return squares;
}
