// The work behind `neurite train`, `predict` and `evaluate`; main.ts only parses arguments and maps errors to exit codes.
import { statSync } from 'node:fs';
import { AUTO_MIN_EPOCHS, AUTO_VALIDATION_ROWS } from '../dense/fit.js';
import { AUTO_VALIDATION_SPLIT } from '../fit-run.js';
import { DenseNetwork } from '../dense/network.js';
import type { Activation, DenseModelJSON, DenseSource, Loss } from '../dense/types.js';
import { FormatError, InvalidArgumentError, MemoryError, NeuriteError, OutOfRangeError } from '../errors.js';
import { nameList, quoted } from '../io/csv.js';
import { toFunctionSource } from '../io/function.js';
import { parseDenseModel } from '../io/json.js';
import { toONNX } from '../io/onnx.js';
import { Random } from '../random.js';
import {
  columnIndices, columnRanges, type DataMeta, encodedInputNames, modelInputs, modelTargets, planTraining, rawTargets, readMeta, readTable, readText, scale,
  type Table, unscale,
} from './data.js';
import { checkWritable, writeAtomic } from './files.js';
import { lossChart, type Output, progress } from './report.js';
import { planStream, STREAM_THRESHOLD, trainingStream } from './stream.js';
import { fitWithCheckpoints, OPTIONS_KEY, resumedOptions, type RunOptions } from './training.js';

/** The hidden layer of `train`'s network unless `--layers` says otherwise: inputs, 16, outputs. */
const DEFAULT_HIDDEN = 16;
/** `train`'s seed unless `--seed` says otherwise. */
const DEFAULT_SEED = 1;
/** Where `train` saves the model unless `--out` says otherwise. */
const DEFAULT_OUT = 'model.json';

/** Where commands write: results to `out` (progress too: a bar when it is a terminal), hints and notes to `err`. */
export interface Streams {
  out: Output & NodeJS.WritableStream;
  err: Output;
}

/**
 * Options of `neurite train`, already parsed by main.ts. Training settings left undefined take the library's
 * defaults (those of `new DenseNetwork` and `fit`), so the CLI and the library agree.
 */
export interface TrainOptions extends RunOptions {
  layers?: number[];
  activation?: Activation;
  outputActivation?: Activation;
  loss?: Loss;
  /** Columns that are neither inputs nor targets (ids, names). */
  ignore?: string[];
  /** Fraction of shuffled rows held out; default 0.2 with 50 rows or more (as fit), else none. */
  validationSplit?: number;
  /** Stop when the validation loss (the training loss without validation rows) has not improved for `patience` epochs, keeping the best weights. */
  /** @default true */
  earlyStopping?: boolean;
  /** Epochs without improvement before stopping; default: the library's. */
  patience?: number;
  /** Read the CSV file in pieces, once per epoch, instead of into memory. @default true for files over 256 MiB */
  stream?: boolean;
}

/** The network `train` builds; a size the library refuses is a mistake in `--layers`. */
function buildNetwork(options: TrainOptions, sizes: number[], outputActivation: Activation, loss: Loss): DenseNetwork {
  try {
    const net = new DenseNetwork({
      layers: sizes,
      ...(options.activation ? { activation: options.activation } : {}),
      outputActivation,
      loss,
      ...(options.optimizer ? { optimizer: { type: options.optimizer, ...(options.learningRate === undefined ? {} : { learningRate: options.learningRate }) } } : {}),
      seed: options.seed ?? DEFAULT_SEED,
      ...(options.backend ? { backend: options.backend } : {}),
    });
    if (!options.optimizer && options.learningRate !== undefined) net.learningRate = options.learningRate;
    return net;
  } catch (error) {
    if ((error instanceof OutOfRangeError || error instanceof MemoryError) && (error.argument === undefined || error.argument.startsWith('options.layers'))) {
      throw new InvalidArgumentError(`--layers ${sizes.join(',')} is too large: ${error.message}`, '--layers');
    }
    throw error;
  }
}

