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

/** One epoch's figures, `done` counted from 1: `epoch 3/50  loss 0.1234  accuracy 0.9000  val_loss 0.2000  val_accuracy 0.8500` (no `/50` when the total is not known, no accuracy for regression). */
export function epochLine(stats: EpochStats, done: number, epochs: number | undefined, accuracy = true): string {
  let line = `epoch ${done}${epochs === undefined ? '' : `/${epochs}`}  loss ${figure(stats.loss)}`;
  if (accuracy) line += `  accuracy ${figure(stats.accuracy)}`;
  if (stats.valLoss !== undefined) line += `  val_loss ${figure(stats.valLoss)}${accuracy ? `  val_accuracy ${figure(stats.valAccuracy)}` : ''}`;
  return line;
}

/** Whether plain-line mode prints epoch `done` of an unknown total: 1 to 10, then 20, 30 … 100, then 200, 300 …. */
function sparse(done: number): boolean {
  const step = 10 ** Math.max(0, Math.floor(Math.log10(done)));
  return done <= 10 || done % step === 0;
}

/**
 * A live cli-progress bar (epoch, loss, validation loss, ETA) on a terminal; every few epochs a plain line
 * elsewhere. `epochs` is the most training may run, when known; `accuracy` is false for regression; `first` is
 * the number of epochs already trained (by the run a checkpoint resumes).
 */
export function progress(epochs: number | undefined, out: Output & NodeJS.WritableStream, accuracy = true, first = 0): Progress {
  // Epochs are counted here, from first + 1, whatever numbering the stats carry.
  let done = first;
  if (!out.isTTY || epochs === undefined) {
    const every = epochs === undefined ? 0 : Math.max(1, Math.ceil(epochs / PLAIN_LINES));
    const due = (n: number) => (every === 0 ? sparse(n) : n % every === 0 || n === epochs || n === 1);
    let last: EpochStats | undefined;
    let printed = 0;
    // A terminal gets one line redrawn in place (erased first, as it may shrink).
    const print = (stats: EpochStats, n: number) => {
      out.write(out.isTTY ? `\r\x1b[2K${epochLine(stats, n, epochs, accuracy)}` : `${epochLine(stats, n, epochs, accuracy)}\n`);
      printed = n;
    };
    return {
      epoch: (stats) => {
        last = stats;
        done++;
        if (out.isTTY || due(done)) print(stats, done);
      },
      // Training that stops early still shows its last epoch.
      stop: () => {
        if (!last) return;
        if (printed !== done) print(last, done);
        if (out.isTTY) out.write('\n');
        last = undefined;
      },
    };
  }
  const bar = new SingleBar(
    {
      format: `epoch {value}/{total} {bar} loss {loss} | val_loss {valLoss}${accuracy ? ' | accuracy {accuracy}' : ''} | ETA {eta_formatted}`,
      stream: out,
      hideCursor: true,
      etaBuffer: 20,
    },
    Presets.shades_classic,
  );
  bar.start(epochs, first, { loss: '-', valLoss: '-', accuracy: '-' });
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

/**
 * An asciichart plot of the training loss and, when there is one, the validation loss, both on one scale: one
 * colored chart on terminals, two charts with the same axis otherwise (two uncolored lines cannot be told apart).
 */
export function lossChart(history: readonly EpochStats[], color: boolean): string {
  const loss = shrink(history.map((s) => s.loss), CHART_WIDTH);
  const validation = history.length > 0 && history.every((s) => s.valLoss !== undefined) ? shrink(history.map((s) => s.valLoss!), CHART_WIDTH) : undefined;
  const span = history.length > CHART_WIDTH ? `epochs 1-${history.length}, averaged to ${CHART_WIDTH} points` : `epochs 1-${history.length}`;
  const all = validation ? [...loss, ...validation] : loss;
  const scale = { min: Math.min(...all), max: Math.max(...all) };
  const draw = (series: number[] | number[][], colors?: string[]) =>
    asciichart.plot(series, { height: 10, ...scale, format: (value) => value.toPrecision(3).padStart(9), ...(colors ? { colors } : {}) });
  if (!validation) return `loss (${span})\n${draw(loss)}`;
  if (color) {
    const legend = `${asciichart.blue}loss${asciichart.reset} and ${asciichart.yellow}val_loss${asciichart.reset}`;
    return `${legend} (${span})\n${draw([loss, validation], [asciichart.blue, asciichart.yellow])}`;
  }
  return `loss (${span})\n${draw(loss)}\n\nval_loss (${span}, same scale)\n${draw(validation)}`;
}
