// What `train` does alike for dense and recurrent networks: checkpoints every few epochs, and resuming from one.
import type { EpochStats, OptimizerName } from '../dense/types.js';
import { AbortError, InvalidArgumentError } from '../errors.js';
import { writeAtomic } from './files.js';
import type { Progress } from './report.js';

/** Where `train` keeps its options in a checkpoint's meta. */
export const OPTIONS_KEY = 'trainOptions';

/** Options a resumed run may change: how many epochs in all, where and how it reports, which backend (same bits on both). */
const FREE_OPTIONS = new Set(['resume', 'epochs', 'plot', 'backend', 'out', 'checkpoint', 'checkpointEvery']);

/** The command-line flag of an option, for errors. */
const flag = (key: string) => (key === 'earlyStopping' ? '--no-early-stopping' : `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);

/** An option's value as it was written on the command line: `with --stream`, `without --batch-size`, `with --layers 3,16,2`. */
function asWritten(key: string, value: unknown): string {
  // --no-early-stopping is written when the option is false.
  const written = key === 'earlyStopping' ? value === false : value;
  if (written === undefined || written === false) return `without ${flag(key)}`;
  if (written === true) return `with ${flag(key)}`;
  return `with ${flag(key)} ${Array.isArray(written) ? written.join(',') : String(written)}`;
}

/** The options `train` takes for every kind of network; left undefined, the library's defaults apply. */
export interface RunOptions {
  optimizer?: OptimizerName;
  learningRate?: number;
  epochs?: number;
  batchSize?: number;
  /** Columns to learn. */
  target?: string[];
  /** Columns that are not inputs. */
  ignore?: string[];
  /** @default 1 */
  seed?: number;
  /** @default 'model.json' (when resuming: the checkpoint's) */
  out?: string;
  /** Draw the loss chart at the end. @default true */
  plot?: boolean;
  delimiter?: string;
  backend?: 'wasm' | 'js';
  /** A checkpoint file written every `checkpointEvery` epochs (and after the last of `epochs`), to resume from. */
  checkpoint?: string;
  /** @default 1 */
  checkpointEvery?: number;
  /** A checkpoint to continue training from, on the same data; its options are the run's. */
  resume?: string;
}

/**
 * The checkpoint's options (`saved`, with the data's row count), with those the command line may change; any other
 * option given must match the checkpoint's. `file` is the checkpoint, `epoch` the epochs it has trained.
 */
export function resumedOptions<O extends RunOptions>(given: O, saved: Omit<O, 'resume' | 'plot' | 'backend'> & { rows: number }, file: string, epoch: number): O {
  for (const [key, value] of Object.entries(given)) {
    const kept = (saved as unknown as Record<string, unknown>)[key];
    if (value === undefined || FREE_OPTIONS.has(key) || JSON.stringify(value) === JSON.stringify(kept)) continue;
    throw new InvalidArgumentError(`cannot resume ${file} (trained ${asWritten(key, kept)}) ${asWritten(key, value)}: a resumed run keeps its options; leave ${flag(key)} out`, flag(key));
  }
  if (given.epochs !== undefined && given.epochs < epoch) throw new InvalidArgumentError(`--epochs ${given.epochs} is fewer than the ${epoch} epochs ${file} has already trained`, '--epochs');
  const { rows: _rows, ...rest } = saved;
  return { ...rest, ...Object.fromEntries(Object.entries(given).filter(([key, value]) => value !== undefined && FREE_OPTIONS.has(key))) } as unknown as O;
}

/** The fit options `fitWithCheckpoints` passes: the epochs and batch size given, its onEpoch, the signal. */
export interface CheckpointedFit {
  epochs?: number;
  batchSize?: number;
  onEpoch: (stats: EpochStats) => void;
  signal?: AbortSignal;
}

/**
 * Runs `fit` with `bar` drawn each epoch and, with `--checkpoint`, `checkpoint()` written every `--checkpoint-every`
 * epochs and after the last; an abort after one was written names it, so the run can go on from `file` with `--resume`.
 */
export async function fitWithCheckpoints<H>(options: RunOptions, file: string, bar: Progress, signal: AbortSignal | undefined, checkpoint: () => object,
  fit: (options: CheckpointedFit) => Promise<H>): Promise<H> {
  const every = options.checkpointEvery ?? 1;
  let lastCheckpoint = -1;
  try {
    return await fit({
      ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      onEpoch: (stats) => {
        bar.epoch(stats);
        const done = stats.epoch + 1;
        if (options.checkpoint !== undefined && (done % every === 0 || done === options.epochs)) {
          writeAtomic(options.checkpoint, JSON.stringify(checkpoint()));
          lastCheckpoint = done;
        }
      },
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (error instanceof AbortError && lastCheckpoint >= 0) {
      throw new AbortError(`the model was not saved; ${options.checkpoint} holds epoch ${lastCheckpoint}: continue with neurite train ${file} --resume ${options.checkpoint}`, '--checkpoint');
    }
    throw error;
  } finally {
    bar.stop();
  }
}
