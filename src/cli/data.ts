// The CLI's data handling: CSV/JSON files as tables, columns as numbers or classes, normalization kept in the model.
import { readFileSync } from 'node:fs';
import type { Loss } from '../dense/types.js';
import { FormatError, InvalidArgumentError } from '../errors.js';
import { parseCSV, parseNumber } from '../io/csv.js';

/** A data file as text fields, whatever its format; `place(i)` says where row i came from, for errors. */
export interface Table {
  readonly file: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  place(row: number): string;
}

/**
 * What the CLI stores in `model.meta` so that `predict` and `evaluate` read new data the way `train` did:
 * the columns, the min/max scaling of inputs (and of regression targets), and the class labels.
 */
export interface DataMeta {
  inputs: string[];
  targets: string[];
  inputMin: number[];
  inputMax: number[];
  /** Classification: output i is the probability of `classes[i]`. */
  classes?: string[];
  /** Regression with mse: targets were scaled to [0, 1] by these, and outputs are scaled back. */
  targetMin?: number[];
  targetMax?: number[];
}

/** Reads a `.csv` file (header row required) or a `.json` file: `[{ input: [...], output: [...] }]` or `[{ column: value, ... }]`. */
export function readTable(file: string): Table {
  const text = readFileSync(file, 'utf8');
  if (/\.json$/i.test(file)) return jsonTable(file, text);
  const csv = parseCSV(text);
  return { file, columns: csv.columns, rows: csv.rows, place: (row) => `${file} line ${csv.lines[row]}` };
}

function jsonTable(file: string, text: string): Table {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FormatError(`${file} is not valid JSON: ${(error as Error).message}`, 'data');
  }
  if (!Array.isArray(value) || value.length === 0) throw new FormatError(`${file} must hold a non-empty array of rows`, 'data');
  const place = (row: number) => `${file} row ${row + 1}`;
  const first = value[0] as unknown;
  if (first !== null && typeof first === 'object' && 'input' in first && Array.isArray((first as { input: unknown }).input)) {
    return pairsTable(file, value, place);
  }
  if (first === null || typeof first !== 'object' || Array.isArray(first)) throw new FormatError(`${place(0)} must be an object of column values or { input, output }`, 'data');
  const columns = Object.keys(first);
  const rows = value.map((record: unknown, r) => {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new FormatError(`${place(r)} must be an object like row 1`, 'data');
    const keys = Object.keys(record);
    if (keys.length !== columns.length || columns.some((c) => !Object.hasOwn(record, c))) {
      throw new FormatError(`${place(r)} must have the columns of row 1 (${columns.join(', ')}), got ${keys.join(', ')}`, 'data');
    }
    return columns.map((c) => cell((record as Record<string, unknown>)[c], `${place(r)} column '${c}'`));
  });
  return { file, columns, rows, place };
}

/** `{ input, output }` pairs become columns x1..xn and y1..ym. */
function pairsTable(file: string, value: unknown[], place: (row: number) => string): Table {
  const { input, output } = value[0] as { input: unknown[]; output: unknown };
  if (!Array.isArray(output)) throw new FormatError(`${place(0)}.output must be an array of numbers`, 'data');
  const columns = [...input.map((_, i) => `x${i + 1}`), ...output.map((_, i) => `y${i + 1}`)];
  const rows = value.map((pair, r) => {
    const p = pair as { input?: unknown; output?: unknown } | null;
    if (p === null || typeof p !== 'object' || !Array.isArray(p.input) || !Array.isArray(p.output) || p.input.length !== input.length || p.output.length !== output.length) {
      throw new FormatError(`${place(r)} must be { input: [${input.length} numbers], output: [${output.length} numbers] } like row 1`, 'data');
    }
    return [...p.input, ...p.output].map((v) => cell(v, place(r)));
  });
  return { file, columns, rows, place };
}

function cell(value: unknown, where: string): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string') return value;
  throw new FormatError(`${where} must be a finite number or a text, got ${value === null ? 'null' : typeof value}`, 'data');
}

/** The index of each named column; the error lists the file's columns. */
export function columnIndices(table: Table, names: readonly string[], option: string): number[] {
  return names.map((name) => {
    const at = table.columns.indexOf(name);
    if (at < 0) throw new InvalidArgumentError(`${option}: ${table.file} has no column '${name}'; its columns are ${table.columns.join(', ')}`, option);
    return at;
  });
}

