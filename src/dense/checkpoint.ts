// What toJSON adds beyond the weights: standardization figures, and in checkpoints the whole training state.
import { StateError } from '../errors.js';
import type { DenseNetwork } from './network.js';
import { scalingFromJSON, scalingToJSON } from './scaling.js';
import type { DenseModelJSON } from './types.js';

/** The `scaling` and (with `{ training: true }`) `training` fields of `net.toJSON(options)`. */
export function checkpointToJSON(net: DenseNetwork, options: unknown): Pick<DenseModelJSON, 'scaling' | 'training'> {
  const out: Pick<DenseModelJSON, 'scaling' | 'training'> = {};
  if (net.scaling) out.scaling = scalingToJSON(net.scaling);
  // JSON.stringify passes a key (a string) to toJSON: only an options object asks for a checkpoint.
  if (options === null || typeof options !== 'object' || (options as { training?: unknown }).training !== true) return out;
  const optimizer = net.optimizerState();
  const fit = net.currentRun ? net.currentRun.state() : net.savedFit;
  if (net.currentRun && fit === undefined) {
    throw new StateError('a checkpoint is exact only between epochs: save it from onEpoch, or after fit', 'options.training');
  }
  out.training = {
    moment1: Array.from(optimizer.moment1),
    moment2: Array.from(optimizer.moment2),
    beta1Power: optimizer.beta1Power,
    beta2Power: optimizer.beta2Power,
    random: net.random.seed,
    ...(fit ? { fit } : {}),
  };
  return out;
}

/** Puts a checked model's figures and training state into a network just built from it. */
export function checkpointFromJSON(net: DenseNetwork, model: DenseModelJSON): void {
  // Only `new DenseNetwork` measures figures at its first fit: a loaded model without them (a file written before
  // they existed, or by a network with none) keeps training in the units its weights were trained in.
  net.scaling = model.scaling ? scalingFromJSON(model.scaling) : null;
  const training = model.training;
  if (!training) return;
  net.restoreOptimizerState(training);
  net.random.restore(training.random);
  net.savedFit = training.fit;
  net.resumeByDefault = training.fit !== undefined;
}
