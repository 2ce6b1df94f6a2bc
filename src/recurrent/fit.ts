// fit and fitAsync of RecurrentNetwork: epochs, batches, shuffling, validation, early stopping, divergence, abort and resuming.
import type { FitStateJSON } from '../dense/types.js';
import { AbortError, DivergenceError, OutOfRangeError, StateError } from '../errors.js';
import { checkSharedFitOptions } from '../fit-options.js';
import { finite, integer, oneOf, options as checkOptions } from '../validate.js';
import { type Sequences, sliceSequences } from './data.js';
import type { RecurrentNetwork } from './network.js';
import type { EpochStats, FitHistory, RecurrentData, RecurrentFitOptions } from './types.js';

const FIT_OPTIONS = ['epochs', 'initialEpoch', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'earlyStopping', 'errorThreshold', 'onEpoch',
  'onDivergence', 'signal', 'bpttWindow'] as const;
/** Sequences per optimizer step unless `batchSize` says otherwise. */
const DEFAULT_BATCH_SIZE = 8;
/** Without `epochs`: at least this many steps (or AUTO_MIN_EPOCHS epochs), unless early stopping ends sooner. */
const AUTO_STEPS = 3000;
const AUTO_MIN_EPOCHS = 100;
/** Without `epochs`: data of at least this many sequences holds a fifth back to stop early on. */
const AUTO_VALIDATION_SEQUENCES = 50;
const AUTO_VALIDATION_SPLIT = 0.2;
const DEFAULT_PATIENCE = 20;
// Halvings of the learning rate that 'reduceLearningRate' tries before giving up (as DenseNetwork's fit).
const MAX_REDUCTIONS = 10;
// fitAsync hands the event loop back at least this often (ms).
const SLICE_MS = 12;

interface Plan {
  train: Sequences;
  validation: Sequences | undefined;
  epochs: number;
  initialEpoch: number | undefined;
  batchSize: number;
  shuffle: boolean;
  threshold: number;
  earlyStopping: boolean;
  patience: number;
  minDelta: number;
  window: number;
  onEpoch: RecurrentFitOptions['onEpoch'];
  onDivergence: NonNullable<RecurrentFitOptions['onDivergence']>;
  signal: AbortSignal | undefined;
}

/** Checks fit's options and data; measures the standardization figures on the first fit. */
function plan(net: RecurrentNetwork, data: RecurrentData, value: RecurrentFitOptions): Plan {
  const o = checkOptions(value, 'options', FIT_OPTIONS);
  const { split, stopping, minDelta } = checkSharedFitOptions(o);
  const epochs = o.epochs === undefined ? undefined : integer(o.epochs, 'options.epochs', 1);
  const initialEpoch = o.initialEpoch === undefined ? undefined : integer(o.initialEpoch, 'options.initialEpoch', 0);
  const batchSize = o.batchSize === undefined ? DEFAULT_BATCH_SIZE : integer(o.batchSize, 'options.batchSize', 1);
  const window = o.bpttWindow === undefined ? 0 : integer(o.bpttWindow, 'options.bpttWindow', 0);
  const settings = {
    shuffle: o.shuffle ?? true,
    threshold: o.errorThreshold === undefined ? -Infinity : finite(o.errorThreshold, 'options.errorThreshold'),
    patience: stopping?.patience === undefined ? DEFAULT_PATIENCE : integer(stopping.patience, 'options.earlyStopping.patience', 1),
    minDelta,
    window,
    initialEpoch,
    onEpoch: o.onEpoch,
    onDivergence: o.onDivergence === undefined ? 'throw' as const : oneOf(o.onDivergence, 'options.onDivergence', ['throw', 'stop', 'reduceLearningRate'] as const),
    signal: o.signal,
  };
  const all = net.sequencesOf(data, 'data');
  net.checkLive();
  let train = all;
  let validation: Sequences | undefined;
  const share = split ?? (epochs === undefined && o.validationData === undefined && all.count >= AUTO_VALIDATION_SEQUENCES ? AUTO_VALIDATION_SPLIT : undefined);
  if (share !== undefined) {
    // Like Keras: the last sequences, before any shuffling.
    const scaledCount = all.count * share;
    const held = Math.floor(scaledCount + scaledCount * 4 * Number.EPSILON);
    if (held < 1 || held >= all.count) throw new OutOfRangeError(`options.validationSplit ${share} of ${all.count} sequences leaves no training or no validation sequences`, 'options.validationSplit');
    train = sliceSequences(all, 0, all.count - held, net.inputSize, net.outputSize, net.output);
    validation = sliceSequences(all, all.count - held, all.count, net.inputSize, net.outputSize, net.output);
  } else if (o.validationData !== undefined) {
    validation = net.sequencesOf(o.validationData, 'options.validationData');
  }
  net.decideScaling(train);
  const batch = Math.min(batchSize, train.count);
  return {
    ...settings,
    train: net.scaled(train),
    validation: validation && net.scaled(validation),
    batchSize: batch,
    epochs: epochs ?? Math.max(AUTO_MIN_EPOCHS, Math.ceil(AUTO_STEPS / Math.ceil(train.count / batch))),
    earlyStopping: o.earlyStopping === false ? false : stopping !== undefined || (epochs === undefined && validation !== undefined),
  };
}