/** Column `c` as numbers; the error gives the row's place and suggests classes when `hint` is set. */
export function numericColumn(table: Table, c: number, hint = ''): Float64Array {
  const out = new Float64Array(table.rows.length);
  table.rows.forEach((row, r) => {
    const value = parseNumber(row[c]!);
    if (value === undefined) throw new FormatError(`${table.place(r)}: column '${table.columns[c]}' holds ${JSON.stringify(row[c])}, not a number${hint}`, 'data');
    out[r] = value;
  });
  return out;
}

/** A class column's labels in a canonical form: integers as their decimal text, anything else trimmed. */
function labels(table: Table, c: number): string[] {
  return table.rows.map((row) => {
    const value = parseNumber(row[c]!);
    return value === undefined ? row[c]!.trim() : String(value);
  });
}

/** How `train` reads a table: which loss, which columns, how targets are encoded. */
export interface TrainingPlan {
  loss: Loss;
  meta: DataMeta;
  /** Row-major inputs (not yet scaled) and encoded targets. */
  inputs: Float64Array;
  targets: Float64Array;
  rows: number;
}

/**
 * Chooses the loss (crossEntropy for one text column, else mse unless `loss` says otherwise), one-hot encodes
 * class columns, and checks every field. Scaling comes later, from the training rows only.
 */
export function planTraining(table: Table, targetNames: readonly string[] | undefined, loss: Loss | undefined): TrainingPlan {
  if (table.rows.length === 0) throw new FormatError(`${table.file} has a header but no data rows`, 'data');
  const targets = targetNames ?? [table.columns[table.columns.length - 1]!];
  const targetAt = columnIndices(table, targets, '--target');
  const inputAt = table.columns.map((_, c) => c).filter((c) => !targetAt.includes(c));
  if (inputAt.length === 0) throw new InvalidArgumentError(`--target: no input columns are left in ${table.file}`, '--target');
  const inputs = table.columns.filter((_, c) => inputAt.includes(c));
  const rows = table.rows.length;
  const x = interleave(inputAt.map((c) => numericColumn(table, c)), rows);
  const single = targetAt.length === 1 ? targetAt[0]! : -1;
  const isText = single >= 0 && table.rows.some((row) => parseNumber(row[single]!) === undefined);
  const chosen: Loss = loss ?? (isText ? 'crossEntropy' : 'mse');
  const meta: DataMeta = { inputs, targets: [...targets], inputMin: [], inputMax: [] };

  if (chosen === 'crossEntropy' && single >= 0) {
    const values = labels(table, single);
    if (!isText && values.some((v) => !Number.isInteger(Number(v)))) {
      throw new FormatError(`--loss crossEntropy needs a class column of text or integers; column '${targets[0]}' holds ${values.find((v) => !Number.isInteger(Number(v)))}`, 'data');
    }
    const classes = [...new Set(values)].sort(isText ? undefined : (a, b) => Number(a) - Number(b));
    if (classes.length < 2) throw new FormatError(`column '${targets[0]}' holds a single class (${classes[0]}): nothing to learn`, 'data');
    const y = new Float64Array(rows * classes.length);
    values.forEach((v, r) => (y[r * classes.length + classes.indexOf(v)] = 1));
    meta.classes = classes;
    return { loss: chosen, meta, inputs: x, targets: y, rows };
  }
  const hint = isText ? ' (use --loss crossEntropy to read it as classes)' : '';
  const columns = targetAt.map((c) => numericColumn(table, c, hint));
  if (chosen === 'crossEntropy') {
    // Several numeric target columns with crossEntropy: already one-hot or probabilities, one class per column.
    meta.classes = [...targets];
  } else if (chosen === 'binaryCrossEntropy') {
    columns.forEach((column, t) => column.forEach((v, r) => {
      if (v < 0 || v > 1) throw new FormatError(`${table.place(r)}: --loss binaryCrossEntropy needs targets in [0, 1]; column '${targets[t]}' holds ${v}`, 'data');
    }));
  } else {
    const { min, max } = ranges(columns);
    meta.targetMin = min;
    meta.targetMax = max;
  }
  return { loss: chosen, meta, inputs: x, targets: interleave(columns, rows), rows };
}

/** Per-column minimum and maximum of row-major `values` over `rows` rows. */
export function columnRanges(values: Float64Array, rows: number): { min: number[]; max: number[] } {
  const width = rows === 0 ? 0 : values.length / rows;
  const columns = Array.from({ length: width }, (_, c) => Float64Array.from({ length: rows }, (_, r) => values[r * width + c]!));
  return ranges(columns);
}

