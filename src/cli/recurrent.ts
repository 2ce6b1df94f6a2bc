// `neurite train --recurrent` and `neurite forecast`: a CSV series cut into windows, a RecurrentNetwork, a forecast chart.
import * as asciichart from 'asciichart';
import { ConfigurationError, FormatError, InvalidArgumentError } from '../errors.js';
import { nameList, parseNumber, quoted } from '../io/csv.js';
import { recurrentToONNX } from '../io/onnx-recurrent.js';
import { parseRecurrentModel } from '../recurrent/json.js';
import { RecurrentNetwork } from '../recurrent/network.js';
import type { RecurrentCell, RecurrentModelJSON, SequencePair } from '../recurrent/types.js';
import { columnIndices, rawTargets, readTable, readText, type Table } from './data.js';
import { checkWritable, writeAtomic } from './files.js';
import { lossChart, progress, type Output } from './report.js';
import type { Streams } from './commands.js';
import { fitWithCheckpoints, OPTIONS_KEY, resumedOptions, type RunOptions } from './training.js';

/** Steps per training window unless `--window` says otherwise. */
export const DEFAULT_WINDOW = 24;
/** Steps ahead each window learns unless `--horizon` says otherwise. */
export const DEFAULT_HORIZON = 1;
/** Units of the recurrent layer unless `--units` says otherwise. */
export const DEFAULT_UNITS = [32];
/** `train`'s seed unless `--seed` says otherwise (as for dense networks). */
const DEFAULT_SEED = 1;
/** Where `train` saves the model unless `--out` says otherwise. */
const DEFAULT_OUT = 'model.json';
/** How many past steps the forecast chart shows before the forecast. */
const CHART_HISTORY = 48;

/** Options of `neurite train --recurrent`, already parsed by main.ts; left undefined, the library's defaults apply. */
export interface RecurrentTrainOptions extends RunOptions {
  /** The cell; needed unless resuming (a checkpoint keeps its own). */
  recurrent?: RecurrentCell;
  /** @default 24 */
  window?: number;
  /** @default 1 */
  horizon?: number;
  /** @default [32] */
  units?: number[];
  /** Columns to learn and forecast; default: every numeric column (then a forecast feeds itself). */
  target?: string[];
  /** Columns that are not features (text columns, such as dates, are left out anyway). */
  ignore?: string[];
}

/** The options a checkpoint saves: those that decide the result (and the epochs to train up to), and where files go; and the series' rows. */
type SavedOptions = Omit<RecurrentTrainOptions, 'resume' | 'plot' | 'backend'> & { rows: number };

/** A checkpoint file written by `train --recurrent --checkpoint`: the checked model with its training state, its options and its epoch. */
function readCheckpoint(file: string): { model: RecurrentModelJSON; options: SavedOptions; epoch: number } {
  let model: RecurrentModelJSON;
  try {
    model = parseRecurrentModel(readText(file));
  } catch (error) {
    if (error instanceof FormatError && !error.message.startsWith('cannot read ')) throw new FormatError(`--resume ${file}: ${error.message}`, '--resume');
    throw error;
  }
  const options = model.meta?.[OPTIONS_KEY] as Record<string, unknown> | undefined;
  if (!model.training?.fit || options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(`--resume ${file} is not a checkpoint written by neurite train --recurrent --checkpoint (it has no training state)`, '--resume');
  }
  // The fields a resumed run reads from it, checked as the command line checks them.
  const bad = (key: string, what: string) => new FormatError(`--resume ${file}: meta.${OPTIONS_KEY}.${key} must be ${what}, got ${JSON.stringify(options[key])}`, '--resume');
  for (const key of ['window', 'horizon', 'epochs', 'batchSize', 'checkpointEvery', 'rows']) {
    const value = options[key];
    if (value === undefined && key !== 'rows') continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw bad(key, 'a positive integer');
  }
  for (const key of ['target', 'ignore']) {
    const value = options[key];
    if (value !== undefined && (!Array.isArray(value) || !value.every((name) => typeof name === 'string'))) throw bad(key, 'a list of column names');
  }
  for (const key of ['out', 'checkpoint', 'delimiter']) {
    if (options[key] !== undefined && typeof options[key] !== 'string') throw bad(key, 'a string');
  }
  if (!['lstm', 'gru', 'rnn'].includes(options.recurrent as string)) throw bad('recurrent', 'lstm, gru or rnn');
  return { model, options: options as unknown as SavedOptions, epoch: model.training.fit.epoch };
}

