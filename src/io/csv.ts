// A CSV reader for data files: RFC 4180 quoting, a detected or given separator, a required header, errors that give the line number.
import { FormatError, InvalidArgumentError } from '../errors.js';

/** A parsed CSV file: the header's column names and each data row's fields, as text. */
export interface CSVTable {
  /** Column names from the header row. */
  readonly columns: readonly string[];
  /** One array of fields per data row (blank lines skipped), each as long as `columns`. */
  readonly rows: readonly (readonly string[])[];
  /** The 1-based line on which each row starts, for error messages. */
  readonly lines: readonly number[];
  /** The field separator used: the one given, or the one detected on the header line. */
  readonly delimiter: string;
}

/** A decimal number as written in data files (no hex, no `Infinity`, no empty string). */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** The separators detection chooses from, in the order ties are broken. */
const DETECTED = [',', ';', '\t'];
/** The longest piece of a file quoted in a message, so a 2 MB field does not become a 2 MB error. */
const QUOTE_LIMIT = 80;

/** `text` in double quotes, cut to 80 characters (with an ellipsis) when longer. */
export function quoted(text: string): string {
  return JSON.stringify(text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text);
}

/** Names joined by ", ", cut to about 80 characters with a count of the rest. */
export function nameList(names: readonly string[]): string {
  let text = '';
  let shown = 0;
  while (shown < names.length && text.length < QUOTE_LIMIT) {
    const name = names[shown]!;
    text += (shown > 0 ? ', ' : '') + (name.length > QUOTE_LIMIT ? `${name.slice(0, QUOTE_LIMIT)}…` : name);
    shown++;
  }
  return shown < names.length ? `${text} and ${names.length - shown} more` : text;
}

/**
 * Reads CSV text: a header row of column names, then data rows of as many fields. Fields are separated by
 * `options.delimiter` (detected when not given); a field in double quotes may hold separators, line breaks and
 * `""` (one quote). Lines end in `\n` or `\r\n`; blank lines and a leading byte-order mark are ignored. Runs in
 * time linear in the text's length. `CSVReader` reads the same grammar from text that arrives in pieces.
 * @param options.delimiter The field separator, one character other than a quote or a line break.
 *   Default: whichever of `,` `;` and tab occurs most often outside quotes on the header line (`,` on a tie).
 * @throws FormatError with the line number: unterminated or stray quotes, rows of the wrong length, an empty or duplicate column name
 * @throws InvalidArgumentError naming `options.delimiter` when it is not one character other than a quote or a line break
 */
export function parseCSV(text: string, options: { delimiter?: string } = {}): CSVTable {
  const reader = new CSVReader(options);
  const records = reader.end(text);
  return { columns: reader.columns!, rows: records.map((r) => r.fields), lines: records.map((r) => r.line), delimiter: reader.delimiter! };
}

/** One data row of a CSV file: its fields and the 1-based line it starts on. */
export interface CSVRecord {
  fields: string[];
  line: number;
}

/**
 * Reads CSV text that arrives in pieces (a file read in chunks), with {@link parseCSV}'s rules and errors: a
 * record or a quoted field may straddle pieces. `push` and `end` return the data rows completed so far; the
 * header's `columns` and the `delimiter` are set once the header line has been read. Runs in time linear in the
 * text's length, however long a record is.
 */
export class CSVReader {
  /** Column names from the header row, once it has been read. */
  columns: readonly string[] | undefined;
  /** The field separator: the one given, or the one detected on the header line once it has been read. */
  delimiter: string | undefined;
  // Text after the last complete record.
  private pending = '';
  private line = 1;
  private started = false;
  // Parsing waits until the pending text is this long: a record longer than a piece is scanned O(1) times per byte.
  private retryAt = 0;

