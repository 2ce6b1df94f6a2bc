// `neurite train --recurrent` and `neurite forecast`, run as users run them (node dist/cli.js), on a real series.
import { execSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriesWindows } from '../src/cli/recurrent.js';
import { RecurrentNetwork } from '../src/recurrent/network.js';
import { cli, root, runCli } from './helpers/cli.js';
import { referencePredict, type ReferenceModel } from './helpers/recurrent-reference.js';

let dir = '';
const neurite = (...args: string[]) => runCli(dir, args, 120_000);

/** The model's forecast written independently of src/cli: slide a window over the series, take the last step's horizon rows. */
function slidingForecast(model: ReferenceModel, series: number[][], window: number, horizon: number, steps: number): number[][] {
  const rows = series.map((row) => [...row]);
  const width = rows[0]!.length;
  const out: number[][] = [];
  while (out.length < steps) {
    const outputs = referencePredict(model, rows.slice(-window));
    const last = outputs.slice(outputs.length - width * horizon);
    for (let h = 0; h < horizon && out.length < steps; h++) {
      const row = last.slice(h * width, (h + 1) * width);
      out.push(row);
      rows.push(row);
    }
  }
  return out;
}

const csvRows = (text: string) => text.trim().split('\n').slice(1).map((line) => line.split(',').map(Number));

