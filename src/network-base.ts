// NetworkBase: the public members that DenseNetwork and RecurrentNetwork forward alike to the model that owns their arena.
import type { ArenaModel, ModelConfig } from './arena-model.js';
import type { Loss, OptimizerOptions } from './dense/types.js';
import { positive, vector } from './validate.js';

/** What every network built on an arena has: backend, optimizer, learning rate, parameters, gradient, disposal. */
export abstract class NetworkBase {
  /** The loss minimized by training. */
  readonly loss: Loss;
  /** The seed of initialization and shuffling. */
  readonly seed: number;
  /** @internal the model that owns the arena; each network narrows its type. */
  protected readonly model: ArenaModel<ModelConfig>;

  /** @internal */
  protected constructor(model: ArenaModel<ModelConfig>) {
    this.model = model;
    this.loss = model.loss;
    this.seed = model.seed;
  }

  /** The backend this network runs on. */
  get backend(): 'wasm' | 'js' {
    return this.model.backend;
  }

  /** The optimizer's settings (a copy). */
  get optimizer(): Required<OptimizerOptions> {
    return this.model.optimizer;
  }

  /** The optimizer's step size; settable (e.g. for schedules). */
  get learningRate(): number {
    return this.model.learningRate;
  }
  /** Changes the learning rate for the following steps (> 0). */
  set learningRate(value: number) {
    this.model.checkLive();
    this.model.learningRate = positive(value, 'learningRate');
  }

  /** Replaces every weight and bias (same arrangement as {@link getParameters}). */
  setParameters(values: ArrayLike<number>): void {
    // Reading `values` may run a caller's getter: the model checks the network again before it writes.
    this.model.setParameters(vector(values, 'values', this.model.parameterCount));
  }

  /** Every weight and bias, copied; each network's documentation gives the arrangement. */
  abstract getParameters(): Float64Array;

  /** ‖gradient‖₂ of the last training step, before clipping (NaN or Infinity when that step diverged). */
  get lastGradientNorm(): number {
    return this.model.lastGradientNorm;
  }

  /** Frees the network's wasm memory now. Any later call throws StateError. */
  dispose(): void {
    this.model.dispose();
  }
}
