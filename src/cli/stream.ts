// Training on CSV files larger than memory: a first pass gathers what the planner needs, then each epoch re-reads the file.
import { createReadStream } from 'node:fs';
import type { Loss } from '../dense/types.js';
import { FormatError, InvalidArgumentError } from '../errors.js';
import { CSVReader, type CSVRecord, nameList, parseNumber, quoted } from '../io/csv.js';
import { checkCategories, type DataMeta, distinct, integerClassesHint, label, scale } from './data.js';

/** Files larger than this (256 MiB) train streamed unless `--stream` is given for smaller ones. */
export const STREAM_THRESHOLD = 256 * 2 ** 20;
/** The most validation rows a streamed file holds in memory. */
export const STREAM_VALIDATION_ROWS = 10_000;
/** Rows per batch handed to fitAsync. */
const BATCH_ROWS = 1024;
/** Bytes read from the file at a time. */
const CHUNK_BYTES = 1 << 20;
/** A column with more distinct values than this is neither one-hot encoded nor read as classes. */
const CATEGORY_LIMIT = 10_000;

/** The data rows of a CSV file, read in pieces, as arrays of completed rows; `reader.columns` is set once the header is read. */
async function* fileRecords(file: string, reader: CSVReader): AsyncGenerator<CSVRecord[]> {
  try {
    for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: CHUNK_BYTES })) {
      const records = reader.push(chunk as string);
      if (records.length > 0) yield records;
    }
    yield reader.end();
  } catch (error) {
    if (error instanceof FormatError) throw new FormatError(error.message.startsWith('line ') ? `${file} ${error.message}` : `${file}: ${error.message}`, 'data');
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string') throw new FormatError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message}`, 'file');
    throw error;
  }
}

/**
 * A copy of `text` that does not hold on to the piece of the file it was cut from: a field is a slice of a
 * whole piece (a megabyte), and fields kept across the file would keep every piece alive.
 */
const detached = (text: string): string => JSON.parse(JSON.stringify(text)) as string;

/** Where a field is, for errors: `data.csv line 7, column 'price'`. */
const place = (file: string, line: number, column: string) => `${file} line ${line}, column ${quoted(column)}`;

/** What the first pass learns about one column: how many numbers, its range, its first text, its distinct values (up to a limit). */
class ColumnSummary {
  numbers = 0;
  min = Infinity;
  max = -Infinity;
  /** The first field that is not a number, and its line. */
  firstText: { value: string; line: number } | undefined;
  /** The first number that is not an integer, and its line. */
  firstFraction: { value: string; line: number } | undefined;
  /** The first number outside [0, 1], and its line. */
  firstOutside: { value: number; line: number } | undefined;
  /** Distinct canonical labels; null once there are more than CATEGORY_LIMIT. */
  labels: Set<string> | null = new Set();

  add(field: string, line: number, file: string, column: string): void {
    const value = parseNumber(field);
    if (value === undefined) {
      if (field.trim() === '') throw new FormatError(`${place(file, line, column)} is empty (fill in or drop rows with missing values)`, 'data');
      this.firstText ??= { value: detached(field), line };
    } else {
      this.numbers++;
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
      if (!Number.isInteger(value)) this.firstFraction ??= { value: detached(field), line };
      if (value < 0 || value > 1) this.firstOutside ??= { value, line };
    }
    if (this.labels) {
      const name = value === undefined ? field.trim() : String(value);
      if (!this.labels.has(name)) this.labels.add(detached(name));
      if (this.labels.size > CATEGORY_LIMIT) this.labels = null;
    }
  }

  /** Whether the column holds text; a text field in a column mostly of numbers is an error (a typo or a decimal comma). */
  isText(rows: number, file: string, column: string): boolean {
    if (this.firstText && this.numbers * 2 > rows) {
      throw new FormatError(`${place(file, this.firstText.line, column)} holds ${quoted(this.firstText.value)}, not a number, though most of the column is numbers`, 'data');
    }
    return this.firstText !== undefined;
  }

  /** The distinct labels, sorted; an error naming `what` when there are too many to keep. */
  distinct(numeric: boolean, file: string, column: string, what: string): string[] {
    if (!this.labels) throw new InvalidArgumentError(`${file}: column ${quoted(column)} holds more than ${CATEGORY_LIMIT} different values, too many ${what}`, '--ignore');
    return distinct([...this.labels], numeric);
  }
}