beforeAll(() => {
  if (!existsSync(cli)) execSync('npm run build', { cwd: root, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'neurite-cli-recurrent-'));
  const airline = readFileSync(join(root, 'test', 'data', 'airline-passengers.csv'), 'utf8').trim().split('\n');
  // 1949–1959: the last year is left for the forecast.
  writeFileSync(join(dir, 'airline.csv'), `${airline.slice(0, 133).join('\n')}\n`);
  copyFileSync(join(root, 'test', 'data', 'airline-passengers.csv'), join(dir, 'all.csv'));
  const waves = Array.from({ length: 80 }, (_, t) => `d${t},${Math.sin(0.3 * t).toFixed(6)},${Math.cos(0.2 * t).toFixed(6)}`);
  writeFileSync(join(dir, 'waves.csv'), `day,a,b\n${waves.join('\n')}\n`);
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('seriesWindows', () => {
  it('cuts a series into windows whose every step targets the next horizon rows', () => {
    // Rows t = 0…5 of two features (t, 10t); the target column is the second feature.
    const features = Float64Array.from([0, 0, 1, 10, 2, 20, 3, 30, 4, 40, 5, 50]);
    const targets = Float64Array.from([0, 10, 20, 30, 40, 50]);
    const pairs = seriesWindows(features, targets, 6, { inputs: ['t', 'u'], targets: ['u'], window: 3, horizon: 2 });
    expect(pairs).toEqual([
      { input: [[0, 0], [1, 10], [2, 20]], output: [[10, 20], [20, 30], [30, 40]] },
      { input: [[1, 10], [2, 20], [3, 30]], output: [[20, 30], [30, 40], [40, 50]] },
    ]);
  });
});

describe('neurite train --recurrent / forecast', () => {
  let model: ReferenceModel & { format: string; meta: { series: unknown } };

  it('trains an LSTM on windows of a one-column series, leaving the date column out, and saves the windowing in the model', () => {
    const run = neurite('train', 'airline.csv', '--recurrent', 'lstm', '--window', '24', '--horizon', '1', '--epochs', '30', '--out', 'airline.json');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("neurite: \"month\" holds text (a date?): not a feature\n");
    expect(run.stdout).toMatch(/^training lstm\(32\) on 108 windows of 24 steps from airline\.csv \(feature passengers; each step learns the next value of passengers\), wasm backend$/m);
    expect(run.stdout).toMatch(/^epoch 30\/30 {2}loss [\d.]+/m);
    expect(run.stdout).toMatch(/loss \(epochs 1-30\)/);
    expect(run.stdout).toMatch(/saved airline\.json\n$/);
    model = JSON.parse(readFileSync(join(dir, 'airline.json'), 'utf8'));
    expect(model.format).toBe('neurite-recurrent');
    expect(model.meta.series).toEqual({ inputs: ['passengers'], targets: ['passengers'], window: 24, horizon: 1 });
  });

  it('forecasts 12 months after the series, as the saved model computes them, and charts them', () => {
    const run = neurite('forecast', 'airline.json', 'airline.csv', '--steps', '12');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const [table, chart] = run.stdout.split('\n\n');
    expect(table!.split('\n')[0]).toBe('step,passengers');
    const printed = csvRows(table!);
    expect(printed.map((row) => row[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const series = csvRows(readFileSync(join(dir, 'airline.csv'), 'utf8')).map((row) => [row[1]!]);
    const expected = slidingForecast(model, series, 24, 1, 12);
    printed.forEach((row, k) => expect(row[1]).toBeCloseTo(expected[k]![0]!, 8));
    expect(chart).toMatch(/^passengers: the last 48 rows, then 12 forecast\n/);
    expect(chart).toMatch(/\n {59}\^{12} forecast\n$/);
    // One chart of 13 rows (height 12).
    expect(chart!.split('\n').filter((line) => /[┤┼]/.test(line))).toHaveLength(13);
  });

  it('exports the model as ONNX, which onnxruntime runs to the saved model\'s outputs', async () => {
    const run = neurite('export', 'airline.json', '--to', 'onnx', '--out', 'airline.onnx');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('saved airline.onnx (input [N, T, 1]: N sequences of T steps, in the columns\' units; output [N, T, 1], every step)\n');
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(readFileSync(join(dir, 'airline.onnx')));
    const window = csvRows(readFileSync(join(dir, 'airline.csv'), 'utf8')).slice(-24).map((row) => [row[1]!]);
    const { output } = await session.run({ input: new ort.Tensor('float32', Float32Array.from(window.flat()), [1, 24, 1]) });
    await session.release();
    referencePredict(model, window).forEach((value, t) => expect(Math.abs((output!.data as Float32Array)[t]! - value)).toBeLessThan(2e-5 * Math.abs(value)));
    const js = neurite('export', 'airline.json', '--to', 'js', '--out', 'airline.mjs');
    expect(js.code).toBe(2);
    expect(js.stderr).toMatch(/^neurite: --to js: airline\.json is a recurrent model, which exports as ONNX \(float32\) only: use --to onnx/);
  });

  it("refuses to export an lstm with memory 'hidden' (brain.js's cell) as ONNX, saying why, and writes nothing", () => {
    const net = new RecurrentNetwork({ inputSize: 1, layers: [{ type: 'lstm', size: 3, memory: 'hidden' }, { type: 'dense', size: 1 }], seed: 1, backend: 'js' });
    writeFileSync(join(dir, 'brain-lstm.json'), JSON.stringify(net.toJSON()));
    net.dispose();
    for (const out of ['brain-lstm.onnx', '-']) {
      const run = neurite('export', 'brain-lstm.json', '--to', 'onnx', '--out', out);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^neurite: brain-lstm\.json: json\.layers\[0\]\.memory is 'hidden' \(brain\.js's LSTM: the forget gate multiplies the previous hidden state\), which ONNX's LSTM operator cannot express/);
    }
    expect(existsSync(join(dir, 'brain-lstm.onnx'))).toBe(false);
  });

  it('trains a stacked GRU on two features with a horizon of 3 and forecasts 7 steps as JSON, 3 rows per window', () => {
    const train = neurite('train', 'waves.csv', '--recurrent', 'gru', '--window', '12', '--horizon', '3', '--units', '8,4', '--epochs', '5', '--batch-size', '4', '--no-plot', '--out', 'waves.json');
    expect(train.code).toBe(0);
    expect(train.stdout).toMatch(/training gru\(8\)-gru\(4\) on 66 windows of 12 steps from waves\.csv \(features a, b; each step learns the next 3 values of a, b\)/);
    const waves = JSON.parse(readFileSync(join(dir, 'waves.json'), 'utf8')) as ReferenceModel;
    expect(waves.layers.map((l) => l.size)).toEqual([8, 4, 6]);
    const run = neurite('forecast', 'waves.json', 'waves.csv', '--steps', '7', '--format', 'json', '--no-plot');
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as { step: number; a: number; b: number }[];
    const series = csvRows(readFileSync(join(dir, 'waves.csv'), 'utf8')).map((row) => [row[1]!, row[2]!]);
    const expected = slidingForecast(waves, series, 12, 3, 7);
    expect(printed.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    printed.forEach((r, k) => {
      expect(r.a).toBeCloseTo(expected[k]![0]!, 10);
      expect(r.b).toBeCloseTo(expected[k]![1]!, 10);
    });
  });

  it('refuses options and files that do not fit, naming them', () => {
    const dense = neurite('train', 'airline.csv', '--recurrent', 'lstm', '--layers', '1,8,1');
    expect(dense.code).toBe(2);
    expect(dense.stderr).toMatch(/^neurite: --layers is for dense networks; --recurrent trains on windows of the series/);
    const stray = neurite('train', 'airline.csv', '--window', '12');
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/^neurite: --window needs --recurrent <cell>/);
    const long = neurite('train', 'airline.csv', '--recurrent', 'gru', '--window', '200');
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/--window 200 and --horizon 1 need at least 201 rows; airline\.csv has 132/);
    const cell = neurite('train', 'airline.csv', '--recurrent', 'transformer');
    expect(cell.code).toBe(2);
    expect(cell.stderr).toMatch(/argument 'transformer' is invalid\. Allowed choices are lstm, gru, rnn/);
    const target = neurite('train', 'waves.csv', '--recurrent', 'rnn', '--target', 'a', '--window', '8', '--epochs', '1', '--no-plot', '--out', 'a.json');
    expect(target.code).toBe(0);
    const fed = neurite('forecast', 'a.json', 'waves.csv', '--steps', '2');
    expect(fed.code).toBe(1);
    expect(fed.stderr).toMatch(/a\.json forecasts a from a, b: a forecast feeds its outputs back as inputs/);
    const short = neurite('forecast', 'airline.json', 'waves.csv');
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/waves\.csv has no column "passengers"/);
    writeFileSync(join(dir, 'dense.json'), JSON.stringify({ format: 'neurite-dense', version: 1 }));
    const wrong = neurite('forecast', 'dense.json', 'airline.csv');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^neurite: dense\.json: json\.format must be "neurite-recurrent"/);
  });
});
