// ArenaModel: what DenseModel and RecurrentModel share: one arena with the training header, the optimizer's
// settings, the state a fit keeps, and the life cycle (disposal, one fit at a time).
import { type Arena, type Backend, type BackendName, resolveBackend, track, untrack } from './backend/index.js';
import type { Scaling } from './dense/scaling.js';
import type { FitStateJSON, Loss, OptimizerOptions } from './dense/types.js';
import { StateError } from './errors.js';
import { DENSE_PARAM_COUNT, DENSE_SETTINGS } from './header.js';
import { type Layout, writeHeader } from './layout.js';
import { Random } from './random.js';
import {
  correctIn, divergedIn, gradientNormOf, gradientsOf, type OptimizerState, optimizerStateOf, parametersOf, restoreOptimizerStateOf, restoreTrainingStateOf,
  setParametersOf, trainingStateOf, writeLearningRate, writeSettings,
} from './training-arena.js';

/** The part of a checked configuration that every model kind has. */
export interface ModelConfig {
  loss: Loss;
  optimizer: Required<OptimizerOptions>;
  seed: number;
  /** Which blocks the first fit measures standardization figures for. */
  standardize: { inputs: boolean; targets: boolean };
  backend: BackendName | undefined;
}

/** What a checkpoint asks of the fit running now: its progress, or undefined in the middle of an epoch. */
interface RunningFit {
  state(): FitStateJSON | undefined;
}

/**
 * A model that owns one arena whose header starts with the training part (settings, parameters, gradients,
 * optimizer state; see training-arena.ts), and the state of training: the shuffling stream, standardization
 * figures, the running and the saved fit. A subclass lays the arena out, initializes the parameters and calls the
 * kernels. Arguments reach it already checked.
 */
export abstract class ArenaModel<C extends ModelConfig> {
  /** The checked configuration; its optimizer's learning rate follows {@link learningRate}. */
  readonly config: C;
  /** The loss minimized by training. */
  readonly loss: Loss;
  /** The seed of initialization and shuffling. */
  readonly seed: number;
  /** The stream that shuffles; continues from initialization. */
  readonly random: Random;
  /** Standardization figures: undefined until the first training call decides them, null for none. */
  scaling: Scaling | null | undefined;
  /** The fit running now (what a checkpoint saves), if any. */
  currentRun: RunningFit | undefined;
  /** The state of the last fit, or of the fit a checkpoint was saved in. */
  savedFit: FitStateJSON | undefined;
  /** Whether the next fit resumes savedFit without being told (a network loaded from a checkpoint). */
  resumeByDefault = false;
  protected readonly impl: Backend;
  protected arena: Arena;
  protected layout: Layout;
  protected disposed = false;
  /** A caller's array is being read into the arena: live() refuses its getters, and dispose() frees only afterwards. */
  protected reading = false;
  /** Said after the refusal of a training call during a fit. */
  protected readonly busyReason: string = '';
  // A fit (or fitAsync) is running: training calls are refused until it ends.
  private training = false;

  /**
   * Allocates the arena of `layout` on the configured backend and writes its header and optimizer settings; the
   * subclass then initializes the parameters. `network` names the facade in errors.
   */
  protected constructor(private readonly network: string, config: C, layout: Layout) {
    this.config = config;
    this.impl = resolveBackend(config.backend);
    this.loss = config.loss;
    this.seed = config.seed;
    this.random = new Random(this.seed);
    this.layout = layout;
    this.arena = this.impl.allocate(layout.bytes);
    writeHeader(this.arena, layout);
    writeSettings(this.arena.f64, this.arena.at(DENSE_SETTINGS), config.optimizer);
    track(this, this.arena);
  }

  /** The backend this network runs on. */
  get backend(): 'wasm' | 'js' {
    return this.impl.name;
  }

  /** The optimizer's settings (a copy). */
  get optimizer(): Required<OptimizerOptions> {
    return { ...this.config.optimizer };
  }

  /** The optimizer's step size; settable (e.g. for schedules). */
  get learningRate(): number {
    return this.config.optimizer.learningRate;
  }
  /** Changes the learning rate for the following steps (a value the caller checked: > 0). */
  set learningRate(value: number) {
    const arena = this.live();
    this.config.optimizer.learningRate = value;
    writeLearningRate(arena, value);
  }

