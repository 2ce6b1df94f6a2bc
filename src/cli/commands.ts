// The work behind `neurite train`, `predict` and `evaluate`; main.ts only parses arguments and maps errors to exit codes.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DenseNetwork } from '../dense/network.js';
import type { Activation, DenseModelJSON, EpochStats, Loss, OptimizerName } from '../dense/types.js';
import { FormatError, InvalidArgumentError } from '../errors.js';
import { toFunctionSource } from '../io/function.js';
import { parseDenseModel } from '../io/json.js';
import { toONNX } from '../io/onnx.js';
import { Random } from '../random.js';
import {
  columnRanges, type DataMeta, modelInputs, modelTargets, planTraining, readMeta, readTable, scale, type Table, unscale,
} from './data.js';
import { lossChart, type Output, progress } from './report.js';

/** The share of rows `train` validates on unless told otherwise. */
const DEFAULT_VALIDATION_SPLIT = 0.2;

/** Where commands write: results to `out`, progress too (a bar when it is a terminal). */
export interface Streams {
  out: Output & NodeJS.WritableStream;
}

/** Options of `neurite train`, already parsed by main.ts. */
export interface TrainOptions {
  layers?: number[];
  activation: Activation;
  outputActivation?: Activation;
  loss?: Loss;
  optimizer: OptimizerName;
  learningRate?: number;
  epochs: number;
  batchSize: number;
  target?: string[];
  /** Fraction of rows held out; default 0.2 when that leaves at least one row on each side, else none. */
  validationSplit?: number;
  seed: number;
  out: string;
  plot: boolean;
  backend?: 'wasm' | 'js';
}

/** Trains a network on a CSV/JSON file and saves it, with the data's scaling and classes in `meta`. Resolves to the saved model. */
export async function train(file: string, options: TrainOptions, { out }: Streams, signal?: AbortSignal): Promise<DenseModelJSON> {
  const table = readTable(file);
  const plan = planTraining(table, options.target, options.loss);
  const { meta, rows } = plan;
  const inputSize = meta.inputs.length;
  const outputSize = plan.targets.length / rows;

  // Shuffle before splitting, so files sorted by class still validate on every class; the seed makes it repeatable.
  const order = new Int32Array(rows).map((_, i) => i);
  new Random(options.seed).shuffle(order, 0, rows);
  const split = options.validationSplit ?? (rows >= 5 ? DEFAULT_VALIDATION_SPLIT : 0);
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
  const validationData = held > 0
    ? {
        inputs: scale(pick(plan.inputs, inputSize, trainRows, rows), meta.inputMin, meta.inputMax),
        targets: meta.targetMin && meta.targetMax ? scale(pick(plan.targets, outputSize, trainRows, rows), meta.targetMin, meta.targetMax) : pick(plan.targets, outputSize, trainRows, rows),
      }
    : undefined;

  const sizes = options.layers ?? [inputSize, 16, outputSize];
  if (sizes[0] !== inputSize) {
    throw new InvalidArgumentError(`--layers starts with ${sizes[0]} but ${file} has ${inputSize} input columns (${meta.inputs.join(', ')})`, '--layers');
  }
  if (sizes[sizes.length - 1] !== outputSize) {
    const what = meta.classes && meta.targets.length === 1 ? `${outputSize} classes in '${meta.targets[0]}' (${meta.classes.join(', ')})` : `${outputSize} target columns (${meta.targets.join(', ')})`;
    throw new InvalidArgumentError(`--layers ends with ${sizes[sizes.length - 1]} but the data has ${what}`, '--layers');
  }
  const outputActivation = options.outputActivation ?? (plan.loss === 'crossEntropy' ? 'softmax' : plan.loss === 'binaryCrossEntropy' ? 'sigmoid' : 'identity');
  const net = new DenseNetwork({
    layers: sizes,
    activation: options.activation,
    outputActivation,
    loss: plan.loss,
    optimizer: { type: options.optimizer, ...(options.learningRate === undefined ? {} : { learningRate: options.learningRate }) },
    seed: options.seed,
    ...(options.backend ? { backend: options.backend } : {}),
  });
  try {
    out.write(`training ${sizes.join('-')} (${options.activation} hidden, ${outputActivation} output, ${plan.loss} loss, ${options.optimizer}) on ${trainRows} rows`
      + `${held > 0 ? `, validating on ${held}` : ''}, ${net.backend} backend\n`);
    const bar = progress(options.epochs, out);
    let history: EpochStats[];
    try {
      const result = await net.fitAsync(
        { inputs: trainInputs, targets: trainTargets },
        { epochs: options.epochs, batchSize: Math.min(options.batchSize, trainRows), ...(validationData ? { validationData } : {}), onEpoch: (stats) => bar.epoch(stats), ...(signal ? { signal } : {}) },
      );
      history = result.epochs;
    } finally {
      bar.stop();
    }
    const last = history[history.length - 1]!;
    if (options.plot && history.length > 1) out.write(`\n${lossChart(history, out.isTTY === true)}\n\n`);
    const validation = last.valLoss === undefined ? '' : `, val_loss ${last.valLoss.toPrecision(4)}, val_accuracy ${last.valAccuracy!.toPrecision(4)}`;
    out.write(`final: loss ${last.loss.toPrecision(4)}, accuracy ${last.accuracy.toPrecision(4)}${validation}\n`);
    const model = net.toJSON();
    model.meta = { ...meta };
    save(options.out, JSON.stringify(model));
    out.write(`saved ${options.out}\n`);
    return model;
  } finally {
    net.dispose();
  }
}

