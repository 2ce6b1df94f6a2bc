// fit and fitAsync of RecurrentNetwork: epochs, batches, shuffling, validation, early stopping, divergence and abort.
import { AbortError, DivergenceError, OutOfRangeError } from '../errors.js';
import { checkSharedFitOptions } from '../fit-options.js';
import { finite, integer, oneOf, options as checkOptions } from '../validate.js';
import { type Sequences, sliceSequences } from './data.js';
import type { RecurrentNetwork } from './network.js';
import type { EpochStats, FitHistory, RecurrentData, RecurrentFitOptions } from './types.js';

const FIT_OPTIONS = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'earlyStopping', 'errorThreshold', 'onEpoch',
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
// fitAsync hands the event loop back at least this often (ms).
const SLICE_MS = 12;

interface Plan {
  train: Sequences;
  validation: Sequences | undefined;
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  threshold: number;
  earlyStopping: boolean;
  patience: number;
  minDelta: number;
  window: number;
  onEpoch: RecurrentFitOptions['onEpoch'];
  onDivergence: 'throw' | 'stop';
  signal: AbortSignal | undefined;
}

/** Checks fit's options and data; measures the standardization figures on the first fit. */
function plan(net: RecurrentNetwork, data: RecurrentData, value: RecurrentFitOptions): Plan {
  const o = checkOptions(value, 'options', FIT_OPTIONS);
  const { split, stopping, minDelta } = checkSharedFitOptions(o);
  const epochs = o.epochs === undefined ? undefined : integer(o.epochs, 'options.epochs', 1);
  const batchSize = o.batchSize === undefined ? DEFAULT_BATCH_SIZE : integer(o.batchSize, 'options.batchSize', 1);
  const window = o.bpttWindow === undefined ? 0 : integer(o.bpttWindow, 'options.bpttWindow', 0);
  const settings = {
    shuffle: o.shuffle ?? true,
    threshold: o.errorThreshold === undefined ? -Infinity : finite(o.errorThreshold, 'options.errorThreshold'),
    patience: stopping?.patience === undefined ? DEFAULT_PATIENCE : integer(stopping.patience, 'options.earlyStopping.patience', 1),
    minDelta,
    window,
    onEpoch: o.onEpoch,
    onDivergence: o.onDivergence === undefined ? 'throw' as const : oneOf(o.onDivergence, 'options.onDivergence', ['throw', 'stop'] as const),
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

/** One fit: its epochs as a generator that yields after every batch, so fit and fitAsync share every step. */
class Training {
  private readonly order: Int32Array;
  private readonly records: EpochStats[] = [];
  private best = Infinity;
  private bestParameters: Float64Array | null = null;
  private waited = 0;
  stopReason: FitHistory['stopReason'] = 'epochs';

  constructor(private readonly net: RecurrentNetwork, private readonly p: Plan) {
    this.order = new Int32Array(p.train.count);
    for (let s = 0; s < p.train.count; s++) this.order[s] = s;
  }

  /** Runs every epoch, yielding after each batch; returns when training ends. */
  *run(): Generator<void, void, void> {
    const { net, p, order } = this;
    const rows = p.train.count;
    for (let epoch = 0; epoch < p.epochs; epoch++) {
      this.checkAbort();
      if (p.shuffle) net.random.shuffle(order, 0, rows);
      let total = 0;
      let correct = 0;
      let weight = 0;
      for (let start = 0, batch = 0; start < rows; start += p.batchSize, batch++) {
        const count = Math.min(p.batchSize, rows - start);
        const steps = net.stage(p.train, order, start, count);
        const loss = net.trainStaged(count, steps, p.window);
        if (net.diverged()) {
          if (p.onDivergence === 'stop') {
            this.stopReason = 'divergence';
            return;
          }
          throw new DivergenceError(`training diverged at epoch ${epoch}, batch ${batch}: the loss or a gradient is not finite; the weights are those of the last finite step`, epoch, batch);
        }
        const w = net.weight(p.train, order, start, count);
        total += loss * w;
        correct += net.lastCorrect();
        weight += w;
        yield;
      }
      if (!this.epochDone(epoch, total / weight, correct / weight)) return;
    }
  }

  /** Records a finished epoch; returns false when training should stop. */
  private epochDone(epoch: number, loss: number, accuracy: number): boolean {
    const { net, p } = this;
    const stats: EpochStats = { epoch, loss, accuracy };
    const validation = p.validation && net.evaluateSequences(p.validation);
    if (validation) {
      stats.valLoss = validation.loss;
      stats.valAccuracy = validation.accuracy;
    }
    this.records.push(stats);
    let ending: FitHistory['stopReason'] | undefined;
    if (loss < p.threshold) ending = 'errorThreshold';
    else if (p.earlyStopping) {
      const metric = validation ? validation.loss : loss;
      if (metric < this.best - p.minDelta) {
        this.best = metric;
        this.waited = 0;
        this.bestParameters = net.getParameters();
      } else if (++this.waited >= p.patience) ending = 'earlyStopping';
    }
    const go = !p.onEpoch || p.onEpoch({ ...stats }) !== false;
    // The callback may have disposed the network: no kernel may run on freed memory.
    net.checkLive();
    if (!go) ending = 'callback';
    if (ending === undefined) return true;
    this.stopReason = ending;
    return false;
  }

  checkAbort(): void {
    if (this.p.signal?.aborted) throw new AbortError('training was aborted; the model holds the last completed step', 'options.signal');
  }

  /** The history; with early stopping, the best epoch's weights are put back. */
  result(): FitHistory {
    if (this.p.earlyStopping && this.bestParameters && this.waited > 0 && (this.stopReason === 'earlyStopping' || this.stopReason === 'epochs')) {
      this.net.setParameters(this.bestParameters);
    }
    return { epochs: this.records, stopReason: this.stopReason };
  }
}

/** See RecurrentNetwork.fit. */
export function fitSequences(net: RecurrentNetwork, data: RecurrentData, options: RecurrentFitOptions): FitHistory {
  const training = new Training(net, plan(net, data, options));
  for (const _ of training.run());
  return training.result();
}

const nextTick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** See RecurrentNetwork.fitAsync: the same steps, handing the event loop back every SLICE_MS. */
export async function fitSequencesAsync(net: RecurrentNetwork, data: RecurrentData, options: RecurrentFitOptions): Promise<FitHistory> {
  const training = new Training(net, plan(net, data, options));
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
