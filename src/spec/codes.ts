// Each spec table's names to their header codes, for laying out arenas from checked configurations.
import { ACTIVATION_SPECS, type ActivationName } from './activations.js';
import { LOSS_SPECS, type LossName } from './losses.js';
import { OPTIMIZER_SPECS, type OptimizerName } from './optimizers.js';

/** Each name of a spec table to its header code. */
const codes = <N extends string>(specs: readonly { readonly name: N; readonly code: number }[]) =>
  Object.fromEntries(specs.map((spec) => [spec.name, spec.code])) as Record<N, number>;

/** Each activation's header code (DENSE_ACTIVATION), by name. */
export const ACTIVATION_CODES: Record<ActivationName, number> = codes(ACTIVATION_SPECS);
/** Each loss's header code (DENSE_LOSS_KIND), by name. */
export const LOSS_CODES: Record<LossName, number> = codes(LOSS_SPECS);
/** Each optimizer's header code (DENSE_OPTIMIZER), by name. */
export const OPTIMIZER_CODES: Record<OptimizerName, number> = codes(OPTIMIZER_SPECS);
