// `neurite train --recurrent` and `neurite forecast`, run as users run them (node dist/cli.js), on a real series.
import { execSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriesWindows } from '../src/cli/recurrent.js';
import { RecurrentNetwork } from '../src/recurrent/network.js';
import type { RecurrentModelJSON } from '../src/recurrent/types.js';
import { cli, expectRefused, interruptOnceWritten, root, runCli } from './helpers/cli.js';
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

const saved = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as RecurrentModelJSON;

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
  writeFileSync(join(dir, 'fewer.csv'), `day,a,b\n${waves.slice(0, 70).join('\n')}\n`);
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
    expectRefused(neurite('export', 'airline.json', '--to', 'js', '--out', 'airline.mjs'), /^neurite: --to js: airline\.json is a recurrent model, which exports as ONNX \(float32\) only: use --to onnx/);
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
    expectRefused(neurite('train', 'airline.csv', '--recurrent', 'lstm', '--layers', '1,8,1'), /^neurite: --layers is for dense networks; --recurrent trains on windows of the series/);
    expectRefused(neurite('train', 'airline.csv', '--window', '12'), /^neurite: --window needs --recurrent <cell>/);
    expectRefused(neurite('train', 'airline.csv', '--recurrent', 'gru', '--window', '200'), /--window 200 and --horizon 1 need at least 201 rows; airline\.csv has 132/);
    expectRefused(neurite('train', 'airline.csv', '--recurrent', 'transformer'), /argument 'transformer' is invalid\. Allowed choices are lstm, gru, rnn/);
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

describe('neurite train --recurrent --checkpoint, then --resume', () => {
  const options = ['--recurrent', 'gru', '--window', '8', '--units', '6', '--batch-size', '8', '--seed', '3', '--no-plot'];

  it.each([['wasm'], ['js']])('stopping after epoch 4 and resuming to 10 (on %s) gives the bits of 10 epochs in one go', (backend) => {
    expect(neurite('train', 'waves.csv', ...options, '--epochs', '10', '--out', 'w-whole.json').code).toBe(0);
    const first = neurite('train', 'waves.csv', ...options, '--epochs', '4', '--out', 'w-part.json', '--checkpoint', `w-ck-${backend}.json`);
    expect(first.code, first.stderr).toBe(0);
    const checkpoint = saved(`w-ck-${backend}.json`);
    expect(checkpoint.training?.fit?.epoch).toBe(4);
    expect(checkpoint.meta?.series).toEqual({ inputs: ['a', 'b'], targets: ['a', 'b'], window: 8, horizon: 1 });
    // The options are the checkpoint's: --resume needs only the data file (and, here, how far to go and where to run).
    const resumed = neurite('train', 'waves.csv', '--resume', `w-ck-${backend}.json`, '--epochs', '10', '--backend', backend, '--out', `w-resumed-${backend}.json`);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^training gru\(6\) on 72 windows of 8 steps from waves\.csv .*, resuming after epoch 4 from w-ck-\w+\.json$/m);
    expect(resumed.stdout).toMatch(/^epoch 5\/10 /m);
    expect(resumed.stdout).not.toMatch(/^epoch 4\/10 /m);
    expect(saved(`w-resumed-${backend}.json`)).toEqual(saved('w-whole.json'));
    // The run went on checkpointing to the same file, to the last epoch.
    expect(saved(`w-ck-${backend}.json`).training?.fit?.epoch).toBe(10);
    // The part and the whole are different models: the comparison can tell.
    expect(saved('w-part.json')).not.toEqual(saved('w-whole.json'));
  });

  it('--checkpoint-every 3 writes after epochs 3, 6 and the last of --epochs; a checkpoint is a model that forecast reads', () => {
    const run = neurite('train', 'waves.csv', ...options, '--epochs', '7', '--out', 'w-7.json', '--checkpoint', 'w-every.json', '--checkpoint-every', '3');
    expect(run.code, run.stderr).toBe(0);
    expect(saved('w-every.json').training?.fit?.epoch).toBe(7);
    const early = neurite('train', 'waves.csv', ...options, '--epochs', '5', '--out', 'w-5.json', '--checkpoint', 'w-every3.json', '--checkpoint-every', '3');
    expect(early.code, early.stderr).toBe(0);
    expect(saved('w-every3.json').training?.fit?.epoch).toBe(5);
    const forecast = neurite('forecast', 'w-every.json', 'waves.csv', '--steps', '3', '--no-plot');
    expect(forecast.code, forecast.stderr).toBe(0);
    expect(forecast.stdout).toBe(neurite('forecast', 'w-7.json', 'waves.csv', '--steps', '3', '--no-plot').stdout);
  });

  it('a run with automatic epochs and early stopping, interrupted by Ctrl-C after a checkpoint, resumes to the bits of the uninterrupted run', async () => {
    const args = ['train', 'waves.csv', '--recurrent', 'rnn', '--window', '6', '--units', '4', '--no-plot'];
    const whole = neurite(...args, '--out', 'w-long.json');
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stdout).toMatch(/stopped early after epoch \d+: val_loss stopped improving/);
    // Interrupted once the first checkpoint exists.
    const { code, stderr } = await interruptOnceWritten(dir, [...args, '--out', 'w-cut.json', '--checkpoint', 'w-cut-ck.json', '--checkpoint-every', '5'], 'w-cut-ck.json');
    const epoch = saved('w-cut-ck.json').training!.fit!.epoch;
    if (code === 130) {
      expect(stderr).toContain(`neurite: interrupted; the model was not saved; w-cut-ck.json holds epoch ${epoch}: continue with neurite train waves.csv --resume w-cut-ck.json\n`);
      expect(existsSync(join(dir, 'w-cut.json'))).toBe(false);
    }
    const resumed = neurite('train', 'waves.csv', '--resume', 'w-cut-ck.json', '--out', 'w-cut.json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(saved('w-cut.json')).toEqual(saved('w-long.json'));
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 120_000);
});