/** What `train` keeps in `model.meta.series` so that `forecast` reads a file as training did. */
export interface SeriesMeta {
  /** The feature columns, in order (the network's inputs). */
  inputs: string[];
  /** The forecast columns (the network's outputs, `horizon` steps of each). */
  targets: string[];
  window: number;
  horizon: number;
}

/** The feature columns of `table`: every column not ignored whose first field is a number. */
function featureColumns(table: Table, ignore: readonly string[]): { names: string[]; skipped: string[] } {
  const ignored = new Set(columnIndices(table, ignore, '--ignore'));
  const names: string[] = [];
  const skipped: string[] = [];
  table.columns.forEach((name, c) => {
    if (ignored.has(c)) return;
    if (parseNumber(table.rows[0]![c]!) === undefined) skipped.push(name);
    else names.push(name);
  });
  return { names, skipped };
}

/** Row-major values (rows × names) of the named numeric columns, every field checked. */
function columns(table: Table, names: readonly string[]): Float64Array {
  return rawTargets(table, { inputs: [], targets: [...names], inputMin: [], inputMax: [] }).values;
}

/** Rows [from, to) of row-major `values` of `width` columns, as step arrays. */
function steps(values: Float64Array, width: number, from: number, to: number): number[][] {
  return Array.from({ length: to - from }, (_, k) => Array.from(values.subarray((from + k) * width, (from + k + 1) * width)));
}

/**
 * The training windows of a series: for each start k, the input is rows k … k+window−1 and the target at each of
 * its steps t is the next `horizon` rows' targets (rows t+1 … t+horizon, flattened), so every step learns.
 */
export function seriesWindows(features: Float64Array, targets: Float64Array, rows: number, meta: SeriesMeta): SequencePair[] {
  const { window, horizon } = meta;
  const f = meta.inputs.length;
  const g = meta.targets.length;
  const count = rows - window - horizon + 1;
  return Array.from({ length: count }, (_, k) => ({
    input: steps(features, f, k, k + window),
    output: Array.from({ length: window }, (_, t) => Array.from(targets.subarray((k + t + 1) * g, (k + t + 1 + horizon) * g))),
  }));
}

/**
 * Trains a RecurrentNetwork on the windows of a CSV series and saves it, with the windowing in `meta.series`; with
 * `checkpoint`, writes checkpoints as it goes; with `resume`, continues the run a checkpoint saved, on the same series.
 */
