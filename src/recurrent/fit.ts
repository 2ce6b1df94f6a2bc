// fit and fitAsync of RecurrentNetwork, driving its RecurrentModel: epochs, batches, shuffling and the BPTT window; the rest is every fit's (fit-run.ts).
import { decide, heldBack, type Run, type RunPlan, runSettings, Slicer, startRun } from '../fit-run.js';
import { integer, options as checkOptions } from '../validate.js';
import { type Sequences, sliceSequences } from './data.js';
import type { RecurrentModel } from './model.js';
import type { FitHistory, RecurrentData, RecurrentFitOptions } from './types.js';

const FIT_OPTIONS = ['epochs', 'initialEpoch', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'earlyStopping', 'errorThreshold', 'onEpoch',
  'onDivergence', 'signal', 'bpttWindow'] as const;
/** Sequences per optimizer step unless `batchSize` says otherwise. */
const DEFAULT_BATCH_SIZE = 8;
/** Without `epochs`: at least this many steps (or AUTO_MIN_EPOCHS epochs), unless early stopping ends sooner. */
const AUTO_STEPS = 3000;
const AUTO_MIN_EPOCHS = 100;
/** Without `epochs`: data of at least this many sequences holds a fifth back to stop early on. */
const AUTO_VALIDATION_SEQUENCES = 50;

interface Plan extends RunPlan {
  train: Sequences;
  validation: Sequences | undefined;
  window: number;
}

/** Checks fit's options and data; measures the standardization figures on the first fit. */
function plan(model: RecurrentModel, data: RecurrentData, value: RecurrentFitOptions): Plan {
  const o = checkOptions(value, 'options', FIT_OPTIONS);
  const s = runSettings(o, DEFAULT_BATCH_SIZE);
  const window = o.bpttWindow === undefined ? 0 : integer(o.bpttWindow, 'options.bpttWindow', 0);
  const all = model.sequencesOf(data, 'data');
  model.checkLive();
  let train = all;
  let validation: Sequences | undefined;
  const held = heldBack(s, o.validationData !== undefined, all.count, AUTO_VALIDATION_SEQUENCES, 'sequences');
  if (held !== undefined) {
    train = sliceSequences(all, 0, all.count - held, model.inputSize, model.outputSize, model.output);
    validation = sliceSequences(all, all.count - held, all.count, model.inputSize, model.outputSize, model.output);
  } else if (o.validationData !== undefined) {
    validation = model.sequencesOf(o.validationData, 'options.validationData');
  }
  model.decideScaling(train);
  const batchSize = Math.min(s.batchSize, train.count);
  return {
    ...decide(s, train.count, batchSize, validation !== undefined, AUTO_STEPS, AUTO_MIN_EPOCHS),
    window,
    train: model.scaled(train),
    validation: validation && model.scaled(validation),
  };
}

/** Starts a run on `model`: its visiting order (put back from a checkpoint), validating on the plan's validation sequences. */
function start(model: RecurrentModel, p: Plan): { run: Run; order: Int32Array } {
  const order = new Int32Array(p.train.count);
  for (let s = 0; s < p.train.count; s++) order[s] = s;
  const validation = p.validation;
  const run = startRun(model, p, () => order, p.train.count, 'sequences', validation && (() => model.evaluateSequences(validation)));
  return { run, order };
}

/** Runs every epoch, yielding after each batch, so fit and fitAsync share every step; returns when training ends. */
function* epochs(model: RecurrentModel, p: Plan, run: Run, order: Int32Array): Generator<void, void, void> {
  const rows = p.train.count;
  if (run.resumeEnded()) return;
  while (run.epoch < p.epochs) {
    run.epochStart();
    if (p.shuffle) model.random.shuffle(order, 0, rows);
    let total = 0;
    let correct = 0;
    let weight = 0;
    let failed = -1;
    for (let start = 0, batch = 0; start < rows; start += p.batchSize, batch++) {
      const count = Math.min(p.batchSize, rows - start);
      const steps = model.stage(p.train, order, start, count);
      const loss = model.trainStaged(count, steps, p.window);
      if (model.diverged()) {
        failed = batch;
        break;
      }
      const w = model.weight(p.train, order, start, count);
      total += loss * w;
      correct += model.lastCorrect();
      weight += w;
      yield;
    }
    if (failed >= 0) {
      if (!run.diverged(run.epoch, failed)) return;
      continue;
    }
    if (!run.epochDone(run.epoch, total / weight, correct / weight)) return;
  }
}

/** See RecurrentNetwork.fit. */
export function fitSequences(model: RecurrentModel, data: RecurrentData, options: RecurrentFitOptions): FitHistory {
  const p = plan(model, data, options);
  const { run, order } = start(model, p);
  for (const _ of epochs(model, p, run, order));
  return run.result();
}

/** See RecurrentNetwork.fitAsync: the same steps, handing the event loop back every few ms. */
export async function fitSequencesAsync(model: RecurrentModel, data: RecurrentData, options: RecurrentFitOptions): Promise<FitHistory> {
  const p = plan(model, data, options);
  const { run, order } = start(model, p);
  const slicer = new Slicer(() => model.checkLive());
  for (const _ of epochs(model, p, run, order)) await slicer.maybeYield(run);
  return run.result();
}
