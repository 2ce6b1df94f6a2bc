/** Every loss, defined once: header code, name, and the output activation it needs. Formulas: src/math/losses.ts. */
import { LOSS_BINARY_CROSS_ENTROPY, LOSS_CROSS_ENTROPY, LOSS_MSE } from '../header.js';

/** One loss's definition (N: its name, kept as a literal type). */
export interface LossSpec<N extends string = string> {
  /** Its code in the arena header (DENSE_LOSS_KIND). */
  readonly code: number;
  /** Its name in options, JSON files and the CLI. */
  readonly name: N;
  /** The output activation its fused delta assumes; null: any. */
  readonly output: string | null;
  /** Whether the generated kernel covers it. */
  readonly generated: boolean;
}

const TABLE = [
  { code: LOSS_MSE, name: 'mse', output: null, generated: true },
  { code: LOSS_BINARY_CROSS_ENTROPY, name: 'binaryCrossEntropy', output: 'sigmoid', generated: false },
  { code: LOSS_CROSS_ENTROPY, name: 'crossEntropy', output: 'softmax', generated: false },
] as const satisfies readonly LossSpec[];

/**
 * The losses' names, as options, JSON files and the CLI spell them.
 * @inline
 */
export type LossName = (typeof TABLE)[number]['name'];

/** Every loss, by code (LOSS_SPECS[code].code === code). */
export const LOSS_SPECS: readonly LossSpec<LossName>[] = TABLE;
