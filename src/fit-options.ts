// The fit options every network kind shares, checked once for all of them.
import { InvalidArgumentError, OutOfRangeError } from './errors.js';
import type { FitOptions } from './dense/types.js';
import { finite, options as checkOptions } from './validate.js';

/** The part of a network's fit options whose checks every network kind shares. */
export type SharedFitOptions = Partial<Pick<FitOptions, 'validationSplit' | 'earlyStopping' | 'onEpoch' | 'signal' | 'shuffle'>> & {
  validationData?: unknown;
};

/** The shared fit options, checked: the validation share, the early-stopping settings given (if on) and their minDelta. */
export interface SharedFitSettings {
  split: number | undefined;
  stopping: Partial<{ patience: number; minDelta: number }> | undefined;
  minDelta: number;
}

/** Checks the fit options every network kind shares, in one fixed order, so each reports the same first error. */
export function checkSharedFitOptions(o: SharedFitOptions): SharedFitSettings {
  if (o.validationSplit !== undefined && o.validationData !== undefined) {
    throw new InvalidArgumentError('options.validationSplit and options.validationData cannot both be given', 'options.validationSplit');
  }
  const split = o.validationSplit === undefined ? undefined : finite(o.validationSplit, 'options.validationSplit');
  if (split !== undefined && (split <= 0 || split >= 1)) throw new OutOfRangeError(`options.validationSplit must be in (0, 1), got ${split}`, 'options.validationSplit');
  const stopping = o.earlyStopping === undefined || o.earlyStopping === false ? undefined : checkOptions(o.earlyStopping, 'options.earlyStopping', ['patience', 'minDelta']);
  if (o.onEpoch !== undefined && typeof o.onEpoch !== 'function') throw new InvalidArgumentError('options.onEpoch must be a function', 'options.onEpoch');
  if (o.signal !== undefined && (o.signal === null || typeof o.signal.aborted !== 'boolean')) throw new InvalidArgumentError('options.signal must be an AbortSignal', 'options.signal');
  if (o.shuffle !== undefined && typeof o.shuffle !== 'boolean') throw new InvalidArgumentError('options.shuffle must be a boolean', 'options.shuffle');
  const minDelta = stopping?.minDelta === undefined ? 0 : finite(stopping.minDelta, 'options.earlyStopping.minDelta');
  if (minDelta < 0) throw new OutOfRangeError(`options.earlyStopping.minDelta must be >= 0, got ${minDelta}`, 'options.earlyStopping.minDelta');
  return { split, stopping, minDelta };
}
