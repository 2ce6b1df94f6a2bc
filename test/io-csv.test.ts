// parseCSV: RFC 4180 files read back to the table that was written; malformed ones give a FormatError with the line.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { FormatError, InvalidArgumentError } from '../src/errors.js';
import { nameList, parseCSV, parseNumber, quoted } from '../src/io/csv.js';

/** Expects a FormatError whose message matches `message`. */
function rejects(text: string, message: RegExp): void {
  expect(() => parseCSV(text)).toThrowError(FormatError);
  expect(() => parseCSV(text)).toThrowError(message);
}

/** An independent writer: quotes a field when it holds a comma, quote or line break (or is a lone empty field). */
function write(columns: string[], rows: string[][], newline: string): string {
  const field = (value: string, alone: boolean) => (/[",\r\n]/.test(value) || (alone && value === '') ? `"${value.replace(/"/g, '""')}"` : value);
  return [columns, ...rows].map((row) => row.map((v) => field(v, row.length === 1)).join(',')).join(newline) + newline;
}

describe('parseCSV', () => {
  it('reads a header and numeric and text fields, with line numbers', () => {
    const table = parseCSV('sepal length,petal,species\n5.1,1.4,setosa\n\n6.2, 4.5 ,versicolor\n');
    expect(table.columns).toEqual(['sepal length', 'petal', 'species']);
    expect(table.rows).toEqual([['5.1', '1.4', 'setosa'], ['6.2', ' 4.5 ', 'versicolor']]);
    expect(table.lines).toEqual([2, 4]);
  });

  it('follows quotes: commas, doubled quotes and line breaks inside fields; CRLF and a BOM', () => {
    const table = parseCSV('\uFEFFname,"note, long"\r\n"a ""b""","x\r\ny"\r\nc,\r\n');
    expect(table.columns).toEqual(['name', 'note, long']);
    expect(table.rows).toEqual([['a "b"', 'x\r\ny'], ['c', '']]);
    expect(table.lines).toEqual([2, 4]);
  });

  it('counts lines inside quoted fields for later errors', () => {
    rejects('a,b\n"1\n2\n3",4\n5\n', /line 5: expected 2 fields \(a, b\), got 1/);
  });

  it('rejects malformed files, naming the line', () => {
    rejects('', /empty/);
    rejects('\n\n', /empty/);
    rejects('a,b\n1,2,3\n', /line 2: expected 2 fields/);
    rejects('a,b\n1,2\n"3,4\n', /line 3: a quoted field is never closed/);
    rejects('a,b\n1,"2"x\n', /line 2: unexpected "x" after a closing quote/);
    rejects('a,b\n1,2"3\n', /line 2: a quote in the middle of an unquoted field/);
    rejects('a,,c\n', /line 1: column 2 of the header has no name/);
    rejects('x,y,x\n', /line 1: column name "x" appears twice/);
  });
});

describe('parseCSV separators', () => {
  it('detects , ; or tab from the header line, outside quotes; a comma wins a tie', () => {
    expect(parseCSV('a;b\n1;2\n')).toEqual({ columns: ['a', 'b'], rows: [['1', '2']], lines: [2], delimiter: ';' });
    expect(parseCSV('a\tb\tc\n1\t"x\ty"\t3\n')).toEqual({ columns: ['a', 'b', 'c'], rows: [['1', 'x\ty', '3']], lines: [2], delimiter: '\t' });
    expect(parseCSV('a,b;c\n1,2\n').columns).toEqual(['a', 'b;c']);
    expect(parseCSV('"a;b;c",d\n1,2\n').columns).toEqual(['a;b;c', 'd']);
    expect(parseCSV('single\n1\n').delimiter).toBe(',');
  });

  it('takes a given delimiter, and refuses a quote, a line break or more than one character', () => {
    expect(parseCSV('a|b\n"1|2"|3\n', { delimiter: '|' }).rows).toEqual([['1|2', '3']]);
    expect(parseCSV('a;b\n1;2\n', { delimiter: ',' }).columns).toEqual(['a;b']);
    for (const delimiter of ['"', '\n', '\r', '', ';;']) {
      expect(() => parseCSV('a,b\n', { delimiter })).toThrowError(InvalidArgumentError);
    }
  });
});

describe('quoted and nameList', () => {
  it('cut what they quote to 80 characters', () => {
    expect(quoted('ab"c')).toBe('"ab\\"c"');
    expect(quoted('y'.repeat(80))).toBe(`"${'y'.repeat(80)}"`);
    expect(quoted('y'.repeat(81))).toBe(`"${'y'.repeat(80)}…"`);
    expect(nameList(['a', 'b'])).toBe('a, b');
    const many = Array.from({ length: 1000 }, (_, i) => `c${i}`);
    const listed = nameList(many);
    expect(listed).toMatch(/^c0, c1, c2, .* and \d+ more$/);
    expect(listed.length).toBeLessThan(120);
    expect(listed.split(', ').length + Number(/and (\d+) more$/.exec(listed)![1])).toBe(1000);
  });
});

describe('parseNumber', () => {
  it('reads decimal numbers only', () => {
    expect(['1', '-2.5', ' 3e-2 ', '+.5', '7.', '1E3'].map(parseNumber)).toEqual([1, -2.5, 0.03, 0.5, 7, 1000]);
    for (const text of ['', ' ', '0x10', 'Infinity', 'NaN', '1e999', '1,5', '--1', 'abc', '1 2']) expect(parseNumber(text)).toBeUndefined();
  });
});

const RUNS = Number(process.env.NEURITE_FUZZ_RUNS ?? 300);
const cell = fc.string({ unit: fc.constantFrom('a', 'b', '1', '.', '-', ' ', ',', '"', '\n', '\r\n', 'é'), maxLength: 8 });
const name = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '1', ' ', ',', '"', '\n'), minLength: 1, maxLength: 6 }).filter((s) => s.trim() === s && s !== '');

describe('fuzzing the CSV reader', () => {
  test.prop([fc.uniqueArray(name, { minLength: 1, maxLength: 5 }).chain((columns) => fc.tuple(fc.constant(columns), fc.array(fc.array(cell, { minLength: columns.length, maxLength: columns.length }), { maxLength: 6 }), fc.constantFrom('\n', '\r\n')))], { numRuns: RUNS })(
    'a written table reads back field for field',
    ([columns, rows, newline]) => {
      const table = parseCSV(write(columns, rows, newline));
      expect(table.columns).toEqual(columns);
      expect(table.rows).toEqual(rows);
    },
  );

  test.prop([fc.string({ unit: fc.constantFrom('a', '1', ',', '"', '\n', '\r', ' '), maxLength: 60 })], { numRuns: RUNS })('any text is read or rejected with a FormatError', (text) => {
    try {
      const table = parseCSV(text);
      for (const row of table.rows) expect(row.length).toBe(table.columns.length);
    } catch (error) {
      expect(error).toBeInstanceOf(FormatError);
      expect((error as Error).message).toMatch(/^(line \d+: |the CSV file is empty)/);
    }
  });
});
