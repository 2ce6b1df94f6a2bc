// fit and fitAsync: epochs, batches, shuffling, validation, early stopping, divergence and abort.
import { AbortError, DivergenceError, InvalidArgumentError, OutOfRangeError } from '../errors.js';
import { finite, integer, oneOf, options as checkOptions } from '../validate.js';
import { type Rows, sliceRows, toRows } from './data.js';
import type { DenseNetwork } from './network.js';
import type { DenseData, EpochStats, FitHistory, FitOptions } from './types.js';

const FIT_OPTIONS = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'earlyStopping',
  'errorThreshold', 'onEpoch', 'onDivergence', 'signal'] as const;
// Halvings of the learning rate that 'reduceLearningRate' tries before giving up.
const MAX_REDUCTIONS = 10;
// fitAsync hands the event loop back at least this often (ms).
const SLICE_MS = 12;

interface Plan {
  train: Rows;
  validation: Rows | undefined;
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  threshold: number;
  patience: number;
  minDelta: number;
  earlyStopping: boolean;
  onEpoch: FitOptions['onEpoch'];
  onDivergence: NonNullable<FitOptions['onDivergence']>;
  signal: AbortSignal | undefined;
}

function plan(net: DenseNetwork, data: DenseData, value: FitOptions): Plan {
  const o = checkOptions(value, 'options', FIT_OPTIONS);
  const all = toRows(data, net.inputSize, net.outputSize);
  if (o.validationSplit !== undefined && o.validationData !== undefined) {
    throw new InvalidArgumentError('options.validationSplit and options.validationData cannot both be given', 'options.validationSplit');
  }
  let train = all;
  let validation: Rows | undefined;
  if (o.validationSplit !== undefined) {
    const split = finite(o.validationSplit, 'options.validationSplit');
    if (split <= 0 || split >= 1) throw new OutOfRangeError(`options.validationSplit must be in (0, 1), got ${split}`, 'options.validationSplit');
    // Like Keras: the last rows, taken before any shuffling.
    // rows × split rounded down, but 100 × 0.29 (= 28.999999999999996 in float64) holds back 29 rows, not 28.
    const scaled = all.rows * split;
    const held = Math.floor(scaled + scaled * 4 * Number.EPSILON);
    if (held < 1 || held >= all.rows) throw new OutOfRangeError(`options.validationSplit ${split} of ${all.rows} rows leaves no training or no validation rows`, 'options.validationSplit');
    train = sliceRows(all, 0, all.rows - held);
    validation = sliceRows(all, all.rows - held, all.rows);
  } else if (o.validationData !== undefined) {
    validation = toRows(o.validationData, net.inputSize, net.outputSize, 'options.validationData');
  }
  const stopping = o.earlyStopping === undefined ? undefined : checkOptions(o.earlyStopping, 'options.earlyStopping', ['patience', 'minDelta']);
  if (o.onEpoch !== undefined && typeof o.onEpoch !== 'function') throw new InvalidArgumentError('options.onEpoch must be a function', 'options.onEpoch');
  if (o.shuffle !== undefined && typeof o.shuffle !== 'boolean') throw new InvalidArgumentError('options.shuffle must be a boolean', 'options.shuffle');
  if (o.signal !== undefined && (o.signal === null || typeof o.signal.aborted !== 'boolean')) throw new InvalidArgumentError('options.signal must be an AbortSignal', 'options.signal');
  const minDelta = stopping?.minDelta === undefined ? 0 : finite(stopping.minDelta, 'options.earlyStopping.minDelta');
  if (minDelta < 0) throw new OutOfRangeError(`options.earlyStopping.minDelta must be >= 0, got ${minDelta}`, 'options.earlyStopping.minDelta');
  return {
    train,
    validation,
    epochs: o.epochs === undefined ? 10 : integer(o.epochs, 'options.epochs', 1),
    // A batch larger than the data is the whole data: same steps, without reserving room for rows that do not exist.
    batchSize: Math.min(o.batchSize === undefined ? 32 : integer(o.batchSize, 'options.batchSize', 1), train.rows),
    shuffle: o.shuffle ?? true,
    threshold: o.errorThreshold === undefined ? -Infinity : finite(o.errorThreshold, 'options.errorThreshold'),
    patience: stopping?.patience === undefined ? 5 : integer(stopping.patience, 'options.earlyStopping.patience', 1),
    minDelta,
    earlyStopping: stopping !== undefined,
    onEpoch: o.onEpoch,
    onDivergence: o.onDivergence === undefined ? 'throw' : oneOf(o.onDivergence, 'options.onDivergence', ['throw', 'stop', 'reduceLearningRate'] as const),
    signal: o.signal,
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
  constructor(validation: boolean) {
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
          all.push(epochStats(e, run[k]!, run[k + 1]!, v?.[2 * e], v?.[2 * e + 1]));
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

/** Bookkeeping shared by fit and fitAsync: history, early stopping, divergence policy. */
class Run {
  private readonly log: EpochLog;
  private best = Infinity;
  private bestParameters: Float64Array | null = null;
  private waited = 0;
  private reductions = 0;
  private epochState: Float64Array | null = null;
  stopReason: FitHistory['stopReason'] = 'epochs';

  constructor(private readonly net: DenseNetwork, private readonly p: Plan) {
    this.log = new EpochLog(p.validation !== undefined);
  }

  /** Records one finished epoch (epochs are recorded in order from 0); returns false when training should stop. */
  epochDone(epoch: number, loss: number, accuracy: number): boolean {
    const validation = this.p.validation && this.net.evaluateRows(this.p.validation);
    this.log.add(loss, accuracy, validation);
    if (this.p.onEpoch && this.p.onEpoch(epochStats(epoch, loss, accuracy, validation?.loss, validation?.accuracy)) === false) {
      return this.stop('callback');
    }
    if (loss < this.p.threshold) return this.stop('errorThreshold');
    if (this.p.earlyStopping) {
      const metric = validation ? validation.loss : loss;
      if (metric < this.best - this.p.minDelta) {
        this.best = metric;
        this.waited = 0;
        this.bestParameters = this.net.getParameters();
      } else if (++this.waited >= this.p.patience) {
        if (this.bestParameters) this.net.setParameters(this.bestParameters);
        return this.stop('earlyStopping');
      }
    }
    return true;
  }

  /**
   * Under 'reduceLearningRate', saves the training state at the start of an epoch: a retry restarts from it,
   * since the steps before a non-finite one have usually already blown the weights up (finite, but huge).
   */
  epochStart(): void {
    if (this.p.onDivergence === 'reduceLearningRate') this.epochState = this.net.trainingState();
  }

  /** Applies the divergence policy to a step that was not applied; returns false to stop, true to retry the epoch. */
  diverged(epoch: number, batch: number): boolean {
    const where = `at epoch ${epoch}, batch ${batch}`;
    if (this.p.onDivergence === 'stop') return this.stop('divergence');
    if (this.p.onDivergence === 'reduceLearningRate' && this.reductions < MAX_REDUCTIONS) {
      this.reductions++;
      const rate = this.net.learningRate / 2;
      if (this.epochState) this.net.restoreTrainingState(this.epochState);
      this.net.learningRate = rate;
      return true;
    }
    throw new DivergenceError(`training diverged ${where}: the loss or a gradient is not finite; the weights are those of the last finite step (learning rate ${this.net.learningRate})`, epoch, batch);
  }

  /**
   * Records a run of epochs from one kernel call that need no per-epoch work (no validation, callback or
   * early stopping): [loss, accuracy] pairs. Returns false when training should stop.
   */
  epochsDone(stats: Float64Array): boolean {
    this.log.addPairs(stats);
    // The kernel stops after the first epoch below the threshold, so only the last can be.
    return !(stats.length > 0 && stats[stats.length - 2]! < this.p.threshold) || this.stop('errorThreshold');
  }

  private stop(reason: FitHistory['stopReason']): false {
    this.stopReason = reason;
    return false;
  }

  result(): FitHistory {
    // With early stopping, training that ran out of epochs after its best one also ends on the best weights.
    if (this.p.earlyStopping && this.stopReason === 'epochs' && this.waited > 0 && this.bestParameters) {
      this.net.setParameters(this.bestParameters);
    }
    return this.log.history(this.stopReason);
  }

  checkAbort(): void {
    if (this.p.signal?.aborted) throw new AbortError('training was aborted; the model holds the last completed step', 'options.signal');
  }
}

/** See DenseNetwork.fit: whole epochs (or runs of epochs) per kernel call. */
export function fitRows(net: DenseNetwork, data: DenseData, options: FitOptions): FitHistory {
  const p = plan(net, data, options);
  const run = new Run(net, p);
  net.stageData(p.train, p.batchSize);
  // With nothing to do between epochs, one kernel call runs many of them.
  const batched = !p.shuffle && !p.validation && !p.onEpoch && !p.earlyStopping && !p.signal && p.onDivergence !== 'reduceLearningRate';
  let epoch = 0;
  while (epoch < p.epochs) {
    run.checkAbort();
    run.epochStart();
    if (p.shuffle) net.random.shuffle(net.stagedOrder(p.train.rows), 0, p.train.rows);
    const { stats, failed } = net.trainEpochs(p.train.rows, p.batchSize, batched ? p.epochs - epoch : 1, p.threshold);
    let go = true;
    if (batched) {
      go = run.epochsDone(stats);
      epoch += stats.length / 2;
    } else if (stats.length > 0) {
      // One epoch per call; its figures are read before validation can grow wasm memory under the view.
      go = run.epochDone(epoch++, stats[0]!, stats[1]!);
    }
    if (!go) break;
    if (failed && !run.diverged(epoch, failed.batch)) break;
  }
  return run.result();
}

const nextTick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** See DenseNetwork.fitAsync: one kernel call per batch, yielding to the event loop every few ms. */
export async function fitRowsAsync(net: DenseNetwork, data: DenseData, options: FitOptions): Promise<FitHistory> {
  const p = plan(net, data, options);
  const run = new Run(net, p);
  const rows = p.train.rows;
  const order = new Int32Array(rows);
  for (let r = 0; r < rows; r++) order[r] = r;
  let sliceStart = Date.now();
  let epoch = 0;
  while (epoch < p.epochs) {
    run.checkAbort();
    run.epochStart();
    if (p.shuffle) net.random.shuffle(order, 0, rows);
    let total = 0.0;
    let correct = 0.0;
    let failedBatch = -1;
    for (let start = 0, batch = 0; start < rows; start += p.batchSize, batch++) {
      if (Date.now() - sliceStart >= SLICE_MS) {
        await nextTick();
        sliceStart = Date.now();
        run.checkAbort();
      }
      const count = Math.min(p.batchSize, rows - start);
      net.stageRows(p.train, order, start, count);
      const loss = net.stepStaged(count);
      if (net.diverged()) {
        failedBatch = batch;
        break;
      }
      // Same sums as the epoch kernel, so fit and fitAsync give identical histories.
      total += loss * count;
      correct += net.lastCorrect();
    }
    if (failedBatch >= 0) {
      if (!run.diverged(epoch, failedBatch)) break;
      continue;
    }
    if (!run.epochDone(epoch++, total / rows, correct / rows)) break;
  }
  return run.result();
}
