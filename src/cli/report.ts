// What `neurite train` shows while it works: a progress bar on terminals, plain lines otherwise, a loss chart at the end.
import * as asciichart from 'asciichart';
import { Presets, SingleBar } from 'cli-progress';
import type { EpochStats } from '../dense/types.js';

/** A place to write to, and whether it is a terminal (which decides between a live bar and plain lines). */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Reports each epoch; `stop` ends the bar (it is idempotent). */
export interface Progress {
  epoch(stats: EpochStats): void;
  stop(): void;
}

/** The widest chart drawn: longer histories are averaged down to this many points. */
const CHART_WIDTH = 60;
/** Plain-line mode prints about this many lines per run, plus the last epoch. */
const PLAIN_LINES = 25;

const figure = (value: number | undefined) => (value === undefined ? '-' : value.toPrecision(4));

/** One epoch's figures, `done` counted from 1: `epoch 3/50  loss 0.1234  accuracy 0.9000  val_loss 0.2000  val_accuracy 0.8500`. */
export function epochLine(stats: EpochStats, done: number, epochs: number): string {
  let line = `epoch ${done}/${epochs}  loss ${figure(stats.loss)}  accuracy ${figure(stats.accuracy)}`;
  if (stats.valLoss !== undefined) line += `  val_loss ${figure(stats.valLoss)}  val_accuracy ${figure(stats.valAccuracy)}`;
  return line;
}

/** A live cli-progress bar (epoch, loss, validation loss, ETA) on a terminal; every few epochs a plain line elsewhere. */
export function progress(epochs: number, out: Output & NodeJS.WritableStream): Progress {
  // Epochs are counted here, from 1, whatever numbering the stats carry.
  let done = 0;
  if (!out.isTTY) {
    const every = Math.max(1, Math.ceil(epochs / PLAIN_LINES));
    return {
      epoch: (stats) => {
        done++;
        if (done % every === 0 || done === epochs || done === 1) out.write(`${epochLine(stats, done, epochs)}\n`);
      },
      stop: () => undefined,
    };
  }
  const bar = new SingleBar(
    {
      format: 'epoch {value}/{total} {bar} loss {loss} | val_loss {valLoss} | accuracy {accuracy} | ETA {eta_formatted}',
      stream: out,
      hideCursor: true,
      etaBuffer: 20,
    },
    Presets.shades_classic,
  );
  bar.start(epochs, 0, { loss: '-', valLoss: '-', accuracy: '-' });
  let stopped = false;
  return {
    epoch: (stats) => bar.update(++done, { loss: figure(stats.loss), valLoss: figure(stats.valLoss), accuracy: figure(stats.accuracy) }),
    stop: () => {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}

/** Averages `values` down to at most `width` points, so long runs still fit a terminal. */
function shrink(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  return Array.from({ length: width }, (_, i) => {
    const from = Math.floor((i * values.length) / width);
    const to = Math.floor(((i + 1) * values.length) / width);
    return values.slice(from, to).reduce((a, b) => a + b, 0) / (to - from);
  });
}

/** An asciichart plot of the training loss and, when there is one, the validation loss: one colored chart on terminals, two charts otherwise. */
export function lossChart(history: readonly EpochStats[], color: boolean): string {
  const loss = shrink(history.map((s) => s.loss), CHART_WIDTH);
  const validation = history.length > 0 && history.every((s) => s.valLoss !== undefined) ? shrink(history.map((s) => s.valLoss!), CHART_WIDTH) : undefined;
  const span = history.length > CHART_WIDTH ? `epochs 1-${history.length}, averaged to ${CHART_WIDTH} points` : `epochs 1-${history.length}`;
  const draw = (series: number[] | number[][], colors?: string[]) =>
    asciichart.plot(series, { height: 10, format: (value) => value.toPrecision(3).padStart(9), ...(colors ? { colors } : {}) });
  if (!validation) return `loss (${span})\n${draw(loss)}`;
  if (color) {
    const legend = `${asciichart.blue}loss${asciichart.reset} and ${asciichart.yellow}val_loss${asciichart.reset}`;
    return `${legend} (${span})\n${draw([loss, validation], [asciichart.blue, asciichart.yellow])}`;
  }
  // Without color two lines on one chart cannot be told apart.
  return `loss (${span})\n${draw(loss)}\n\nval_loss (${span})\n${draw(validation)}`;
}
