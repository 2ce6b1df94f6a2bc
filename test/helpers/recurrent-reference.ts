// A plain-loop forward pass of a RecurrentModelJSON, written from the formulas of RECURRENT-CONTRACT.md and
// independent of neurite's code: number arrays, Math.exp-based sigmoid and tanh, one unit at a time.
import { generator } from '../fixtures/dense-models.js';

/** The parts of a recurrent layer the forward pass reads. */
export interface ReferenceLayer {
  type: 'lstm' | 'gru' | 'rnn' | 'dense';
  size: number;
  activation?: string;
  /** lstm only: 'hidden' is brain.js's form, whose forget gate acts on h' (it carries no cell state). */
  memory?: 'cell' | 'hidden';
  input?: readonly number[];
  recurrent?: readonly number[];
  bias?: readonly number[];
  weights?: readonly number[];
  biases?: readonly number[];
}

/** The parts of a RecurrentModelJSON the forward pass reads. */
export interface ReferenceModel {
  inputSize: number;
  output: 'sequence' | 'last';
  layers: readonly ReferenceLayer[];
  scaling?: { inputs?: { mean: readonly number[]; std: readonly number[] }; targets?: { mean: readonly number[]; std: readonly number[] } };
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const tanh = (x: number): number => {
  const e = Math.exp(-2 * Math.abs(x));
  return Math.sign(x) * ((1 - e) / (1 + e));
};

/** The dense head's activations, one unit at a time (softmax on the whole row). */
function activate(name: string, s: number[]): number[] {
  switch (name) {
    case 'identity': return s;
    case 'sigmoid': return s.map(sigmoid);
    case 'tanh': return s.map(tanh);
    case 'relu': return s.map((x) => (x > 0 ? x : 0));
    case 'leakyRelu': return s.map((x) => (x > 0 ? x : 0.01 * x));
    case 'elu': return s.map((x) => (x > 0 ? x : Math.exp(x) - 1));
    case 'softplus': return s.map((x) => Math.max(x, 0) + Math.log(1 + Math.exp(-Math.abs(x))));
    case 'softmax': {
      const top = Math.max(...s);
      const e = s.map((x) => Math.exp(x - top));
      const sum = e.reduce((a, b) => a + b, 0);
      return e.map((x) => x / sum);
    }
    default: throw new Error(`reference: unknown activation ${name}`);
  }
}

/** Row `row` of the (rows × width) matrix `m` times `x`. */
function dot(m: readonly number[], row: number, width: number, x: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < width; j++) s += m[row * width + j]! * x[j]!;
  return s;
}

/** The state one recurrent layer carries from step to step. */
interface LayerState { h: number[]; c: number[] }

/** One step of one recurrent layer: updates `state` from input `x`, returns the new h. */
function step(layer: ReferenceLayer, width: number, x: readonly number[], state: LayerState): number[] {
  const n = layer.size;
  const W = layer.input!;
  const U = layer.recurrent!;
  const b = layer.bias!;
  const hPrev = state.h;
  const pre = (gate: number, u: number, h: readonly number[] = hPrev) => dot(W, gate * n + u, width, x) + dot(U, gate * n + u, n, h) + b[gate * n + u]!;
  const h = new Array<number>(n);
  if (layer.type === 'lstm') {
    const carried = layer.memory === 'hidden' ? hPrev : state.c;
    const c = new Array<number>(n);
    for (let u = 0; u < n; u++) {
      const i = sigmoid(pre(0, u));
      const f = sigmoid(pre(1, u));
      const g = tanh(pre(2, u));
      const o = sigmoid(pre(3, u));
      c[u] = f * carried[u]! + i * g;
      h[u] = o * tanh(c[u]!);
    }
    state.c = c;
  } else if (layer.type === 'gru') {
    const r = new Array<number>(n);
    for (let u = 0; u < n; u++) r[u] = sigmoid(pre(1, u));
    const reset = hPrev.map((value, u) => r[u]! * value);
    for (let u = 0; u < n; u++) {
      const z = sigmoid(pre(0, u));
      const candidate = tanh(pre(2, u, reset));
      h[u] = (1 - z) * candidate + z * hPrev[u]!;
    }
  } else {
    const act = layer.activation === 'relu' ? (s: number) => (s > 0 ? s : 0) : tanh;
    for (let u = 0; u < n; u++) h[u] = act(pre(0, u));
  }
  state.h = h;
  return h;
}