export async function trainRecurrent(file: string, given: RecurrentTrainOptions, { out, err }: Streams, signal?: AbortSignal): Promise<RecurrentModelJSON> {
  if (given.checkpointEvery !== undefined && given.checkpoint === undefined && given.resume === undefined) throw new InvalidArgumentError('--checkpoint-every needs --checkpoint <file>', '--checkpoint-every');
  const checkpoint = given.resume === undefined ? undefined : readCheckpoint(given.resume);
  const options = checkpoint ? resumedOptions(given, checkpoint.options, given.resume!, checkpoint.epoch) : given;
  const cell = options.recurrent;
  if (cell === undefined) throw new InvalidArgumentError('train on a series needs --recurrent <cell> (lstm, gru or rnn)', '--recurrent');
  const outFile = options.out ?? DEFAULT_OUT;
  checkWritable(outFile, '--out');
  if (options.checkpoint !== undefined) checkWritable(options.checkpoint, '--checkpoint');
  const table = readTable(file, options.delimiter);
  const rows = table.rows.length;
  const window = options.window ?? DEFAULT_WINDOW;
  const horizon = options.horizon ?? DEFAULT_HORIZON;
  if (rows < window + horizon) {
    throw new InvalidArgumentError(`--window ${window} and --horizon ${horizon} need at least ${window + horizon} rows; ${file} has ${rows}`, '--window');
  }
  const { names, skipped } = featureColumns(table, options.ignore ?? []);
  if (names.length === 0) throw new FormatError(`${file} has no numeric columns to learn (its columns: ${nameList(table.columns)})`, 'data');
  if (skipped.length > 0) err.write(`neurite: ${nameList(skipped.map((name) => quoted(name)))} ${skipped.length === 1 ? 'holds' : 'hold'} text (a date?): not a feature\n`);
  const targets = options.target ?? names;
  const unknown = targets.find((name) => !names.includes(name));
  if (unknown !== undefined) throw new InvalidArgumentError(`--target ${quoted(unknown)} is not a numeric feature column of ${file} (${nameList(names)})`, '--target');
  const meta: SeriesMeta = { inputs: names, targets: [...targets], window, horizon };
  if (checkpoint) {
    const series = checkpoint.model.meta?.series;
    if (rows !== checkpoint.options.rows || JSON.stringify(series) !== JSON.stringify(meta)) {
      throw new InvalidArgumentError(`--resume ${given.resume} was trained on another series than ${file} (${rows !== checkpoint.options.rows ? `${checkpoint.options.rows} rows, not ${rows}` : 'its columns differ'}): resume with the same data file`, '--resume');
    }
  }
  const pairs = seriesWindows(columns(table, names), columns(table, targets), rows, meta);

  const units = options.units ?? DEFAULT_UNITS;
  const net = checkpoint
    ? RecurrentNetwork.fromJSON(checkpoint.model, options.backend ? { backend: options.backend } : {})
    : new RecurrentNetwork({
      inputSize: names.length,
      layers: [...units.map((size) => ({ type: cell, size })), { type: 'dense', size: targets.length * horizon }],
      ...(options.optimizer || options.learningRate !== undefined
        ? { optimizer: { type: options.optimizer ?? 'adam', ...(options.learningRate === undefined ? {} : { learningRate: options.learningRate }) } }
        : {}),
      seed: options.seed ?? DEFAULT_SEED,
      ...(options.backend ? { backend: options.backend } : {}),
    });
  try {
    const { resume: _resume, plot: _plot, backend: _backend, ...kept } = options;
    const saved: SavedOptions = { ...kept, seed: options.seed ?? DEFAULT_SEED, rows };
    // Checkpoints carry the options and the series' row count, so that `--resume` needs only the data file.
    net.meta = { series: meta, [OPTIONS_KEY]: saved };
    const first = checkpoint?.epoch ?? 0;
    const layers = units.map((size) => `${cell}(${size})`).join('-');
    out.write(`training ${layers} on ${pairs.length} windows of ${window} steps from ${file} (${names.length === 1 ? 'feature' : 'features'} ${nameList(names)}; `
      + `each step learns the next ${horizon === 1 ? 'value' : `${horizon} values`} of ${nameList(targets)}), ${net.backend} backend`
      + `${checkpoint ? `, resuming after epoch ${first} from ${given.resume}` : ''}\n`);
    const bar = progress(options.epochs, out, false, first);
    const history = await fitWithCheckpoints(options, file, bar, signal, () => net.toJSON({ training: true }), (fit) => net.fitAsync(pairs, fit));
    const epochs = history.epochs;
    if (options.plot !== false && epochs.length > 1) out.write(`\n${lossChart(epochs, out.isTTY === true)}\n\n`);
    const last = epochs.length > 0 ? epochs[epochs.length - 1]!.epoch + 1 : first;
    if (history.stopReason === 'earlyStopping') out.write(`stopped early after epoch ${last}: val_loss stopped improving; the best epoch's weights are kept\n`);
    net.meta = { series: meta };
    const model = net.toJSON();
    writeAtomic(outFile, JSON.stringify(model));
    out.write(`saved ${outFile}\n`);
    return model;
  } finally {
    net.dispose();
  }
}

