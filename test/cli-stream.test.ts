// Data larger than memory: CSVReader reads the CSV grammar in pieces as parseCSV reads it whole, in linear time;
// neurite train --stream trains as fitAsync does on the rows read independently here, reading each row once per
// epoch, holds out at most 10,000 validation rows, and resumes from a checkpoint bit for bit.
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, root, runCli } from './helpers/cli.js';
import { DenseNetwork } from '../src/dense/network.js';
import type { DenseModelJSON } from '../src/dense/types.js';
import { CSVReader, parseCSV } from '../src/io/csv.js';

let dir = '';

const neurite = (...args: string[]) => runCli(dir, args);

const model = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as DenseModelJSON;

/** What parsing gives: the table, or the error's message. */
function outcome(parse: () => { columns: readonly string[]; rows: readonly (readonly string[])[]; lines: readonly number[] }): unknown {
  try {
    const { columns, rows, lines } = parse();
    return { columns, rows, lines };
  } catch (error) {
    return (error as Error).message;
  }
}

/** `text` read by a CSVReader in the pieces that `cuts` make. */
function inPieces(text: string, cuts: number[]) {
  const reader = new CSVReader();
  const records = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    records.push(...reader.push(text.slice(from, cut)));
    from = cut;
  }
  records.push(...reader.end(text.slice(from)));
  return { columns: reader.columns!, rows: records.map((r) => r.fields), lines: records.map((r) => r.line) };
}

/** The fastest of three timings of `work`, in ms. */
function fastest(work: () => void): number {
  return Math.min(...[0, 1, 2].map(() => {
    const started = performance.now();
    work();
    return performance.now() - started;
  }));
}

/** `count` rows of 3 numbers and a class (one of them quoted, with a comma), from a fixed LCG. */
function classes(count: number, seed: number): string {
  let state = seed;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const rows = Array.from({ length: count }, () => {
    const [a, b, c] = [random() * 4 - 2, random(), random() * 100];
    return `${a.toFixed(5)},${b.toFixed(5)},${c.toFixed(3)},${a + b * 2 > 1 ? 'hi' : '"lo, low"'}`;
  });
  return `a,b,c,label\n${rows.join('\n')}\n`;
}

