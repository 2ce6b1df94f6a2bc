// What toJSON adds beyond the weights: standardization figures, and in checkpoints the whole training state.
import { trainingFromJSON, trainingToJSON } from '../fit-run.js';
import type { DenseModel } from './model.js';
import { scalingFromJSON, scalingToJSON } from './scaling.js';
import type { DenseModelJSON } from './types.js';

/** The `scaling` and (with `{ training: true }`) `training` fields of `model.toJSON(options)`. */
export function checkpointToJSON(model: DenseModel, options: unknown): Pick<DenseModelJSON, 'scaling' | 'training'> {
  const out: Pick<DenseModelJSON, 'scaling' | 'training'> = {};
  if (model.scaling) out.scaling = scalingToJSON(model.scaling);
  // JSON.stringify passes a key (a string) to toJSON: only an options object asks for a checkpoint.
  if (options === null || typeof options !== 'object' || (options as { training?: unknown }).training !== true) return out;
  out.training = trainingToJSON(model, model.optimizerState());
  return out;
}

/** Puts a checked saved model's figures and training state into a model just built from it. */
export function checkpointFromJSON(model: DenseModel, json: DenseModelJSON): void {
  // Only `new DenseNetwork` measures figures at its first fit: a loaded model without them (a file written before
  // they existed, or by a network with none) keeps training in the units its weights were trained in.
  model.scaling = json.scaling ? scalingFromJSON(json.scaling) : null;
  const training = json.training;
  if (!training) return;
  model.restoreOptimizerState(training);
  trainingFromJSON(model, training);
}
