/**
 * trainEpochsDense compiled for one network shape. For small networks trained one sample at a time with
 * SGD or momentum and MSE (xor and its kin), the generic kernel spends most of a step on loops sized at run
 * time and on loading and storing a dozen weights it just wrote. The function generated here keeps every
 * weight, activation, delta and gradient in locals (registers) for a whole run of epochs, writes the last
 * step's buffers after each epoch and the parameters once at the end. It performs the generic kernel's
 * operations in the same order
 * (assembly/dense.ts, optimizers.ts, activations.ts), so it gives the same bits, every byte of the
 * arena included (test/dense-specialized.test.ts).
 */
import {
  ACT_IDENTITY, DENSE_ACTIVATION,
  DENSE_DATA_INPUTS, DENSE_DATA_LOSSES, DENSE_DATA_ORDER, DENSE_DATA_TARGETS, DENSE_DELTA, DENSE_FAILED_BATCH,
  DENSE_FAILED_EPOCH, DENSE_GRADS, DENSE_IN, DENSE_INPUT, DENSE_LAYER_COUNT, DENSE_LOSS_KIND, DENSE_MOMENT1,
  DENSE_NESTEROV, DENSE_OPTIMIZER, DENSE_OUT, DENSE_OUTPUT, DENSE_PARAM_COUNT, DENSE_PARAMS, DENSE_SETTINGS,
  DENSE_STATUS, DENSE_TARGET, S_BETA1, S_BETA1_POWER, S_BETA2, S_BETA2_POWER,
  S_CLIP_NORM, S_CORRECT, S_ELU_ALPHA, S_GRAD_NORM, S_LEAKY_ALPHA, S_LEARNING_RATE, S_MOMENTUM, S_PEAK_M,
  S_PEAK_PARAM, S_PEAK_V, S_WEIGHT_DECAY,
} from '../header.js';
import { denseEntry } from '../layout.js';
import type { Arena } from './arena.js';
import { EXP_TABLE_LIMIT, LN2_HI, LN2_LO, N_OVER_LN2, SHIFTER } from '../math/exp.js';
import { SAFE_GRADIENT } from '../math/losses.js';
import { POWER_FLOOR, SAFE_VALUE } from '../math/optimizers.js';
import { ACTIVATION_SPECS, activationSpec } from '../spec/activations.js';
import type { KernelContext, OptimizerKernel } from '../spec/kernel.js';
import { LOSS_SPECS } from '../spec/losses.js';
import { OPTIMIZER_SPECS } from '../spec/optimizers.js';
import { encodeModule, F64, FunctionBody, I32, Op } from './wasm-encoder.js';
import type { WasmModule } from './wasm.js';

/** trainEpochsDense's signature, on the arena's address. */
export type EpochsKernel = (arena: number, rows: number, batchSize: number, epochs: number, threshold: number) => number;

// Measured against the generic kernel (sigmoid, 8 rows): 2.2× at 13 parameters, 1.5× at 50-80, 1.1× at 120-180,
// slower from ~220, where the locals no longer fit the registers and the generic kernel's loops win.
const MAX_PARAMETERS = 160;
// Compiled kernels kept per wasm module; the oldest goes first (a search over many shapes would keep them all).
const MAX_KERNELS = 32;

let enabled = true;

/** @internal Turns the generated kernels off (true) or on, so tests can run the generic kernel on the same shapes. */
export function disableSpecialized(disable: boolean): void {
  enabled = !disable;
}

/** A network shape the generator covers: layer sizes (input first) and activation codes (index 0 unused). */
interface Shape {
  readonly key: string;
  readonly sizes: readonly number[];
  readonly kinds: readonly number[];
  /** The optimizer's emitter, and Nesterov's form of momentum. */
  readonly optimizer: OptimizerKernel;
  readonly nesterov: boolean;
}

// Kernels by shape key, per wasm module; each arena's shape (null: not covered), which never changes.
const compiled = new WeakMap<WasmModule, Map<string, EpochsKernel | null>>();
const shapes = new WeakMap<Arena, Shape | null>();

/**
 * The generated kernel for this arena's network, or null when its shape or training settings are outside
 * what generation covers (batch size 1, no clipping or weight decay, ≤ 160 parameters, and an optimizer, loss and
 * activations that the spec tables in src/spec/ list as covered), when the platform refuses to compile it, or while it compiles in the background (a
 * browser's main thread).
 */
