/**
 * Word indices of the arena header: the i32 table at the start of every arena
 * that tells the kernels where each buffer lives. Written by `layout.ts`, read
 * by `assembly/*.ts` and `backend/js/*.ts`; this file is valid AssemblyScript
 * and TypeScript so both sides share the same numbers.
 */

/** Seed network header: one entry for the network, then one per layer. */
export const SEED_LAYER_COUNT = 0;
export const SEED_INPUT_CAPACITY = 1;
export const SEED_INPUT = 2;
export const SEED_EXPECTED = 3;
export const SEED_FAILED_LAYER = 4;
export const SEED_FAILED_NEURON = 5;
export const SEED_HEADER_WORDS = 8;

/** Per seed layer, at `SEED_HEADER_WORDS + layer * SEED_LAYER_WORDS`. */
export const SEED_SIZE = 0;
export const SEED_IS_INPUT = 1;
export const SEED_WEIGHT = 2;
export const SEED_BIAS = 3;
export const SEED_RESULT = 4;
export const SEED_HOPED = 5;
export const SEED_PENDING_WEIGHT = 6;
export const SEED_PENDING_BIAS = 7;
export const SEED_LAYER_WORDS = 8;
