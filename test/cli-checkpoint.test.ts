// neurite train --checkpoint / --resume: a run stopped after a checkpoint (by --epochs or by Ctrl-C) and resumed
// ends bit-identical to one that never stopped, on either backend; a resume on other data or options is refused.
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, expectRefused, interruptOnceWritten, root, runCli } from './helpers/cli.js';
import type { DenseModelJSON } from '../src/dense/types.js';

let dir = '';

const neurite = (...args: string[]) => runCli(dir, args);

const model = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as DenseModelJSON;

/** Two noisy classes in 3 columns (a text label), from a fixed LCG. */
function classes(count: number, seed: number): string {
  let state = seed;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const rows = Array.from({ length: count }, () => {
    const [a, b, c] = [random(), random(), random()];
    return `${a.toFixed(4)},${b.toFixed(4)},${c.toFixed(4)},${a + b + (c - 0.5) / 3 > 1 ? 'hi' : 'lo'}`;
  });
  return `a,b,c,label\n${rows.join('\n')}\n`;
}

/** A regression target (identity output: the library's target standardization is in the checkpoint too). */
function regression(count: number): string {
  const rows = Array.from({ length: count }, (_, i) => `${(i % 13) / 4},${(i % 7) - 3},${((i % 13) / 4) * 2 - ((i % 7) - 3) + (i % 3) / 10}`);
  return `u,v,y\n${rows.join('\n')}\n`;
}

beforeAll(() => {
  if (!existsSync(cli)) execSync('npm run build', { cwd: root, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'neurite-cli-checkpoint-'));
  writeFileSync(join(dir, 'classes.csv'), classes(200, 3));
  writeFileSync(join(dir, 'fewer.csv'), classes(150, 3));
  writeFileSync(join(dir, 'regression.csv'), regression(120));
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('train --checkpoint, then --resume', () => {
  // Early stopping with a patience that does not end the run: its best loss, patience count and best weights are in the checkpoint.
  const options = ['--epochs', '12', '--patience', '30', '--batch-size', '16', '--seed', '7', '--no-plot'];

  it.each([['wasm'], ['js']])('stopping after epoch 5 and resuming to 12 (on %s) gives the bits of 12 epochs in one go', (backend) => {
    expect(neurite('train', 'classes.csv', ...options, '--out', 'whole.json').code).toBe(0);
    const first = neurite('train', 'classes.csv', '--epochs', '5', '--patience', '30', '--batch-size', '16', '--seed', '7', '--no-plot', '--out', 'part.json', '--checkpoint', `ck-${backend}.json`);
    expect(first.code).toBe(0);
    expect(model(`ck-${backend}.json`).training?.fit?.epoch).toBe(5);
    const resumed = neurite('train', 'classes.csv', '--resume', `ck-${backend}.json`, '--epochs', '12', '--backend', backend, '--out', `resumed-${backend}.json`);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('resuming after epoch 5');
    expect(resumed.stdout).toMatch(/epoch 6\/12/);
    const whole = model('whole.json');
    const again = model(`resumed-${backend}.json`);
    expect(again.weights).toEqual(whole.weights);
    expect(again.biases).toEqual(whole.biases);
    expect(again).toEqual(whole);
    // The run went on checkpointing to the same file, to the last epoch.
    expect(model(`ck-${backend}.json`).training?.fit?.epoch).toBe(12);
  });

  it('resumes from a checkpoint older than the last epoch (--checkpoint-every 3 of 8), with regression targets standardized', () => {
    expect(neurite('train', 'regression.csv', '--epochs', '8', '--no-plot', '--out', 'r-whole.json').code).toBe(0);
    const cut = neurite('train', 'regression.csv', '--epochs', '8', '--no-plot', '--out', 'r-part.json', '--checkpoint', 'r-ck.json', '--checkpoint-every', '3');
    expect(cut.code).toBe(0);
    // Written after epochs 3, 6 and the last (8).
    expect(model('r-ck.json').training?.fit?.epoch).toBe(8);
    const early = neurite('train', 'regression.csv', '--epochs', '4', '--no-plot', '--out', 'r-4.json', '--checkpoint', 'r-ck3.json', '--checkpoint-every', '3');
    expect(early.code).toBe(0);
    expect(model('r-ck3.json').training?.fit?.epoch).toBe(4);
    expect(model('r-ck3.json').scaling?.targets).toBeDefined();
    const resumed = neurite('train', 'regression.csv', '--resume', 'r-ck3.json', '--epochs', '8', '--out', 'r-resumed.json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(model('r-resumed.json')).toEqual(model('r-whole.json'));
  });

  it('a run interrupted by Ctrl-C after a checkpoint resumes to the bits of the uninterrupted run', async () => {
    const args = ['train', 'classes.csv', '--epochs', '400', '--batch-size', '4', '--no-early-stopping', '--no-plot'];
    expect(neurite(...args, '--out', 'long.json').code).toBe(0);
    // Interrupted once the first checkpoint exists.
    const { code, stderr } = await interruptOnceWritten(dir, [...args, '--out', 'cut.json', '--checkpoint', 'cut-ck.json'], 'cut-ck.json');
    const epoch = model('cut-ck.json').training!.fit!.epoch;
    if (code === 130) {
      expect(stderr).toBe(`neurite: interrupted; the model was not saved; cut-ck.json holds epoch ${epoch}: continue with neurite train classes.csv --resume cut-ck.json\n`);
      expect(existsSync(join(dir, 'cut.json'))).toBe(false);
    }
    const resumed = neurite('train', 'classes.csv', '--resume', 'cut-ck.json', '--out', 'cut.json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(model('cut.json')).toEqual(model('long.json'));
    // Every write went through a temporary file that was renamed: none is left behind.
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 120_000);

  it('a checkpoint is a model: predict reads it', () => {
    const run = neurite('predict', 'ck-wasm.json', 'classes.csv');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('label,p(hi),p(lo)');
  });
});

describe('--resume refuses what would not continue the same run', () => {
  it.each([
    [['--batch-size', '8'], '--batch-size', 'cannot resume ck-wasm.json (trained with --batch-size 16) with --batch-size 8'],
    [['--seed', '1'], '--seed', '(trained with --seed 7) with --seed 1'],
    [['--no-early-stopping'], '--no-early-stopping', '(trained without --no-early-stopping) with --no-early-stopping'],
    [['--stream'], '--stream', '(trained without --stream) with --stream'],
    [['--epochs', '3'], '--epochs', '--epochs 3 is fewer than the 12 epochs ck-wasm.json has already trained'],
  ])('%j exits 2 naming %s', (extra, flag, message) => {
    expectRefused(neurite('train', 'classes.csv', '--resume', 'ck-wasm.json', ...extra), message, flag);
  });

  it('other data (fewer rows) exits 2 naming --resume and the data file', () => {
    expectRefused(neurite('train', 'fewer.csv', '--resume', 'ck-wasm.json'), '--resume ck-wasm.json was trained on other data than fewer.csv (200 rows, not 150)');
  });

  it('a model saved without training state is not a checkpoint', () => {
    expectRefused(neurite('train', 'classes.csv', '--resume', 'whole.json'), '--resume whole.json is not a checkpoint written by neurite train --checkpoint');
  });

  it('--checkpoint-every needs --checkpoint', () => {
    expectRefused(neurite('train', 'classes.csv', '--checkpoint-every', '2'), '--checkpoint-every needs --checkpoint <file>');
  });
});
