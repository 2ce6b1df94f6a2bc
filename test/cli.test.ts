// The `neurite` command, run as users run it (node dist/cli.js) on small generated data files.
import { execSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, root, runCli } from './helpers/cli.js';
import type { DenseModelJSON } from '../src/dense/types.js';
import { generator, referencePredict } from './fixtures/dense-models.js';

let dir = '';

const neurite = (...args: string[]) => runCli(dir, args, 60_000);

/** Three separable blobs of 2-D points with text labels, in shuffled order. */
function blobs(count: number, seed: number): string {
  const random = generator(seed);
  const centers: Record<string, [number, number]> = { red: [0, 0], green: [10, 0], blue: [5, 8] };
  const rows = Array.from({ length: count }, (_, i) => {
    const label = Object.keys(centers)[i % 3]!;
    const [cx, cy] = centers[label]!;
    return `${(cx + random() * 3 - 1.5).toFixed(3)},${(cy + random() * 3 - 1.5).toFixed(3)},${label}`;
  });
  return `x,y,color\n${rows.join('\n')}\n`;
}

/** CSV rows back as objects of strings (our own output has no quoted fields). */
function csvRecords(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trim().split('\n');
  const columns = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i]!, v])));
}

/** Scales raw inputs with the stats saved in the model, written here independently of src/cli. */
function scaled(model: DenseModelJSON, raw: number[]): number[] {
  const meta = model.meta as { inputMin: number[]; inputMax: number[] };
  return raw.map((v, i) => (meta.inputMax[i]! > meta.inputMin[i]! ? (v - meta.inputMin[i]!) / (meta.inputMax[i]! - meta.inputMin[i]!) : 0));
}