/** The network's running state: one entry per recurrent layer. */
export type ReferenceState = LayerState[];

/** A zero state for `model`. */
export function referenceState(model: ReferenceModel): ReferenceState {
  return model.layers.slice(0, -1).map((layer) => ({ h: new Array<number>(layer.size).fill(0), c: new Array<number>(layer.size).fill(0) }));
}

/** One time step through every layer and the head: the head's output in the caller's units. */
export function referenceStep(model: ReferenceModel, state: ReferenceState, input: readonly number[]): number[] {
  const inputs = model.scaling?.inputs;
  let x: readonly number[] = inputs ? input.map((v, j) => (v - inputs.mean[j]!) / inputs.std[j]!) : input;
  let width = model.inputSize;
  model.layers.slice(0, -1).forEach((layer, l) => {
    x = step(layer, width, x, state[l]!);
    width = layer.size;
  });
  const head = model.layers[model.layers.length - 1]!;
  const s = Array.from({ length: head.size }, (_, o) => dot(head.weights!, o, width, x) + head.biases![o]!);
  const y = activate(head.activation!, s);
  const targets = model.scaling?.targets;
  return targets ? y.map((v, o) => v * targets.std[o]! + targets.mean[o]!) : y;
}

/** The head's output at every step of `sequence` (rows of inputSize numbers), from a zero state. */
export function referenceRun(model: ReferenceModel, sequence: readonly (readonly number[])[]): number[][] {
  const state = referenceState(model);
  return sequence.map((input) => referenceStep(model, state, input));
}

/** What predict returns: every step's output ('sequence') or the last step's ('last'), flat. */
export function referencePredict(model: ReferenceModel, sequence: readonly (readonly number[])[]): number[] {
  const outputs = referenceRun(model, sequence);
  return model.output === 'sequence' ? outputs.flat() : outputs[outputs.length - 1]!;
}

/** `steps` outputs ahead: the output after `sequence`, then each output fed back as the next input; flat. */
export function referenceForecast(model: ReferenceModel, sequence: readonly (readonly number[])[], steps: number): number[] {
  const state = referenceState(model);
  let y: number[] = [];
  for (const input of sequence) y = referenceStep(model, state, input);
  const result: number[] = [];
  for (let k = 0; k < steps; k++) {
    result.push(...y);
    if (k < steps - 1) y = referenceStep(model, state, y);
  }
  return result;
}

const GATES = { lstm: 4, gru: 3, rnn: 1 } as const;

/**
 * A model of `inputSize` features per step, the recurrent `cells` (e.g. [['lstm', 5], ['gru', 3]]; an 'rnn' entry
 * may name its activation as 'rnn:relu'), and a dense head of `outputs` units; weights uniform in [-scale, scale].
 */
export function randomRecurrentModel(
  inputSize: number, cells: readonly (readonly [string, number])[], outputs: number, options: { output?: 'sequence' | 'last'; activation?: string; seed?: number; scale?: number } = {},
) {
  const { output = 'sequence', activation = 'identity', seed = 1, scale = 0.8 } = options;
  const random = generator(seed);
  const values = (count: number) => Array.from({ length: count }, () => (random() * 2 - 1) * scale);
  let width = inputSize;
  const layers: Record<string, unknown>[] = cells.map(([name, size]) => {
    const [type, act] = name.split(':') as ['lstm' | 'gru' | 'rnn', string | undefined];
    const g = GATES[type];
    const layer: Record<string, unknown> = { type, size, input: values(g * size * width), recurrent: values(g * size * size), bias: values(g * size) };
    if (type === 'rnn') layer.activation = act ?? 'tanh';
    width = size;
    return layer;
  });
  layers.push({ type: 'dense', size: outputs, activation, weights: values(outputs * width), biases: values(outputs) });
  return {
    format: 'neurite-recurrent' as const, version: 1 as const, inputSize, output, layers,
    loss: 'mse' as const, optimizer: { type: 'adam' as const, learningRate: 0.01 }, seed,
  };
}

/** `count` random sequences of `steps` steps of `width` values in [-range, range]. */
export function randomSequences(count: number, steps: number, width: number, seed = 7, range = 2): number[][][] {
  const random = generator(seed);
  return Array.from({ length: count }, () => Array.from({ length: steps }, () => Array.from({ length: width }, () => (random() * 2 - 1) * range)));
}
