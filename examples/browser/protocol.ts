// Messages between the page and the training worker.

/** Page → worker: the current points (x, y row-major in [-1, 1]) and their classes (0 or 1). */
export interface PointsMessage {
  type: 'points';
  coordinates: Float64Array;
  labels: Uint8Array;
}

/** Worker → page, once: the backend the network runs on, after `await ready()`. */
export interface ReadyMessage {
  type: 'ready';
  backend: string;
  simd: boolean;
}

/** Worker → page, after each batch of training steps. `field` holds P(class 1) per grid cell, row-major from the top-left. */
export interface ProgressMessage {
  type: 'progress';
  epoch: number;
  loss: number;
  accuracy: number;
  field: Float64Array;
}

/** Worker → page: training failed; the message is shown on the page. */
export interface FailureMessage {
  type: 'failure';
  message: string;
}

export type FromWorker = ReadyMessage | ProgressMessage | FailureMessage;

/** The decision field is evaluated on a FIELD_SIZE × FIELD_SIZE grid over [-1, 1]². */
export const FIELD_SIZE = 64;
