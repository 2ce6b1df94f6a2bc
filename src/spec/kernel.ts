// What a spec's emitters for the generated kernel (src/backend/specialized.ts) may use.
import type { FunctionBody } from '../backend/wasm-encoder.js';

/** The generated function being written, with the locals and helpers every emitter may use. */
export interface KernelContext {
  readonly c: FunctionBody;
  /** Emits exp(local `x`) into local `into`: src/math/exp.ts `exp`, its table path inline. */
  exp(x: number, into: number): void;
  /** Scratch f64 locals, free for the length of one emitter call. */
  readonly t: number;
  readonly e: number;
  /** f64 locals holding the settings of the same names. */
  readonly leakyAlpha: number;
  readonly eluAlpha: number;
  readonly mu: number;
  /** Nesterov's form of momentum (a constant of the kernel). */
  readonly nesterov: boolean;
}

/** An activation's emitters: the same operations as its src/math/activations.ts definition, in order. */
export interface ActivationKernel {
  /** Sets local `into` to activation(local `z`). */
  activation(k: KernelContext, z: number, into: number): void;
  /** Pushes d activation / dz from the output in local `a`. */
  derivative(k: KernelContext, a: number): void;
}

/** An optimizer's emitter: the same operations as its src/math/optimizers.ts formulas, in order. */
export interface OptimizerKernel {
  /** Whether the step keeps a velocity per parameter (the generated kernel holds it in a local). */
  readonly velocity: boolean;
  /**
   * Pushes the step's direction from the effective gradient in local `g`; with a velocity, from the old one in
   * local `v`, and sets the new one in local `into` (also used on bounds: stepBound's peakM is a velocity).
   */
  direction(k: KernelContext, g: number, v: number, into: number): void;
}
