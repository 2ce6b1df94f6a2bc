// What every fit shares, whatever the model: its options' checks, history, early stopping, divergence policy, the
// state checkpoints save and resuming from it, and handing the event loop back in fitAsync.
import type { EpochStats, FitHistory, FitOptions, FitStateJSON, TrainingJSON } from './dense/types.js';
import { AbortError, DivergenceError, OutOfRangeError, StateError } from './errors.js';
import { checkSharedFitOptions } from './fit-options.js';
import type { Random } from './random.js';
import type { OptimizerState } from './training-arena.js';
import { finite, integer, oneOf } from './validate.js';

/** Early stopping's default patience, in epochs. */
const DEFAULT_PATIENCE = 20;
/** Without `epochs` or validation data, on enough rows: the share held back to stop early on. */
export const AUTO_VALIDATION_SPLIT = 0.2;
// Halvings of the learning rate that 'reduceLearningRate' tries before giving up.
const MAX_REDUCTIONS = 10;
// fitAsync hands the event loop back at least this often (ms).
const SLICE_MS = 12;

/** What a run needs of the model it trains. */
export interface RunModel {
  learningRate: number;
  /** The fit running now (what a checkpoint saves), if any. */
  currentRun: { state(): FitStateJSON | undefined } | undefined;
  /** The state of the last fit, or of the fit a checkpoint was saved in. */
  savedFit: FitStateJSON | undefined;
  /** Whether the next fit resumes savedFit without being told (a model loaded from a checkpoint). */
  resumeByDefault: boolean;
  getParameters(): Float64Array;
  setParameters(parameters: Float64Array): void;
  /** Weights and optimizer state, for a retry after divergence. */
  trainingState(): Float64Array;
  restoreTrainingState(state: Float64Array): void;
  /** Throws StateError once the model is disposed. */
  checkLive(): void;
}

/** The options of a fit that every model kind checks alike, checked; `epochs` and `earlyStopping` are undefined when left to the data. */
export interface RunSettings {
  epochs: number | undefined;
  initialEpoch: number | undefined;
  batchSize: number;
  shuffle: boolean;
  threshold: number;
  patience: number;
  minDelta: number;
  earlyStopping: boolean | undefined;
  validationSplit: number | undefined;
  onEpoch: FitOptions['onEpoch'];
  onDivergence: NonNullable<FitOptions['onDivergence']>;
  signal: AbortSignal | undefined;
}

/** What a run follows: the settings with `epochs` and `earlyStopping` decided. */
export type RunPlan = Omit<RunSettings, 'epochs' | 'earlyStopping'> & { epochs: number; earlyStopping: boolean };

/** Checks the options every model kind's fit takes (`o` already checked for unknown keys); `batchSize` defaults to `defaultBatchSize`. */
export function runSettings(o: Partial<Omit<FitOptions, 'validationData'>> & { validationData?: unknown }, defaultBatchSize: number): RunSettings {
  const { split, stopping, minDelta } = checkSharedFitOptions(o);
  return {
    epochs: o.epochs === undefined ? undefined : integer(o.epochs, 'options.epochs', 1),
    initialEpoch: o.initialEpoch === undefined ? undefined : integer(o.initialEpoch, 'options.initialEpoch', 0),
    batchSize: o.batchSize === undefined ? defaultBatchSize : integer(o.batchSize, 'options.batchSize', 1),
    shuffle: o.shuffle ?? true,
    threshold: o.errorThreshold === undefined ? -Infinity : finite(o.errorThreshold, 'options.errorThreshold'),
    patience: stopping?.patience === undefined ? DEFAULT_PATIENCE : integer(stopping.patience, 'options.earlyStopping.patience', 1),
    minDelta,
    earlyStopping: o.earlyStopping === false ? false : stopping === undefined ? undefined : true,
    validationSplit: split,
    onEpoch: o.onEpoch,
    onDivergence: o.onDivergence === undefined ? 'throw' : oneOf(o.onDivergence, 'options.onDivergence', ['throw', 'stop', 'reduceLearningRate'] as const),
    signal: o.signal,
  };
}

/**
 * How many of `count` items (the last ones, as Keras holds back, before any shuffling) validate: the given split, or
 * without `epochs` or validation data a fifth of at least `autoCount`; undefined for none. `noun` names the items.
 */