export function specializedEpochs(wasm: WasmModule, arena: Arena, rows: number, batchSize: number, epochs: number): EpochsKernel | null {
  if (!enabled || batchSize !== 1 || rows < 1 || epochs < 1) return null;
  const f = arena.f64, settings = arena.at(DENSE_SETTINGS);
  // A weight decay of -0 would change the sign of some zeros in the generic kernel's SGD step (see `step` below).
  if (f[settings + S_CLIP_NORM]! > 0 || !Object.is(f[settings + S_WEIGHT_DECAY], 0)) return null;
  let shape = shapes.get(arena);
  if (shape === undefined) shapes.set(arena, (shape = coveredShape(arena)));
  return shape && kernelFor(wasm, shape);
}

/** The arena's shape when the spec tables list its optimizer, loss and every activation as covered (an unknown code is not). */
function coveredShape(arena: Arena): Shape | null {
  const optimizer = OPTIMIZER_SPECS[arena.word(DENSE_OPTIMIZER)];
  if (!optimizer?.kernel || !LOSS_SPECS[arena.word(DENSE_LOSS_KIND)]?.generated) return null;
  if (arena.word(DENSE_PARAM_COUNT) > MAX_PARAMETERS) return null;
  const layers = arena.word(DENSE_LAYER_COUNT);
  const sizes = [arena.word(denseEntry(1, DENSE_IN))];
  const kinds = [ACT_IDENTITY];
  for (let l = 1; l <= layers; l++) {
    sizes.push(arena.word(denseEntry(l, DENSE_OUT)));
    kinds.push(arena.word(denseEntry(l, DENSE_ACTIVATION)));
  }
  if (!kinds.every((kind) => ACTIVATION_SPECS[kind]?.kernel)) return null;
  const nesterov = optimizer.kernel.velocity && arena.word(DENSE_NESTEROV) !== 0;
  const key = `${sizes.join('-')}/${kinds.join('-')}/${optimizer.name}${nesterov ? '-nesterov' : ''}`;
  return { key, sizes, kinds, optimizer: optimizer.kernel, nesterov };
}

function kernelFor(wasm: WasmModule, shape: Shape): EpochsKernel | null {
  let cache = compiled.get(wasm);
  if (!cache) compiled.set(wasm, (cache = new Map()));
  const kernel = cache.get(shape.key);
  if (kernel !== undefined) return kernel;
  const instantiate = (module: WebAssembly.Module): EpochsKernel =>
    new WebAssembly.Instance(module, { env: { memory: wasm.exports.memory, exp: wasm.exports.exp } }).exports.trainEpochs as EpochsKernel;
  const bytes = generate(shape, wasm.exports.expTable(), wasm.shared);
  if (cache.size >= MAX_KERNELS) cache.delete(cache.keys().next().value!);
  cache.set(shape.key, null);
  try {
    cache.set(shape.key, instantiate(new WebAssembly.Module(bytes)));
  } catch (error) {
    // Browsers refuse synchronous compiles over 4 KiB on the main thread: the generic kernel serves until this one is ready.
    if (error instanceof RangeError) WebAssembly.compile(bytes).then((module) => cache.set(shape.key, instantiate(module)), () => {});
  }
  return cache.get(shape.key)!;
}