/** Trains a network on a CSV/JSON file and saves it, with the data's encoding, scaling and classes in `meta`. Resolves to the saved model. */
export async function train(file: string, given: TrainOptions, { out, err }: Streams, signal?: AbortSignal): Promise<DenseModelJSON> {
  const checkpoint = given.resume === undefined ? undefined : readCheckpoint(given.resume);
  const options = checkpoint ? resumedOptions(given, checkpoint.options, given.resume!, checkpoint.epoch) : given;
  const outFile = options.out ?? DEFAULT_OUT;
  checkWritable(outFile, '--out');
  if (options.checkpoint !== undefined) checkWritable(options.checkpoint, '--checkpoint');
  const stream = options.stream ?? (!/\.json$/i.test(file) && (statSync(file, { throwIfNoEntry: false })?.size ?? 0) > STREAM_THRESHOLD);
  if (stream && /\.json$/i.test(file)) throw new InvalidArgumentError(`--stream reads CSV files; ${file} is JSON`, '--stream');
  const data = stream ? await streamedData(file, options) : memoryData(file, options);
  const { meta, inputSize, outputSize, validationData } = data;
  if (data.hint) err.write(`neurite: ${data.hint}\n`);
  if (checkpoint) checkSameData(checkpoint.model, meta, data.rows, checkpoint.options, given.resume!, file);

  const sizes = options.layers ?? [inputSize, DEFAULT_HIDDEN, outputSize];
  if (sizes[0] !== inputSize) {
    throw new InvalidArgumentError(`--layers starts with ${sizes[0]} but ${file} has ${inputSize} inputs (${nameList(encodedInputNames(meta))})`, '--layers');
  }
  if (sizes[sizes.length - 1] !== outputSize) {
    const what = meta.classes && meta.targets.length === 1 ? `${outputSize} classes in ${quoted(meta.targets[0]!)} (${nameList(meta.classes)})` : `${outputSize} target columns (${nameList(meta.targets)})`;
    throw new InvalidArgumentError(`--layers ends with ${sizes[sizes.length - 1]} but the data has ${what}`, '--layers');
  }
  const outputActivation = options.outputActivation ?? (data.loss === 'crossEntropy' ? 'softmax' : data.loss === 'binaryCrossEntropy' ? 'sigmoid' : 'identity');
  const classification = data.loss !== 'mse';
  const net = checkpoint
    ? DenseNetwork.fromJSON(checkpoint.model, options.backend ? { backend: options.backend } : {})
    : buildNetwork(options, sizes, outputActivation, data.loss);
  try {
    const saved: SavedOptions = { ...withoutRunOptions(options), seed: options.seed ?? DEFAULT_SEED, stream, rows: data.rows };
    // Checkpoints carry the data's meta and the options, so that `--resume` needs only the data file.
    net.meta = { ...meta, [OPTIONS_KEY]: saved };
    const first = checkpoint?.epoch ?? 0;
    const summary = net.toJSON();
    const hidden = summary.layers.length > 2 ? `${summary.layers[1]!.activation} hidden, ` : '';
    out.write(`training ${sizes.join('-')} (${hidden}${summary.layers[summary.layers.length - 1]!.activation} output, ${data.loss} loss, ${summary.optimizer.type} ${net.learningRate}) on ${data.trainRows} rows`
      + `${data.held > 0 ? `, validating on ${data.held}` : ''}${stream ? `, streamed from ${file}` : ''}, ${net.backend} backend${checkpoint ? `, resuming after epoch ${first} from ${given.resume}` : ''}\n`);
    const total = options.epochs ?? (stream ? AUTO_MIN_EPOCHS : undefined);
    const bar = progress(total, out, classification, first);
    const result = await fitWithCheckpoints(options, file, bar, signal, () => net.toJSON({ training: true }), (fit) => net.fitAsync(data.source, {
      ...fit,
      // With validation rows, on unless turned off; without, as the library decides.
      ...(options.earlyStopping === false ? { earlyStopping: false as const } : options.patience !== undefined ? { earlyStopping: { patience: options.patience } } : validationData ? { earlyStopping: {} } : {}),
      ...(validationData ? { validationData } : {}),
    }));
    const history = result.epochs;
    if (options.plot !== false && history.length > 1) out.write(`\n${lossChart(history, out.isTTY === true)}\n\n`);
    const last = history.length > 0 ? history[history.length - 1]!.epoch + 1 : first;
    if (result.stopReason === 'earlyStopping') {
      out.write(`stopped early after epoch ${last}: ${validationData ? 'val_loss' : 'loss'} stopped improving; the best epoch's weights are kept\n`);
    }
    // The model's own figures: early stopping may have gone back to an earlier epoch's weights.
    const figures = (name: string, rows: { inputs: Float64Array; targets: Float64Array }) => {
      const { loss, accuracy } = net.evaluate(rows);
      return `${name}loss ${loss.toPrecision(4)}${classification ? `, ${name}accuracy ${accuracy.toPrecision(4)}` : ''}`;
    };
    const finals = [...(data.trainData ? [figures('', data.trainData)] : []), ...(validationData ? [figures('val_', validationData)] : [])];
    if (finals.length > 0) out.write(`final: ${finals.join(', ')}\n`);
    if (validationData && data.validationActual && meta.targetMin && meta.targetMax && net.layers[net.layers.length - 1]!.activation === 'identity') {
      // The validation error in the targets' own units, as evaluate reports it.
      const predicted = unscale(net.predictBatch(validationData.inputs, data.held), meta.targetMin, meta.targetMax);
      out.write(`${regressionMetrics(predicted, data.validationActual, meta.targets).map((m) => `validation ${m.column}: RMSE ${m.rmse.toPrecision(4)}, MAE ${m.mae.toPrecision(4)}, R² ${m.r2 === null ? '-' : m.r2.toPrecision(4)}`).join('\n')}\n`);
    }
    // Once to plan, once for the network's standardization figures when it measures them, once per epoch.
    if (data.passes) out.write(`read ${file} ${data.passes.length} times, ${[...new Set(data.passes)].join(' or ')} rows each time\n`);
    const model = net.toJSON();
    model.meta = { ...meta };
    writeAtomic(outFile, JSON.stringify(model));
    out.write(`saved ${outFile}\n`);
    return model;
  } finally {
    net.dispose();
  }
}