/** Writes `bytes` to `file` through a temporary file, so an interrupted write never leaves half a file behind. */
function save(file: string, bytes: string | Uint8Array): void {
  writeFileSync(`${file}.tmp`, bytes);
  renameSync(`${file}.tmp`, file);
}

/**
 * The model with the data scaling of `meta` folded into its weights: the first layer takes raw column values
 * (w / span, b - Σ w·min / span) and an identity output layer gives targets in their own units (`outputs` says whether it did).
 */
export function foldScaling(model: DenseModelJSON, meta: DataMeta): { model: DenseModelJSON; outputs: boolean } {
  const weights = model.weights.map((w) => [...w]);
  const biases = model.biases.map((b) => [...b]);
  const columns = model.layers[0]!.size;
  const first = weights[0]!;
  for (let o = 0; o < model.layers[1]!.size; o++) {
    for (let i = 0; i < columns; i++) {
      const span = meta.inputMax[i]! - meta.inputMin[i]!;
      // A constant column scales to 0 whatever its value: its weight drops out.
      const w = span > 0 ? first[o * columns + i]! / span : 0;
      biases[0]![o] = biases[0]![o]! - w * meta.inputMin[i]!;
      first[o * columns + i] = w;
    }
  }
  const last = model.layers.length - 1;
  const outputs = meta.targetMin !== undefined && meta.targetMax !== undefined && model.layers[last]!.activation === 'identity';
  const standardized = model.scaling?.targets;
  if (outputs && standardized) {
    // The model already maps its output back through its own figures: compose the target span into them.
    const span = (o: number) => meta.targetMax![o]! - meta.targetMin![o]!;
    const targets = { mean: standardized.mean.map((m, o) => m * span(o) + meta.targetMin![o]!), std: standardized.std.map((s, o) => s * span(o)) };
    return { model: { ...model, weights, biases, scaling: { ...model.scaling, targets } }, outputs };
  }
  if (outputs) {
    const previous = model.layers[last - 1]!.size;
    for (let o = 0; o < model.layers[last]!.size; o++) {
      const span = meta.targetMax![o]! - meta.targetMin![o]!;
      for (let i = 0; i < previous; i++) weights[last - 1]![o * previous + i]! *= span;
      biases[last - 1]![o] = biases[last - 1]![o]! * span + meta.targetMin![o]!;
    }
  }
  return { model: { ...model, weights, biases }, outputs };
}

/**
 * Exports a model file as ONNX (`onnx` float32, `onnx64` float64) or as a standalone ES module whose default
 * export is the predict function (`js`). A model saved by `train` is exported with its scaling folded in, so the
 * export takes raw column values (and gives regression targets in their units when the output layer is identity).
 */
export function exportModel(modelFile: string, to: 'onnx' | 'onnx64' | 'js', file: string, { out }: Streams): void {
  const saved = parseDenseModel(readFileSync(modelFile, 'utf8'));
  const meta = readMeta(saved.meta, saved.layers[0]!.size, saved.layers[saved.layers.length - 1]!.size);
  const folded = meta ? foldScaling(saved, meta) : { model: saved, outputs: false };
  const model = folded.model;
  if (to === 'js') save(file, `// Generated by neurite from ${modelFile}: predict(input) returns a Float64Array.\nexport default ${toFunctionSource(model)};\n`);
  else save(file, toONNX(model, { precision: to === 'onnx64' ? 'float64' : 'float32' }));
  const notes = [
    meta ? `inputs: raw ${meta.inputs.join(', ')}` : 'inputs as the model takes them',
    meta?.classes ? `outputs: probabilities of ${meta.classes.join(', ')}` : folded.outputs ? `outputs: ${meta!.targets.join(', ')}` : meta?.targetMin ? 'outputs: targets scaled to [0, 1] by targetMin/targetMax in the model\'s meta' : 'outputs as the model gives them',
  ];
  out.write(`saved ${file} (${notes.join('; ')})\n`);
}

