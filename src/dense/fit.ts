// fit and fitAsync: epochs, batches, shuffling, validation, early stopping, divergence, abort and resuming.
import { decide, heldBack, type Run, type RunPlan, type RunSettings, runSettings, Slicer, startRun } from '../fit-run.js';
import { integer, options as checkOptions } from '../validate.js';
import { type Rows, sliceRows, toRows } from './data.js';
import type { DenseModel } from './model.js';
import { measure, scaleRows } from './scaling.js';
import { checkTargets } from './targets.js';
import type { DenseData, FitHistory, FitOptions } from './types.js';

const FIT_OPTIONS = ['epochs', 'initialEpoch', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'earlyStopping',
  'errorThreshold', 'onEpoch', 'onDivergence', 'signal', 'shuffleBuffer'] as const;
/** Without `epochs`: data of at least this many rows holds a fifth back to stop early on. */
export const AUTO_VALIDATION_ROWS = 50;
/** Without `epochs`: at least this many steps (or AUTO_MIN_EPOCHS epochs), unless early stopping ends sooner. */
const AUTO_STEPS = 10_000;
/** …and the epochs of a stream re-read by a factory, whose length is unknown. */
export const AUTO_MIN_EPOCHS = 100;
const DEFAULT_BATCH_SIZE = 32;

/** What a fit does, options checked and defaults resolved. */
export interface Plan extends RunPlan {
  train: Rows;
  validation: Rows | undefined;
  shuffleBuffer: number;
}

/** The options of fit and fitAsync, checked; `epochs` and `earlyStopping` are undefined when left to the data. */
export type Settings = RunSettings & {
  validationData: DenseData | undefined;
  shuffleBuffer: number;
};

/** Checks fit's options (not the data). */
export function settings(value: FitOptions): Settings {
  const o = checkOptions(value, 'options', FIT_OPTIONS);
  return {
    ...runSettings(o, DEFAULT_BATCH_SIZE),
    validationData: o.validationData,
    shuffleBuffer: o.shuffleBuffer === undefined ? 1024 : integer(o.shuffleBuffer, 'options.shuffleBuffer', 0),
  };
}

/** Checked rows of `data` for the network's loss, as the network trains on them (standardized when it has figures). */
export function trainingRows(model: DenseModel, data: DenseData, argument: string): Rows {
  const rows = toRows(data, model.inputSize, model.outputSize, argument);
  checkTargets(model.loss, rows.targets, model.outputSize, Array.isArray(data) ? (r) => `${argument}[${r}].output` : `${argument}.targets`);
  return rows;
}

function plan(model: DenseModel, data: DenseData, value: FitOptions): Plan {
  const s = settings(value);
  const all = trainingRows(model, data, 'data');
  let train = all;
  let validation: Rows | undefined;
  const held = heldBack(s, s.validationData !== undefined, all.rows, AUTO_VALIDATION_ROWS, 'rows');
  if (held !== undefined) {
    train = sliceRows(all, 0, all.rows - held);
    validation = sliceRows(all, all.rows - held, all.rows);
  } else if (s.validationData !== undefined) {
    validation = trainingRows(model, s.validationData, 'options.validationData');
  }
  // null is a decision (no figures, e.g. a loaded model without them), not a missing one: only undefined measures.
  if (model.scaling === undefined) model.scaling = measure(train, { inputs: model.inputSize, targets: model.outputSize }, model.standardization);
  // A batch larger than the data is the whole data: same steps, without reserving room for rows that do not exist.
  const batchSize = Math.min(s.batchSize, train.rows);
  return {
    ...decide(s, train.rows, batchSize, validation !== undefined, AUTO_STEPS, AUTO_MIN_EPOCHS),
    train: scaleRows(train, model.scaling),
    validation: validation && scaleRows(validation, model.scaling),
  };
}

/** Starts a run on `model`, validating on the plan's validation rows (see startRun). */
export function start(model: DenseModel, p: Plan, order: (() => Int32Array) | null): Run {
  const validation = p.validation;
  return startRun(model, p, order, p.train.rows, 'rows', validation && (() => model.evaluateRows(validation)));
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