/** What `train` trains on: from memory or streamed from the file, with the plan's meta and figures. */
interface TrainingData {
  loss: Loss;
  meta: DataMeta;
  hint?: string;
  inputSize: number;
  outputSize: number;
  /** Rows in the file, training rows, validation rows. */
  rows: number;
  trainRows: number;
  held: number;
  source: DenseSource;
  /** The training rows when they are in memory (for the final figures). */
  trainData?: { inputs: Float64Array; targets: Float64Array };
  validationData?: { inputs: Float64Array; targets: Float64Array };
  /** The validation rows' targets in their own units. */
  validationActual?: Float64Array;
  /** Streamed: the rows each pass over the file read, the planning pass first. */
  passes?: number[];
}

/** The whole file in memory: rows shuffled by the seed, the last share held out, scaling figures from the training rows. */
function memoryData(file: string, options: TrainOptions): TrainingData {
  const table = readTable(file, options.delimiter);
  const plan = planTraining(table, options);
  const { meta, rows } = plan;
  const inputSize = plan.inputs.length / rows;
  const outputSize = plan.targets.length / rows;
  // Shuffle before splitting, so files sorted by class still validate on every class; the seed makes it repeatable.
  const order = new Int32Array(rows).map((_, i) => i);
  new Random(options.seed ?? DEFAULT_SEED).shuffle(order, 0, rows);
  const split = options.validationSplit ?? (rows >= AUTO_VALIDATION_ROWS ? AUTO_VALIDATION_SPLIT : 0);
  const held = Math.floor(rows * split);
  if (split > 0 && (held < 1 || held >= rows)) {
    throw new InvalidArgumentError(`--validation-split ${split} of ${rows} rows leaves no training or no validation rows`, '--validation-split');
  }
  const pick = (values: Float64Array, width: number, from: number, to: number) => {
    const outRows = new Float64Array((to - from) * width);
    for (let r = from; r < to; r++) outRows.set(values.subarray(order[r]! * width, order[r]! * width + width), (r - from) * width);
    return outRows;
  };
  const trainRows = rows - held;
  const trainInputs = pick(plan.inputs, inputSize, 0, trainRows);
  const trainTargets = pick(plan.targets, outputSize, 0, trainRows);
  // Scaling stats come from the training rows only, as they would for data never seen.
  const inputRange = columnRanges(trainInputs, trainRows);
  meta.inputMin = inputRange.min;
  meta.inputMax = inputRange.max;
  scale(trainInputs, meta.inputMin, meta.inputMax);
  if (meta.targetMin && meta.targetMax) scale(trainTargets, meta.targetMin, meta.targetMax);
  const trainData = { inputs: trainInputs, targets: trainTargets };
  const data: TrainingData = { loss: plan.loss, meta, inputSize, outputSize, rows, trainRows, held, source: trainData, trainData };
  if (plan.hint) data.hint = plan.hint;
  if (held > 0) {
    const actual = pick(plan.targets, outputSize, trainRows, rows);
    data.validationActual = actual;
    data.validationData = {
      inputs: scale(pick(plan.inputs, inputSize, trainRows, rows), meta.inputMin, meta.inputMax),
      targets: meta.targetMin && meta.targetMax ? scale(actual.slice(), meta.targetMin, meta.targetMax) : actual,
    };
  }
  return data;
}