/** How a streamed file trains: the loss, the meta (as `planTraining` gives it, with the inputs' ranges), the row count, the validation rows. */
export interface StreamPlan {
  loss: Loss;
  meta: DataMeta;
  hint?: string;
  /** Data rows in the file. */
  rows: number;
  inputSize: number;
  outputSize: number;
  /** Indices of the rows held out for validation, in file order. */
  validationRows: Int32Array;
  /** The validation rows, encoded and scaled as training sees them, and their targets in their own units. */
  validation: { inputs: Float64Array; targets: Float64Array; actual: Float64Array } | undefined;
}

/** A 32-bit hash of a row index under a seed (murmur3's finalizer): which rows validate does not depend on the data. */
function rowHash(row: number, seed: number): number {
  let h = (row ^ Math.imul(seed, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Encodes one row's fields into the model's inputs and targets (before scaling); checks every field against the plan. */
type RowEncoder = (fields: readonly string[], line: number, inputs: Float64Array, at: number, targets: Float64Array, targetAt: number) => void;

function rowEncoder(file: string, columns: readonly string[], meta: DataMeta): RowEncoder {
  const index = new Map(columns.map((name, c) => [name, c]));
  const inputAt = meta.inputs.map((name) => index.get(name)!);
  const targetAt = meta.targets.map((name) => index.get(name)!);
  const categoryIndex = meta.categories?.map((names) => (names ? new Map(names.map((name, k) => [name, k])) : null));
  const classIndex = meta.classes && meta.targets.length === 1 ? new Map(meta.classes.map((name, k) => [name, k])) : undefined;
  const width = meta.inputMin.length;
  const outWidth = classIndex ? classIndex.size : targetAt.length;
  const number = (field: string, line: number, c: number): number => {
    const value = parseNumber(field);
    if (value === undefined) throw new FormatError(`${place(file, line, columns[c]!)} holds ${quoted(field)}, not a number (did the file change while training?)`, 'data');
    return value;
  };
  return (fields, line, inputs, at, targets, targetRow) => {
    let k = at * width;
    for (let i = 0; i < inputAt.length; i++) {
      const c = inputAt[i]!;
      const names = categoryIndex?.[i];
      if (!names) {
        inputs[k++] = number(fields[c]!, line, c);
        continue;
      }
      const hot = names.get(label(fields[c]!));
      if (hot === undefined) throw new FormatError(`${place(file, line, columns[c]!)} holds ${quoted(fields[c]!)}, a category not seen in the first pass (did the file change while training?)`, 'data');
      inputs.fill(0, k, k + names.size);
      inputs[k + hot] = 1;
      k += names.size;
    }
    const t = targetRow * outWidth;
    if (classIndex) {
      const hot = classIndex.get(label(fields[targetAt[0]!]!));
      if (hot === undefined) throw new FormatError(`${place(file, line, columns[targetAt[0]!]!)} holds a class not seen in the first pass (did the file change while training?)`, 'data');
      targets.fill(0, t, t + outWidth);
      targets[t + hot] = 1;
    } else targetAt.forEach((c, j) => (targets[t + j] = number(fields[c]!, line, c)));
  };
}

/** Options of the first pass: as `planTraining`'s, with the validation share and the seed that picks its rows. */
export interface StreamPlanOptions {
  target?: readonly string[];
  ignore?: readonly string[];
  loss?: Loss;
  delimiter?: string;
  /** Share of rows held out for validation (at most STREAM_VALIDATION_ROWS); default 0.2 with 50 rows or more. */
  validationSplit?: number;
  seed: number;
}

/**
 * The first pass over a CSV file too large for memory: types the columns, gathers categories, classes and ranges,
 * counts the rows, and keeps the validation rows: those of the smallest seeded hashes among the share
 * `validationSplit`, at most STREAM_VALIDATION_ROWS. Scaling figures come from every row.
 */
export async function planStream(file: string, options: StreamPlanOptions): Promise<StreamPlan> {
  const reader = new CSVReader(options.delimiter === undefined ? {} : { delimiter: options.delimiter });
  let summaries: ColumnSummary[] = [];
  let rows = 0;
  // Validation candidates, fields as JSON (detached from the file's pieces); cut to the smallest hashes whenever
  // twice the cap, after which only hashes below the largest kept can be among them.
  let candidates: { hash: number; row: number; line: number; fields: string }[] = [];
  let cutoff = 2 ** 32;
  const share = options.validationSplit;
  const limit = share === undefined ? 0.2 : share;
  const byHash = (a: { hash: number; row: number }, b: { hash: number; row: number }) => a.hash - b.hash || a.row - b.row;
  for await (const records of fileRecords(file, reader)) {
    if (summaries.length === 0) summaries = reader.columns!.map(() => new ColumnSummary());
    const columns = reader.columns!;
    for (const { fields, line } of records) {
      for (let c = 0; c < fields.length; c++) summaries[c]!.add(fields[c]!, line, file, columns[c]!);
      const hash = rowHash(rows, options.seed);
      if (hash < limit * 2 ** 32 && hash <= cutoff) {
        candidates.push({ hash, row: rows, line, fields: JSON.stringify(fields) });
        if (candidates.length >= 2 * STREAM_VALIDATION_ROWS) {
          candidates = candidates.sort(byHash).slice(0, STREAM_VALIDATION_ROWS);
          cutoff = candidates[candidates.length - 1]!.hash;
        }
      }
      rows++;
    }
  }
  const columns = reader.columns!;
  if (rows === 0) throw new FormatError(`${file} has a header but no data rows`, 'data');
  if (columns.length === 1) throw new FormatError(`${file} has a single column (${quoted(columns[0]!)}): nothing to learn from (is --delimiter right?)`, 'data');
  const index = new Map(columns.map((name, c) => [name, c]));
  const find = (names: readonly string[], option: string) => names.map((name) => {
    const at = index.get(name);
    if (at === undefined) throw new InvalidArgumentError(`${option}: ${file} has no column ${quoted(name)}; its columns are ${nameList(columns)}`, option);
    return at;
  });
  const targets = options.target ?? [columns[columns.length - 1]!];
  const targetAt = find(targets, '--target');
  const left = new Set([...targetAt, ...find(options.ignore ?? [], '--ignore')]);
  const inputAt = columns.map((_, c) => c).filter((c) => !left.has(c));
  if (inputAt.length === 0) throw new InvalidArgumentError(`--target, --ignore: no input columns are left in ${file}`, '--target');

  const meta: DataMeta = { inputs: inputAt.map((c) => columns[c]!), targets: [...targets], inputMin: [], inputMax: [] };
  const categories = inputAt.map((c) => {
    const s = summaries[c]!;
    return s.isText(rows, file, columns[c]!) ? checkCategories(s.distinct(false, file, columns[c]!, 'to one-hot encode (an identifier?)'), rows, file, columns[c]!) : null;
  });
  if (categories.some((names) => names !== null)) meta.categories = categories;
  inputAt.forEach((c, i) => {
    const names = categories[i];
    if (!names) {
      meta.inputMin.push(summaries[c]!.min);
      meta.inputMax.push(summaries[c]!.max);
      return;
    }
    // A one-hot column is 0 and 1, or always 1 for a column of a single category.
    for (let k = 0; k < names.length; k++) {
      meta.inputMin.push(names.length === 1 ? 1 : 0);
      meta.inputMax.push(1);
    }
  });

  const single = targetAt.length === 1 ? targetAt[0]! : -1;
  const summary = single >= 0 ? summaries[single]! : undefined;
  const isText = summary !== undefined && summary.isText(rows, file, targets[0]!);
  const loss: Loss = options.loss ?? (isText ? 'crossEntropy' : 'mse');
  let hint: string | undefined;
  if (loss === 'crossEntropy' && summary) {
    if (!isText && summary.firstFraction) {
      throw new FormatError(`${place(file, summary.firstFraction.line, targets[0]!)}: --loss crossEntropy needs a class column of text or integers, got ${quoted(summary.firstFraction.value)}`, 'data');
    }
    const classes = summary.distinct(!isText, file, targets[0]!, 'to read as classes');
    if (classes.length < 2) throw new FormatError(`${file}: column ${quoted(targets[0]!)} holds a single class (${quoted(classes[0]!)}): nothing to learn`, 'data');
    meta.classes = classes;
  } else {
    targetAt.forEach((c) => {
      const s = summaries[c]!;
      if (s.firstText) {
        const textHint = isText ? ' (use --loss crossEntropy to read it as classes)' : '';
        throw new FormatError(`${place(file, s.firstText.line, columns[c]!)} holds ${quoted(s.firstText.value)}, not a number${textHint}`, 'data');
      }
    });
    if (loss === 'crossEntropy') meta.classes = [...targets];
    else if (loss === 'binaryCrossEntropy') {
      targetAt.forEach((c) => {
        const outside = summaries[c]!.firstOutside;
        if (outside) throw new FormatError(`${place(file, outside.line, columns[c]!)}: --loss binaryCrossEntropy needs targets in [0, 1], got ${outside.value}`, 'data');
      });
    } else {
      meta.targetMin = targetAt.map((c) => summaries[c]!.min);
      meta.targetMax = targetAt.map((c) => summaries[c]!.max);
      if (options.loss === undefined && summary && !summary.firstFraction && summary.labels) {
        hint = integerClassesHint(distinct([...summary.labels], true), rows, targets[0]!);
      }
    }
  }

  const inputSize = meta.inputMin.length;
  const outputSize = meta.classes?.length ?? targets.length;
  const wanted = share ?? (rows >= 50 ? 0.2 : 0);
  const held = wanted > 0 ? candidates.sort(byHash).slice(0, STREAM_VALIDATION_ROWS).sort((a, b) => a.row - b.row) : [];
  if (wanted > 0 && (held.length === 0 || held.length >= rows)) {
    throw new InvalidArgumentError(`--validation-split ${wanted} of ${rows} rows leaves no training or no validation rows`, '--validation-split');
  }
  const plan: StreamPlan = { loss, meta, rows, inputSize, outputSize, validationRows: Int32Array.from(held, (h) => h.row), validation: undefined };
  if (hint) plan.hint = hint;
  if (held.length > 0) {
    const encode = rowEncoder(file, columns, meta);
    const inputs = new Float64Array(held.length * inputSize);
    const actual = new Float64Array(held.length * outputSize);
    held.forEach((h, r) => encode(JSON.parse(h.fields) as string[], h.line, inputs, r, actual, r));
    plan.validation = { inputs: scale(inputs, meta.inputMin, meta.inputMax), targets: scaledTargets(actual.slice(), meta), actual };
  }
  return plan;
}

/** Regression targets scaled to [0, 1] by the meta's ranges; class targets as they are. */
function scaledTargets(values: Float64Array, meta: DataMeta): Float64Array {
  return !meta.classes && meta.targetMin && meta.targetMax ? scale(values, meta.targetMin, meta.targetMax) : values;
}

/**
 * A function returning a fresh stream of the file's training rows (the validation rows left out), encoded and
 * scaled, in batches: what fitAsync re-reads each epoch. `passes` records the rows each stream read.
 */
export function trainingStream(file: string, delimiter: string | undefined, plan: StreamPlan, passes: number[]): () => AsyncIterable<{ inputs: Float64Array; targets: Float64Array }> {
  const { meta, inputSize, outputSize, validationRows } = plan;
  return async function* batches() {
    const pass = passes.push(0) - 1;
    const reader = new CSVReader(delimiter === undefined ? {} : { delimiter });
    let encode: RowEncoder | undefined;
    let row = 0;
    let nextHeld = 0;
    let inputs = new Float64Array(BATCH_ROWS * inputSize);
    let targets = new Float64Array(BATCH_ROWS * outputSize);
    let filled = 0;
    const batch = () => ({ inputs: scale(inputs.subarray(0, filled * inputSize), meta.inputMin, meta.inputMax), targets: scaledTargets(targets.subarray(0, filled * outputSize), meta) });
    for await (const records of fileRecords(file, reader)) {
      encode ??= rowEncoder(file, reader.columns!, meta);
      for (const { fields, line } of records) {
        if (validationRows[nextHeld] === row) nextHeld++;
        else {
          encode(fields, line, inputs, filled, targets, filled);
          if (++filled === BATCH_ROWS) {
            yield batch();
            inputs = new Float64Array(BATCH_ROWS * inputSize);
            targets = new Float64Array(BATCH_ROWS * outputSize);
            filled = 0;
          }
        }
        row++;
        passes[pass] = row;
      }
    }
    if (filled > 0) yield batch();
    if (row !== plan.rows) throw new FormatError(`${file} changed while training: it now has ${row} data rows, the first pass read ${plan.rows}`, 'data');
  };
}