/** The generated module's bytes: see the file comment; each step below names the generic code it mirrors. */
function generate({ sizes, kinds, optimizer, nesterov }: Shape, table: number, shared: boolean): Uint8Array<ArrayBuffer> {
  const c = new FunctionBody([I32, I32, I32, I32, F64], [I32]);
  const ARENA = 0, ROWS = 1, EPOCHS = 3, THRESHOLD = 4;
  const L = sizes.length - 1;
  const i32 = (): number => c.local(I32);
  const f64 = (): number => c.local(F64);
  const many = (n: number): number[] => Array.from({ length: n }, f64);
  const settings = i32(), inputs = i32(), targets = i32(), order = i32(), losses = i32();
  const epoch = i32(), row = i32(), ptr = i32(), k = i32(), result = i32(), best = i32(), expected = i32(), ok = i32();
  const lr = f64(), mu = f64(), leaky = f64(), elu = f64(), b1 = f64(), b2 = f64();
  const lastPower1 = f64(), lastPower2 = f64(), power1 = f64(), power2 = f64();
  const lastPeakP = f64(), lastPeakM = f64(), lastPeakV = f64(), peakP = f64(), peakM = f64();
  const velocity = f64(), scaled = f64();
  const loss = f64(), total = f64(), correct = f64(), stepCorrect = f64(), bound = f64(), m = f64(), a = f64();
  const z = f64(), e = f64(), t = f64(), kd = f64(), kf = f64(), r = f64(), r2 = f64(), bestValue = f64();
  // Per layer l: W[l][o][i], B[l][o], outputs A[l] (A[0]: the input row), deltas D[l], weight gradients G[l][o][i].
  const W: number[][][] = [[]], B: number[][] = [[]], G: number[][][] = [[]], D: number[][] = [[]];
  const A: number[][] = [many(sizes[0]!)];
  for (let l = 1; l <= L; l++) {
    W.push(Array.from({ length: sizes[l]! }, () => many(sizes[l - 1]!)));
    G.push(Array.from({ length: sizes[l]! }, () => many(sizes[l - 1]!)));
    B.push(many(sizes[l]!));
    A.push(many(sizes[l]!));
    D.push(many(sizes[l]!));
  }
  const Y = many(sizes[L]!), T = many(sizes[L]!);
  // Each weight and bias: its local, its gradient's, its velocity's (momentum), its index in the block [W1 b1 W2 b2 ...]
  // (src/layout.ts), which the gradients and moments repeat.
  const parameters: [number, number, number, number][] = [];
  for (let l = 1, index = 0; l <= L; l++) {
    for (let o = 0; o < sizes[l]!; o++) {
      for (let i = 0; i < sizes[l - 1]!; i++) parameters.push([W[l]![o]![i]!, G[l]![o]![i]!, optimizer.velocity ? f64() : -1, index++]);
    }
    for (let o = 0; o < sizes[l]!; o++) parameters.push([B[l]![o]!, D[l]![o]!, optimizer.velocity ? f64() : -1, index++]);
  }

  const headerPointer = (word: number, into: number): void => {
    c.get(ARENA).get(ARENA).loadI32(word * 4).op(Op.i32Add).set(into);
  };
  const setting = (slot: number, into: number): void => {
    c.get(settings).loadF64(slot * 8).set(into);
  };
  const storeSetting = (slot: number, from: number): void => {
    c.get(settings).get(from).storeF64(slot * 8);
  };

  // exp(x) into `into`: assembly/activations.ts `exp`, its table path inline (|x| <= 700), else a call.
  const exp = (x: number, into: number): void => {
    c.get(x).op(Op.f64Abs).f64(EXP_TABLE_LIMIT).op(Op.f64Le).if();
    c.get(x).f64(N_OVER_LN2).op(Op.f64Mul).f64(SHIFTER).op(Op.f64Add).set(kd);
    c.get(kd).f64(SHIFTER).op(Op.f64Sub).set(kf);
    c.get(x).get(kf).f64(LN2_HI / 64.0).op(Op.f64Mul).op(Op.f64Sub).get(kf).f64(LN2_LO / 64.0).op(Op.f64Mul).op(Op.f64Sub).set(r);
    c.get(r).get(r).op(Op.f64Mul).set(r2);
    c.get(kd).op(Op.i64ReinterpretF64, Op.i32WrapI64).set(k);
    // table[k & 63] · (1 + (r + r²·((1/2 + r/6) + r²·(1/24 + r/120)))) · 2^(k >> 6)
    c.get(k).i32(63).op(Op.i32And).i32(3).op(Op.i32Shl).loadF64(table);
    c.f64(1.0).get(r).get(r2).f64(0.5).get(r).f64(1.0 / 6.0).op(Op.f64Mul).op(Op.f64Add)
      .get(r2).f64(1.0 / 24.0).get(r).f64(1.0 / 120.0).op(Op.f64Mul).op(Op.f64Add).op(Op.f64Mul)
      .op(Op.f64Add).op(Op.f64Mul).op(Op.f64Add).op(Op.f64Add).op(Op.f64Mul);
    c.get(k).i32(6).op(Op.i32ShrS).i32(1023).op(Op.i32Add, Op.i64ExtendI32S).i64(52n).op(Op.i64Shl, Op.f64ReinterpretI64);
    c.op(Op.f64Mul).set(into);
    c.op(Op.else).get(x).call(0).set(into).op(Op.end);
  };

  const context: KernelContext = { c, exp, t, e, leakyAlpha: leaky, eluAlpha: elu, mu, nesterov };
  // activation(z) into `into` and d activation / dz from the output in `out`: the spec's emitters (src/math/activations.ts).
  const activation = (kind: number, into: number): void => activationSpec(kind).kernel!.activation(context, z, into);
  const derivative = (kind: number, out: number): void => activationSpec(kind).kernel!.derivative(context, out);

  // Pushes Σ u[i]·v[i] in assembly/rows.ts `dot`'s order: even and odd terms in two sums from 0, their sum, the odd tail.
  const dot = (u: readonly number[], v: readonly number[]): void => {
    const pairs = u.length & ~1;
    for (const start of [0, 1]) {
      c.f64(0.0);
      for (let i = start; i < pairs; i += 2) c.get(u[i]!).get(v[i]!).op(Op.f64Mul, Op.f64Add);
    }
    c.op(Op.f64Add);
    if (u.length & 1) c.get(u[pairs]!).get(v[pairs]!).op(Op.f64Mul, Op.f64Add);
  };

  // Pushes max |v| over `values` (NaN if one is NaN): assembly/dense.ts `maxAbs`.
  const maxAbs = (values: readonly number[]): void => {
    c.f64(0.0).set(m);
    for (const v of values) {
      c.get(v).op(Op.f64Abs).set(a);
      c.get(a).get(m).get(a).get(m).op(Op.f64Gt).get(a).get(a).op(Op.f64Ne, Op.i32Or, Op.select).set(m);
    }
    c.get(m);
  };

  // Pushes the index of the first maximum of `values` (matches()'s argmax).
  const argmax = (values: readonly number[], into: number): void => {
    c.i32(0).set(into).get(values[0]!).set(bestValue);
    for (let i = 1; i < values.length; i++) {
      c.i32(i).get(into).get(values[i]!).get(bestValue).op(Op.f64Gt, Op.select).set(into);
      c.get(values[i]!).get(bestValue).get(values[i]!).get(bestValue).op(Op.f64Gt, Op.select).set(bestValue);
    }
  };

  // stepRange's formulas as written (scale 1: no clipping; decay 0): sets `t` to g' = 1·g + 0·p and pushes the
  // optimizer's direction (with a velocity, read from `v`, the new one set in `velocity`).
  const direction = (p: number, g: number, v: number, velocity: number): void => {
    c.f64(1.0).get(g).op(Op.f64Mul).f64(0.0).get(p).op(Op.f64Mul, Op.f64Add).set(t);
    optimizer.direction(context, t, v, velocity);
  };

  // The step of parameter p with gradient g and velocity v: p −= lr·direction, v updated. Without a velocity (SGD),
  // p − lr·(1·g + 0·p) is p − lr·g bit for bit when p and g are finite, which every applied step guarantees (0·p is
  // ±0; g + ±0 differs from g only for g = −0, and then p − lr·(±0) is p either way): the shorter form is emitted.
  const step = (p: number, g: number, v: number): void => {
    c.get(p).get(lr);
    if (optimizer.velocity) direction(p, g, v, v);
    else c.get(g);
    c.op(Op.f64Mul, Op.f64Sub).set(p);
  };

  // Pushes stepBound(x) of assembly/optimizers.ts and sets the peaks: with g = 1·x + 0·lastPeakP,
  // peakP = lastPeakP + lr·direction(g) (a velocity's bound from lastPeakM into peakM, else peakM = 0),
  // then max(peakP, max(peakM, 0)).
  const stepBound = (x: number): void => {
    c.f64(1.0).get(x).op(Op.f64Mul).f64(0.0).get(lastPeakP).op(Op.f64Mul, Op.f64Add).set(scaled);
    c.get(lastPeakP).get(lr);
    optimizer.direction(context, scaled, lastPeakM, peakM);
    c.op(Op.f64Mul, Op.f64Add).set(peakP);
    if (!optimizer.velocity) c.f64(0.0).set(peakM);
    c.get(peakP).get(peakM).f64(0.0).op(Op.f64Max, Op.f64Max);
  };

  // Sets peakP and peakM to peekStep's exact peaks of the new parameters and velocities, and pushes the larger (≥ 0).
  const peek = (): void => {
    c.f64(0.0).set(peakP).f64(0.0).set(peakM);
    for (const [p, g, v] of parameters) {
      c.get(peakP).get(p).get(lr);
      direction(p, g, v, velocity);
      c.op(Op.f64Mul, Op.f64Sub, Op.f64Abs, Op.f64Max).set(peakP);
      if (optimizer.velocity) c.get(peakM).get(velocity).op(Op.f64Abs, Op.f64Max).set(peakM);
    }
    c.get(peakP).get(peakM).f64(0.0).op(Op.f64Max, Op.f64Max);
  };

  // Pushes isFinite(x): x − x == 0.
  const isFinite = (x: number): void => {
    c.get(x).get(x).op(Op.f64Sub).f64(0.0).op(Op.f64Eq);
  };

  // ---- entry: pointers, settings and parameters into locals (loadSettings) ----
  headerPointer(DENSE_SETTINGS, settings);
  headerPointer(DENSE_DATA_INPUTS, inputs);
  headerPointer(DENSE_DATA_TARGETS, targets);
  headerPointer(DENSE_DATA_ORDER, order);
  headerPointer(DENSE_DATA_LOSSES, losses);
  setting(S_LEARNING_RATE, lr);
  setting(S_MOMENTUM, mu);
  setting(S_LEAKY_ALPHA, leaky);
  setting(S_ELU_ALPHA, elu);
  setting(S_BETA1, b1);
  setting(S_BETA2, b2);
  setting(S_BETA1_POWER, lastPower1);
  setting(S_BETA2_POWER, lastPower2);
  setting(S_PEAK_PARAM, lastPeakP);
  setting(S_PEAK_M, lastPeakM);
  setting(S_PEAK_V, lastPeakV);
  headerPointer(DENSE_PARAMS, ptr);
  for (const [p, , , index] of parameters) c.get(ptr).loadF64(index * 8).set(p);
  if (optimizer.velocity) {
    headerPointer(DENSE_MOMENT1, ptr);
    for (const [, , v, index] of parameters) c.get(ptr).loadF64(index * 8).set(v);
  }
  c.get(EPOCHS).set(result);

  c.block(); // $exit
  c.i32(0).set(epoch);
  c.loop(); // $epoch
  c.f64(0.0).set(total).f64(0.0).set(correct).i32(0).set(row);
  c.loop(); // $row

  // Stage the row (runEpochs' copies).
  c.get(order).get(row).i32(2).op(Op.i32Shl, Op.i32Add).loadI32().i32(sizes[0]! * 8).op(Op.i32Mul).get(inputs).op(Op.i32Add).set(ptr);
  A[0]!.forEach((x, i) => c.get(ptr).loadF64(i * 8).set(x));
  c.get(order).get(row).i32(2).op(Op.i32Shl, Op.i32Add).loadI32().i32(sizes[L]! * 8).op(Op.i32Mul).get(targets).op(Op.i32Add).set(ptr);
  Y.forEach((y, i) => c.get(ptr).loadF64(i * 8).set(y));

  // forwardDense: z = dot + bias, then the activation.
  for (let l = 1; l <= L; l++) {
    for (let o = 0; o < sizes[l]!; o++) {
      dot(W[l]![o]!, A[l - 1]!);
      c.get(B[l]![o]!).op(Op.f64Add).set(z);
      activation(kinds[l]!, A[l]![o]!);
    }
  }

  // outputDelta, MSE: loss = Σ e²/n, g = 2e/n, delta = g·act'(a)·(1/count). Multiplying by 1 (1/n for one output,
  // 1/count for one row) returns its operand's bits (a NaN from arithmetic is quiet and keeps its payload): left out.
  const perOutput = 1.0 / sizes[L]!;
  c.f64(0.0).set(loss);
  for (let i = 0; i < sizes[L]!; i++) {
    c.get(A[L]![i]!).get(Y[i]!).op(Op.f64Sub).set(e);
    c.get(loss).get(e).get(e).op(Op.f64Mul, Op.f64Add).set(loss);
    c.f64(2.0).get(e).op(Op.f64Mul);
    if (perOutput !== 1) c.f64(perOutput).op(Op.f64Mul);
    c.set(T[i]!);
  }
  if (perOutput !== 1) c.get(loss).f64(perOutput).op(Op.f64Mul).set(loss);
  for (let i = 0; i < sizes[L]!; i++) {
    c.get(T[i]!);
    derivative(kinds[L]!, A[L]![i]!);
    c.op(Op.f64Mul).set(D[L]![i]!);
  }
  if (sizes[L] === 1) {
    c.get(A[L]![0]!).f64(0.5).op(Op.f64Ge).get(Y[0]!).f64(0.5).op(Op.f64Ge).op(Op.i32Eq);
  } else {
    argmax(A[L]!, best);
    argmax(Y, expected);
    c.get(best).get(expected).op(Op.i32Eq);
  }
  c.op(Op.f64ConvertI32S).set(stepCorrect);

  // deltasDense: the bound count·max|delta|·max(max|x|, 1), then each earlier layer's deltas.
  c.f64(0.0).set(bound);
  for (let l = L; l >= 1; l--) {
    c.get(bound).f64(1.0);
    maxAbs(D[l]!);
    c.op(Op.f64Mul);
    maxAbs(A[l - 1]!);
    c.f64(1.0).op(Op.f64Max, Op.f64Mul, Op.f64Max).set(bound);
    if (l === 1) break;
    for (let i = 0; i < sizes[l - 1]!; i++) {
      c.get(D[l]![0]!).get(W[l]![0]![i]!).op(Op.f64Mul);
      for (let o = 1; o < sizes[l]!; o++) c.get(D[l]![o]!).get(W[l]![o]![i]!).op(Op.f64Mul, Op.f64Add);
      derivative(kinds[l - 1]!, A[l - 1]![i]!);
      c.op(Op.f64Mul).set(D[l - 1]![i]!);
    }
  }

  // prepareStep: Adam's powers advance for every optimizer (and are flushed to 0 below 2^-60).
  for (const [power, last, beta] of [[power1, lastPower1, b1], [power2, lastPower2, b2]] as const) {
    c.get(last).get(beta).op(Op.f64Mul).set(power);
    c.f64(0.0).get(power).get(power).f64(POWER_FLOOR).op(Op.f64Lt, Op.select).set(power);
  }
  // Weight gradients are recomputed where needed rather than carried across steps (fewer values live in the loop).
  const gradients = (): void => {
    for (let l = L; l >= 1; l--) {
      for (let o = 0; o < sizes[l]!; o++) {
        for (let i = 0; i < sizes[l - 1]!; i++) c.get(D[l]![o]!).get(A[l - 1]![i]!).op(Op.f64Mul).set(G[l]![o]![i]!);
      }
    }
  };
  const commit = (): void => {
    c.get(power1).set(lastPower1).get(power2).set(lastPower2).get(peakP).set(lastPeakP).get(peakM).set(lastPeakM);
    c.f64(0.0).set(lastPeakV);
  };

  // step: the fast path when the loss is finite and the bound proves the step safe (stepRowSgd's g = delta·x)...
  isFinite(loss);
  c.get(bound).f64(SAFE_GRADIENT).op(Op.f64Lt, Op.i32And);
  stepBound(bound);
  c.f64(SAFE_VALUE).op(Op.f64Lt, Op.i32And).tee(ok).if();
  if (optimizer.velocity) {
    gradients();
    for (const [p, g, v] of parameters) step(p, g, v);
  } else {
    for (let l = L; l >= 1; l--) {
      for (let o = 0; o < sizes[l]!; o++) {
        for (let i = 0; i < sizes[l - 1]!; i++) {
          c.get(D[l]![o]!).get(A[l - 1]![i]!).op(Op.f64Mul).set(a);
          step(W[l]![o]![i]!, a, -1);
        }
        step(B[l]![o]!, D[l]![o]!, -1);
      }
    }
  }
  commit();
  c.op(Op.else);
  // ...otherwise the norm, stepBound(norm), and failing that the exact peak of every new value (peekStep).
  gradients();
  squaresOfGradients();
  c.op(Op.f64Sqrt).set(t);
  isFinite(loss);
  isFinite(t);
  c.op(Op.i32And).set(ok);
  c.get(ok).if();
  stepBound(t);
  c.f64(SAFE_VALUE).op(Op.f64Lt, Op.i32Eqz).if();
  peek();
  c.f64(SAFE_VALUE).op(Op.f64Lt).set(ok);
  c.op(Op.end, Op.end);
  c.get(ok).if();
  for (const [p, g, v] of parameters) step(p, g, v);
  commit();
  c.op(Op.end, Op.end);

  // The step's buffers, as the generic kernel leaves them, after each epoch's last row and after a refused step.
  c.get(ok).op(Op.i32Eqz).get(row).i32(1).op(Op.i32Add).get(ROWS).op(Op.i32Eq, Op.i32Or).if();
  const storeRow = (word: number, values: readonly number[]): void => {
    headerPointer(word, ptr);
    values.forEach((v, i) => c.get(ptr).get(v).storeF64(i * 8));
  };
  storeRow(DENSE_INPUT, A[0]!);
  storeRow(DENSE_TARGET, Y);
  for (let l = 1; l <= L; l++) {
    storeRow(denseEntry(l, DENSE_OUTPUT), A[l]!);
    storeRow(denseEntry(l, DENSE_DELTA), D[l]!);
  }
  gradients();
  headerPointer(DENSE_GRADS, ptr);
  for (const [, g, , index] of parameters) c.get(ptr).get(g).storeF64(index * 8);
  squaresOfGradients();
  c.op(Op.f64Sqrt).set(t);
  storeSetting(S_GRAD_NORM, t);
  storeSetting(S_CORRECT, stepCorrect);
  c.op(Op.end);
  c.get(ok).op(Op.i32Eqz).if();
  // A refused step: status 1, where, and nothing applied (runEpochs returns the epoch).
  c.get(ARENA).i32(1).storeI32(DENSE_STATUS * 4);
  c.get(ARENA).get(epoch).storeI32(DENSE_FAILED_EPOCH * 4);
  c.get(ARENA).get(row).storeI32(DENSE_FAILED_BATCH * 4);
  c.get(epoch).set(result).br(3); // if, $row, $epoch, $exit
  c.op(Op.end);

  // runEpochs' sums, then the next row.
  c.get(total).get(loss).op(Op.f64Add).set(total); // total += loss·count, count 1
  c.get(correct).get(stepCorrect).op(Op.f64Add).set(correct);
  c.get(row).i32(1).op(Op.i32Add).set(row);
  c.get(row).get(ROWS).op(Op.i32LtS).brIf(0);
  c.op(Op.end); // $row

  // The epoch's mean loss and accuracy; stop after it when the loss is below the threshold.
  c.get(epoch).i32(4).op(Op.i32Shl).get(losses).op(Op.i32Add).set(ptr);
  c.get(ptr).get(total).get(ROWS).op(Op.f64ConvertI32S, Op.f64Div).set(t).get(t).storeF64(0);
  c.get(ptr).get(correct).get(ROWS).op(Op.f64ConvertI32S, Op.f64Div).storeF64(8);
  c.get(epoch).i32(1).op(Op.i32Add).set(epoch);
  c.get(t).get(THRESHOLD).op(Op.f64Lt).if().get(epoch).set(result).br(2).op(Op.end); // if, $epoch, $exit
  c.get(epoch).get(EPOCHS).op(Op.i32LtS).brIf(0);
  c.op(Op.end); // $epoch
  c.op(Op.end); // $exit

  // ---- exit: the parameters and the optimizer's running state (saveState) ----
  headerPointer(DENSE_PARAMS, ptr);
  for (const [p, , , index] of parameters) c.get(ptr).get(p).storeF64(index * 8);
  if (optimizer.velocity) {
    headerPointer(DENSE_MOMENT1, ptr);
    for (const [, , v, index] of parameters) c.get(ptr).get(v).storeF64(index * 8);
  }
  storeSetting(S_BETA1_POWER, lastPower1);
  storeSetting(S_BETA2_POWER, lastPower2);
  storeSetting(S_PEAK_PARAM, lastPeakP);
  storeSetting(S_PEAK_M, lastPeakM);
  storeSetting(S_PEAK_V, lastPeakV);
  c.get(result);
  return encodeModule([{ name: 'exp', params: [F64], results: [F64] }], c, 'trainEpochs', shared);

  // Pushes ‖grad‖² in gradientsDense's order: layers last to first, each weight row's dot with itself, then the biases'.
  function squaresOfGradients(): void {
    c.f64(0.0);
    for (let l = L; l >= 1; l--) {
      for (let o = 0; o < sizes[l]!; o++) {
        dot(G[l]![o]!, G[l]![o]!);
        c.op(Op.f64Add);
      }
      dot(D[l]!, D[l]!);
      c.op(Op.f64Add);
    }
  }
}
