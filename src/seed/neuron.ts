// Neuron: the article's y = w * mean(x) + b unit, as a view onto a seed arena.
import { SEED_BIAS, SEED_HOPED, SEED_RESULT, SEED_WEIGHT } from '../header.js';
import { DivergenceError, StateError, ZeroWeightError } from '../errors.js';
import { finite, positive, vector } from '../validate.js';
import { SeedModel } from './model.js';
import { repr, seedBackend, type SeedOptions } from './options.js';

/**
 * One seed neuron: `result = (Σ weight·x[j]) / n + bias`, updated by the seed rule.
 * A neuron built with `new` owns a one-neuron arena; the neurons of a `Layer` are
 * views onto the layer's buffers (reading or writing them reads or writes the layer).
 */
export class Neuron {
  /** @internal */ readonly model: SeedModel;
  private readonly layer: number;
  private readonly at: number;
  /** True when this neuron owns its arena (built with `new`), false for a layer's view. */
  private readonly standalone: boolean;

  /** A standalone neuron with `weight` and `bias` (finite numbers). */
  constructor(weight: number, bias: number, options?: SeedOptions);
  /** @internal a view onto neuron `at` of layer `layer` of `model`. */
  constructor(model: SeedModel, layer: number, at: number);
  constructor(a: number | SeedModel, b: number, c?: SeedOptions | number) {
    if (a instanceof SeedModel) {
      this.model = a;
      this.layer = b;
      this.at = c as number;
      this.standalone = false;
      return;
    }
    finite(a, 'weight');
    finite(b, 'bias');
    this.model = new SeedModel(seedBackend(c as SeedOptions | undefined), [{ size: 1, isInput: false }], [{ size: 1, isInput: false, weight: a, bias: b }]);
    this.layer = 0;
    this.at = 0;
    this.standalone = true;
  }

  private cell(field: number): number {
    return this.model.index(this.layer, field) + this.at;
  }

  /** The neuron's weight (shared by all its inputs). Writable: writes go to the arena. */
  get weight(): number {
    return this.model.arena.f64[this.cell(SEED_WEIGHT)]!;
  }
  /** Writes the weight into the arena; it must be finite. */
  set weight(value: number) {
    this.model.arena.f64[this.cell(SEED_WEIGHT)] = finite(value, 'weight');
  }

  /** The neuron's bias. Writable: writes go to the arena. */
  get bias(): number {
    return this.model.arena.f64[this.cell(SEED_BIAS)]!;
  }
  /** Writes the bias into the arena; it must be finite. */
  set bias(value: number) {
    this.model.arena.f64[this.cell(SEED_BIAS)] = finite(value, 'bias');
  }

  /** The output of the last `process` (0 before any). */
  get result(): number {
    return this.model.arena.f64[this.cell(SEED_RESULT)]!;
  }

  /**
   * Computes `(Σ weight·data[j]) / data.length + bias`, stores it as `result` and returns it.
   * A standalone neuron runs its backend's kernel; a view computes the same sum in JS
   * (same order, same numbers) so that its layer's other results stay untouched.
   */
  process(data: ArrayLike<number>): number {
    const copy = vector(data, 'data');
    if (this.standalone) {
      this.model.forward(0, 1, copy);
      return this.result;
    }
    const w = this.weight;
    let sum = 0.0;
    for (let j = 0; j < copy.length; j++) sum += w * copy[j]!;
    this.model.arena.f64[this.cell(SEED_RESULT)] = sum / copy.length + this.bias;
    this.model.processed = true;
    return this.result;
  }

  /**
   * The seed rule: `loss = expected - result`; weight and bias each grow by
   * `loss · learningRate`. Returns the hoped input `(bias - expected) / weight`.
   * Throws ZeroWeightError (nothing changed) when the weight would become 0.
   */
  update(expected: number, learningRate: number): number {
    finite(expected, 'expected');
    positive(learningRate, 'learningRate');
    if (this.standalone) {
      this.model.update(0, 1, Float64Array.of(expected), learningRate);
      return this.model.arena.f64[this.cell(SEED_HOPED)]!;
    }
    // A view runs the kernel's checks in JS, in the same order, and writes only once all pass.
    if (!this.model.processed) throw new StateError('update() needs results: call process() first');
    const loss = expected - this.result;
    const w = this.weight + loss * learningRate;
    const b = this.bias + loss * learningRate;
    if (w === 0.0) {
      throw new ZeroWeightError(
        `update would make the weight of layer ${this.layer}, neuron ${this.at} exactly 0, where the hoped input (bias - expected) / weight is undefined; nothing was changed`,
        this.layer, this.at,
      );
    }
    const hoped = (b - expected) / w;
    if (!Number.isFinite(w) || !Number.isFinite(b) || !Number.isFinite(hoped)) {
      throw new DivergenceError(`update diverged: the weight, bias or hoped input of layer ${this.layer}, neuron ${this.at} is not finite; nothing was changed (lower the learning rate or normalize the data)`, -1, -1);
    }
    const f = this.model.arena.f64;
    f[this.cell(SEED_WEIGHT)] = w;
    f[this.cell(SEED_BIAS)] = b;
    f[this.cell(SEED_HOPED)] = hoped;
    return hoped;
  }

  /** Frees a standalone neuron's wasm memory now (views share their layer's arena and ignore this). */
  dispose(): void {
    if (this.standalone) this.model.dispose();
  }

  /** `Neuron(weight=…, bias=…)`, exact enough to rebuild it. */
  toString(): string {
    return `Neuron(weight=${repr(this.weight)}, bias=${repr(this.bias)})`;
  }
}