  /** The arena, after checking that the network may be used now. */
  protected live(): Arena {
    if (this.disposed) throw new StateError(`this ${this.network} was disposed`);
    if (this.reading) throw new StateError(`this ${this.network} is reading an input: a getter on that input cannot use the network`);
    return this.arena;
  }

  /** Throws StateError once the network is disposed (fit checks after each callback). */
  checkLive(): void {
    this.live();
  }

  /** Which blocks the first fit measures standardization figures for. */
  get standardization(): { inputs: boolean; targets: boolean } {
    return this.config.standardize;
  }
  /** Sets the choice a network saved before its first fit was built with, for that fit to measure by. */
  set standardization(choice: { inputs: boolean; targets: boolean }) {
    this.config.standardize = choice;
  }

  /**
   * Runs `body` (a fit, or a fitAsync's promise) as the network's only training call until it settles: a training
   * call meanwhile (from onEpoch, or while fitAsync awaits) throws StateError naming `call`.
   */
  exclusive<T>(call: string, body: () => T): T {
    this.notTraining(call);
    this.training = true;
    let result: T;
    try {
      result = body();
    } catch (error) {
      this.endTraining();
      throw error;
    }
    if (result instanceof Promise) return result.finally(() => this.endTraining()) as T;
    this.endTraining();
    return result;
  }

  /** Refuses a training call named `call` while a fit runs. */
  protected notTraining(call: string): void {
    this.live();
    if (this.training) throw new StateError(`${call} was called while this network is training (from onEpoch, or during fitAsync)${this.busyReason}`, call);
  }

  // Marks the end of fit or fitAsync, keeping where it ended for checkpoints.
  private endTraining(): void {
    this.training = false;
    // A fit refused before it started (bad options or data) leaves the saved progress as it was.
    if (this.currentRun === undefined) return;
    this.savedFit = this.currentRun.state();
    this.currentRun = undefined;
  }

  /** Every weight and bias in the arena's order, copied. */
  getParameters(): Float64Array {
    return parametersOf(this.live());
  }

  /** Replaces every weight and bias (same arrangement as {@link getParameters}) with `copy`, already checked. */
  setParameters(copy: Float64Array): void {
    setParametersOf(this.live(), copy);
  }

  /** Number of weights and biases. */
  get parameterCount(): number {
    return this.live().word(DENSE_PARAM_COUNT);
  }

  /** The gradient of the loss computed by the last training step (before it was applied), arranged like {@link getParameters}; copied. */
  lastGradients(): Float64Array {
    return gradientsOf(this.live());
  }

  /** ‖gradient‖₂ of the last training step, before clipping (NaN or Infinity when that step diverged). */
  get lastGradientNorm(): number {
    return gradientNormOf(this.live());
  }

  /** Adam's (or momentum's) state: the moments and the bias-correction powers, copied. */
  optimizerState(): OptimizerState {
    return optimizerStateOf(this.live());
  }

  /** Puts back an {@link optimizerState}; the bounds of the next step are then unknown (checked). */
  restoreOptimizerState(state: { moment1: ArrayLike<number>; moment2: ArrayLike<number>; beta1Power: number; beta2Power: number }): void {
    restoreOptimizerStateOf(this.live(), state);
  }

  /**
   * A copy of everything training changes but the staged data: settings (learning rate, Adam's step powers),
   * parameters, gradients and optimizer moments. The fixed part's layout is the same in a grown arena, so
   * {@link restoreTrainingState} works across growth.
   */
  trainingState(): Float64Array {
    return trainingStateOf(this.live(), this.layout.fixedBytes);
  }

  /** Puts back a {@link trainingState} copy. */
  restoreTrainingState(state: Float64Array): void {
    restoreTrainingStateOf(this.live(), state);
  }

  /** Whether the last step diverged (and so was not applied). */
  diverged(): boolean {
    return divergedIn(this.arena);
  }

  /** What the last step or evaluation counted right (rows, steps or sequences). */
  lastCorrect(): number {
    return correctIn(this.arena);
  }

  /** Makes `bigger`, laid out as `layout`, the arena, and frees the old one (its fixed part already copied). */
  protected replaceArena(bigger: Arena, layout: Layout): void {
    untrack(this, this.arena);
    this.arena = bigger;
    this.layout = layout;
    track(this, bigger);
  }

  /** Frees the arena now. Any later call throws StateError. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // Called by a getter of an input being read: the read finishes in this memory, then frees it.
    if (!this.reading) untrack(this, this.arena);
  }
}
