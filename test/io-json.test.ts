// parseDenseModel / parseSeedModel: valid models come back as exact copies; anything else is a FormatError.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { DenseModelJSON } from '../src/dense/types.js';
import { FormatError } from '../src/errors.js';
import { MAX_JSON_CHARS, MAX_META_DEPTH, parseDenseModel, parseSeedModel, type SeedModelJSON } from '../src/io/json.js';
import { randomModel } from './fixtures/dense-models.js';
import { pathsUnder } from './helpers/replace-one.js';
import { thrownBy } from './helpers/errors.js';

const dense = (): DenseModelJSON => randomModel([3, 4, 2], ['tanh', 'softmax'], 3);
const seed = (): SeedModelJSON => ({
  format: 'neurite-seed',
  version: 1,
  learningRate: 0.01,
  layers: [
    { size: 2, weights: [0.5, 0.5], biases: [0, 0] },
    { size: 3, weights: [0.4, -0.1, 0.3], biases: [0.1, 0.2, 0.3] },
  ],
});

/** Runs `parse` and returns 'ok' or the FormatError's argument; any other throw fails the test. */
function outcome(parse: () => unknown): string {
  try {
    parse();
    return 'ok';
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    return String(error.argument);
  }
}

/** Expects a FormatError whose argument is `argument` and whose message matches `message`. */
function rejects(json: unknown, argument: string, message?: RegExp, parse: (json: unknown) => unknown = parseDenseModel): void {
  const thrown = thrownBy(() => parse(json));
  expect(thrown).toBeInstanceOf(FormatError);
  expect((thrown as FormatError).argument).toBe(argument);
  if (message) expect((thrown as FormatError).message).toMatch(message);
}

describe('parseDenseModel on valid models', () => {
  it('reads an object or its JSON text into an equal copy, floats bit for bit', () => {
    const model = dense();
    model.weights[0]![0] = 0.1 + 0.2;
    model.biases[1]![0] = -Number.MIN_VALUE;
    model.meta = { normalization: { min: [0, 1, 2], max: [3, 4, 5] }, targets: ['a', 'b'] };
    const fromObject = parseDenseModel(model);
    const fromText = parseDenseModel(JSON.stringify(model));
    expect(fromObject).toEqual(model);
    expect(fromText).toEqual(model);
    expect(fromText.weights[0]![0]).toBe(0.1 + 0.2);
    expect(fromText.biases[1]![0]).toBe(-Number.MIN_VALUE);
    expect(fromObject.weights[0]).not.toBe(model.weights[0]);
    expect(fromObject.meta).not.toBe(model.meta);
  });

  it('leaves the object it reads unchanged, also when it rejects it', () => {
    const model = dense();
    model.weights[1]![3] = Number.NaN;
    const before = structuredClone(model);
    rejects(model, 'json.weights[1]', /json\.weights\[1\]\[3\] must be a finite number, got NaN/);
    expect(model).toEqual(before);
  });

  it('accepts an optimizer name and typed arrays of weights', () => {
    const model = { ...dense(), optimizer: 'sgd' } as unknown as DenseModelJSON;
    model.weights[0] = Float64Array.from(model.weights[0]!) as unknown as number[];
    const parsed = parseDenseModel(model);
    expect(parsed.optimizer).toEqual({ type: 'sgd' });
    const noClipping = { type: 'adam', learningRate: 0.001, momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, clipNorm: 0 } as const;
    expect(parseDenseModel({ ...dense(), optimizer: noClipping }).optimizer).toEqual(noClipping);
    expect(Array.isArray(parsed.weights[0])).toBe(true);
  });
});