  /** @param options.delimiter as {@link parseCSV}'s */
  constructor(options: { delimiter?: string } = {}) {
    const delimiter = options.delimiter;
    if (delimiter !== undefined && (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r')) {
      throw new InvalidArgumentError(`options.delimiter must be one character other than a quote or a line break, got ${quoted(String(delimiter))}`, 'options.delimiter');
    }
    this.delimiter = delimiter;
  }

  /** Adds the next piece of text; returns the data rows it completes. */
  push(text: string): CSVRecord[] {
    return this.read(text, false);
  }

  /** Adds the last piece of text (if any) and ends the input; returns the remaining data rows. */
  end(text = ''): CSVRecord[] {
    const rows = this.read(text, true);
    if (this.columns === undefined) throw new FormatError('the CSV file is empty: it needs a header row of column names', 'csv');
    return rows;
  }

  private read(text: string, last: boolean): CSVRecord[] {
    this.pending += text;
    if (!this.started && this.pending.length > 0) {
      this.started = true;
      if (this.pending.charCodeAt(0) === 0xfeff) this.pending = this.pending.slice(1);
    }
    if (!last && this.pending.length < this.retryAt) return [];
    if (this.delimiter === undefined) {
      const detected = detectDelimiter(this.pending, last);
      if (detected === undefined) {
        this.retryAt = 2 * this.pending.length;
        return [];
      }
      this.delimiter = detected;
    }
    const rows: CSVRecord[] = [];
    const { consumed, line } = split(this.pending, this.delimiter.charCodeAt(0), this.line, last, (record) => this.accept(record, rows));
    this.pending = this.pending.slice(consumed);
    this.line = line;
    this.retryAt = 2 * this.pending.length;
    return rows;
  }

  // Checked as each record completes, so errors come in the file's order however the text is cut.
  private accept(record: CSVRecord, rows: CSVRecord[]): void {
    const columns = this.columns;
    if (columns === undefined) {
      this.columns = headerColumns(record);
      return;
    }
    if (record.fields.length !== columns.length) {
      throw new FormatError(`line ${record.line}: expected ${columns.length} fields (${nameList(columns)}), got ${record.fields.length}`, 'csv');
    }
    rows.push(record);
  }
}

/** The header's column names, trimmed; none may be empty or repeated. */
function headerColumns(header: CSVRecord): string[] {
  const columns = header.fields.map((name) => name.trim());
  const seen = new Set<string>();
  columns.forEach((name, i) => {
    if (name === '') throw new FormatError(`line ${header.line}: column ${i + 1} of the header has no name`, 'csv');
    if (seen.has(name)) throw new FormatError(`line ${header.line}: column name ${quoted(name)} appears twice in the header`, 'csv');
    seen.add(name);
  });
  return columns;
}

/**
 * The most frequent of `,` `;` and tab outside quotes on the first line (`,` when none or on a tie); undefined
 * when the text so far does not hold the whole first line and more is to come.
 */
function detectDelimiter(text: string, last: boolean): string | undefined {
  const counts = DETECTED.map(() => 0);
  let inQuotes = false;
  let i = 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (c === '\n' || c === '\r')) break;
    else if (!inQuotes) {
      const k = DETECTED.indexOf(c);
      if (k >= 0) counts[k]!++;
    }
  }
  if (i === text.length && !last) return undefined;
  const best = counts.indexOf(Math.max(...counts));
  return DETECTED[best]!;
}

/**
 * The number a CSV field holds: decimal notation with optional sign and exponent, surrounding spaces allowed.
 * Returns undefined when the field is not such a number or is beyond float64's range.
 */
export function parseNumber(field: string): number | undefined {
  const trimmed = field.trim();
  if (!NUMBER.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Splits text into records of fields, following quotes, handing each to `accept`; skips blank lines. Unless the
 * text is the `last` of the input, a record not yet ended by a line break is left for later: `consumed` is where it starts and `line` its
 * line number.
 */
function split(text: string, delimiter: number, firstLine: number, last: boolean, accept: (record: CSVRecord) => void): { consumed: number; line: number } {
  let fields: string[] = [];
  let line = firstLine;
  let recordLine = firstLine;
  let recordStart = 0;
  let i = 0;
  // Whether the record's only field was written "" (an empty value, not a blank line).
  let quotedBlank = false;
  const endRecord = () => {
    // A record that is one empty unquoted field is a blank line.
    if (!(fields.length === 1 && fields[0] === '' && !quotedBlank)) accept({ fields, line: recordLine });
    fields = [];
    quotedBlank = false;
  };
  const unfinished = () => ({ consumed: recordStart, line: recordLine });
  while (i <= text.length) {
    if (fields.length === 0) {
      recordLine = line;
      recordStart = i;
    }
    let field = '';
    if (text[i] === '"') {
      const opened = line;
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) {
          if (!last) return unfinished();
          throw new FormatError(`line ${opened}: a quoted field is never closed`, 'csv');
        }
        const chunk = text.slice(i, quote);
        line += count(chunk, '\n');
        field += chunk;
        if (text[quote + 1] === '"') {
          field += '"';
          i = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      const next = text[i];
      if (!last && next === '\r' && i + 1 === text.length) return unfinished();
      if (next !== undefined && !isSeparator(text, i, delimiter)) {
        throw new FormatError(`line ${line}: unexpected ${JSON.stringify(next)} after a closing quote (a quote inside a field is written "")`, 'csv');
      }
      if (fields.length === 0 && field === '') quotedBlank = true;
    } else {
      let end = i;
      while (end < text.length && !isSeparator(text, end, delimiter)) end++;
      field = text.slice(i, end);
      const stray = field.indexOf('"');
      if (stray >= 0) throw new FormatError(`line ${line}: a quote in the middle of an unquoted field (quote the whole field and write "" for a quote)`, 'csv');
      i = end;
    }
    fields.push(field);
    if (i >= text.length) {
      if (!last) return unfinished();
      endRecord();
      break;
    }
    if (text.charCodeAt(i) === delimiter) {
      i++;
      continue;
    }
    i += text[i] === '\r' ? 2 : 1;
    endRecord();
    line++;
    if (i === text.length) {
      recordStart = i;
      recordLine = line;
      break;
    }
  }
  return { consumed: last ? text.length : recordStart, line: last ? line : recordLine };
}

/** The delimiter, `\n` or `\r\n` at `i`. */
function isSeparator(text: string, i: number, delimiter: number): boolean {
  const c = text.charCodeAt(i);
  return c === delimiter || c === 10 || (c === 13 && text.charCodeAt(i + 1) === 10);
}

function count(text: string, char: string): number {
  let n = 0;
  for (let at = text.indexOf(char); at >= 0; at = text.indexOf(char, at + 1)) n++;
  return n;
}
