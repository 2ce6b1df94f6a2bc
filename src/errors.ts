const MESSAGE_LIMIT = 1000;
const ARGUMENT_LIMIT = 120;
/** How much of a caller's text (an option key, a string value) an error message quotes. */
export const QUOTE_LIMIT = 80;

/** `text` cut to at most `limit` characters, with an ellipsis when cut (never inside a surrogate pair). */
export function excerpt(text: string, limit = QUOTE_LIMIT): string {
  if (text.length <= limit) return text;
  // limit - 1 characters and the ellipsis; one fewer when the last kept one is a high surrogate.
  const code = text.charCodeAt(limit - 2);
  return `${text.slice(0, code >= 0xd800 && code <= 0xdbff ? limit - 2 : limit - 1)}…`;
}

/**
 * Every error neurite throws is a {@link NeuriteError}. Subclasses say what kind
 * of mistake it was; `argument` names the offending argument when there is one.
 * When one of these is thrown, the object it came from is unchanged.
 */
export class NeuriteError extends Error {
  /** The argument or option at fault, e.g. `"input"` or `"options.batchSize"` (at most 120 characters). */
  readonly argument: string | undefined;
  constructor(message: string, argument?: string) {
    // Callers quote their input through excerpt(); these limits hold whatever a message was built from.
    super(excerpt(message, MESSAGE_LIMIT));
    this.name = new.target.name;
    this.argument = argument === undefined ? undefined : excerpt(argument, ARGUMENT_LIMIT);
  }
}

/** A length or size does not match what the network expects. */
export class ShapeError extends NeuriteError {}

/** A number is NaN or ±Infinity where a finite number is needed. */
export class NonFiniteError extends NeuriteError {}

/** A number is finite but outside its allowed range (sizes, rates, counts). */
export class OutOfRangeError extends NeuriteError {}

/** A value has the wrong type, or an option or name is unknown (the message lists the valid ones). */
export class InvalidArgumentError extends NeuriteError {}

/** The parts of a configuration do not fit together (empty network, softmax on a hidden layer, loss vs. activation). */
export class ConfigurationError extends NeuriteError {}

/** The seed rule's update made a weight exactly 0: the hoped input (b - e) / w is undefined. */
export class ZeroWeightError extends NeuriteError {
  constructor(
    message: string,
    /** Index of the layer whose update failed (0 is the input layer). */
    readonly layer: number,
    /** Index of the neuron in that layer. */
    readonly neuron: number,
  ) {
    super(message, 'expected');
  }
}

/** Training produced a non-finite loss or weight; the weights were rolled back. */
export class DivergenceError extends NeuriteError {
  constructor(
    message: string,
    /** The epoch (from 0) of the step that diverged. */
    readonly epoch: number,
    /** The batch (from 0, within that epoch) of the step that diverged. */
    readonly batch: number,
  ) {
    super(message);
  }
}

/** An `AbortSignal` stopped training; the model holds the last completed step. */
export class AbortError extends NeuriteError {}

/** The network does not fit in memory (the wasm backend addresses at most 4 GiB). */
export class MemoryError extends NeuriteError {}

/** A serialized model is malformed, truncated, of another version or hostile. */
export class FormatError extends NeuriteError {}

/** The requested backend cannot run here (e.g. WebAssembly missing or not yet compiled). */
export class BackendError extends NeuriteError {}

/** A method was called out of order, e.g. `update()` before any `process()`, or on a disposed object. */
export class StateError extends NeuriteError {}
