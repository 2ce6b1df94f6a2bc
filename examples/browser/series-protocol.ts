// Messages between the series page and its training worker (ready and failure as on the moons page, ./protocol).
import type { FailureMessage, ReadyMessage } from './protocol';

/** Page → worker: a new curve, `values` sampled at equal steps (y in [-1, 1]); the worker starts a new network on it. */
export interface CurveMessage {
  type: 'curve';
  values: Float64Array;
  /** Counts the curves sent, so that reports about an older one are told apart. */
  generation: number;
}

/** Worker → page, after each round of training: the loss and the curve's continuation, FORECAST_STEPS values. */
export interface SeriesProgressMessage {
  type: 'progress';
  /** The generation of the curve this network learns. */
  generation: number;
  epoch: number;
  loss: number;
  forecast: Float64Array;
}

export type FromSeriesWorker = ReadyMessage | SeriesProgressMessage | FailureMessage;

/** Samples of the drawn curve (the left part of the canvas) and of its forecast (the right part). */
export const CURVE_STEPS = 120;
export const FORECAST_STEPS = 60;