beforeAll(() => {
  if (!existsSync(cli)) execSync('npm run build', { cwd: root, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'neurite-cli-'));
  writeFileSync(join(dir, 'blobs.csv'), blobs(90, 1));
  writeFileSync(join(dir, 'blobs-test.csv'), blobs(30, 2));
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('neurite train / predict / evaluate on classes', () => {
  let model: DenseModelJSON;

  it('trains on a CSV with a text class column, prints plain progress lines and a loss chart, and saves the model with its meta', () => {
    const run = neurite('train', 'blobs.csv', '--layers', '2,8,3', '--activation', 'relu', '--optimizer', 'adam', '--epochs', '40', '--learning-rate', '0.05', '--no-early-stopping', '--out', 'blobs.json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/training 2-8-3 \(relu hidden, softmax output, crossEntropy loss, adam 0\.05\) on 72 rows, validating on 18/);
    expect(run.stdout).toMatch(/^epoch 1\/40 {2}loss [\d.]+ {2}accuracy [\d.]+ {2}val_loss [\d.]+/m);
    expect(run.stdout).toMatch(/^epoch 40\/40 /m);
    expect(run.stdout).toMatch(/^loss \(epochs 1-40\)\n.*[┼┤]/m);
    expect(run.stdout).toMatch(/^val_loss \(epochs 1-40, same scale\)\n.*[┼┤]/m);
    expect(run.stdout).not.toMatch(/\x1b\[/);
    model = JSON.parse(readFileSync(join(dir, 'blobs.json'), 'utf8')) as DenseModelJSON;
    expect(model.format).toBe('neurite-dense');
    expect(model.meta).toMatchObject({ inputs: ['x', 'y'], targets: ['color'], classes: ['blue', 'green', 'red'] });
  });

  it('evaluate reports the accuracy on unseen rows', () => {
    const run = neurite('evaluate', 'blobs.json', 'blobs-test.csv', '--format', 'json');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { loss: number; accuracy: number; rows: number };
    expect(result.rows).toBe(30);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('predict applies the saved scaling: its probabilities equal a plain-loop forward pass on the scaled inputs', () => {
    const run = neurite('predict', 'blobs.json', 'blobs-test.csv');
    expect(run.code).toBe(0);
    const records = csvRecords(run.stdout);
    expect(Object.keys(records[0]!)).toEqual(['color', 'p(blue)', 'p(green)', 'p(red)']);
    const inputs = csvRecords(readFileSync(join(dir, 'blobs-test.csv'), 'utf8'));
    expect(records).toHaveLength(inputs.length);
    let correct = 0;
    records.forEach((record, r) => {
      const expected = referencePredict(model, scaled(model, [Number(inputs[r]!.x), Number(inputs[r]!.y)]));
      ['blue', 'green', 'red'].forEach((c, k) => expect(Math.abs(Number(record[`p(${c})`]) - expected[k]!)).toBeLessThan(1e-12));
      if (record.color === inputs[r]!.color) correct++;
    });
    expect(correct / records.length).toBeGreaterThanOrEqual(0.9);
  });
});

describe('neurite export', () => {
  it('writes a standalone ES module that takes raw column values (scaling folded in), and an ONNX file', async () => {
    const model = JSON.parse(readFileSync(join(dir, 'blobs.json'), 'utf8')) as DenseModelJSON;
    const js = neurite('export', 'blobs.json', '--to', 'js', '--out', 'predict.mjs');
    expect(js.code).toBe(0);
    expect(js.stdout).toBe('saved predict.mjs (inputs: raw x, y; outputs: probabilities of blue, green, red)\n');
    const { default: predict } = (await import(pathToFileURL(join(dir, 'predict.mjs')).href)) as { default: (input: number[]) => Float64Array };
    for (const raw of [[4.5, 6], [0, 0], [10.2, -1]]) {
      const expected = referencePredict(model, scaled(model, raw));
      expected.forEach((value, k) => expect(Math.abs(predict(raw)[k]! - value)).toBeLessThan(1e-9));
    }
    expect(neurite('export', 'blobs.json', '--to', 'onnx', '--out', 'model.onnx').code).toBe(0);
    // ModelProto field 1 (ir_version) = 7 comes first.
    expect(Array.from(readFileSync(join(dir, 'model.onnx')).subarray(0, 2))).toEqual([0x08, 0x07]);
    expect(neurite('export', 'blobs.json', '--out', 'x').code).toBe(2);
  });
});

describe('neurite on regression and JSON data', () => {
  it('learns y = 3a - 2b + 1 and predicts (and exports) in the original units', async () => {
    const random = generator(5);
    const pairs = Array.from({ length: 200 }, () => {
      const a = random() * 4 - 2;
      const b = random() * 4 - 2;
      return { input: [a, b], output: [3 * a - 2 * b + 1] };
    });
    writeFileSync(join(dir, 'line.json'), JSON.stringify(pairs));
    writeFileSync(join(dir, 'probe.json'), JSON.stringify([{ input: [1, 1], output: [0] }, { input: [-1, 0.5], output: [0] }]));
    const run = neurite('train', 'line.json', '--layers', '2,1', '--optimizer', 'adam', '--epochs', '150', '--learning-rate', '0.05', '--no-plot', '--out', 'line-model.json');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/mse loss/);
    expect(run.stdout).not.toMatch(/[┼┤]/);
    const predicted = JSON.parse(neurite('predict', 'line-model.json', 'probe.json', '--format', 'json').stdout) as { y1: number }[];
    expect(predicted[0]!.y1).toBeCloseTo(2, 1);
    expect(predicted[1]!.y1).toBeCloseTo(-3, 1);
    const exported = neurite('export', 'line-model.json', '--to', 'js', '--out', 'line.mjs');
    expect(exported.stdout).toBe('saved line.mjs (inputs: raw x1, x2; outputs: y1)\n');
    const { default: line } = (await import(pathToFileURL(join(dir, 'line.mjs')).href)) as { default: (input: number[]) => Float64Array };
    expect(line([1, 1])[0]).toBeCloseTo(predicted[0]!.y1, 9);
    expect(line([-1, 0.5])[0]).toBeCloseTo(predicted[1]!.y1, 9);
  });
});

describe('neurite exit codes', () => {
  it('--threads trains the same model file as one thread, and a bad count is a usage error', () => {
    writeFileSync(join(dir, 'many-blobs.csv'), blobs(600, 4));
    const args = ['train', 'many-blobs.csv', '--layers', '2,256,256,3', '--epochs', '3', '--batch-size', '64', '--no-plot'];
    expect(neurite(...args, '--out', 'one.json').code).toBe(0);
    const threaded = neurite('--threads', '2', ...args, '--out', 'two.json');
    expect(threaded.code, threaded.stderr).toBe(0);
    expect(threaded.stderr).toBe('');
    expect(readFileSync(join(dir, 'two.json'), 'utf8')).toBe(readFileSync(join(dir, 'one.json'), 'utf8'));
    expect(neurite(...args, '--threads', 'auto', '--out', 'auto.json').code).toBe(0);
    expect(readFileSync(join(dir, 'auto.json'), 'utf8')).toBe(readFileSync(join(dir, 'one.json'), 'utf8'));
    const bad = neurite('--threads', '0', ...args);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--threads/);
  });

  it('usage errors exit 2 with the usage on stderr', () => {
    for (const args of [[], ['train'], ['train', 'blobs.csv', '--epoch', '3'], ['train', 'blobs.csv', '--epochs', 'many'], ['train', 'blobs.csv', '--activation', 'swish'], ['fly']]) {
      const run = neurite(...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(/Usage: neurite/);
      expect(run.stdout).toBe('');
    }
  });

  it('an option that does not fit the data exits 2 naming it', () => {
    const run = neurite('train', 'blobs.csv', '--layers', '3,8,3');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^neurite: --layers starts with 3 but blobs\.csv has 2 inputs \(x, y\)\n/);
    expect(neurite('train', 'blobs.csv', '--target', 'colour').stderr).toMatch(/has no column "colour"; its columns are x, y, color/);
  });

  it('runtime errors exit 1 with a one-line message', () => {
    writeFileSync(join(dir, 'broken.csv'), 'a,b\n1,2\n3\n');
    writeFileSync(join(dir, 'broken-model.json'), '{"format":"neurite-dense","version":2}');
    const cases: [string[], RegExp][] = [
      [['train', 'missing.csv'], /^neurite: cannot read missing\.csv: no such file$/],
      [['train', 'broken.csv'], /^neurite: broken\.csv line 3: expected 2 fields \(a, b\), got 1$/],
      [['predict', 'broken-model.json', 'blobs.csv'], /^neurite: broken-model\.json: json\.version must be 1, got 2$/],
    ];
    for (const [args, message] of cases) {
      const run = neurite(...args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr.trimEnd()).toMatch(message);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('Ctrl-C during training exits 130 and saves nothing', async () => {
    const child = spawn(process.execPath, [cli, 'train', 'blobs.csv', '--epochs', '1000000', '--out', 'never.json'], { cwd: dir });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Interrupt once training has visibly started.
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('epoch 1/')) child.kill('SIGINT');
    });
    // Never leave a runaway trainer behind if the line did not come.
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((done) => child.on('close', done));
    clearTimeout(guard);
    expect(code).toBe(130);
    expect(stderr).toBe('neurite: interrupted; nothing was saved\n');
    expect(existsSync(join(dir, 'never.json'))).toBe(false);
  });

  it('--help exits 0 and demo still runs', () => {
    const help = neurite('train', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--validation-split <fraction>/);
    const demo = neurite('demo');
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/^neurite demo: the seed article's network/);
  });
});