export function heldBack(s: RunSettings, hasValidationData: boolean, count: number, autoCount: number, noun: string): number | undefined {
  const split = s.validationSplit ?? (s.epochs === undefined && !hasValidationData && count >= autoCount ? AUTO_VALIDATION_SPLIT : undefined);
  if (split === undefined) return undefined;
  // count × split rounded down, but 100 × 0.29 (= 28.999999999999996 in float64) holds back 29, not 28.
  const scaled = count * split;
  const held = Math.floor(scaled + scaled * 4 * Number.EPSILON);
  if (held < 1 || held >= count) throw new OutOfRangeError(`options.validationSplit ${split} of ${count} ${noun} leaves no training or no validation ${noun}`, 'options.validationSplit');
  return held;
}

/** `s` with its batch size, `epochs` (enough for `autoSteps` steps over `count` items, at least `minEpochs`) and `earlyStopping` decided. */
export function decide<S extends RunSettings>(s: S, count: number, batchSize: number, validation: boolean, autoSteps: number, minEpochs: number):
  Omit<S, 'epochs' | 'earlyStopping'> & RunPlan {
  return {
    ...s,
    batchSize,
    epochs: s.epochs ?? Math.max(minEpochs, Math.ceil(autoSteps / Math.ceil(count / batchSize))),
    earlyStopping: s.earlyStopping ?? (s.epochs === undefined && validation),
  };
}

/** One epoch's record (valLoss and valAccuracy only with validation data). */
function epochStats(epoch: number, loss: number, accuracy: number, valLoss: number | undefined, valAccuracy: number | undefined): EpochStats {
  const stats: EpochStats = { epoch, loss, accuracy };
  if (valLoss !== undefined) {
    stats.valLoss = valLoss;
    stats.valAccuracy = valAccuracy;
  }
  return stats;
}

/**
 * The per-epoch figures, kept as numbers until FitHistory.epochs is first read: a long run of tiny epochs
 * (xor's 20,000) otherwise spends a sixth of its time allocating records nobody may read. They are plain
 * arrays on the JS heap, not typed arrays: fresh ArrayBuffer memory cost ~3 ns a byte in page faults on the
 * benchmark machine (1 ms for xor's 20,000 epochs), where the JS heap reuses its pages.
 */
class EpochLog {
  // [loss, accuracy, loss, accuracy, ...], one array per kernel call; [valLoss, valAccuracy, ...] with validation data.
  private readonly runs: number[][] = [];
  private readonly validation: number[] | null;
  constructor(validation: boolean, private readonly first: number) {
    this.validation = validation ? [] : null;
  }

  /** Appends one epoch: its loss and accuracy, and on the validation data when there is some. */
  add(loss: number, accuracy: number, validation: { loss: number; accuracy: number } | undefined): void {
    this.runs.push([loss, accuracy]);
    if (validation) this.validation?.push(validation.loss, validation.accuracy);
  }

  /** Appends the [loss, accuracy] pairs of a run of epochs without validation data. */
  addPairs(pairs: Float64Array): void {
    const run = new Array<number>(pairs.length).fill(NaN); // filled with a double: elements stored unboxed
    for (let i = 0; i < pairs.length; i++) run[i] = pairs[i]!;
    this.runs.push(run);
  }

  /** A FitHistory whose `epochs` array is built on first read (and is an ordinary array from then on). */
  history(stopReason: FitHistory['stopReason']): FitHistory {
    let epochs: EpochStats[] | undefined;
    const build = (): EpochStats[] => {
      const all: EpochStats[] = [];
      const v = this.validation;
      for (const run of this.runs) {
        for (let k = 0; k < run.length; k += 2) {
          const e = all.length;
          all.push(epochStats(this.first + e, run[k]!, run[k + 1]!, v?.[2 * e], v?.[2 * e + 1]));
        }
      }
      return all;
    };
    const history: FitHistory = {
      get epochs(): EpochStats[] {
        return (epochs ??= build());
      },
      set epochs(value: EpochStats[]) {
        epochs = value;
      },
      stopReason,
    };
    // Node's console.log would print the getter as [Getter/Setter]: show the records (non-enumerable, so
    // comparisons and JSON see only epochs and stopReason).
    Object.defineProperty(history, Symbol.for('nodejs.util.inspect.custom'), {
      value: (_depth: number, options: object, inspect: (value: unknown, options: object) => string) =>
        inspect({ epochs: history.epochs, stopReason: history.stopReason }, options),
    });
    return history;
  }
}

/** Bookkeeping shared by every fit and fitAsync: history, early stopping, divergence policy, and the state checkpoints save. */
export class Run {
  private readonly log: EpochLog;
  private best = Infinity;
  private bestParameters: Float64Array | null = null;
  private waited = 0;
  private reductions = 0;
  private readonly initialLearningRate: number;
  private epochState: Float64Array | null = null;
  // Between the start of an epoch and its end, where no checkpoint is exact.
  private midEpoch = false;
  /** Epochs completed, counting from 0 (a resumed run starts at its initial epoch). */
  epoch: number;
  /** Set when the last completed epoch ended the run. */
  private ending: FitHistory['stopReason'] | undefined;
  stopReason: FitHistory['stopReason'] = 'epochs';

