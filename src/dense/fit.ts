// fit and fitAsync: epochs, batches, shuffling, validation, early stopping, divergence, abort and resuming.
import { AbortError, DivergenceError, OutOfRangeError, StateError } from '../errors.js';
import { checkSharedFitOptions } from '../fit-options.js';
import { finite, integer, oneOf, options as checkOptions } from '../validate.js';
import { type Rows, sliceRows, toRows } from './data.js';
import type { DenseModel } from './model.js';
import { measure, scaleRows } from './scaling.js';
import { checkTargets } from './targets.js';
import type { DenseData, EpochStats, FitHistory, FitOptions, FitStateJSON } from './types.js';

const FIT_OPTIONS = ['epochs', 'initialEpoch', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'earlyStopping',
  'errorThreshold', 'onEpoch', 'onDivergence', 'signal', 'shuffleBuffer'] as const;
/** Without `epochs`: data of at least this many rows holds a fifth back to stop early on. */
export const AUTO_VALIDATION_ROWS = 50;
const AUTO_VALIDATION_SPLIT = 0.2;
/** Without `epochs`: at least this many steps (or AUTO_MIN_EPOCHS epochs), unless early stopping ends sooner. */
const AUTO_STEPS = 10_000;
/** …and the epochs of a stream re-read by a factory, whose length is unknown. */
export const AUTO_MIN_EPOCHS = 100;
/** Early stopping's default patience, in epochs. */
const DEFAULT_PATIENCE = 20;
const DEFAULT_BATCH_SIZE = 32;
// Halvings of the learning rate that 'reduceLearningRate' tries before giving up.
const MAX_REDUCTIONS = 10;
// fitAsync hands the event loop back at least this often (ms).
const SLICE_MS = 12;

/** What a fit does, options checked and defaults resolved. */
export interface Plan {
  train: Rows;
  validation: Rows | undefined;
  epochs: number;
  initialEpoch: number | undefined;
  batchSize: number;
  shuffle: boolean;
  threshold: number;
  patience: number;
  minDelta: number;
  earlyStopping: boolean;
  onEpoch: FitOptions['onEpoch'];
  onDivergence: NonNullable<FitOptions['onDivergence']>;
  signal: AbortSignal | undefined;
  shuffleBuffer: number;
}

/** The options of fit and fitAsync, checked; `epochs` and `earlyStopping` are undefined when left to the data. */
export type Settings = Omit<Plan, 'train' | 'validation' | 'epochs' | 'earlyStopping'> & {
  epochs: number | undefined;
  earlyStopping: boolean | undefined;
  validationSplit: number | undefined;
  validationData: DenseData | undefined;
};

/** Checks fit's options (not the data). */
export function settings(value: FitOptions): Settings {
  const o = checkOptions(value, 'options', FIT_OPTIONS);
  const { split, stopping, minDelta } = checkSharedFitOptions(o);
  return {
    epochs: o.epochs === undefined ? undefined : integer(o.epochs, 'options.epochs', 1),
    initialEpoch: o.initialEpoch === undefined ? undefined : integer(o.initialEpoch, 'options.initialEpoch', 0),
    batchSize: o.batchSize === undefined ? DEFAULT_BATCH_SIZE : integer(o.batchSize, 'options.batchSize', 1),
    shuffle: o.shuffle ?? true,
    threshold: o.errorThreshold === undefined ? -Infinity : finite(o.errorThreshold, 'options.errorThreshold'),
    patience: stopping?.patience === undefined ? DEFAULT_PATIENCE : integer(stopping.patience, 'options.earlyStopping.patience', 1),
    minDelta,
    earlyStopping: o.earlyStopping === false ? false : stopping === undefined ? undefined : true,
    validationSplit: split,
    validationData: o.validationData,
    onEpoch: o.onEpoch,
    onDivergence: o.onDivergence === undefined ? 'throw' : oneOf(o.onDivergence, 'options.onDivergence', ['throw', 'stop', 'reduceLearningRate'] as const),
    signal: o.signal,
    shuffleBuffer: o.shuffleBuffer === undefined ? 1024 : integer(o.shuffleBuffer, 'options.shuffleBuffer', 0),
  };
}

