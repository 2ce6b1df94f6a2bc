// fitAsync on streams: samples or batches read from an (async) iterable, through a seeded shuffle buffer, so that
// data larger than memory trains with at most `shuffleBuffer` rows held.
import { ConfigurationError, InvalidArgumentError, StateError } from '../errors.js';
import { describe } from '../validate.js';
import type { Rows } from './data.js';
import { type Run, Slicer } from '../fit-run.js';
import { AUTO_MIN_EPOCHS, fitRowsAsync, type Plan, type Settings, settings, start, trainingRows } from './fit.js';
import type { DenseModel } from './model.js';
import { ColumnStats, scaleRows } from './scaling.js';
import type { DenseBatch, DenseData, DenseSample, DenseSource, DenseStream, FitHistory, FitOptions } from './types.js';

type Item = DenseSample | DenseBatch;

function isIterable(value: unknown): value is DenseStream {
  return value !== null && typeof value === 'object' && (Symbol.asyncIterator in value || Symbol.iterator in value);
}

/** See DenseNetwork.fitAsync: data in memory, a stream, or a function returning a fresh stream per epoch. */
export function fitSource(model: DenseModel, source: DenseSource, options: FitOptions): Promise<FitHistory> {
  if (typeof source === 'function') return fitStream(model, source, true, options);
  // An array is data in memory; any other iterable is a stream.
  if (!Array.isArray(source) && isIterable(source)) return fitStream(model, () => source, false, options);
  return fitRowsAsync(model, source as DenseData, options);
}

/** Every row of a stream as checked, copied rows (each item read once), in order. */
async function* rowsOf(model: DenseModel, stream: unknown): AsyncGenerator<Rows> {
  if (!isIterable(stream)) throw new InvalidArgumentError(`data must return an iterable or async iterable of { input, output } or { inputs, targets }, got ${describe(stream)}`, 'data');
  let index = 0;
  for await (const item of stream as AsyncIterable<Item>) {
    const argument = `data item ${index++}`;
    if (item === null || typeof item !== 'object') throw new InvalidArgumentError(`${argument} must be { input, output } or { inputs, targets }, got ${describe(item)}`, argument);
    // Fresh copies (toRows reads each array once): the rows may outlive the item in the shuffle buffer.
    yield trainingRows(model, 'inputs' in item ? item : [item], argument);
  }
}

async function fitStream(model: DenseModel, open: () => DenseStream, reopens: boolean, options: FitOptions): Promise<FitHistory> {
  const s = settings(options);
  if (s.validationSplit !== undefined) throw new ConfigurationError('options.validationSplit needs the data in memory: give a stream options.validationData instead', 'options.validationSplit');
  const epochs = s.epochs ?? (reopens ? AUTO_MIN_EPOCHS : 1);
  if (!reopens && (epochs > 1 || s.onDivergence === 'reduceLearningRate')) {
    throw new ConfigurationError('a stream is read once: pass a function that returns a fresh stream (e.g. () => readRows(file)) to train more than one epoch or to retry one', 'data');
  }
  const validation = s.validationData === undefined ? undefined : trainingRows(model, s.validationData, 'options.validationData');
  // A stream can fail (bad item, failed read, no rows) only once it is read: until a step is applied, a failure
  // leaves the network as it was, its checkpoint state (saved fit, shuffle stream, figures) included.
  const before = { scaling: model.scaling, savedFit: model.savedFit, resumeByDefault: model.resumeByDefault, random: model.random.seed };
  const progress = { steps: 0 };
  try {
    return await trainStream(model, open, reopens, s, epochs, validation, progress);
  } catch (error) {
    if (progress.steps === 0) {
      model.currentRun = undefined;
      model.scaling = before.scaling;
      model.savedFit = before.savedFit;
      model.resumeByDefault = before.resumeByDefault;
      model.random.restore(before.random);
    }
    throw error;
  }
}