  /**
   * @param order the training rows' current visiting order (saved in checkpoints), when in memory
   * @param resumed the saved state of the run this one continues, if any
   * @param validate the loss and accuracy on the validation data, when there is some
   */
  constructor(private readonly model: RunModel, private readonly p: RunPlan, private readonly order: (() => Int32Array) | null, resumed: FitStateJSON | undefined,
    private readonly validate: (() => { loss: number; accuracy: number }) | undefined) {
    this.epoch = resumed?.epoch ?? 0;
    this.log = new EpochLog(validate !== undefined, this.epoch);
    this.initialLearningRate = resumed?.initialLearningRate ?? model.learningRate;
    if (resumed) {
      this.best = resumed.best ?? Infinity;
      this.waited = resumed.waited;
      this.bestParameters = resumed.bestParameters ? Float64Array.from(resumed.bestParameters) : null;
      this.reductions = resumed.reductions;
      this.ending = resumed.stopReason;
    }
  }

  /** Whether the run this one resumes had already ended (it then ends at once, as the original did). */
  resumeEnded(): boolean {
    if (this.ending === undefined) return false;
    if (this.ending === 'earlyStopping' && this.bestParameters) this.model.setParameters(this.bestParameters);
    this.stop(this.ending);
    return true;
  }

  /** The state a checkpoint saves: where this run is; undefined in the middle of an epoch, where none would be exact. */
  state(): FitStateJSON | undefined {
    if (this.midEpoch) return undefined;
    const state: FitStateJSON = { epoch: this.epoch, waited: this.waited, reductions: this.reductions, initialLearningRate: this.initialLearningRate };
    if (this.order) state.order = Array.from(this.order());
    if (this.best !== Infinity) state.best = this.best;
    if (this.bestParameters) state.bestParameters = Array.from(this.bestParameters);
    if (this.ending !== undefined) state.stopReason = this.ending;
    return state;
  }

  /** Records one finished epoch (epochs are recorded in order); returns false when training should stop. */
  epochDone(epoch: number, loss: number, accuracy: number): boolean {
    const validation = this.validate?.();
    this.log.add(loss, accuracy, validation);
    this.epoch = epoch + 1;
    this.midEpoch = false;
    // Decided before onEpoch, so that a checkpoint taken there holds this epoch's early-stopping state.
    if (loss < this.p.threshold) this.ending = 'errorThreshold';
    else if (this.p.earlyStopping) {
      const metric = validation ? validation.loss : loss;
      if (metric < this.best - this.p.minDelta) {
        this.best = metric;
        this.waited = 0;
        this.bestParameters = this.model.getParameters();
      } else if (++this.waited >= this.p.patience) this.ending = 'earlyStopping';
    }
    const go = !this.p.onEpoch || this.p.onEpoch(epochStats(epoch, loss, accuracy, validation?.loss, validation?.accuracy)) !== false;
    // The callback may have disposed the network: no kernel may run on freed memory.
    this.model.checkLive();
    if (!go) return this.stop('callback');
    return !this.resumeEnded();
  }

  /**
   * Starts an epoch: throws AbortError if the run was aborted; under 'reduceLearningRate', saves the training state:
   * a retry restarts from it, since the steps before a non-finite one have usually already blown the weights up
   * (finite, but huge).
   */
  epochStart(): void {
    this.checkAbort();
    this.midEpoch = true;
    if (this.p.onDivergence === 'reduceLearningRate') this.epochState = this.model.trainingState();
  }

  /** Applies the divergence policy to a step that was not applied; returns false to stop, true to retry the epoch. */
  diverged(epoch: number, batch: number): boolean {
    const where = `at epoch ${epoch}, batch ${batch}`;
    if (this.p.onDivergence === 'stop') return this.stop('divergence');
    if (this.p.onDivergence === 'reduceLearningRate') {
      if (this.reductions < MAX_REDUCTIONS) {
        this.reductions++;
        const rate = this.model.learningRate / 2;
        if (this.epochState) this.model.restoreTrainingState(this.epochState);
        this.model.learningRate = rate;
        this.midEpoch = false;
        return true;
      }
      // Giving up: the model keeps the rate it was trained with, not the last of the halvings.
      this.model.learningRate = this.initialLearningRate;
    }
    throw new DivergenceError(`training diverged ${where}: the loss or a gradient is not finite; the weights are those of the last finite step (learning rate ${this.model.learningRate})`, epoch, batch);
  }

