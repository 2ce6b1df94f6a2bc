// The CLI's data handling: CSV/JSON files as tables, columns as numbers or categories, normalization kept in the model.
import { readFileSync } from 'node:fs';
import type { Loss } from '../dense/types.js';
import { FormatError, InvalidArgumentError } from '../errors.js';
import { nameList, parseCSV, parseNumber, quoted } from '../io/csv.js';

/** A data file as text fields, whatever its format; `place(i)` says where row i came from, for errors. */
export interface Table {
  readonly file: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  place(row: number): string;
}

/**
 * What the CLI stores in `model.meta` so that `predict`, `evaluate` and `export` read new data the way `train`
 * did: the columns, the categories of text input columns, the min/max scaling of inputs (and of regression
 * targets), and the class labels.
 */
export interface DataMeta {
  /** The data's input columns, in order. */
  inputs: string[];
  targets: string[];
  /** Per input column: its categories when it holds text (one-hot encoded, one network input each), else null. */
  categories?: (string[] | null)[];
  /** Per network input (after one-hot encoding). */
  inputMin: number[];
  inputMax: number[];
  /** Classification: output i is the probability of `classes[i]`. */
  classes?: string[];
  /** Regression with mse: targets were scaled to [0, 1] by these, and outputs are scaled back. */
  targetMin?: number[];
  targetMax?: number[];
}

/** Largest number of distinct integer targets for which `train` suggests reading them as classes. */
const HINT_MAX_CLASSES = 20;
/** A text input column with more categories than this and than half the rows is refused as an identifier. */
const IDENTIFIER_CATEGORIES = 20;

/** Reads a file as text, with one-line errors that name it instead of a bare `ENOENT`. */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (error as Error).message;
    throw new FormatError(`cannot read ${file}: ${why}`, 'file');
  }
}

/**
 * Reads a `.csv` file (header row required; separator detected unless `delimiter` is given) or a `.json` file:
 * `[{ input: [...], output: [...] }]` or `[{ column: value, ... }]`. Errors name the file and line.
 */
export function readTable(file: string, delimiter?: string): Table {
  const text = readText(file);
  if (/\.json$/i.test(file)) return jsonTable(file, text);
  try {
    const csv = parseCSV(text, delimiter === undefined ? {} : { delimiter });
    return { file, columns: csv.columns, rows: csv.rows, place: (row) => `${file} line ${csv.lines[row]}` };
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    throw new FormatError(error.message.startsWith('line ') ? `${file} ${error.message}` : `${file}: ${error.message}`, 'data');
  }
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
      throw new FormatError(`${place(r)} must have the columns of row 1 (${nameList(columns)}), got ${nameList(keys)}`, 'data');
    }
    return columns.map((c) => cell((record as Record<string, unknown>)[c], `${place(r)} column ${quoted(c)}`));
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
  const index = new Map(table.columns.map((name, c) => [name, c]));
  return names.map((name) => {
    const at = index.get(name);
    if (at === undefined) throw new InvalidArgumentError(`${option}: ${table.file} has no column ${quoted(name)}; its columns are ${nameList(table.columns)}`, option);
    return at;
  });
}

/** Where a field is, for errors: `data.csv line 7, column 'price'`. */
function at(table: Table, row: number, c: number): string {
  return `${table.place(row)}, column ${quoted(table.columns[c]!)}`;
}

/** Fails on an empty field: neurite does not guess missing values. */
function present(table: Table, row: number, c: number): string {
  const field = table.rows[row]![c]!;
  if (field.trim() === '') throw new FormatError(`${at(table, row, c)} is empty (fill in or drop rows with missing values)`, 'data');
  return field;
}

/**
 * Whether column `c` holds text (a field that is not a number). An empty field is an error, and so is a text
 * field in a column mostly of numbers: a typo or a decimal comma, not a category.
 */
function isTextColumn(table: Table, c: number): boolean {
  let firstText = -1;
  let numbers = 0;
  for (let r = 0; r < table.rows.length; r++) {
    if (parseNumber(present(table, r, c)) !== undefined) numbers++;
    else if (firstText < 0) firstText = r;
  }
  if (firstText >= 0 && numbers * 2 > table.rows.length) {
    throw new FormatError(`${at(table, firstText, c)} holds ${quoted(table.rows[firstText]![c]!)}, not a number, though most of the column is numbers`, 'data');
  }
  return firstText >= 0;
}

