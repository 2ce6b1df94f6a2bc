// Tests built from the spec tables (src/spec/): every activation × loss × optimizer the tables define, on every
// backend (the wasm build the loader chose, js, and the generated kernel where the tables say it covers the case).
// References are written here from the documented formulas, never taken from src/math.
import { afterEach, describe, expect, it } from 'vitest';
import { DenseNetwork, type DenseNetworkOptions, wasmSimd } from '../../src/index.js';
import { disableSpecialized, specializedEpochs } from '../../src/backend/specialized.js';
import { wasmModule } from '../../src/backend/wasm.js';
import { DENSE_MOMENT1, DENSE_MOMENT2, DENSE_SETTINGS, S_PEAK_M, S_PEAK_PARAM, S_PEAK_V } from '../../src/header.js';
import { ACTIVATION_SPECS, type ActivationSpec } from '../../src/spec/activations.js';
import { LOSS_SPECS, type LossSpec } from '../../src/spec/losses.js';
import { OPTIMIZER_SPECS } from '../../src/spec/optimizers.js';
import { arenaOf } from './arena.js';
import { randomArray, rng } from './data.js';
import { referenceOptimizer, referenceStep } from './optimizer-reference.js';

type Options = Record<string, unknown> & { type: string; learningRate: number };

/** Each optimizer of the table, and its variants: Nesterov where it has the setting, weight decay, clipping. */
const OPTIMIZERS: Options[] = OPTIMIZER_SPECS.flatMap((spec) => [
  { type: spec.name, learningRate: 0.05 },
  ...('nesterov' in spec.settings ? [{ type: spec.name, learningRate: 0.05, nesterov: true }] : []),
  // Small betas: their powers fall below 2^-60 (flushed to 0) within the test's steps.
  ...('beta1' in spec.settings ? [{ type: spec.name, learningRate: 0.05, beta1: 0.01, beta2: 0.02 }] : []),
  // A large epsilon: the step is then about lr·m/c1, close to stepBound's (m/c1)/ε, so a bound without c1 falls short.
  ...('epsilon' in spec.settings ? [{ type: spec.name, learningRate: 0.05, epsilon: 1 }] : []),
  { type: spec.name, learningRate: 0.05, weightDecay: 0.01, clipNorm: 0.3 },
]);

/** Every (hidden, output, loss) the tables allow: a loss with a required output takes only that one. */
const CASES: { hidden: ActivationSpec; output: ActivationSpec; loss: LossSpec }[] = LOSS_SPECS.flatMap((loss) =>
  ACTIVATION_SPECS.filter((output) => loss.output === null || output.name === loss.output).flatMap((output) =>
    ACTIVATION_SPECS.filter((hidden) => hidden.hidden).map((hidden) => ({ hidden, output, loss }))));

const WIDTH = 2;
const network = (hidden: ActivationSpec, output: ActivationSpec, loss: LossSpec, optimizer: Options, backend: 'js' | 'wasm'): DenseNetwork =>
  new DenseNetwork({
    layers: [{ size: 3 }, { size: 4, activation: hidden.name }, { size: WIDTH, activation: output.name }],
    loss: loss.name, optimizer, seed: 5, backend,
  } as DenseNetworkOptions);

function targetsFor(output: ActivationSpec, loss: LossSpec, random: () => number, rows: number): Float64Array {
  const t = new Float64Array(rows * WIDTH);
  for (let r = 0; r < rows; r++) {
    if (output.name === 'softmax') t[r * WIDTH + Math.floor(random() * WIDTH)] = 1;
    else for (let i = 0; i < WIDTH; i++) t[r * WIDTH + i] = loss.name === 'binaryCrossEntropy' ? Math.round(random()) : 2 * random() - 1;
  }
  return t;
}

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>, label: string): void => {
  expect(a.length, label).toBe(b.length);
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) expect.fail(`${label}: value ${k}, ${a[k]} vs ${b[k]}`);
};
/** Whether the tables list this case as covered by the generated kernel (batch 1, no clipping or decay). */
const covered = (hidden: ActivationSpec, output: ActivationSpec, loss: LossSpec, optimizer: Options): boolean =>
  !!hidden.kernel && !!output.kernel && loss.generated && !!OPTIMIZER_SPECS.find((o) => o.name === optimizer.type)!.kernel &&
  optimizer.clipNorm === undefined && optimizer.weightDecay === undefined;

