// What toJSON adds beyond the weights, for dense and recurrent networks alike: the standardization figures (or,
// before the first fit, the choice it measures them by), and in checkpoints the whole training state.
import type { ArenaModel, ModelConfig } from './arena-model.js';
import { scalingFromJSON, scalingToJSON } from './dense/scaling.js';
import type { ScalingJSON, StandardizeJSON, TrainingJSON } from './dense/types.js';
import { trainingFromJSON, trainingToJSON } from './fit-run.js';

/** The fields of a saved model that checkpointToJSON writes and checkpointFromJSON reads. */
export interface CheckpointJSON {
  scaling?: ScalingJSON;
  standardize?: StandardizeJSON;
  training?: TrainingJSON;
}

/** The `scaling` or `standardize` and (with `{ training: true }`) `training` fields of `network.toJSON(options)`. */
export function checkpointToJSON(model: ArenaModel<ModelConfig>, options: unknown): CheckpointJSON {
  const out: CheckpointJSON = {};
  if (model.scaling) out.scaling = scalingToJSON(model.scaling);
  // Not decided yet: the choice goes with the model, so the first fit after loading measures what the options asked.
  else if (model.scaling === undefined) out.standardize = { ...model.standardization };
  // JSON.stringify passes a key (a string) to toJSON: only an options object asks for a checkpoint.
  if (options === null || typeof options !== 'object' || (options as { training?: unknown }).training !== true) return out;
  out.training = trainingToJSON(model, model.optimizerState());
  return out;
}

/** Puts a checked saved model's figures (or standardization choice) and training state into a model just built from it. */
export function checkpointFromJSON(model: ArenaModel<ModelConfig>, json: CheckpointJSON): void {
  if (json.scaling) {
    const scaling = scalingFromJSON(json.scaling);
    model.scaling = scaling.inputs || scaling.targets ? scaling : null;
  } else if (json.standardize) {
    model.standardization = { ...json.standardize };
  } else {
    // Neither (written by a network with no figures, or before these fields existed): it keeps training in the
    // units its weights were trained in.
    model.scaling = null;
  }
  const training = json.training;
  if (!training) return;
  model.restoreOptimizerState(training);
  trainingFromJSON(model, training);
}
