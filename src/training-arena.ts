// The training part of the header that dense and recurrent arenas share: parameters, gradients, settings, optimizer state.
import type { Arena } from './backend/index.js';
import type { OptimizerOptions } from './dense/types.js';
import {
  DENSE_GRADS, DENSE_MOMENT1, DENSE_MOMENT2, DENSE_PARAMS, DENSE_PARAM_COUNT, DENSE_SETTINGS, DENSE_STATUS,
  S_BETA1_POWER, S_BETA2_POWER, S_CLIP_NORM, S_CORRECT, S_ELU_ALPHA, S_GRAD_NORM, S_LEAKY_ALPHA, S_LEARNING_RATE, S_PEAK_M, S_PEAK_PARAM, S_PEAK_V,
  S_WEIGHT_DECAY,
} from './header.js';
import { ELU_ALPHA, LEAKY_RELU_ALPHA } from './spec/activations.js';
import { settingSlots } from './spec/optimizers.js';

/** Adam's (or momentum's) state: the moments and the bias-correction powers. */
export interface OptimizerState {
  moment1: Float64Array;
  moment2: Float64Array;
  beta1Power: number;
  beta2Power: number;
}

/** Every weight and bias, copied. */
export function parametersOf(arena: Arena): Float64Array {
  return arena.view(DENSE_PARAMS, arena.word(DENSE_PARAM_COUNT)).slice();
}

/** Replaces every weight and bias with `copy` (checked); the bounds of the next step are then unknown. */
export function setParametersOf(arena: Arena, copy: ArrayLike<number>): void {
  arena.f64.set(copy, arena.at(DENSE_PARAMS));
  arena.f64[arena.at(DENSE_SETTINGS) + S_PEAK_PARAM] = Infinity;
}

/** The gradient of the last training step, copied. */
export function gradientsOf(arena: Arena): Float64Array {
  return arena.view(DENSE_GRADS, arena.word(DENSE_PARAM_COUNT)).slice();
}

/** ‖gradient‖₂ of the last training step, before clipping. */
export function gradientNormOf(arena: Arena): number {
  return arena.f64[arena.at(DENSE_SETTINGS) + S_GRAD_NORM]!;
}

/** Writes the learning rate the next steps use. */
export function writeLearningRate(arena: Arena, value: number): void {
  arena.f64[arena.at(DENSE_SETTINGS) + S_LEARNING_RATE] = value;
}

/** The optimizer's state, copied. */
export function optimizerStateOf(arena: Arena): OptimizerState {
  const count = arena.word(DENSE_PARAM_COUNT);
  const s = arena.at(DENSE_SETTINGS);
  return {
    moment1: arena.view(DENSE_MOMENT1, count).slice(),
    moment2: arena.view(DENSE_MOMENT2, count).slice(),
    beta1Power: arena.f64[s + S_BETA1_POWER]!,
    beta2Power: arena.f64[s + S_BETA2_POWER]!,
  };
}

/** Puts back an optimizer state (checked); the bounds of the next step are then unknown. */
export function restoreOptimizerStateOf(arena: Arena, state: { moment1: ArrayLike<number>; moment2: ArrayLike<number>; beta1Power: number; beta2Power: number }): void {
  const s = arena.at(DENSE_SETTINGS);
  arena.f64.set(state.moment1, arena.at(DENSE_MOMENT1));
  arena.f64.set(state.moment2, arena.at(DENSE_MOMENT2));
  arena.f64[s + S_BETA1_POWER] = state.beta1Power;
  arena.f64[s + S_BETA2_POWER] = state.beta2Power;
  arena.f64[s + S_PEAK_PARAM] = Infinity;
  arena.f64[s + S_PEAK_M] = Infinity;
  arena.f64[s + S_PEAK_V] = Infinity;
}

/**
 * A copy of the fixed part of the arena from the settings on (settings, weights, gradients, optimizer state), which
 * ends at `fixedBytes` past the base: the same at any capacity, so it can be put back after the arena grew.
 */
export function trainingStateOf(arena: Arena, fixedBytes: number): Float64Array {
  return arena.f64.slice(arena.at(DENSE_SETTINGS), (arena.base + fixedBytes) >> 3);
}

/** Puts back a trainingStateOf copy. */
export function restoreTrainingStateOf(arena: Arena, state: Float64Array): void {
  arena.f64.set(state, arena.at(DENSE_SETTINGS));
}

/** Whether the last step diverged (and so was not applied). */
export function divergedIn(arena: Arena): boolean {
  return arena.word(DENSE_STATUS) !== 0;
}

/** What the last step or evaluation counted right. */
export function correctIn(arena: Arena): number {
  return arena.f64[arena.at(DENSE_SETTINGS) + S_CORRECT]!;
}

/** Writes an optimizer's settings and fresh running state at `s`, the settings block of a dense-headed arena. */
export function writeSettings(f: Float64Array, s: number, o: Required<OptimizerOptions>): void {
  f[s + S_LEARNING_RATE] = o.learningRate;
  for (const [slot, value] of settingSlots(o.type, o)) f[s + slot] = value;
  f[s + S_WEIGHT_DECAY] = o.weightDecay;
  f[s + S_CLIP_NORM] = o.clipNorm;
  f[s + S_LEAKY_ALPHA] = LEAKY_RELU_ALPHA;
  f[s + S_ELU_ALPHA] = ELU_ALPHA;
  f[s + S_BETA1_POWER] = 1;
  f[s + S_BETA2_POWER] = 1;
  // Unknown parameter peak: the first step checks what it writes before writing it.
  f[s + S_PEAK_PARAM] = Infinity;
}