describe('parseDenseModel rejects', () => {
  it('other formats and versions, naming the field', () => {
    rejects({ ...dense(), format: 'neurite-seed' }, 'json.format', /must be "neurite-dense", got "neurite-seed"/);
    rejects({ ...dense(), version: 2 }, 'json.version', /must be 1, got 2/);
    rejects({ ...dense(), version: '1' }, 'json.version');
    rejects(null, 'json', /must be an object, got null/);
    rejects([dense()], 'json');
    rejects(42, 'json');
  });

  it('missing and unknown fields', () => {
    const { weights: _, ...noWeights } = dense();
    rejects(noWeights, 'json.weights', /missing/);
    rejects({ ...dense(), learningRate: 1 }, 'json.learningRate', /not a field/);
    const model = dense();
    (model.layers[1] as Record<string, unknown>).units = 4;
    rejects(model, 'json.layers[1].units');
  });

  it('bad names: activation, loss, optimizer, and softmax or loss in the wrong place', () => {
    const model = dense();
    model.layers[1]!.activation = 'swish' as never;
    rejects(model, 'json.layers[1].activation', /must be one of 'identity', 'sigmoid'/);
    rejects({ ...dense(), loss: 'hinge' }, 'json.loss');
    rejects({ ...dense(), optimizer: { type: 'adagrad' } }, 'json.optimizer.type');
    rejects({ ...dense(), optimizer: { type: 'adam', beta1: 1 } }, 'json.optimizer.beta1', /in \[0, 1\)/);
    rejects({ ...dense(), optimizer: { type: 'sgd', learningRate: 0 } }, 'json.optimizer.learningRate', /> 0/);
    const hiddenSoftmax = randomModel([2, 3, 2], ['softmax', 'sigmoid']);
    rejects(hiddenSoftmax, 'json.layers[1].activation', /only allowed on the output layer/);
    rejects({ ...dense(), loss: 'binaryCrossEntropy' }, 'json.loss', /needs a sigmoid output/);
    const noActivation = dense();
    delete noActivation.layers[2]!.activation;
    rejects(noActivation, 'json.layers[2].activation', /missing/);
  });

  it('sizes that are not positive integers', () => {
    for (const size of [0, -1, 1.5, '3', null, Number.NaN]) {
      const model = dense();
      model.layers[0]!.size = size as number;
      rejects(model, 'json.layers[0].size', /must be an integer in \[1, /);
    }
    rejects({ ...dense(), layers: [{ size: 3 }] }, 'json.layers', /2 to 4096 entries, got 1/);
  });

  it('weight and bias arrays of the wrong length, naming the shape', () => {
    const short = dense();
    short.weights[1]!.pop();
    rejects(short, 'json.weights[1]', /must hold 8 numbers \(2×4\), got 7/);
    const long = dense();
    long.biases[0]!.push(0);
    rejects(long, 'json.biases[0]', /must hold 4 numbers/);
    rejects({ ...dense(), weights: [dense().weights[0]] }, 'json.weights', /must hold 2 entries, got 1/);
    const text = JSON.stringify(dense()).replace(/"biases":\[\[([-0-9.e]+)/, '"biases":[["$1"');
    rejects(text, 'json.biases[0]', /\[0\] must be a finite number, got "/);
  });

  it('non-finite numbers, including 1e999 in JSON text', () => {
    const text = JSON.stringify(dense()).replace(/"weights":\[\[[-0-9.e]+/, '"weights":[[1e999');
    rejects(text, 'json.weights[0]', /\[0\] must be a finite number, got Infinity/);
    rejects({ ...dense(), seed: Number.POSITIVE_INFINITY }, 'json.seed');
    rejects({ ...dense(), seed: 1.5 }, 'json.seed', /integer in \[0, 4294967295\]/);
  });

  it('truncated and corrupted text, at every cut', () => {
    const text = JSON.stringify(randomModel([2, 2, 1], ['relu', 'sigmoid']));
    for (let cut = 0; cut < text.length; cut++) rejects(text.slice(0, cut), 'json', /not valid JSON/);
    rejects(text.replace(':', ';'), 'json');
  });

  it('absurd sizes before reading or allocating any weight', () => {
    const untouchable = new Proxy([], { get: () => { throw new Error('weights were read'); } });
    rejects({ ...dense(), layers: [{ size: 2 ** 31 }, { size: 1, activation: 'relu' }], weights: untouchable, biases: untouchable }, 'json.layers[0].size');
    rejects(
      { ...dense(), layers: [{ size: 100_000 }, { size: 100_000, activation: 'relu' }, { size: 2, activation: 'softmax' }], weights: untouchable, biases: untouchable },
      'json.layers',
      /declare 10000300002 parameters, more than the 134217728/,
    );
  });

  it('text longer than MAX_JSON_CHARS before parsing it', () => {
    rejects(' '.repeat(MAX_JSON_CHARS + 1), 'json', /characters long/);
  });

  it('prototype-pollution keys anywhere, and Object.prototype stays clean', () => {
    const text = JSON.stringify(dense());
    rejects(text.replace('{', '{"__proto__":{"polluted":1},'), 'json.__proto__', /prototype pollution/);
    rejects(text.replace('{"size":4', '{"constructor":{},"size":4'), 'json.layers[1].constructor');
    rejects(text.replace('"type":"adam"', '"type":"adam","prototype":1'), 'json.optimizer.prototype');
    rejects({ ...dense(), meta: JSON.parse('{"a":[{"b":{"__proto__":{"polluted":1}}}]}') }, 'json.meta', /json\.meta\.a\[0\]\.b holds the key '__proto__'/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('meta that is not JSON data, too deep or not finite', () => {
    let deep: unknown = 0;
    for (let i = 0; i <= MAX_META_DEPTH; i++) deep = [deep];
    rejects({ ...dense(), meta: { deep } }, 'json.meta', /nested deeper than 32/);
    rejects({ ...dense(), meta: { f: () => 0 } }, 'json.meta', /JSON values only/);
    rejects({ ...dense(), meta: { x: Number.NaN } }, 'json.meta', /finite/);
    rejects({ ...dense(), meta: [] }, 'json.meta', /must be an object/);
  });
});

describe('parseDenseModel on standardization figures and checkpoints', () => {
  const figures = () => ({ ...dense(), scaling: { inputs: { mean: [1, 2, 3], std: [1, 0.5, 2] }, targets: { mean: [0, 1], std: [3, 4] } } });
  const checkpoint = () => ({
    ...dense(),
    training: {
      moment1: new Array(26).fill(0.25), moment2: new Array(26).fill(0.5), beta1Power: 0.9, beta2Power: 0.999, random: 12345,
      fit: { epoch: 2, order: [2, 0, 1], best: 0.5, waited: 1, bestParameters: new Array(26).fill(1), reductions: 0, initialLearningRate: 0.01 },
    },
  });

  it('reads them back equal', () => {
    expect(parseDenseModel(JSON.stringify(figures()))).toEqual(figures());
    expect(parseDenseModel(JSON.stringify(checkpoint()))).toEqual(checkpoint());
  });

  it('rejects figures of the wrong length, a std that is not > 0 and unknown blocks', () => {
    const short = figures();
    short.scaling.inputs.mean.pop();
    rejects(short, 'json.scaling.inputs.mean', /3 numbers/);
    const zero = figures();
    zero.scaling.targets.std[1] = 0;
    rejects(zero, 'json.scaling.targets.std', /must be > 0/);
    rejects({ ...dense(), scaling: { outputs: {} } }, 'json.scaling.outputs');
  });

  it('rejects training states that do not fit the model or could index outside the data', () => {
    const moments = checkpoint();
    moments.training.moment2.push(1);
    rejects(moments, 'json.training.moment2', /26 numbers/);
    const order = checkpoint();
    order.training.fit.order = [0, 0, 1];
    rejects(order, 'json.training.fit.order', /permutation/);
    const negative = checkpoint();
    negative.training.fit.order = [-1, 0, 1];
    rejects(negative, 'json.training.fit.order', /permutation/);
    const random = checkpoint();
    random.training.random = 2 ** 32;
    rejects(random, 'json.training.random');
    const rate = checkpoint();
    rate.training.fit.initialLearningRate = 0;
    rejects(rate, 'json.training.fit.initialLearningRate');
    const reason = checkpoint() as unknown as { training: { fit: { stopReason: string } } };
    reason.training.fit.stopReason = 'tired';
    rejects(reason, 'json.training.fit.stopReason');
  });
});

describe('parseSeedModel', () => {
  it('reads an object or its JSON text into an equal copy', () => {
    expect(parseSeedModel(seed())).toEqual(seed());
    expect(parseSeedModel(JSON.stringify(seed()))).toEqual(seed());
  });

  it('rejects other formats, wrong lengths, bad rates and pollution keys', () => {
    const parse = parseSeedModel;
    rejects({ ...seed(), format: 'neurite-dense' }, 'json.format', /"neurite-seed"/, parse);
    rejects({ ...seed(), version: 0 }, 'json.version', undefined, parse);
    rejects({ ...seed(), learningRate: -1 }, 'json.learningRate', /> 0/, parse);
    const short = seed();
    short.layers[1]!.weights.pop();
    rejects(short, 'json.layers[1].weights', /must hold 3 numbers, got 2/, parse);
    rejects({ ...seed(), layers: [] }, 'json.layers', undefined, parse);
    rejects({ ...seed(), layers: [{ size: 2 ** 30, weights: [], biases: [] }] }, 'json.layers[0].size', undefined, parse);
    rejects(JSON.stringify(seed()).replace('{"size":3', '{"__proto__":null,"size":3'), 'json.layers[1].__proto__', /pollution/, parse);
  });
});

// Bounded fuzzing: whatever the input, the only failure allowed is a FormatError. `npm run fuzz` runs more.
const RUNS = Number(process.env.NEURITE_FUZZ_RUNS ?? 300);
const validText = JSON.stringify(randomModel([3, 2, 2], ['elu', 'softmax'], 8));
const seedText = JSON.stringify(seed());

/** Character edits applied to a valid text: delete, insert or replace at a position. */
const edits = fc.array(fc.tuple(fc.nat(), fc.constantFrom('delete', 'insert', 'replace'), fc.constantFrom(...'{}[]":,-.e0123456789 aznul_'.split(''))), { minLength: 1, maxLength: 6 });
function edit(text: string, changes: [number, string, string][]): string {
  let out = text;
  for (const [at, kind, char] of changes) {
    const i = at % (out.length + 1);
    out = kind === 'delete' ? out.slice(0, i) + out.slice(i + 1) : kind === 'insert' ? out.slice(0, i) + char + out.slice(i) : out.slice(0, i) + char + out.slice(i + 1);
  }
  return out;
}

function replaceAt(root: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = replacement;
  return copy;
}

describe('fuzzing the model readers', () => {
  test.prop([fc.string({ maxLength: 200 })], { numRuns: RUNS })('random text only ever gives a FormatError', (text) => {
    expect(outcome(() => parseDenseModel(text))).not.toBe('ok');
    expect(outcome(() => parseSeedModel(text))).not.toBe('ok');
  });

  test.prop([fc.jsonValue({ maxDepth: 4 })], { numRuns: RUNS })('random JSON values only ever give a FormatError', (value) => {
    expect(outcome(() => parseDenseModel(value))).not.toBe('ok');
    expect(outcome(() => parseDenseModel(JSON.stringify(value)))).not.toBe('ok');
    expect(outcome(() => parseSeedModel(value))).not.toBe('ok');
  });

  test.prop([edits], { numRuns: RUNS })('edited model text is read or rejected with a FormatError', (changes) => {
    outcome(() => parseDenseModel(edit(validText, changes)));
    outcome(() => parseSeedModel(edit(seedText, changes)));
  });

  test.prop([fc.nat(), fc.jsonValue({ maxDepth: 2 })], { numRuns: RUNS })('a model with any one value replaced is read consistently or rejected', (pick, replacement) => {
    const model = JSON.parse(validText) as unknown;
    const all = pathsUnder(model, []);
    const mutated = replaceAt(model, all[pick % all.length]!, replacement);
    if (outcome(() => parseDenseModel(mutated)) !== 'ok') return;
    // Whatever was accepted must be self-consistent: every weight matrix fits the layer sizes.
    const parsed = parseDenseModel(mutated);
    parsed.weights.forEach((w, l) => expect(w.length).toBe(parsed.layers[l + 1]!.size * parsed.layers[l]!.size));
    parsed.biases.forEach((b, l) => expect(b.length).toBe(parsed.layers[l + 1]!.size));
    const seedModel = JSON.parse(seedText) as unknown;
    const seedPaths = pathsUnder(seedModel, []);
    outcome(() => parseSeedModel(replaceAt(seedModel, seedPaths[pick % seedPaths.length]!, replacement)));
  });
});
