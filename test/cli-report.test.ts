// The CLI's training report: a live bar on terminals, sparse plain lines elsewhere, and the loss chart.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { lossChart, progress } from '../src/cli/report.js';
import type { EpochStats } from '../src/dense/types.js';

/** A stream that records what was written, claiming to be a terminal or not. */
function capture(isTTY: boolean): PassThrough & { isTTY: boolean; columns: number; text(): string } {
  const chunks: string[] = [];
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 120, text: () => chunks.join('') });
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return stream;
}

const stats = (epoch: number, loss: number, valLoss?: number): EpochStats => ({ epoch, loss, accuracy: 0.5, ...(valLoss === undefined ? {} : { valLoss, valAccuracy: 0.25 }) });

describe('progress', () => {
  it('off a terminal prints epoch 1, then about every epochs/25, and the last, counting from 1', async () => {
    const out = capture(false);
    const bar = progress(100, out);
    for (let e = 0; e < 100; e++) bar.epoch(stats(e, 1 / (e + 1), 2 / (e + 1)));
    bar.stop();
    await new Promise((resolve) => setImmediate(resolve));
    const lines = out.text().trim().split('\n');
    expect(lines.map((l) => Number(/^epoch (\d+)\/100 /.exec(l)![1]))).toEqual([1, ...Array.from({ length: 25 }, (_, i) => 4 * (i + 1))]);
    expect(lines[0]).toBe('epoch 1/100  loss 1.000  accuracy 0.5000  val_loss 2.000  val_accuracy 0.2500');
  });

  it('on a terminal draws a bar with epoch, loss, val_loss and ETA, redrawn in place', async () => {
    const out = capture(true);
    const bar = progress(3, out);
    for (let e = 0; e < 3; e++) bar.epoch(stats(e, 0.5 / (e + 1), 0.25));
    bar.stop();
    bar.stop();
    await new Promise((resolve) => setImmediate(resolve));
    const text = out.text();
    expect(text).toMatch(/epoch 3\/3 .* loss 0\.1667 \| val_loss 0\.2500 \| accuracy 0\.5000 \| ETA \d+s/);
    expect(text).toContain('\x1b[?25l');
    expect(text).not.toContain('\n\n');
  });
});

describe('lossChart', () => {
  it('averages long runs down to 60 points: the top label is the mean of the first two losses', () => {
    const history = Array.from({ length: 120 }, (_, e) => stats(e, 1 / (e + 1)));
    const chart = lossChart(history, false);
    const lines = chart.split('\n');
    expect(lines[0]).toBe('loss (epochs 1-120, averaged to 60 points)');
    expect(lines[1]!.trim().startsWith('0.750 ')).toBe(true);
    expect(lines).toHaveLength(12);
    expect(lines[1]!.length).toBeLessThanOrEqual(9 + 2 + 60);
  });

  it('draws validation as a second chart on the same scale without color, as one colored chart with color', () => {
    const history = [stats(0, 1, 2), stats(1, 0.5, 1), stats(2, 0.25, 0.5)];
    const plain = lossChart(history, false);
    const [loss, validation] = plain.split('\n\n') as [string, string];
    expect(loss).toMatch(/^loss \(epochs 1-3\)\n/);
    expect(validation).toMatch(/^val_loss \(epochs 1-3, same scale\)\n/);
    // Both axes run from the lowest to the highest of all six losses: 2.00 at the top, 0.250 at the bottom.
    const axis = (chart: string) => chart.split('\n').slice(1).map((line) => line.trim().split(' ')[0]);
    expect(axis(loss)[0]).toBe('2.00');
    expect(axis(loss).at(-1)).toBe('0.250');
    expect(axis(validation)).toEqual(axis(loss));
    expect(plain).not.toContain('\x1b[');
    const colored = lossChart(history, true);
    expect(colored).toContain('\x1b[34m');
    expect(colored).toContain('\x1b[33m');
    expect(colored.split('\n')).toHaveLength(12);
  });
});