/** The file streamed: a first pass plans, then fitAsync re-reads it each epoch through its shuffle buffer. */
async function streamedData(file: string, options: TrainOptions): Promise<TrainingData> {
  const plan = await planStream(file, { ...options, seed: options.seed ?? DEFAULT_SEED });
  const passes = [plan.rows];
  const held = plan.validationRows.length;
  const data: TrainingData = {
    loss: plan.loss, meta: plan.meta, inputSize: plan.inputSize, outputSize: plan.outputSize, rows: plan.rows, trainRows: plan.rows - held, held,
    source: trainingStream(file, options.delimiter, plan, passes), passes,
  };
  if (plan.hint) data.hint = plan.hint;
  if (plan.validation) {
    data.validationData = { inputs: plan.validation.inputs, targets: plan.validation.targets };
    data.validationActual = plan.validation.actual;
  }
  return data;
}

/** The options a checkpoint saves: those that decide the result (and the epochs to train up to), and where files go. */
type SavedOptions = Omit<TrainOptions, 'resume' | 'plot' | 'backend'> & { stream: boolean; rows: number };

function withoutRunOptions(options: TrainOptions): Omit<TrainOptions, 'resume' | 'plot' | 'backend'> {
  const { resume: _resume, plot: _plot, backend: _backend, ...rest } = options;
  return rest;
}

/** A checkpoint file written by `train --checkpoint`: the model with its training state, its options and its epoch. */
function readCheckpoint(file: string): { model: DenseModelJSON; options: SavedOptions; epoch: number } {
  const model = readModel(file);
  const options = model.meta?.[OPTIONS_KEY];
  if (!model.training?.fit || options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(`--resume ${file} is not a checkpoint written by neurite train --checkpoint (it has no training state)`, '--resume');
  }
  return { model, options: options as SavedOptions, epoch: model.training.fit.epoch };
}

/** Refuses to resume on other data: the file's meta (columns, categories, classes, ranges) and row count must be the checkpoint's. */
function checkSameData(model: DenseModelJSON, meta: DataMeta, rows: number, saved: SavedOptions, checkpoint: string, file: string): void {
  const { [OPTIONS_KEY]: _options, ...savedMeta } = model.meta!;
  if (rows !== saved.rows || JSON.stringify(savedMeta) !== JSON.stringify(meta)) {
    throw new InvalidArgumentError(`--resume ${checkpoint} was trained on other data than ${file} (${rows !== saved.rows ? `${saved.rows} rows, not ${rows}` : 'its columns, categories or ranges differ'}): resume with the same data file`, '--resume');
  }
}

/**
 * The model with the CLI's min/max scaling of `meta` and the network's own standardization folded into its
 * weights: the first layer takes raw column values and an identity output layer gives targets in their own units
 * (`outputs` says whether it does). Each input i reaches the network as `a·x + c`, so `w` becomes `w·a` and the
 * bias gains `w·c`; each output leaves as `g·y + h`, so its weights are scaled by `g` and `h` joins its bias.
 */