/** Column `c` as numbers; the error gives the field's place and suggests classes when `hint` is set. */
function numericColumn(table: Table, c: number, hint = ''): Float64Array {
  const out = new Float64Array(table.rows.length);
  for (let r = 0; r < table.rows.length; r++) {
    const field = present(table, r, c);
    const value = parseNumber(field);
    if (value === undefined) throw new FormatError(`${at(table, r, c)} holds ${quoted(field)}, not a number${hint}`, 'data');
    out[r] = value;
  }
  return out;
}

/** A field of a text column in a canonical form: a number as its decimal text, anything else trimmed. */
export function label(field: string): string {
  const value = parseNumber(field);
  return value === undefined ? field.trim() : String(value);
}

/** A text column's values in their canonical form. */
function labels(table: Table, c: number): string[] {
  return table.rows.map((_, r) => label(present(table, r, c)));
}

/** Sorted distinct values: numerically when all are numbers, else as text. */
export function distinct(values: readonly string[], numeric: boolean): string[] {
  return [...new Set(values)].sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
}

/** One-hot rows (`rows` × `names.length`) of `values` among `names`; `unknown(r, value)` throws for a value not among them. */
function oneHot(values: readonly string[], names: readonly string[], unknown: (row: number, value: string) => never): Float64Array {
  const index = new Map(names.map((name, k) => [name, k]));
  const out = new Float64Array(values.length * names.length);
  values.forEach((value, r) => {
    const k = index.get(value);
    if (k === undefined) unknown(r, value);
    out[r * names.length + k!] = 1;
  });
  return out;
}

/** How `train` reads a table: which loss, which columns, how inputs and targets are encoded. */
export interface TrainingPlan {
  loss: Loss;
  meta: DataMeta;
  /** Row-major inputs (one-hot encoded, not yet scaled) and encoded targets. */
  inputs: Float64Array;
  targets: Float64Array;
  rows: number;
  /** A one-line suggestion about the chosen loss, when the data suggests another reading. */
  hint?: string;
}

/**
 * Chooses the loss (crossEntropy for one text column, else mse unless `loss` says otherwise), one-hot encodes
 * text input columns and class columns, and checks every field. Scaling comes later, from the training rows only.
 */