/** Options of `neurite forecast`. */
export interface ForecastOptions {
  steps: number;
  format: 'csv' | 'json';
  /** Significant digits of the numbers printed; default: as many as float64 needs to read back exactly. */
  precision?: number;
  /** Draw the chart after the numbers. @default true */
  plot?: boolean;
  delimiter?: string;
  backend?: 'wasm' | 'js';
}

/** `model.meta.series` as `train --recurrent` wrote it, checked against the network. */
function readSeriesMeta(file: string, net: RecurrentNetwork): SeriesMeta {
  const series = (net.meta as { series?: Record<string, unknown> } | undefined)?.series;
  const names = (value: unknown) => Array.isArray(value) && value.length > 0 && value.every((name) => typeof name === 'string');
  const count = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
  if (series === undefined || series === null || typeof series !== 'object' || !names(series.inputs) || !names(series.targets) || !count(series.window) || !count(series.horizon)) {
    throw new FormatError(`${file} has no series meta (meta.series: inputs, targets, window, horizon): train it with neurite train --recurrent`, 'model');
  }
  const meta = series as unknown as SeriesMeta;
  if (meta.inputs.length !== net.inputSize || meta.targets.length * meta.horizon !== net.outputSize || net.output !== 'sequence') {
    throw new FormatError(`${file}: meta.series (${meta.inputs.length} inputs, ${meta.targets.length} targets × horizon ${meta.horizon}) does not match the network (${net.inputSize} inputs, ${net.outputSize} outputs, output '${net.output}')`, 'model');
  }
  if (meta.inputs.some((name, i) => meta.targets[i] !== name) || meta.targets.length !== meta.inputs.length) {
    throw new FormatError(`${file} forecasts ${nameList(meta.targets)} from ${nameList(meta.inputs)}: a forecast feeds its outputs back as inputs, so the targets must be the features (train without --target)`, 'model');
  }
  return meta;
}

/** Loads a recurrent model file; errors name the file. */
function loadRecurrent(file: string, backend?: 'wasm' | 'js'): RecurrentNetwork {
  try {
    return RecurrentNetwork.fromJSON(readText(file), backend ? { backend } : {});
  } catch (error) {
    if (error instanceof FormatError && !error.message.startsWith('cannot read ')) throw new FormatError(`${file}: ${error.message}`, 'model');
    throw error;
  }
}

/**
 * The `steps` rows after the end of `values` (rows × features): the network reads the last `window` rows, its last
 * step's output gives the next `horizon` rows, which join the series; repeated until `steps` rows are forecast.
 */
export function forecastSeries(net: RecurrentNetwork, values: Float64Array, rows: number, meta: SeriesMeta, count: number): number[][] {
  const f = meta.inputs.length;
  const series = steps(values, f, 0, rows);
  const forecast: number[][] = [];
  while (forecast.length < count) {
    const output = net.predict(series.slice(-meta.window));
    const last = output.subarray(output.length - f * meta.horizon);
    for (let h = 0; h < meta.horizon && forecast.length < count; h++) {
      const row = Array.from(last.subarray(h * f, (h + 1) * f));
      forecast.push(row);
      series.push(row);
    }
  }
  return forecast;
}