export function foldScaling(model: DenseModelJSON, meta: DataMeta): { model: DenseModelJSON; outputs: boolean } {
  const weights = model.weights.map((w) => [...w]);
  const biases = model.biases.map((b) => [...b]);
  const columns = model.layers[0]!.size;
  for (let i = 0; i < columns; i++) {
    const span = meta.inputMax[i]! - meta.inputMin[i]!;
    // A constant column scales to 0 whatever its value: its weight drops out.
    let a = span > 0 ? 1 / span : 0;
    let c = span > 0 ? -meta.inputMin[i]! / span : 0;
    const standard = model.scaling?.inputs;
    if (standard) {
      a /= standard.std[i]!;
      c = (c - standard.mean[i]!) / standard.std[i]!;
    }
    for (let o = 0; o < model.layers[1]!.size; o++) {
      const w = weights[0]![o * columns + i]!;
      biases[0]![o] = biases[0]![o]! + w * c;
      weights[0]![o * columns + i] = w * a;
    }
  }
  const last = model.layers.length - 1;
  const outputs = meta.targetMin !== undefined && meta.targetMax !== undefined && model.layers[last]!.activation === 'identity';
  const previous = model.layers[last - 1]!.size;
  for (let o = 0; o < model.layers[last]!.size; o++) {
    const standard = model.scaling?.targets;
    let g = standard ? standard.std[o]! : 1;
    let h = standard ? standard.mean[o]! : 0;
    if (outputs) {
      const span = meta.targetMax![o]! - meta.targetMin![o]!;
      g *= span;
      h = h * span + meta.targetMin![o]!;
    }
    for (let i = 0; i < previous; i++) weights[last - 1]![o * previous + i]! *= g;
    biases[last - 1]![o] = biases[last - 1]![o]! * g + h;
  }
  const { scaling: _folded, ...rest } = model;
  return { model: { ...rest, weights, biases }, outputs };
}

/** Reads and checks a model file; errors name the file. */
function readModel(file: string): DenseModelJSON {
  try {
    return parseDenseModel(readText(file));
  } catch (error) {
    if (error instanceof NeuriteError && !(error instanceof FormatError && error.message.startsWith('cannot read '))) {
      throw new FormatError(`${file}: ${error.message.replace(/^json is not/, 'not')}`, 'model');
    }
    throw error;
  }
}

/**
 * Exports a model file as ONNX (`onnx` float32, `onnx64` float64) or as a standalone ES module whose default
 * export is the predict function (`js`), to `file` or, when `file` is `-`, to standard output (the note then goes
 * to `err`). A model saved by `train` is exported with its scaling folded in, so the export takes raw column values
 * (text columns one-hot, in the order the note lists) and gives regression targets in their units when the output
 * layer is identity.
 */
export function exportModel(modelFile: string, to: 'onnx' | 'onnx64' | 'js', file: string, { out, err }: Streams): void {
  if (file !== '-') checkWritable(file, '--out');
  const saved = readModel(modelFile);
  const meta = readDataMeta(modelFile, saved.meta, saved.layers[0]!.size, saved.layers[saved.layers.length - 1]!.size);
  const folded = meta ? foldScaling(saved, meta) : { model: saved, outputs: false };
  const model = folded.model;
  const bytes = to === 'js'
    ? `// Generated by neurite from ${modelFile}: predict(input) returns a Float64Array.\nexport default ${toFunctionSource(model)};\n`
    : toONNX(model, { precision: to === 'onnx64' ? 'float64' : 'float32' });
  if (file === '-') out.write(bytes);
  else writeAtomic(file, bytes);
  const notes = [
    meta ? `inputs: raw ${nameList(encodedInputNames(meta))}` : 'inputs as the model takes them',
    meta?.classes ? `outputs: probabilities of ${nameList(meta.classes)}` : folded.outputs ? `outputs: ${nameList(meta!.targets)}` : meta?.targetMin ? 'outputs: targets scaled to [0, 1] by targetMin/targetMax in the model\'s meta' : 'outputs as the model gives them',
  ];
  (file === '-' ? err : out).write(`${file === '-' ? 'wrote to standard output' : `saved ${file}`} (${notes.join('; ')})\n`);
}

/** The model's data meta, with errors that name its file. */
function readDataMeta(file: string, meta: unknown, inputSize: number, outputSize: number): DataMeta | undefined {
  try {
    return readMeta(meta, inputSize, outputSize);
  } catch (error) {
    if (error instanceof FormatError) throw new FormatError(`${file}: ${error.message}`, error.argument);
    throw error;
  }
}