/**
 * One fit: its epochs as a generator that yields after every batch, so fit and fitAsync share every step; and the
 * state a checkpoint saves between epochs (epoch, visiting order, early stopping, learning-rate halvings).
 */
class Training {
  private readonly order: Int32Array;
  private readonly records: EpochStats[] = [];
  private best = Infinity;
  private bestParameters: Float64Array | null = null;
  private waited = 0;
  private reductions = 0;
  private readonly initialLearningRate: number;
  private epochState: Float64Array | null = null;
  // Between the start of an epoch and its end, where no checkpoint is exact.
  private midEpoch = false;
  /** Epochs completed, counting from 0 (a resumed run starts at its initial epoch). */
  private epoch: number;
  /** Set when the last completed epoch ended the run. */
  private ending: FitHistory['stopReason'] | undefined;
  stopReason: FitHistory['stopReason'] = 'epochs';

  /** @param resumed the saved state of the run this one continues, if any */
  constructor(private readonly net: RecurrentNetwork, private readonly p: Plan, resumed: FitStateJSON | undefined) {
    this.order = new Int32Array(p.train.count);
    if (resumed?.order) {
      if (resumed.order.length !== p.train.count) {
        throw new StateError(`the checkpoint was saved while training on ${resumed.order.length} sequences, not ${p.train.count}: resume with the same data and options`, 'data');
      }
      this.order.set(resumed.order);
    } else {
      for (let s = 0; s < p.train.count; s++) this.order[s] = s;
    }
    this.epoch = resumed?.epoch ?? 0;
    this.initialLearningRate = resumed?.initialLearningRate ?? net.learningRate;
    if (resumed) {
      this.best = resumed.best ?? Infinity;
      this.waited = resumed.waited;
      this.bestParameters = resumed.bestParameters ? Float64Array.from(resumed.bestParameters) : null;
      this.reductions = resumed.reductions;
      this.ending = resumed.stopReason;
    }
  }

  /** Runs every epoch, yielding after each batch; returns when training ends. */
  *run(): Generator<void, void, void> {
    const { net, p, order } = this;
    const rows = p.train.count;
    if (this.resumeEnded()) return;
    while (this.epoch < p.epochs) {
      this.checkAbort();
      this.epochStart();
      if (p.shuffle) net.random.shuffle(order, 0, rows);
      let total = 0;
      let correct = 0;
      let weight = 0;
      let failed = -1;
      for (let start = 0, batch = 0; start < rows; start += p.batchSize, batch++) {
        const count = Math.min(p.batchSize, rows - start);
        const steps = net.stage(p.train, order, start, count);
        const loss = net.trainStaged(count, steps, p.window);
        if (net.diverged()) {
          failed = batch;
          break;
        }
        const w = net.weight(p.train, order, start, count);
        total += loss * w;
        correct += net.lastCorrect();
        weight += w;
        yield;
      }
      if (failed >= 0) {
        if (!this.diverged(failed)) return;
        continue;
      }
      if (!this.epochDone(total / weight, correct / weight)) return;
    }
  }

  /** The state a checkpoint saves: where this run is; undefined in the middle of an epoch, where none would be exact. */
  state(): FitStateJSON | undefined {
    if (this.midEpoch) return undefined;
    const state: FitStateJSON = {
      epoch: this.epoch, order: Array.from(this.order), waited: this.waited, reductions: this.reductions, initialLearningRate: this.initialLearningRate,
    };
    if (this.best !== Infinity) state.best = this.best;
    if (this.bestParameters) state.bestParameters = Array.from(this.bestParameters);
    if (this.ending !== undefined) state.stopReason = this.ending;
    return state;
  }

  /** Whether the run this one resumes (or the epoch just done) ended it; early stopping then puts the best weights back. */
  private resumeEnded(): boolean {
    if (this.ending === undefined) return false;
    if (this.ending === 'earlyStopping' && this.bestParameters) this.net.setParameters(this.bestParameters);
    this.stopReason = this.ending;
    return true;
  }