beforeAll(() => {
  if (!existsSync(cli)) execSync('npm run build', { cwd: root, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'neurite-cli-stream-'));
  writeFileSync(join(dir, 'classes.csv'), classes(3000, 11));
  writeFileSync(join(dir, 'many.csv'), classes(60_000, 5));
  const rows = Array.from({ length: 400 }, (_, i) => `${(i % 13) / 4},${(i % 7) - 3},${((i % 13) / 4) * 2 - ((i % 7) - 3) + (i % 3) / 10}`);
  writeFileSync(join(dir, 'regression.csv'), `u,v,y\n${rows.join('\r\n')}\r\n`);
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('CSVReader: the CSV grammar in pieces', () => {
  it('reads a quoted field with a separator, a quote and line breaks split anywhere, with its line numbers', () => {
    const text = '\uFEFFname,note\r\n"a, b","say ""hi""\r\nthen\nbye"\r\n\r\nc,d\r\n';
    for (let cut = 0; cut <= text.length; cut++) {
      expect(inPieces(text, [cut])).toEqual({ columns: ['name', 'note'], rows: [['a, b', 'say "hi"\r\nthen\nbye'], ['c', 'd']], lines: [2, 6] });
    }
  });

  it('any text cut into any pieces reads as parseCSV reads it whole: the same rows, lines and errors', () => {
    const char = fc.constantFrom('a', 'b', ',', ';', '"', '\n', '\r', ' ', '1', '.');
    fc.assert(fc.property(fc.string({ unit: char, maxLength: 60 }), fc.array(fc.nat(60), { maxLength: 6 }), (text, cuts) => {
      expect(outcome(() => inPieces(text, cuts.map((c) => Math.min(c, text.length))))).toEqual(outcome(() => parseCSV(text)));
    }), { numRuns: 3000 });
  });

  it('a record four times as long, arriving in the same small pieces, takes less than ten times as long', () => {
    const record = (length: number) => `a,b\n1,"${'x'.repeat(length)}"\n`;
    const time = (text: string) => fastest(() => {
      const reader = new CSVReader();
      let rows = 0;
      for (let at = 0; at < text.length; at += 16_384) rows += reader.push(text.slice(at, at + 16_384)).length;
      rows += reader.end().length;
      expect(rows).toBe(1);
    });
    // Linear: about 4x. Scanning the pending record again at each piece: about 16x.
    expect(time(record(16_000_000)) / time(record(4_000_000))).toBeLessThan(10);
  });
});

describe('neurite train --stream', () => {
  it('trains as fitAsync does on the rows read and scaled independently, reading every row once per epoch', async () => {
    const run = neurite('train', 'classes.csv', '--stream', '--epochs', '2', '--batch-size', '16', '--validation-split', '0', '--no-plot', '--out', 'streamed.json');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('on 3000 rows, streamed from classes.csv');
    expect(run.stdout).toContain('read classes.csv 3 times, 3000 rows each time');

    // The reference: the file split by hand, min/max scaled, classes one-hot in sorted order, given to fitAsync as a stream.
    const lines = readFileSync(join(dir, 'classes.csv'), 'utf8').trim().split('\n').slice(1);
    const rows = lines.map((line) => {
      const fields = line.split(',');
      return { x: fields.slice(0, 3).map(Number), label: fields.slice(3).join(',') === 'hi' ? 0 : 1 };
    });
    const min = [0, 1, 2].map((c) => Math.min(...rows.map((r) => r.x[c]!)));
    const max = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r.x[c]!)));
    const saved = model('streamed.json');
    expect(saved.meta).toMatchObject({ inputs: ['a', 'b', 'c'], targets: ['label'], classes: ['hi', 'lo, low'], inputMin: min, inputMax: max });
    const reference = new DenseNetwork({ layers: [3, 16, 2], outputActivation: 'softmax', loss: 'crossEntropy', seed: 1 });
    const samples = rows.map((r) => ({ input: r.x.map((v, c) => (v - min[c]!) / (max[c]! - min[c]!)), output: r.label === 0 ? [1, 0] : [0, 1] }));
    await reference.fitAsync(() => samples.values(), { epochs: 2, batchSize: 16 });
    const expected = reference.toJSON();
    expect(saved.weights).toEqual(expected.weights);
    expect(saved.biases).toEqual(expected.biases);
  });

  it('holds out at most 10,000 validation rows, the same for the same seed, and trains on the others', () => {
    const first = neurite('train', 'many.csv', '--stream', '--epochs', '1', '--no-plot', '--out', 'many-1.json');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('on 50000 rows, validating on 10000, streamed from many.csv');
    expect(first.stdout).toContain('read many.csv 2 times, 60000 rows each time');
    expect(first.stdout).toMatch(/final: val_loss [\d.]+, val_accuracy 0\.9\d+/);
    const again = neurite('train', 'many.csv', '--stream', '--epochs', '1', '--no-plot', '--out', 'many-2.json');
    expect(again.code).toBe(0);
    expect(model('many-2.json')).toEqual(model('many-1.json'));
    const other = neurite('train', 'many.csv', '--stream', '--epochs', '1', '--no-plot', '--seed', '2', '--out', 'many-3.json');
    expect(other.code).toBe(0);
    expect(model('many-3.json').weights).not.toEqual(model('many-1.json').weights);
  });

  it('a share below the cap holds out about that share', () => {
    const run = neurite('train', 'classes.csv', '--stream', '--epochs', '1', '--validation-split', '0.1', '--no-plot', '--out', 'share.json');
    expect(run.code, run.stderr).toBe(0);
    const held = Number(/validating on (\d+)/.exec(run.stdout)?.[1]);
    expect(held).toBeGreaterThan(240);
    expect(held).toBeLessThan(360);
    expect(run.stdout).toContain(`on ${3000 - held} rows`);
  });

  it('stopped after a checkpoint and resumed on the js backend, ends bit-identical to one run (regression: standardized targets)', () => {
    const whole = neurite('train', 'regression.csv', '--stream', '--epochs', '3', '--no-plot', '--out', 'r-whole.json');
    expect(whole.code, whole.stderr).toBe(0);
    // Planning, the network's standardization figures, then 3 epochs.
    expect(whole.stdout).toContain('read regression.csv 5 times, 400 rows each time');
    expect(neurite('train', 'regression.csv', '--stream', '--epochs', '1', '--no-plot', '--out', 'r-1.json', '--checkpoint', 'r-ck.json').code).toBe(0);
    const resumed = neurite('train', 'regression.csv', '--resume', 'r-ck.json', '--epochs', '3', '--backend', 'js', '--out', 'r-resumed.json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('read regression.csv 3 times, 400 rows each time');
    expect(model('r-resumed.json')).toEqual(model('r-whole.json'));
  });

  it('an empty field is an error naming the file, line and column', () => {
    writeFileSync(join(dir, 'hole.csv'), 'x,y,label\n1,2,a\n3,,b\n5,6,a\n');
    const run = neurite('train', 'hole.csv', '--stream');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('neurite: hole.csv line 3, column "y" is empty (fill in or drop rows with missing values)\n');
  });

  it('a text in a numeric column, and a quoted field never closed, are errors with their line', () => {
    writeFileSync(join(dir, 'typo.csv'), `x,y\n${Array.from({ length: 9 }, (_, i) => `${i},${i * 2}`).join('\n')}\n9,1o\n`);
    expect(neurite('train', 'typo.csv', '--stream').stderr).toBe('neurite: typo.csv line 11, column "y" holds "1o", not a number, though most of the column is numbers\n');
    writeFileSync(join(dir, 'open.csv'), 'x,y\n1,2\n3,"4\n5,6\n');
    expect(neurite('train', 'open.csv', '--stream').stderr).toBe('neurite: open.csv line 3: a quoted field is never closed\n');
  });

  it('--stream on a JSON file exits 2', () => {
    writeFileSync(join(dir, 'data.json'), JSON.stringify([{ input: [0], output: [1] }]));
    const run = neurite('train', 'data.json', '--stream');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--stream reads CSV files; data.json is JSON');
  });
});