describe('--resume of a recurrent run refuses what would not continue the same run', () => {
  beforeAll(() => {
    if (!existsSync(join(dir, 'w-ck-wasm.json'))) {
      neurite('train', 'waves.csv', '--recurrent', 'gru', '--window', '8', '--units', '6', '--batch-size', '8', '--seed', '3', '--no-plot', '--epochs', '4', '--checkpoint', 'w-ck-wasm.json', '--out', 'w-part.json');
    }
    const checkpoint = saved('w-ck-wasm.json');
    (checkpoint.meta!.trainOptions as Record<string, unknown>).window = '8; rm -rf';
    writeFileSync(join(dir, 'w-hostile.json'), JSON.stringify(checkpoint));
  });

  it.each([
    [['--units', '8'], '--units', 'cannot resume w-ck-wasm.json (trained with --units 6) with --units 8: a resumed run keeps its options; leave --units out'],
    [['--recurrent', 'lstm'], '--recurrent', '(trained with --recurrent gru) with --recurrent lstm'],
    [['--window', '12'], '--window', '(trained with --window 8) with --window 12'],
    [['--seed', '1'], '--seed', '(trained with --seed 3) with --seed 1'],
    [['--horizon', '2'], '--horizon', '(trained without --horizon) with --horizon 2'],
    [['--epochs', '3'], '--epochs', '--epochs 3 is fewer than the'],
    [['--layers', '2,4,2'], '--layers', '--layers is for dense networks'],
  ])('%j exits 2 naming %s', (extra, flag, message) => {
    expectRefused(neurite('train', 'waves.csv', '--resume', 'w-ck-wasm.json', ...extra), message, flag);
  });

  it('another series (fewer rows), a model without training state and a damaged checkpoint are refused, naming --resume', () => {
    expectRefused(neurite('train', 'fewer.csv', '--resume', 'w-ck-wasm.json'), '--resume w-ck-wasm.json was trained on another series than fewer.csv (80 rows, not 70)');
    expectRefused(neurite('train', 'waves.csv', '--recurrent', 'gru', '--resume', 'w-part.json'), '--resume w-part.json is not a checkpoint written by neurite train --recurrent --checkpoint');
    expectRefused(neurite('train', 'waves.csv', '--resume', 'w-hostile.json'), 'neurite: --resume w-hostile.json: meta.trainOptions.window must be a positive integer, got "8; rm -rf"');
    expectRefused(neurite('train', 'waves.csv', '--recurrent', 'gru', '--checkpoint-every', '2'), '--checkpoint-every needs --checkpoint <file>');
  });
});