export function planTraining(table: Table, { target, ignore = [], loss }: { target?: readonly string[]; ignore?: readonly string[]; loss?: Loss }): TrainingPlan {
  if (table.rows.length === 0) throw new FormatError(`${table.file} has a header but no data rows`, 'data');
  const targets = target ?? [table.columns[table.columns.length - 1]!];
  const targetAt = columnIndices(table, targets, '--target');
  const left = new Set([...targetAt, ...columnIndices(table, ignore, '--ignore')]);
  const inputAt = table.columns.map((_, c) => c).filter((c) => !left.has(c));
  if (table.columns.length === 1) throw new FormatError(`${table.file} has a single column (${quoted(table.columns[0]!)}): nothing to learn from (is --delimiter right?)`, 'data');
  if (inputAt.length === 0) throw new InvalidArgumentError(`--target, --ignore: no input columns are left in ${table.file}`, '--target');
  const rows = table.rows.length;
  const categories = inputAt.map((c) => (isTextColumn(table, c) ? textCategories(table, c) : null));
  const meta: DataMeta = { inputs: inputAt.map((c) => table.columns[c]!), targets: [...targets], inputMin: [], inputMax: [] };
  if (categories.some((names) => names !== null)) meta.categories = categories;
  const x = encodeInputs(table, inputAt, meta);

  const single = targetAt.length === 1 ? targetAt[0]! : -1;
  const isText = single >= 0 && isTextColumn(table, single);
  const chosen: Loss = loss ?? (isText ? 'crossEntropy' : 'mse');

  if (chosen === 'crossEntropy' && single >= 0) {
    const values = labels(table, single);
    if (!isText) {
      const r = values.findIndex((v) => !Number.isInteger(Number(v)));
      if (r >= 0) throw new FormatError(`${at(table, r, single)}: --loss crossEntropy needs a class column of text or integers, got ${quoted(values[r]!)}`, 'data');
    }
    const classes = distinct(values, !isText);
    if (classes.length < 2) throw new FormatError(`${table.file}: column ${quoted(targets[0]!)} holds a single class (${quoted(classes[0]!)}): nothing to learn`, 'data');
    meta.classes = classes;
    return { loss: chosen, meta, inputs: x, targets: rawTargets(table, meta).values, rows };
  }
  const textHint = isText ? ' (use --loss crossEntropy to read it as classes)' : '';
  const columns = targetAt.map((c) => numericColumn(table, c, textHint));
  const plan: TrainingPlan = { loss: chosen, meta, inputs: x, targets: interleave(columns, rows), rows };
  if (chosen === 'crossEntropy') {
    // Several numeric target columns with crossEntropy: already one-hot or probabilities, one class per column.
    meta.classes = [...targets];
  } else if (chosen === 'binaryCrossEntropy') {
    columns.forEach((column, t) => column.forEach((v, r) => {
      if (v < 0 || v > 1) throw new FormatError(`${at(table, r, targetAt[t]!)}: --loss binaryCrossEntropy needs targets in [0, 1], got ${v}`, 'data');
    }));
  } else {
    const { min, max } = ranges(columns);
    meta.targetMin = min;
    meta.targetMax = max;
    if (loss === undefined && single >= 0) {
      const values = columns[0]!;
      const hint = values.every(Number.isInteger) ? integerClassesHint(distinct(Array.from(values, String), true), rows, targets[0]!) : undefined;
      if (hint) plan.hint = hint;
    }
  }
  return plan;
}

/** The categories of text input column `c`; too many for one-hot encoding (an identifier, say) is an error. */
function textCategories(table: Table, c: number): string[] {
  return checkCategories(distinct(labels(table, c), false), table.rows.length, table.file, table.columns[c]!);
}

/** `names`, the categories of a text input column of `rows` rows, unless they are too many to one-hot encode (an identifier, say). */
export function checkCategories(names: string[], rows: number, file: string, column: string): string[] {
  if (names.length > IDENTIFIER_CATEGORIES && names.length * 2 > rows) {
    throw new InvalidArgumentError(`${file}: column ${quoted(column)} holds ${names.length} different texts in ${rows} rows, too many to one-hot encode (an identifier?): leave it out with --ignore ${quoted(column)}`, '--ignore');
  }
  return names;
}

/** A suggestion to read a target column of `rows` rows whose distinct values are the integers `found` (sorted) as classes, or undefined. */
export function integerClassesHint(found: readonly string[], rows: number, name: string): string | undefined {
  if (found.length < 2 || found.length > HINT_MAX_CLASSES || found.length * 2 > rows) return undefined;
  return `hint: column ${quoted(name)} holds only the integers ${found.join(', ')}; if they are classes, add --loss crossEntropy`;
}

/** The network's input names: a column, or `column=category` for each category of a text column. */
export function encodedInputNames(meta: DataMeta): string[] {
  return meta.inputs.flatMap((name, i) => meta.categories?.[i]?.map((category) => `${name}=${category}`) ?? [name]);
}