/** Loads a model file written by `train` (or any `toJSON()` output), with its data meta when it has one. */
export function loadModel(file: string, backend?: 'wasm' | 'js'): { net: DenseNetwork; meta: DataMeta | undefined } {
  const net = DenseNetwork.fromJSON(readFileSync(file, 'utf8'), backend ? { backend } : {});
  try {
    return { net, meta: readMeta(net.meta, net.inputSize, net.outputSize) };
  } catch (error) {
    net.dispose();
    throw error;
  }
}

/** The model's inputs for `table`: scaled by its meta, or every column in order when it has none. */
function inputsFor(table: Table, net: DenseNetwork, meta: DataMeta | undefined): Float64Array {
  if (meta) return modelInputs(table, meta);
  if (table.columns.length !== net.inputSize) {
    throw new FormatError(`${table.file} has ${table.columns.length} columns but the model (saved without column names) takes ${net.inputSize} inputs`, 'data');
  }
  return modelInputs(table, { inputs: [...table.columns], targets: [], inputMin: table.columns.map(() => 0), inputMax: table.columns.map(() => 1) });
}

/** Output columns of `predict`: the predicted class and each class's probability, or the target values. */
function predictionRows(outputs: Float64Array, rows: number, meta: DataMeta | undefined): { columns: string[]; values: (string | number)[][] } {
  const width = outputs.length / rows;
  const row = (r: number) => Array.from(outputs.subarray(r * width, (r + 1) * width));
  if (meta?.classes) {
    const classes = meta.classes;
    const name = meta.targets.length === 1 ? meta.targets[0]! : 'class';
    const columns = [name, ...classes.map((c) => `p(${c})`)];
    return {
      columns,
      values: Array.from({ length: rows }, (_, r) => {
        const p = row(r);
        return [classes[p.indexOf(Math.max(...p))]!, ...p];
      }),
    };
  }
  if (meta?.targetMin && meta.targetMax) unscale(outputs, meta.targetMin, meta.targetMax);
  const columns = meta ? meta.targets : Array.from({ length: width }, (_, i) => `output${i + 1}`);
  return { columns, values: Array.from({ length: rows }, (_, r) => row(r)) };
}

/** Writes the model's predictions for every row of `file`, as CSV (default) or JSON. */
export function predict(modelFile: string, file: string, format: 'csv' | 'json', { out }: Streams, backend?: 'wasm' | 'js'): void {
  const { net, meta } = loadModel(modelFile, backend);
  try {
    const table = readTable(file);
    const rows = table.rows.length;
    if (rows === 0) throw new FormatError(`${file} has no data rows`, 'data');
    const outputs = net.predictBatch(inputsFor(table, net, meta), rows).slice();
    const { columns, values } = predictionRows(outputs, rows, meta);
    if (format === 'json') {
      out.write(`${JSON.stringify(values.map((v) => Object.fromEntries(columns.map((c, i) => [c, v[i]]))), null, 1)}\n`);
      return;
    }
    const field = (v: string | number) => (typeof v === 'number' ? String(v) : /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    out.write(`${[columns, ...values].map((v) => v.map(field).join(',')).join('\n')}\n`);
  } finally {
    net.dispose();
  }
}

/** Mean loss and accuracy of the model on `file`'s rows (their target columns named in the model's meta). */
export function evaluate(modelFile: string, file: string, format: 'text' | 'json', { out }: Streams, backend?: 'wasm' | 'js'): { loss: number; accuracy: number; rows: number } {
  const { net, meta } = loadModel(modelFile, backend);
  try {
    if (!meta) throw new FormatError(`${modelFile} has no column names in its meta (it was not saved by neurite train): evaluate cannot tell inputs from targets`, 'model');
    const table = readTable(file);
    const rows = table.rows.length;
    if (rows === 0) throw new FormatError(`${file} has no data rows`, 'data');
    const result = { ...net.evaluate({ inputs: modelInputs(table, meta), targets: modelTargets(table, meta) }), rows };
    out.write(format === 'json' ? `${JSON.stringify(result)}\n` : `rows ${rows}\nloss ${result.loss.toPrecision(6)}\naccuracy ${result.accuracy.toPrecision(6)}\n`);
    return result;
  } finally {
    net.dispose();
  }
}