/** The last history rows and the forecast of each column as one chart per column, the forecast marked below it. */
function forecastChart(history: number[][], forecast: number[][], names: readonly string[], color: boolean): string {
  return names.map((name, c) => {
    const past = history.map((row) => row[c]!);
    const ahead = forecast.map((row) => row[c]!);
    const line = [...past, ...ahead];
    const chart = asciichart.plot(line, { height: 12, format: (value) => value.toPrecision(4).padStart(10) });
    // asciichart's rows are the label (10 characters) and a space, then the axis column, which holds the first value.
    const marker = `${' '.repeat(10 + 1 + past.length)}${'^'.repeat(ahead.length)} forecast`;
    const title = `${name}: the last ${past.length} rows, then ${ahead.length} forecast`;
    return `${color ? `${asciichart.blue}${title}${asciichart.reset}` : title}\n${chart}\n${marker}`;
  }).join('\n\n');
}

/** Prints the `steps` rows after the end of `file`'s series, forecast by the model, then a chart. */
export function forecast(modelFile: string, file: string, options: ForecastOptions, { out }: { out: Output }): number[][] {
  const net = loadRecurrent(modelFile, options.backend);
  try {
    const meta = readSeriesMeta(modelFile, net);
    const table = readTable(file, options.delimiter);
    const rows = table.rows.length;
    if (rows < meta.window) throw new FormatError(`${file} has ${rows} rows; the model reads the last ${meta.window}`, 'data');
    const values = columns(table, meta.inputs);
    const predicted = forecastSeries(net, values, rows, meta, options.steps);
    const number = (v: number) => (options.precision === undefined ? v : Number(v.toPrecision(options.precision)));
    const header = ['step', ...meta.targets];
    const records = predicted.map((row, k) => [k + 1, ...row.map(number)]);
    if (options.format === 'json') out.write(`${JSON.stringify(records.map((r) => Object.fromEntries(header.map((c, i) => [c, r[i]]))), null, 1)}\n`);
    else out.write(`${[header.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)), ...records].map((r) => r.join(',')).join('\n')}\n`);
    if (options.plot !== false) {
      const history = steps(values, meta.inputs.length, Math.max(0, rows - CHART_HISTORY), rows);
      out.write(`\n${forecastChart(history, predicted, meta.targets, out.isTTY === true)}\n`);
    }
    return predicted;
  } finally {
    net.dispose();
  }
}

/** Whether `file` holds a recurrent model (its JSON's `format`); false for anything else, which the dense commands report on. */
export function isRecurrentModelFile(file: string): boolean {
  try {
    return (JSON.parse(readText(file)) as { format?: unknown } | null)?.format === 'neurite-recurrent';
  } catch {
    return false;
  }
}

/**
 * Exports a recurrent model file as ONNX (float32: onnxruntime runs LSTM, GRU and RNN in float32 only), to `file`
 * or, when `file` is `-`, to standard output (the note then goes to `err`). A model ONNX cannot express (an lstm
 * with memory 'hidden', as imported from brain.js) is refused with a ConfigurationError naming the file; nothing is written.
 */
export function exportRecurrent(modelFile: string, to: 'onnx' | 'onnx64' | 'js', file: string, { out, err }: Streams): void {
  if (to !== 'onnx') throw new InvalidArgumentError(`--to ${to}: ${modelFile} is a recurrent model, which exports as ONNX (float32) only: use --to onnx`, '--to');
  if (file !== '-') checkWritable(file, '--out');
  const net = loadRecurrent(modelFile);
  try {
    let bytes: Uint8Array;
    try {
      bytes = recurrentToONNX(net.toJSON());
    } catch (error) {
      if (error instanceof ConfigurationError) throw new ConfigurationError(`${modelFile}: ${error.message}`, error.argument);
      throw error;
    }
    if (file === '-') out.write(bytes);
    else writeAtomic(file, bytes);
    const shape = net.output === 'sequence' ? `[N, T, ${net.outputSize}], every step` : `[N, ${net.outputSize}]`;
    (file === '-' ? err : out).write(`${file === '-' ? 'wrote to standard output' : `saved ${file}`} (input [N, T, ${net.inputSize}]: N sequences of T steps, in the columns' units; output ${shape})\n`);
  } finally {
    net.dispose();
  }
}