/** Row-major network inputs from the columns at `columnAt`: numbers as they are, text one-hot by `meta.categories`. */
function encodeInputs(table: Table, columnAt: readonly number[], meta: DataMeta): Float64Array {
  const parts = columnAt.map((c, i) => {
    const names = meta.categories?.[i];
    if (!names) return { width: 1, values: numericColumn(table, c) };
    const unknown = (r: number, value: string): never => {
      throw new FormatError(`${at(table, r, c)} holds ${quoted(value)}, a category not seen in training (${nameList(names)})`, 'data');
    };
    return { width: names.length, values: oneHot(labels(table, c), names, unknown) };
  });
  const rows = table.rows.length;
  const width = parts.reduce((sum, part) => sum + part.width, 0);
  const out = new Float64Array(rows * width);
  let offset = 0;
  for (const { width: w, values } of parts) {
    for (let r = 0; r < rows; r++) for (let k = 0; k < w; k++) out[r * width + offset + k] = values[r * w + k]!;
    offset += w;
  }
  return out;
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

/** The inputs of `table` as the model expects them: its input columns in order, one-hot encoded and scaled by the training stats. */
export function modelInputs(table: Table, meta: DataMeta): Float64Array {
  return scale(encodeInputs(table, columnIndices(table, meta.inputs, 'data'), meta), meta.inputMin, meta.inputMax);
}

/** The targets of `table` in their own units: a row-major number array, or the class indices for a class column. */
export function rawTargets(table: Table, meta: DataMeta): { values: Float64Array; classes?: Int32Array } {
  const columnAt = columnIndices(table, meta.targets, 'data');
  if (meta.classes && meta.targets.length === 1) {
    const classes = meta.classes;
    const unknown = (r: number, value: string): never => {
      throw new FormatError(`${at(table, r, columnAt[0]!)} holds class ${quoted(value)}, not seen in training (classes: ${nameList(classes)})`, 'data');
    };
    const values = oneHot(labels(table, columnAt[0]!), classes, unknown);
    return { values, classes: Int32Array.from({ length: table.rows.length }, (_, r) => values.subarray(r * classes.length, (r + 1) * classes.length).indexOf(1)) };
  }
  return { values: interleave(columnAt.map((c) => numericColumn(table, c)), table.rows.length) };
}

/** The targets of `table` encoded as in training (one-hot classes, scaled regression targets). */
export function modelTargets(table: Table, meta: DataMeta): Float64Array {
  const { values, classes } = rawTargets(table, meta);
  return !classes && meta.targetMin && meta.targetMax ? scale(values, meta.targetMin, meta.targetMax) : values;
}

/** Checks `model.meta` as written by `train`; undefined when the model has none (then columns are taken in order). */
export function readMeta(meta: unknown, inputSize: number, outputSize: number): DataMeta | undefined {
  if (meta === undefined || meta === null || typeof meta !== 'object' || !('inputs' in meta)) return undefined;
  const m = meta as Record<string, unknown>;
  const strings = (v: unknown, length: number | undefined, field: string) => {
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string') || (length !== undefined && v.length !== length)) {
      throw new FormatError(`model meta.${field} must be an array of ${length ?? 'some'} names`, `meta.${field}`);
    }
    return v as string[];
  };
  const numbers = (v: unknown, length: number, field: string) => {
    if (!Array.isArray(v) || v.length !== length || v.some((n) => typeof n !== 'number' || !Number.isFinite(n))) {
      throw new FormatError(`model meta.${field} must be an array of ${length} finite numbers`, `meta.${field}`);
    }
    return v as number[];
  };
  const out: DataMeta = { inputs: strings(m.inputs, undefined, 'inputs'), targets: strings(m.targets, undefined, 'targets'), inputMin: [], inputMax: [] };
  if (m.categories !== undefined) {
    if (!Array.isArray(m.categories) || m.categories.length !== out.inputs.length) {
      throw new FormatError(`model meta.categories must be an array of ${out.inputs.length} entries (null or category names)`, 'meta.categories');
    }
    out.categories = m.categories.map((names: unknown, i) => (names === null ? null : strings(names, undefined, `categories[${i}]`)));
  }
  const width = encodedInputNames(out).length;
  if (width !== inputSize) throw new FormatError(`model meta.inputs (with their categories) make ${width} inputs but the network takes ${inputSize}`, 'meta.inputs');
  out.inputMin = numbers(m.inputMin, inputSize, 'inputMin');
  out.inputMax = numbers(m.inputMax, inputSize, 'inputMax');
  if (m.classes !== undefined) out.classes = strings(m.classes, outputSize, 'classes');
  if (m.targetMin !== undefined || m.targetMax !== undefined) {
    out.targetMin = numbers(m.targetMin, outputSize, 'targetMin');
    out.targetMax = numbers(m.targetMax, outputSize, 'targetMax');
  }
  return out;
}