/** Loads a model file written by `train` (or any `toJSON()` output), with its data meta when it has one. */
export function loadModel(file: string, backend?: 'wasm' | 'js'): { net: DenseNetwork; meta: DataMeta | undefined } {
  const net = DenseNetwork.fromJSON(readModel(file), backend ? { backend } : {});
  try {
    return { net, meta: readDataMeta(file, net.meta, net.inputSize, net.outputSize) };
  } catch (error) {
    net.dispose();
    throw error;
  }
}

/** The model's inputs for `table`: encoded and scaled by its meta, or every column in order when it has none. */
function inputsFor(table: Table, net: DenseNetwork, meta: DataMeta | undefined): Float64Array {
  if (meta) return modelInputs(table, meta);
  if (table.columns.length !== net.inputSize) {
    throw new FormatError(`${table.file} has ${table.columns.length} columns but the model (saved without column names) takes ${net.inputSize} inputs`, 'data');
  }
  return modelInputs(table, { inputs: [...table.columns], targets: [], inputMin: table.columns.map(() => 0), inputMax: table.columns.map(() => 1) });
}

/** The model's outputs for every row of `table`: class probabilities, or targets in their own units. */
function outputsFor(table: Table, net: DenseNetwork, meta: DataMeta | undefined): Float64Array {
  const outputs = net.predictBatch(inputsFor(table, net, meta), table.rows.length);
  if (!meta?.classes && meta?.targetMin && meta.targetMax) unscale(outputs, meta.targetMin, meta.targetMax);
  return outputs;
}

/** The index of the largest of `width` values at `row`. */
function argmax(values: Float64Array, row: number, width: number): number {
  let best = 0;
  for (let k = 1; k < width; k++) if (values[row * width + k]! > values[row * width + best]!) best = k;
  return best;
}

/** Output columns of `predict`: the predicted class and each class's probability, or the target values. */
function predictionRows(outputs: Float64Array, rows: number, meta: DataMeta | undefined): { columns: string[]; values: (string | number)[][] } {
  const width = outputs.length / rows;
  const row = (r: number) => Array.from(outputs.subarray(r * width, (r + 1) * width));
  if (meta?.classes) {
    const classes = meta.classes;
    const name = meta.targets.length === 1 ? meta.targets[0]! : 'class';
    return {
      columns: [name, ...classes.map((c) => `p(${c})`)],
      values: Array.from({ length: rows }, (_, r) => [classes[argmax(outputs, r, width)]!, ...row(r)]),
    };
  }
  const columns = meta ? meta.targets : Array.from({ length: width }, (_, i) => `output${i + 1}`);
  return { columns, values: Array.from({ length: rows }, (_, r) => row(r)) };
}

/** Options of `neurite predict`. */
export interface PredictOptions {
  format: 'csv' | 'json';
  /** Significant digits of the numbers written; default: as many as float64 needs to read back exactly. */
  precision?: number;
  /** Columns of the data file written first, as they are (ids, names). */
  keep?: string[];
  delimiter?: string;
  backend?: 'wasm' | 'js';
}

/** Writes the model's predictions for every row of `file`, as CSV (default) or JSON, after the `keep` columns. */
export function predict(modelFile: string, file: string, options: PredictOptions, { out }: Streams): void {
  const { net, meta } = loadModel(modelFile, options.backend);
  try {
    const table = readTable(file, options.delimiter);
    const rows = table.rows.length;
    if (rows === 0) throw new FormatError(`${file} has no data rows`, 'data');
    const keptAt = columnIndices(table, options.keep ?? [], '--keep');
    const kept = new Set(options.keep);
    const predicted = predictionRows(outputsFor(table, net, meta), rows, meta);
    // A kept column may share a name with an output (the target column, kept to compare): the output gets a prefix.
    const columns = [...(options.keep ?? []), ...predicted.columns.map((c) => (kept.has(c) ? `predicted ${c}` : c))];
    const number = (v: number) => (options.precision === undefined ? v : Number(v.toPrecision(options.precision)));
    const values = predicted.values.map((v, r) => [...keptAt.map((c) => table.rows[r]![c]!), ...v.map((x) => (typeof x === 'number' ? number(x) : x))]);
    if (options.format === 'json') {
      out.write(`${JSON.stringify(values.map((v) => Object.fromEntries(columns.map((c, i) => [c, v[i]]))), null, 1)}\n`);
      return;
    }
    const field = (v: string | number) => (typeof v === 'number' ? String(v) : /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    out.write(`${[columns, ...values].map((v) => v.map(field).join(',')).join('\n')}\n`);
  } finally {
    net.dispose();
  }
}

/** Regression figures of one target column, in its own units; `r2` is null for a constant column. */
export interface TargetMetrics {
  column: string;
  rmse: number;
  mae: number;
  r2: number | null;
}

/** What `evaluate` reports: accuracy and a confusion matrix for classes, RMSE, MAE and R² per target for regression. */
export type Evaluation =
  | { rows: number; loss: number; accuracy: number; confusion?: { classes: string[]; counts: number[][] } }
  | { rows: number; targets: TargetMetrics[] };

/** RMSE, MAE and R² of row-major `predicted` against `actual`, per column. */
function regressionMetrics(predicted: Float64Array, actual: Float64Array, names: readonly string[]): TargetMetrics[] {
  const width = names.length;
  const rows = actual.length / width;
  return names.map((column, t) => {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += actual[r * width + t]! / rows;
    let squared = 0;
    let absolute = 0;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const error = predicted[r * width + t]! - actual[r * width + t]!;
      squared += error * error;
      absolute += Math.abs(error);
      total += (actual[r * width + t]! - mean) ** 2;
    }
    return { column, rmse: Math.sqrt(squared / rows), mae: absolute / rows, r2: total > 0 ? 1 - squared / total : null };
  });
}