/** One training step per call, through fit (which runs trainEpochsDense, generated or generic). */
const fitStep = (net: DenseNetwork, inputs: Float64Array, targets: Float64Array): void => void net.fit({ inputs, targets }, { epochs: 1, batchSize: 1, shuffle: false });

/** The whole suite, against the wasm build the loader chose, which must be `build`. */
export function registryTests(build: 'SIMD' | 'plain'): void {
  afterEach(() => disableSpecialized(false));

  it(`runs on the ${build} wasm build`, () => {
    expect(wasmModule()).not.toBeNull();
    expect(wasmSimd()).toBe(build === 'SIMD');
  });

  describe(`every activation × loss × optimizer of the spec tables, bit for bit on js, ${build} wasm and the generated kernel`, () => {
    for (const optimizer of OPTIMIZERS) {
      for (const { hidden, output, loss } of CASES) {
        const label = `${hidden.name}/${output.name}/${loss.name}/${JSON.stringify(optimizer)}`;
        it(label, () => {
          const random = rng(7);
          const nets = (['js', 'wasm'] as const).map((backend) => network(hidden, output, loss, optimizer, backend));
          for (let step = 0; step < 8; step++) {
            const rows = 1 + (step % 3);
            const inputs = randomArray(random, rows * 3, 2);
            const targets = targetsFor(output, loss, random, rows);
            for (const net of nets) net.trainStep(inputs, targets, rows);
          }
          sameBits(nets[0]!.getParameters(), nets[1]!.getParameters(), 'js vs wasm parameters');
          const probe = randomArray(random, 5 * 3, 3);
          sameBits(nets[0]!.predictBatch(probe, 5), nets[1]!.predictBatch(probe, 5), 'js vs wasm predictions');

          // The generated kernel: only where the tables say it covers the case, and then the generic kernel's bits.
          const rows = 5;
          const data = { inputs: randomArray(random, rows * 3, 1.5), targets: targetsFor(output, loss, random, rows) };
          const fitted = (['js', 'generic', 'generated'] as const).map((way) => {
            const net = network(hidden, output, loss, optimizer, way === 'js' ? 'js' : 'wasm');
            disableSpecialized(way === 'generic');
            const offered = specializedEpochs(wasmModule()!, arenaOf(net), rows, 1, 1) !== null;
            if (way === 'generated') expect(offered, 'generated kernel offered').toBe(covered(hidden, output, loss, optimizer));
            try {
              net.fit(data, { epochs: 20, batchSize: 1, shuffle: false });
            } catch {
              // A diverging run must diverge the same way on every path: compared below through the parameters.
            }
            return net.getParameters();
          });
          sameBits(fitted[0]!, fitted[1]!, 'js vs generic kernel');
          sameBits(fitted[1]!, fitted[2]!, 'generic vs generated kernel');
        });
      }
    }
  });

  describe(`every activation × loss: gradients against central finite differences, js and ${build} wasm`, () => {
    for (const backend of ['js', 'wasm'] as const) {
      for (const { hidden, output, loss } of CASES) {
        it(`${backend}: ${hidden.name} hidden, ${output.name} output, ${loss.name}`, () => {
          const random = rng(hidden.code * 13 + output.code);
          const net = network(hidden, output, loss, { type: 'sgd', learningRate: 1e-3 }, backend);
          const rows = 3;
          const inputs = randomArray(random, rows * 3, 2);
          const targets = targetsFor(output, loss, random, rows);
          // Non-zero biases keep units off the relu kink at 0; the first hidden unit's is negative enough to leave it dead.
          const before = net.getParameters().map((p) => p + 0.2 * (2 * random() - 1));
          before[12] = -20;
          net.setParameters(before);
          net.trainStep(inputs, targets, rows);
          const analytic = net.lastGradients();
          const h = 1e-5;
          for (let k = 0; k < before.length; k++) {
            const p = before.slice();
            p[k] = before[k]! + h;
            net.setParameters(p);
            const plus = net.evaluate({ inputs, targets }).loss;
            p[k] = before[k]! - h;
            net.setParameters(p);
            const numeric = (plus - net.evaluate({ inputs, targets }).loss) / (2 * h);
            const error = Math.abs(numeric - analytic[k]!) / Math.max(Math.abs(numeric), Math.abs(analytic[k]!), 1e-4);
            expect(error, `parameter ${k}: analytic ${analytic[k]}, numeric ${numeric}`).toBeLessThan(1e-6);
          }
        });
      }
    }
  });

  describe(`every optimizer of the table: the step, and the peaks peekStep and stepBound record, against the documented formulas`, () => {
    for (const optimizer of OPTIMIZERS) {
      const ways: ('js' | 'wasm' | 'generated')[] = ['js', 'wasm', ...(covered(ACTIVATION_SPECS[2]!, ACTIVATION_SPECS[1]!, LOSS_SPECS[0]!, optimizer) ? ['generated' as const] : [])];
      for (const way of ways) {
        it(`${way}: ${JSON.stringify(optimizer)}`, () => optimizerMatchesFormula(optimizer, way));
      }
    }
  });
}