/** Checked rows of `data` for the network's loss, as the network trains on them (standardized when it has figures). */
export function trainingRows(model: DenseModel, data: DenseData, argument: string): Rows {
  const rows = toRows(data, model.inputSize, model.outputSize, argument);
  checkTargets(model.loss, rows.targets, model.outputSize, Array.isArray(data) ? (r) => `${argument}[${r}].output` : `${argument}.targets`);
  return rows;
}

/** Without `epochs`: enough for AUTO_STEPS steps of `batchSize` over `rows`, at least AUTO_MIN_EPOCHS. */
function automaticEpochs(rows: number, batchSize: number): number {
  return Math.max(AUTO_MIN_EPOCHS, Math.ceil(AUTO_STEPS / Math.ceil(rows / batchSize)));
}

function plan(model: DenseModel, data: DenseData, value: FitOptions): Plan {
  const s = settings(value);
  const all = trainingRows(model, data, 'data');
  let train = all;
  let validation: Rows | undefined;
  const split = s.validationSplit ?? (s.epochs === undefined && s.validationData === undefined && all.rows >= AUTO_VALIDATION_ROWS ? AUTO_VALIDATION_SPLIT : undefined);
  if (split !== undefined) {
    // Like Keras: the last rows, taken before any shuffling.
    // rows × split rounded down, but 100 × 0.29 (= 28.999999999999996 in float64) holds back 29 rows, not 28.
    const scaled = all.rows * split;
    const held = Math.floor(scaled + scaled * 4 * Number.EPSILON);
    if (held < 1 || held >= all.rows) throw new OutOfRangeError(`options.validationSplit ${split} of ${all.rows} rows leaves no training or no validation rows`, 'options.validationSplit');
    train = sliceRows(all, 0, all.rows - held);
    validation = sliceRows(all, all.rows - held, all.rows);
  } else if (s.validationData !== undefined) {
    validation = trainingRows(model, s.validationData, 'options.validationData');
  }
  // null is a decision (no figures, e.g. a loaded model without them), not a missing one: only undefined measures.
  if (model.scaling === undefined) model.scaling = measure(train, model.standardization);
  // A batch larger than the data is the whole data: same steps, without reserving room for rows that do not exist.
  const batchSize = Math.min(s.batchSize, train.rows);
  return {
    ...s,
    train: scaleRows(train, model.scaling),
    validation: validation && scaleRows(validation, model.scaling),
    batchSize,
    epochs: s.epochs ?? automaticEpochs(train.rows, batchSize),
    earlyStopping: s.earlyStopping ?? (s.epochs === undefined && validation !== undefined),
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

/** Bookkeeping shared by fit and fitAsync: history, early stopping, divergence policy, and the state checkpoints save. */
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
   */
  constructor(private readonly model: DenseModel, private readonly p: Plan, private readonly order: (() => Int32Array) | null, resumed: FitStateJSON | undefined) {
    this.epoch = resumed?.epoch ?? 0;
    this.log = new EpochLog(p.validation !== undefined, this.epoch);
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
    const validation = this.p.validation && this.model.evaluateRows(this.p.validation);
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
   * Under 'reduceLearningRate', saves the training state at the start of an epoch: a retry restarts from it,
   * since the steps before a non-finite one have usually already blown the weights up (finite, but huge).
   */
  epochStart(): void {
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

  result(): FitHistory {
    // With early stopping, training that ran out of epochs after its best one also ends on the best weights.
    if (this.p.earlyStopping && this.stopReason === 'epochs' && this.waited > 0 && this.bestParameters) {
      this.model.setParameters(this.bestParameters);
    }
    return this.log.history(this.stopReason);
  }

  checkAbort(): void {
    if (this.p.signal?.aborted) throw new AbortError('training was aborted; the model holds the last completed step', 'options.signal');
  }
}

/**
 * Runs `body` (a fit, or a fitAsync's promise) as the network's only training call until it settles: a training
 * call meanwhile (from onEpoch, or while fitAsync awaits) throws StateError naming `call`.
 */
export function exclusive<T>(model: DenseModel, call: string, body: () => T): T {
  model.beginTraining(call);
  let result: T;
  try {
    result = body();
  } catch (error) {
    model.endTraining();
    throw error;
  }
  if (result instanceof Promise) return result.finally(() => model.endTraining()) as T;
  model.endTraining();
  return result;
}

/** The run `net` resumes: the saved fit state when `initialEpoch` (default: its epoch) matches it. */
function resumeState(model: DenseModel, initialEpoch: number | undefined): FitStateJSON | undefined {
  const saved = model.savedFit;
  if (initialEpoch === undefined) return model.resumeByDefault ? saved : undefined;
  if (saved?.epoch === initialEpoch) return saved;
  return initialEpoch === 0 ? undefined : { epoch: initialEpoch, waited: 0, reductions: 0, initialLearningRate: model.learningRate };
}

/** Starts a run: picks up the saved state, puts back the saved visiting order (of in-memory rows). */
export function start(model: DenseModel, p: Plan, order: (() => Int32Array) | null): Run {
  const resumed = resumeState(model, p.initialEpoch);
  if (resumed?.order && order) {
    if (resumed.order.length !== p.train.rows) throw new StateError(`the checkpoint was saved while training on ${resumed.order.length} rows, not ${p.train.rows}: resume with the same data and options`, 'data');
    order().set(resumed.order);
  }
  const run = new Run(model, p, order, resumed);
  model.resumeByDefault = false;
  model.currentRun = run;
  return run;
}

/** See DenseNetwork.fit: whole epochs (or runs of epochs) per kernel call. */
export function fitRows(model: DenseModel, data: DenseData, options: FitOptions): FitHistory {
  const p = plan(model, data, options);
  model.stageData(p.train, p.batchSize);
  const run = start(model, p, () => model.stagedOrder(p.train.rows));
  if (run.resumeEnded()) return run.result();
  // With nothing to do between epochs, one kernel call runs many of them.
  const batched = !p.shuffle && !p.validation && !p.onEpoch && !p.earlyStopping && !p.signal && p.onDivergence !== 'reduceLearningRate';
  while (run.epoch < p.epochs) {
    run.checkAbort();
    run.epochStart();
    if (p.shuffle) model.random.shuffle(model.stagedOrder(p.train.rows), 0, p.train.rows);
    const { stats, failed } = model.trainEpochs(p.train.rows, p.batchSize, batched ? p.epochs - run.epoch : 1, p.threshold);
    let go = true;
    if (batched) go = run.epochsDone(stats);
    // One epoch per call; its figures are read before validation can grow wasm memory under the view.
    else if (stats.length > 0) go = run.epochDone(run.epoch, stats[0]!, stats[1]!);
    if (!go) break;
    if (failed && !run.diverged(run.epoch, failed.batch)) break;
  }
  return run.result();
}

const nextTick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Yields to the event loop when the current slice has run SLICE_MS; checks for abort after. */
export class Slicer {
  private sliceStart = Date.now();
  /** Yields if this slice has run long enough; throws AbortError if the run was aborted meanwhile. */
  async maybeYield(run: Run): Promise<void> {
    if (Date.now() - this.sliceStart < SLICE_MS) return;
    await nextTick();
    this.sliceStart = Date.now();
    run.checkAbort();
  }
}

/** See DenseNetwork.fitAsync on data in memory: one kernel call per batch, yielding to the event loop every few ms. */
export async function fitRowsAsync(model: DenseModel, data: DenseData, options: FitOptions): Promise<FitHistory> {
  const p = plan(model, data, options);
  const rows = p.train.rows;
  const order = new Int32Array(rows);
  for (let r = 0; r < rows; r++) order[r] = r;
  const run = start(model, p, () => order);
  if (run.resumeEnded()) return run.result();
  const slicer = new Slicer();
  while (run.epoch < p.epochs) {
    run.checkAbort();
    run.epochStart();
    if (p.shuffle) model.random.shuffle(order, 0, rows);
    let total = 0.0;
    let correct = 0.0;
    let failedBatch = -1;
    for (let start = 0, batch = 0; start < rows; start += p.batchSize, batch++) {
      await slicer.maybeYield(run);
      const count = Math.min(p.batchSize, rows - start);
      model.stageRows(p.train, order, start, count);
      const loss = model.stepStaged(count);
      if (model.diverged()) {
        failedBatch = batch;
        break;
      }
      // Same sums as the epoch kernel, so fit and fitAsync give identical histories.
      total += loss * count;
      correct += model.lastCorrect();
    }
    if (failedBatch >= 0) {
      if (!run.diverged(run.epoch, failedBatch)) break;
      continue;
    }
    if (!run.epochDone(run.epoch, total / rows, correct / rows)) break;
  }
  return run.result();
}