function ranges(columns: readonly Float64Array[]): { min: number[]; max: number[] } {
  return {
    min: columns.map((column) => column.reduce((a, b) => Math.min(a, b), Infinity)),
    max: columns.map((column) => column.reduce((a, b) => Math.max(a, b), -Infinity)),
  };
}

/** Scales row-major `values` in place to (v - min) / (max - min); a constant column (max = min) becomes 0. */
export function scale(values: Float64Array, min: readonly number[], max: readonly number[]): Float64Array {
  const width = min.length;
  for (let i = 0; i < values.length; i++) {
    const c = i % width;
    const span = max[c]! - min[c]!;
    values[i] = span > 0 ? (values[i]! - min[c]!) / span : 0;
  }
  return values;
}

/** Undoes {@link scale} in place. */
export function unscale(values: Float64Array, min: readonly number[], max: readonly number[]): Float64Array {
  const width = min.length;
  for (let i = 0; i < values.length; i++) values[i] = min[i % width]! + values[i]! * (max[i % width]! - min[i % width]!);
  return values;
}

/** Columns → one row-major array. */
function interleave(columns: readonly Float64Array[], rows: number): Float64Array {
  const out = new Float64Array(rows * columns.length);
  columns.forEach((column, c) => column.forEach((v, r) => (out[r * columns.length + c] = v)));
  return out;
}

/** The inputs of `table` as the model expects them: its input columns in order, scaled by the training stats. */
export function modelInputs(table: Table, meta: DataMeta): Float64Array {
  const at = columnIndices(table, meta.inputs, 'data');
  return scale(interleave(at.map((c) => numericColumn(table, c)), table.rows.length), meta.inputMin, meta.inputMax);
}

/** The targets of `table` encoded as in training (one-hot classes, scaled regression targets). */
export function modelTargets(table: Table, meta: DataMeta): Float64Array {
  const at = columnIndices(table, meta.targets, 'data');
  const rows = table.rows.length;
  if (meta.classes && meta.targets.length === 1) {
    const classes = meta.classes;
    const y = new Float64Array(rows * classes.length);
    labels(table, at[0]!).forEach((v, r) => {
      const k = classes.indexOf(v);
      if (k < 0) throw new FormatError(`${table.place(r)}: class '${v}' of column '${meta.targets[0]}' was not seen in training (classes: ${classes.join(', ')})`, 'data');
      y[r * classes.length + k] = 1;
    });
    return y;
  }
  const y = interleave(at.map((c) => numericColumn(table, c)), rows);
  return meta.targetMin && meta.targetMax ? scale(y, meta.targetMin, meta.targetMax) : y;
}

/** Checks `model.meta` as written by `train`; undefined when the model has none (then columns are taken in order). */
export function readMeta(meta: unknown, inputSize: number, outputSize: number): DataMeta | undefined {
  if (meta === undefined || meta === null || typeof meta !== 'object' || !('inputs' in meta)) return undefined;
  const m = meta as Record<string, unknown>;
  const strings = (v: unknown, length: number | undefined, field: string) => {
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string') || (length !== undefined && v.length !== length)) {
      throw new FormatError(`model meta.${field} must be an array of ${length ?? 'some'} column names`, `meta.${field}`);
    }
    return v as string[];
  };
  const numbers = (v: unknown, length: number, field: string) => {
    if (!Array.isArray(v) || v.length !== length || v.some((n) => typeof n !== 'number' || !Number.isFinite(n))) {
      throw new FormatError(`model meta.${field} must be an array of ${length} finite numbers`, `meta.${field}`);
    }
    return v as number[];
  };
  const out: DataMeta = {
    inputs: strings(m.inputs, inputSize, 'inputs'),
    targets: strings(m.targets, undefined, 'targets'),
    inputMin: numbers(m.inputMin, inputSize, 'inputMin'),
    inputMax: numbers(m.inputMax, inputSize, 'inputMax'),
  };
  if (m.classes !== undefined) out.classes = strings(m.classes, outputSize, 'classes');
  if (m.targetMin !== undefined || m.targetMax !== undefined) {
    out.targetMin = numbers(m.targetMin, outputSize, 'targetMin');
    out.targetMax = numbers(m.targetMax, outputSize, 'targetMax');
  }
  return out;
}