/**
 * Each step lands where the reference step (helpers/optimizer-reference.ts) does, scale = clipNorm/‖grad‖ when that is
 * below 1. After a step that could not be bounded (here: right after setParameters), the recorded peaks are the exact
 * largest |parameter|, |first moment| and second moment; after any other step, bounds on them.
 */
function optimizerMatchesFormula(options: Options, way: 'js' | 'wasm' | 'generated'): void {
  const [hidden, output, loss] = [ACTIVATION_SPECS[2]!, ACTIVATION_SPECS[1]!, LOSS_SPECS[0]!];
  const net = network(hidden, output, loss, options, way === 'js' ? 'js' : 'wasm');
  const o = net.optimizer;
  const isWeight = [...Array(12).fill(true), ...Array(4).fill(false), ...Array(8).fill(true), ...Array(2).fill(false)];
  // Small parameters, so the step moves the largest of them outward by about its full size: a bound that falls short shows.
  net.setParameters(net.getParameters().map((x) => x * 0.01));
  const p = Array.from(net.getParameters());
  expect(p.length).toBe(isWeight.length);
  const state = referenceOptimizer(p.length);
  const random = rng(3);
  for (let step = 0; step < 12; step++) {
    const exact = step % 2 === 0;
    if (exact) net.setParameters(net.getParameters());
    const rows = way === 'generated' ? 1 : 1 + (step % 3);
    const inputs = randomArray(random, rows * 3);
    const targets = Float64Array.from({ length: rows * WIDTH }, () => random());
    if (way === 'generated') fitStep(net, inputs, targets);
    else net.trainStep(inputs, targets, rows);
    const grad = net.lastGradients();
    const norm = Math.sqrt(grad.reduce((sum, x) => sum + x * x, 0));
    const scale = o.clipNorm > 0 && norm > o.clipNorm ? o.clipNorm / norm : 1;
    referenceStep(o, state, p, grad, isWeight, scale);
    // Clipping uses the kernel's own norm (its summation order): compare closely there, bit for bit elsewhere.
    const actual = net.getParameters();
    for (let k = 0; k < p.length; k++) {
      if (scale < 1) expect(actual[k]!, `step ${step}, parameter ${k}`).toBeCloseTo(p[k]!, 12);
      else if (!Object.is(actual[k], p[k])) expect.fail(`step ${step}, parameter ${k}: ${actual[k]} where the formula gives ${p[k]}`);
      p[k] = actual[k]!;
    }
    const arena = arenaOf(net);
    const f = arena.f64;
    const settings = arena.at(DENSE_SETTINGS);
    const moments = [arena.at(DENSE_MOMENT1), arena.at(DENSE_MOMENT2)];
    const peaks = [
      [f[settings + S_PEAK_PARAM]!, Math.max(...p.map(Math.abs))],
      [f[settings + S_PEAK_M]!, o.type === 'momentum' || o.type === 'adam' ? Math.max(...p.map((_, k) => Math.abs(f[moments[0]! + k]!))) : 0],
      [f[settings + S_PEAK_V]!, o.type === 'adam' || o.type === 'rmsprop' ? Math.max(...p.map((_, k) => f[moments[1]! + k]!)) : 0],
    ];
    for (const [index, [recorded, largest]] of peaks.entries()) {
      if (exact) expect(recorded, `step ${step}: peak ${index} of a step peekStep measured`).toBe(largest);
      else expect(recorded, `step ${step}: peak ${index} bounds the values`).toBeGreaterThanOrEqual(largest!);
    }
  }
}