/** Rows: actual class; columns: predicted class. */
function confusionMatrix(outputs: Float64Array, actual: Int32Array, classes: number): number[][] {
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  actual.forEach((k, r) => counts[k]![argmax(outputs, r, classes)]!++);
  return counts;
}

/** Lines of text in aligned columns: the first left-aligned, the others right-aligned. */
function textTable(cells: readonly (readonly string[])[]): string {
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row) => row.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ').trimEnd()).join('\n');
}

/** The evaluation as text for people. */
function evaluationText(result: Evaluation, meta: DataMeta): string {
  if ('targets' in result) {
    const figure = (v: number | null) => (v === null ? '-' : v.toPrecision(6));
    return `rows ${result.rows}\n${textTable([['target', 'RMSE', 'MAE', 'R²'], ...result.targets.map((m) => [m.column, figure(m.rmse), figure(m.mae), figure(m.r2)])])}\n`;
  }
  let text = `rows ${result.rows}\nloss ${result.loss.toPrecision(6)}\naccuracy ${result.accuracy.toPrecision(6)}\n`;
  if (result.confusion) {
    const { classes, counts } = result.confusion;
    text += `confusion matrix (rows: actual ${meta.targets[0]}, columns: predicted)\n`;
    text += `${textTable([['', ...classes], ...counts.map((row, k) => [classes[k]!, ...row.map(String)])])}\n`;
  }
  return text;
}

/**
 * Evaluates the model on `file`'s rows (their target columns named in the model's meta): for classes the mean
 * loss, the accuracy and a confusion matrix; for regression RMSE, MAE and R² per target column, in its own units.
 */
export function evaluate(modelFile: string, file: string, options: { format: 'text' | 'json'; delimiter?: string; backend?: 'wasm' | 'js' }, { out }: Streams): Evaluation {
  const { net, meta } = loadModel(modelFile, options.backend);
  try {
    if (!meta) throw new FormatError(`${modelFile} has no column names in its meta (it was not saved by neurite train): evaluate cannot tell inputs from targets`, 'model');
    const table = readTable(file, options.delimiter);
    const rows = table.rows.length;
    if (rows === 0) throw new FormatError(`${file} has no data rows`, 'data');
    const actual = rawTargets(table, meta);
    let result: Evaluation;
    if (net.loss === 'mse' && !meta.classes) {
      result = { rows, targets: regressionMetrics(outputsFor(table, net, meta), actual.values, meta.targets) };
    } else {
      const { loss, accuracy } = net.evaluate({ inputs: modelInputs(table, meta), targets: modelTargets(table, meta) });
      result = { rows, loss, accuracy };
      if (actual.classes && meta.classes) result.confusion = { classes: meta.classes, counts: confusionMatrix(outputsFor(table, net, meta), actual.classes, meta.classes.length) };
    }
    out.write(options.format === 'json' ? `${JSON.stringify(result)}\n` : evaluationText(result, meta));
    return result;
  } finally {
    net.dispose();
  }
}