  /**
   * Under 'reduceLearningRate', saves the training state at the start of an epoch: a retry restarts from it,
   * since the steps before a non-finite one have usually already blown the weights up (finite, but huge).
   */
  private epochStart(): void {
    this.midEpoch = true;
    if (this.p.onDivergence === 'reduceLearningRate') this.epochState = this.net.trainingState();
  }

  /** Applies the divergence policy to a step that was not applied; returns false to stop, true to retry the epoch. */
  private diverged(batch: number): boolean {
    const { net, p, epoch } = this;
    if (p.onDivergence === 'stop') {
      this.stopReason = 'divergence';
      return false;
    }
    if (p.onDivergence === 'reduceLearningRate') {
      if (this.reductions < MAX_REDUCTIONS) {
        this.reductions++;
        const rate = net.learningRate / 2;
        if (this.epochState) net.restoreTrainingState(this.epochState);
        net.learningRate = rate;
        this.midEpoch = false;
        return true;
      }
      // Giving up: the network keeps the rate it was trained with, not the last of the halvings.
      net.learningRate = this.initialLearningRate;
    }
    throw new DivergenceError(`training diverged at epoch ${epoch}, batch ${batch}: the loss or a gradient is not finite; the weights are those of the last finite step (learning rate ${net.learningRate})`, epoch, batch);
  }

  /** Records a finished epoch; returns false when training should stop. */
  private epochDone(loss: number, accuracy: number): boolean {
    const { net, p } = this;
    const stats: EpochStats = { epoch: this.epoch, loss, accuracy };
    const validation = p.validation && net.evaluateSequences(p.validation);
    if (validation) {
      stats.valLoss = validation.loss;
      stats.valAccuracy = validation.accuracy;
    }
    this.records.push(stats);
    this.epoch++;
    this.midEpoch = false;
    // Decided before onEpoch, so that a checkpoint taken there holds this epoch's early-stopping state.
    if (loss < p.threshold) this.ending = 'errorThreshold';
    else if (p.earlyStopping) {
      const metric = validation ? validation.loss : loss;
      if (metric < this.best - p.minDelta) {
        this.best = metric;
        this.waited = 0;
        this.bestParameters = net.getParameters();
      } else if (++this.waited >= p.patience) this.ending = 'earlyStopping';
    }
    const go = !p.onEpoch || p.onEpoch({ ...stats }) !== false;
    // The callback may have disposed the network: no kernel may run on freed memory.
    net.checkLive();
    if (!go) {
      this.stopReason = 'callback';
      return false;
    }
    return !this.resumeEnded();
  }

  checkAbort(): void {
    if (this.p.signal?.aborted) throw new AbortError('training was aborted; the model holds the last completed step', 'options.signal');
  }

  /** The history; with early stopping, training that ran out of epochs after its best one also ends on the best weights. */
  result(): FitHistory {
    if (this.p.earlyStopping && this.stopReason === 'epochs' && this.waited > 0 && this.bestParameters) this.net.setParameters(this.bestParameters);
    return { epochs: this.records, stopReason: this.stopReason };
  }
}

/** The run `net` resumes: the saved fit state when `initialEpoch` (default: its epoch) matches it. */
function resumeState(net: RecurrentNetwork, initialEpoch: number | undefined): FitStateJSON | undefined {
  const saved = net.savedFit;
  if (initialEpoch === undefined) return net.resumeByDefault ? saved : undefined;
  if (saved?.epoch === initialEpoch) return saved;
  return initialEpoch === 0 ? undefined : { epoch: initialEpoch, waited: 0, reductions: 0, initialLearningRate: net.learningRate };
}

/** Starts a run: picks up the saved state (refused on other data), and makes it the one checkpoints save. */
function start(net: RecurrentNetwork, p: Plan): Training {
  const training = new Training(net, p, resumeState(net, p.initialEpoch));
  net.resumeByDefault = false;
  net.currentRun = training;
  return training;
}

/** See RecurrentNetwork.fit. */
export function fitSequences(net: RecurrentNetwork, data: RecurrentData, options: RecurrentFitOptions): FitHistory {
  const training = start(net, plan(net, data, options));
  for (const _ of training.run());
  return training.result();
}

const nextTick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** See RecurrentNetwork.fitAsync: the same steps, handing the event loop back every SLICE_MS. */
export async function fitSequencesAsync(net: RecurrentNetwork, data: RecurrentData, options: RecurrentFitOptions): Promise<FitHistory> {
  const training = start(net, plan(net, data, options));
  let sliceStart = Date.now();
  for (const _ of training.run()) {
    if (Date.now() - sliceStart < SLICE_MS) continue;
    await nextTick();
    net.checkLive();
    training.checkAbort();
    sliceStart = Date.now();
  }
  return training.result();
}