async function trainStream(model: DenseModel, open: () => DenseStream, reopens: boolean, s: Settings, epochs: number, validation: Rows | undefined, progress: { steps: number }): Promise<FitHistory> {
  if (model.scaling === undefined) {
    const wanted = model.standardization;
    if ((wanted.inputs || wanted.targets) && !reopens) {
      throw new ConfigurationError('standardizing needs a first pass over the data: pass a function that returns a fresh stream, or options.standardize false when building the network', 'data');
    }
    const inputs = new ColumnStats(model.inputSize);
    const targets = new ColumnStats(model.outputSize);
    if (wanted.inputs || wanted.targets) {
      for await (const rows of rowsOf(model, open())) {
        inputs.add(rows.inputs, rows.rows);
        targets.add(rows.targets, rows.rows);
      }
    }
    model.scaling = !wanted.inputs && !wanted.targets ? null : {
      ...(wanted.inputs ? { inputs: inputs.finish() } : {}),
      ...(wanted.targets ? { targets: targets.finish() } : {}),
    };
  }
  const p: Plan = {
    ...s,
    train: { inputs: new Float64Array(0), targets: new Float64Array(0), rows: 0 },
    validation: validation && scaleRows(validation, model.scaling),
    epochs,
    earlyStopping: s.earlyStopping ?? (s.epochs === undefined && validation !== undefined),
  };
  const run = start(model, p, null);
  if (run.resumeEnded()) return run.result();
  const slicer = new Slicer();
  while (run.epoch < p.epochs) {
    run.epochStart();
    const epoch = await streamEpoch(model, open(), p, run, slicer, progress);
    if (epoch.failedBatch >= 0) {
      if (!run.diverged(run.epoch, epoch.failedBatch)) break;
      continue;
    }
    if (epoch.rows === 0) throw new StateError(`the stream yielded no rows in epoch ${run.epoch}: pass a function that returns a fresh stream for each epoch`, 'data');
    if (!run.epochDone(run.epoch, epoch.total / epoch.rows, epoch.correct / epoch.rows)) break;
  }
  return run.result();
}

/** Makes room for `rows` rows in `to`, keeping the rows it holds. */
function grow(to: Rows, rows: number, nIn: number, nOut: number): void {
  const inputs = new Float64Array(rows * nIn);
  const targets = new Float64Array(rows * nOut);
  inputs.set(to.inputs);
  targets.set(to.targets);
  to.inputs = inputs;
  to.targets = targets;
}

/** One epoch over a stream: rows drawn through the shuffle buffer into batches, one step per batch. */
async function streamEpoch(model: DenseModel, stream: DenseStream, p: Plan, run: Run, slicer: Slicer, progress: { steps: number }) {
  const nIn = model.inputSize;
  const nOut = model.outputSize;
  const capacity = p.shuffle ? p.shuffleBuffer : 0;
  // Both buffers grow as rows arrive, up to their size: a huge batchSize or shuffleBuffer costs only the rows held.
  const pool: Rows = { inputs: new Float64Array(0), targets: new Float64Array(0), rows: 0 };
  const batch: Rows = { inputs: new Float64Array(0), targets: new Float64Array(0), rows: 0 };
  const result = { rows: 0, total: 0.0, correct: 0.0, failedBatch: -1 };
  let batches = 0;
  const step = async (): Promise<boolean> => {
    await slicer.maybeYield(run);
    const count = batch.rows;
    model.stageRows(batch, null, 0, count);
    const loss = model.stepStaged(count);
    batch.rows = 0;
    if (model.diverged()) {
      result.failedBatch = batches;
      return false;
    }
    batches++;
    progress.steps++;
    // Same sums as the epoch kernel, so a stream in order gives fit's history.
    result.total += loss * count;
    result.correct += model.lastCorrect();
    result.rows += count;
    return true;
  };
  const copy = (from: Rows, r: number, to: Rows, at: number): void => {
    if (at * nIn >= to.inputs.length) grow(to, Math.min(to === batch ? p.batchSize : capacity, Math.max(64, 2 * at)), nIn, nOut);
    to.inputs.set(from.inputs.subarray(r * nIn, (r + 1) * nIn), at * nIn);
    to.targets.set(from.targets.subarray(r * nOut, (r + 1) * nOut), at * nOut);
  };
  // Moves a row into the batch, stepping when it is full.
  const emit = async (from: Rows, r: number): Promise<boolean> => {
    copy(from, r, batch, batch.rows++);
    return batch.rows < p.batchSize || step();
  };
  for await (const raw of rowsOf(model, stream)) {
    const rows = scaleRows(raw, model.scaling);
    for (let r = 0; r < rows.rows; r++) {
      if (capacity <= 1) {
        if (!(await emit(rows, r))) return result;
      } else if (pool.rows < capacity) {
        copy(rows, r, pool, pool.rows++);
      } else {
        // A full buffer: a random held row goes out, the new one takes its place.
        const j = Math.floor(model.random.next() * capacity);
        if (!(await emit(pool, j))) return result;
        copy(rows, r, pool, j);
      }
    }
  }
  // The stream ended: the held rows go out in random order.
  while (pool.rows > 0) {
    const j = Math.floor(model.random.next() * pool.rows);
    if (!(await emit(pool, j))) return result;
    copy(pool, --pool.rows, pool, j);
  }
  if (batch.rows > 0) await step();
  return result;
}