  /**
   * Records a run of epochs from one kernel call that need no per-epoch work (no validation, callback or
   * early stopping): [loss, accuracy] pairs. Returns false when training should stop.
   */
  epochsDone(stats: Float64Array): boolean {
    this.log.addPairs(stats);
    this.epoch += stats.length / 2;
    this.midEpoch = false;
    // The kernel stops after the first epoch below the threshold, so only the last can be.
    if (stats.length > 0 && stats[stats.length - 2]! < this.p.threshold) this.ending = 'errorThreshold';
    return this.ending === undefined || this.stop(this.ending);
  }

  private stop(reason: FitHistory['stopReason']): false {
    this.stopReason = reason;
    return false;
  }

  /** The history; with early stopping, training that ran out of epochs after its best one also ends on the best weights. */
  result(): FitHistory {
    if (this.p.earlyStopping && this.stopReason === 'epochs' && this.waited > 0 && this.bestParameters) {
      this.model.setParameters(this.bestParameters);
    }
    return this.log.history(this.stopReason);
  }

  /** Throws AbortError once the run's signal is aborted. */
  checkAbort(): void {
    if (this.p.signal?.aborted) throw new AbortError('training was aborted; the model holds the last completed step', 'options.signal');
  }
}

/** The run `model` resumes: the saved fit state when `initialEpoch` (default: its epoch) matches it. */
function resumeState(model: RunModel, initialEpoch: number | undefined): FitStateJSON | undefined {
  const saved = model.savedFit;
  if (initialEpoch === undefined) return model.resumeByDefault ? saved : undefined;
  if (saved?.epoch === initialEpoch) return saved;
  return initialEpoch === 0 ? undefined : { epoch: initialEpoch, waited: 0, reductions: 0, initialLearningRate: model.learningRate };
}

/**
 * Starts a run and makes it the one checkpoints save: picks up the saved state, puts back the saved visiting order
 * (of `count` in-memory items, named by `noun`; refused for another count).
 */
export function startRun(model: RunModel, p: RunPlan, order: (() => Int32Array) | null, count: number, noun: string,
  validate: (() => { loss: number; accuracy: number }) | undefined): Run {
  const resumed = resumeState(model, p.initialEpoch);
  if (resumed?.order && order) {
    if (resumed.order.length !== count) throw new StateError(`the checkpoint was saved while training on ${resumed.order.length} ${noun}, not ${count}: resume with the same data and options`, 'data');
    order().set(resumed.order);
  }
  const run = new Run(model, p, order, resumed, validate);
  model.resumeByDefault = false;
  model.currentRun = run;
  return run;
}

const nextTick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Yields to the event loop when the current slice has run SLICE_MS; checks for abort after. */
export class Slicer {
  private sliceStart = Date.now();
  /** @param afterYield a check to run once the event loop hands back, before the abort check */
  constructor(private readonly afterYield?: () => void) {}

  /** Yields if this slice has run long enough; throws AbortError if the run was aborted meanwhile. */
  async maybeYield(run: Run): Promise<void> {
    if (Date.now() - this.sliceStart < SLICE_MS) return;
    await nextTick();
    this.sliceStart = Date.now();
    this.afterYield?.();
    run.checkAbort();
  }
}

/** A model whose checkpoints carry its training state. */
export interface CheckpointedModel extends RunModel {
  /** The stream that shuffles. */
  readonly random: Random;
}

/** A checkpoint's `training` field: `optimizer`'s state, the shuffling stream's, and the fit's (refused in the middle of an epoch). */
export function trainingToJSON(model: CheckpointedModel, optimizer: OptimizerState): TrainingJSON {
  const fit = model.currentRun ? model.currentRun.state() : model.savedFit;
  if (model.currentRun && fit === undefined) {
    throw new StateError('a checkpoint is exact only between epochs: save it from onEpoch, or after fit', 'options.training');
  }
  return {
    moment1: Array.from(optimizer.moment1),
    moment2: Array.from(optimizer.moment2),
    beta1Power: optimizer.beta1Power,
    beta2Power: optimizer.beta2Power,
    random: model.random.seed,
    ...(fit ? { fit } : {}),
  };
}

/** Puts back a checkpoint's shuffling stream and fit state (the optimizer's is the model's to restore); the next fit resumes it. */
export function trainingFromJSON(model: CheckpointedModel, training: TrainingJSON): void {
  model.random.restore(training.random);
  model.savedFit = training.fit;
  model.resumeByDefault = training.fit !== undefined;
}
