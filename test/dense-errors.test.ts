// Bad input to DenseNetwork throws a typed NeuriteError naming the argument, and leaves the network bit-identical.
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError, DenseNetwork, InvalidArgumentError, NeuriteError, NonFiniteError, OutOfRangeError, ShapeError,
  StateError, type BackendName, type DenseNetworkOptions,
} from '../src/index.js';
import { expectError } from './helpers/errors.js';

const backends: BackendName[] = ['js', 'wasm'];
type ErrorClass = new (...args: any[]) => NeuriteError;

function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, what = ''): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what} number ${i}: ${actual[i]} is not ${expected[i]}`);
  }
}

const BAD_COUNTS: [unknown, ErrorClass][] = [
  [0, OutOfRangeError], [-1, OutOfRangeError], [1.5, OutOfRangeError], [NaN, NonFiniteError], [Infinity, NonFiniteError],
  ['2', InvalidArgumentError], [null, InvalidArgumentError],
];

describe.each(backends)('DenseNetwork construction on the %s backend', (backend) => {
  const base: DenseNetworkOptions = { layers: [3, 4, 2], activation: 'tanh', outputActivation: 'sigmoid', seed: 3, backend };
  const make = (o: object) => () => new DenseNetwork({ ...base, ...o } as DenseNetworkOptions);
  const ACTIVATION_LIST = /'identity', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'softmax'/;

  it('rejects missing, unknown and misspelled options, listing the valid ones', () => {
    expectError(() => new DenseNetwork(undefined as never), InvalidArgumentError, 'options');
    expectError(() => new DenseNetwork([2, 1] as never), InvalidArgumentError, 'options');
    expectError(make({ learningRate: 0.1 }), InvalidArgumentError, 'options.learningRate', /valid options: layers, activation, outputActivation, loss, optimizer, seed, init, standardize, backend/);
    expectError(make({ layers: [3, { size: 4, activaton: 'relu' }, 2] }), InvalidArgumentError, 'options.layers[1].activaton', /size, activation/);
    expectError(make({ optimizer: { type: 'adam', lr: 0.1 } }), InvalidArgumentError, 'options.optimizer.lr', /learningRate/);
    expectError(make({ backend: 'gpu' }), InvalidArgumentError, 'options.backend', /'wasm', 'js'/);
  });

  it('rejects unknown activation, loss, optimizer and init names, listing the valid ones', () => {
    expectError(make({ activation: 'relu6' }), InvalidArgumentError, 'options.activation', ACTIVATION_LIST);
    expectError(make({ outputActivation: 'Sigmoid' }), InvalidArgumentError, 'options.outputActivation', ACTIVATION_LIST);
    expectError(make({ layers: [3, { size: 4, activation: 'gelu' }, 2] }), InvalidArgumentError, 'options.layers[1].activation', ACTIVATION_LIST);
    expectError(make({ loss: 'hinge' }), InvalidArgumentError, 'options.loss', /'mse', 'binaryCrossEntropy', 'crossEntropy'/);
    expectError(make({ optimizer: 'adagrad' }), InvalidArgumentError, 'options.optimizer.type', /'sgd', 'momentum', 'adam', 'rmsprop'/);
    expectError(make({ optimizer: { type: 'adagrad' } }), InvalidArgumentError, 'options.optimizer.type', /'sgd', 'momentum', 'adam', 'rmsprop'/);
    expectError(make({ optimizer: { learningRate: 0.1 } }), InvalidArgumentError, 'options.optimizer.type');
    expectError(make({ init: 'glorot' }), InvalidArgumentError, 'options.init', /'xavier', 'he'/);
  });

  it('rejects layer lists and sizes that are not positive integers', () => {
    expectError(make({ layers: 3 }), InvalidArgumentError, 'options.layers');
    expectError(make({ layers: [] }), ConfigurationError, 'options.layers');
    expectError(make({ layers: [3] }), ConfigurationError, 'options.layers', /at least one more layer/);
    // At most the 4096 layers a saved model may hold, so that toJSON output always reads back.
    expectError(make({ layers: Array(4097).fill(1) }), OutOfRangeError, 'options.layers', /4096/);
    for (const [bad, kind] of [...BAD_COUNTS, [2 ** 25, OutOfRangeError]] as [unknown, ErrorClass][]) {
      if (typeof bad !== 'number') continue;
      expectError(make({ layers: [3, bad, 2] }), kind, 'options.layers[1].size');
      expectError(make({ layers: [{ size: bad }, 4, 2] }), kind, 'options.layers[0].size');
    }
    expectError(make({ layers: [3, null, 2] }), InvalidArgumentError, 'options.layers[1]');
    expectError(make({ layers: [3, 'relu', 2] }), InvalidArgumentError, 'options.layers[1]', /a size or \{ size, activation \}/);
    expectError(make({ layers: [3, '4', 2] }), InvalidArgumentError, 'options.layers[1]');
    expectError(make({ layers: [3, { size: '4' }, 2] }), InvalidArgumentError, 'options.layers[1].size');
  });

  it('rejects softmax on a hidden layer, naming the option that put it there', () => {
    expectError(make({ layers: [3, { size: 4, activation: 'softmax' }, { size: 2, activation: 'softmax' }] }), ConfigurationError, 'options.layers[1].activation', /output layer/);
    expectError(make({ activation: 'softmax', outputActivation: 'sigmoid' }), ConfigurationError, 'options.activation', /output layer/);
    expectError(make({ layers: [3, 1], outputActivation: 'softmax' }), ConfigurationError, 'options.layers[1]', /at least 2 units/);
  });

  it('rejects an input layer with an activation', () => {
    expectError(make({ layers: [{ size: 3, activation: 'relu' }, 4, 2] }), ConfigurationError, 'options.layers[0].activation', /input layer/);
  });

  it('rejects a loss that does not fit the output activation', () => {
    expectError(make({ loss: 'crossEntropy' }), ConfigurationError, 'options.loss', /softmax/);
    expectError(make({ outputActivation: 'identity', loss: 'crossEntropy' }), ConfigurationError, 'options.loss', /softmax/);
    expectError(make({ outputActivation: 'softmax', loss: 'binaryCrossEntropy' }), ConfigurationError, 'options.loss', /sigmoid/);
    expectError(make({ outputActivation: 'tanh', loss: 'binaryCrossEntropy' }), ConfigurationError, 'options.loss', /sigmoid/);
    // The fitting pairs are accepted.
    expect(make({ outputActivation: 'softmax', loss: 'crossEntropy' })().loss).toBe('crossEntropy');
    expect(make({ outputActivation: 'sigmoid', loss: 'binaryCrossEntropy' })().loss).toBe('binaryCrossEntropy');
  });

  it('rejects out-of-range optimizer settings and seeds', () => {
    const opt = (o: object) => make({ optimizer: { type: 'momentum', ...o } });
    for (const bad of [0, -0.1]) expectError(opt({ learningRate: bad }), OutOfRangeError, 'options.optimizer.learningRate');
    expectError(opt({ learningRate: NaN }), NonFiniteError, 'options.optimizer.learningRate');
    expectError(opt({ learningRate: '0.1' }), InvalidArgumentError, 'options.optimizer.learningRate');
    for (const bad of [1, -0.5, 1.5]) expectError(opt({ momentum: bad }), OutOfRangeError, 'options.optimizer.momentum', /\[0, 1\)/);
    expectError(make({ optimizer: { type: 'adam', beta1: 1 } }), OutOfRangeError, 'options.optimizer.beta1');
    expectError(make({ optimizer: { type: 'adam', beta2: Infinity } }), NonFiniteError, 'options.optimizer.beta2');
    expectError(make({ optimizer: { type: 'adam', epsilon: 0 } }), OutOfRangeError, 'options.optimizer.epsilon');
    expectError(make({ optimizer: { type: 'adam', nesterov: true } }), ConfigurationError, 'options.optimizer.nesterov', /'momentum'/);
    expectError(opt({ nesterov: 'yes' }), InvalidArgumentError, 'options.optimizer.nesterov');
    expectError(opt({ weightDecay: -1e-4 }), OutOfRangeError, 'options.optimizer.weightDecay');
    expectError(opt({ clipNorm: -1 }), OutOfRangeError, 'options.optimizer.clipNorm');
    for (const [bad, kind] of [[-1, OutOfRangeError], [1.5, OutOfRangeError], [2 ** 32, OutOfRangeError], [NaN, NonFiniteError], ['7', InvalidArgumentError]] as [unknown, ErrorClass][]) {
      expectError(make({ seed: bad }), kind, 'options.seed');
    }
  });
});

describe.each(backends)('DenseNetwork calls on the %s backend', (backend) => {
  const options: DenseNetworkOptions = { layers: [3, 5, 2], activation: 'tanh', outputActivation: 'softmax', optimizer: 'adam', seed: 11, backend };
  const inputs = Float64Array.from([0.1, 0.2, 0.3, -0.4, 0.5, -0.6]);
  const targets = Float64Array.from([1, 0, 0, 1]);

  /** `act` must throw `kind` naming `argument`, and leave the parameters and optimizer state as they were. */
  function rejects(net: DenseNetwork, act: () => unknown, kind: ErrorClass, argument: string | undefined, message?: RegExp): void {
    const before = net.getParameters();
    expectError(act, kind, argument, message);
    expectSame(net.getParameters(), before, `${argument}: parameters`);
  }

  /** After all the rejected calls, `net` must still train exactly like a fresh twin (same parameters, same optimizer state). */
  function expectUntouched(net: DenseNetwork): void {
    const twin = new DenseNetwork(options);
    expectSame(net.getParameters(), twin.getParameters(), 'parameters vs a fresh twin');
    for (let k = 0; k < 3; k++) expect(net.trainStep(inputs, targets, 2)).toBe(twin.trainStep(inputs, targets, 2));
    expectSame(net.getParameters(), twin.getParameters(), 'after 3 steps');
    expectSame(net.predict([0.3, 0.1, -0.2]), twin.predict([0.3, 0.1, -0.2]), 'prediction');
  }

  it('predict and predictBatch reject wrong sizes and non-finite numbers', () => {
    const net = new DenseNetwork(options);
    net.predict([1, 2, 3]);
    rejects(net, () => net.predict([1, 2]), ShapeError, 'input', /3 numbers, got an array of length 2/);
    rejects(net, () => net.predict(new Float64Array(4)), ShapeError, 'input', /Float64Array of length 4/);
    rejects(net, () => net.predict([1, NaN, 3]), NonFiniteError, 'input', /input\[1\]/);
    rejects(net, () => net.predict([1, 2, -Infinity]), NonFiniteError, 'input');
    rejects(net, () => net.predict('123' as never), InvalidArgumentError, 'input');
    rejects(net, () => net.predictBatch(inputs, 3), ShapeError, 'inputs', /9 numbers/);
    rejects(net, () => net.predictBatch(inputs.subarray(0, 5), 2), ShapeError, 'inputs');
    for (const [bad, kind] of BAD_COUNTS) rejects(net, () => net.predictBatch(inputs, bad as number), kind, 'count');
    rejects(net, () => net.predictBatch([1, 2, 3, 4, 5, Infinity], 2), NonFiniteError, 'inputs', /inputs\[5\]/);
    // Float64Arrays are checked by the kernel after staging (4 numbers per SIMD test, then a tail): every position counts.
    for (const at of [0, 3, 4, 7, 8]) {
      const bad = Float64Array.from({ length: 9 }, (_, i) => (i === at ? (at % 2 ? -Infinity : NaN) : 0.5));
      rejects(net, () => net.predictBatch(bad, 3), NonFiniteError, 'inputs', new RegExp(`inputs\\[${at}\\] must be a finite number, got ${at % 2 ? '-Infinity' : 'NaN'}`));
    }
    expectUntouched(net);
  });

  it('trainStep rejects wrong sizes, non-finite numbers and a count inconsistent with the arrays', () => {
    const net = new DenseNetwork(options);
    rejects(net, () => net.trainStep(inputs.subarray(0, 5), targets), ShapeError, 'inputs', /whole number of rows of 3/);
    rejects(net, () => net.trainStep(new Float64Array(0), new Float64Array(0)), ShapeError, 'inputs');
    rejects(net, () => net.trainStep(inputs, targets.subarray(0, 3)), ShapeError, 'targets', /4 numbers/);
    rejects(net, () => net.trainStep(inputs, Float64Array.from([1, 0, 0, 1, 0, 1])), ShapeError, 'targets');
    // count says 3 rows (or 1) but the arrays hold 2.
    rejects(net, () => net.trainStep(inputs, targets, 3), ShapeError, 'inputs', /9 numbers/);
    rejects(net, () => net.trainStep(inputs, targets, 1), ShapeError, 'inputs', /3 numbers/);
    rejects(net, () => net.trainStep(inputs.subarray(0, 3), targets, 1), ShapeError, 'targets', /2 numbers/);
    for (const [bad, kind] of BAD_COUNTS) {
      if (bad === null) continue;
      rejects(net, () => net.trainStep(inputs, targets, bad as number), kind, 'count');
    }
    rejects(net, () => net.trainStep(Float64Array.from([0.1, NaN, 0.3, 0.4, 0.5, 0.6]), targets), NonFiniteError, 'inputs', /inputs\[1\]/);
    rejects(net, () => net.trainStep(inputs, Float64Array.from([1, 0, Infinity, 1])), NonFiniteError, 'targets', /targets\[2\]/);
    rejects(net, () => net.trainStep(null as never, targets), InvalidArgumentError, 'inputs');
    expectUntouched(net);
  });

  it('setParameters and the learningRate setter reject bad values', () => {
    const net = new DenseNetwork(options);
    const n = net.getParameters().length;
    rejects(net, () => net.setParameters(new Float64Array(n - 1)), ShapeError, 'values', new RegExp(`${n} numbers`));
    rejects(net, () => net.setParameters(Float64Array.from({ length: n }, (_, i) => (i === 7 ? NaN : 0))), NonFiniteError, 'values', /values\[7\]/);
    for (const [bad, kind] of [[0, OutOfRangeError], [-1, OutOfRangeError], [NaN, NonFiniteError], ['0.1', InvalidArgumentError]] as [unknown, ErrorClass][]) {
      rejects(net, () => { net.learningRate = bad as number; }, kind, 'learningRate');
      expect(net.learningRate).toBe(0.01);
    }
    expectUntouched(net);
  });

  describe('fit, fitAsync and evaluate data', () => {
    const pairs = () => [
      { input: [0.1, 0.2, 0.3], output: [1, 0] },
      { input: [-0.4, 0.5, -0.6], output: [0, 1] },
      { input: [0.7, -0.8, 0.9], output: [1, 0] },
    ];

    it('reject pairs of the wrong size, with NaN or Infinity, or not pairs at all', () => {
      const net = new DenseNetwork(options);
      const bad = (edit: (p: any[]) => void) => {
        const p = pairs();
        edit(p);
        return p;
      };
      const cases: [any, ErrorClass, string, RegExp?][] = [
        [bad((p) => { p[1].input = [1, 2]; }), ShapeError, 'data[1].input', /3 numbers, got an array of length 2/],
        [bad((p) => { p[2].output = [1, 0, 0]; }), ShapeError, 'data[2].output', /2 numbers/],
        [bad((p) => { p[0].input = [1, NaN, 2]; }), NonFiniteError, 'data[0].input', /data\[0\]\.input\[1\]/],
        [bad((p) => { p[2].output = [Infinity, 0]; }), NonFiniteError, 'data[2].output'],
        [bad((p) => { p[1].input = [1, -Infinity, 2]; }), NonFiniteError, 'data[1].input'],
        [bad((p) => { p[1] = null; }), InvalidArgumentError, 'data[1]'],
        [bad((p) => { delete p[0].output; }), InvalidArgumentError, 'data[0].output'],
        [[], ShapeError, 'data', /at least one/],
        [null, InvalidArgumentError, 'data'],
        ['rows', InvalidArgumentError, 'data'],
      ];
      for (const [data, kind, argument, message] of cases) {
        rejects(net, () => net.fit(data, { epochs: 2 }), kind, argument, message);
        rejects(net, () => net.evaluate(data), kind, argument, message);
      }
      expectUntouched(net);
    });

    it('reject { inputs, targets } of the wrong size or with NaN or Infinity', () => {
      const net = new DenseNetwork(options);
      const cases: [any, ErrorClass, string, RegExp?][] = [
        [{ inputs: inputs.subarray(0, 5), targets }, ShapeError, 'data.inputs', /whole number of rows of 3/],
        [{ inputs, targets: targets.subarray(0, 3) }, ShapeError, 'data.targets', /whole number of rows of 2/],
        [{ inputs, targets: new Float64Array(6) }, ShapeError, 'data.targets', /2 rows but data\.targets holds 3/],
        [{ inputs: new Float64Array(0), targets: new Float64Array(0) }, ShapeError, 'data.inputs'],
        [{ inputs: Float64Array.from([0, 0, 0, 0, NaN, 0]), targets }, NonFiniteError, 'data.inputs', /row 1, column 1/],
        [{ inputs: [0, 0, 0, 0, 0, 0], targets: [1, 0, 0, -Infinity] }, NonFiniteError, 'data.targets', /row 1, column 1/],
        [{ inputs: [0, 0, 0, 0, '0', 0], targets }, InvalidArgumentError, 'data.inputs'],
        [{ inputs: new Float32Array(6), targets }, InvalidArgumentError, 'data.inputs', /Float64Array or number\[\]/],
        [{ inputs }, InvalidArgumentError, 'data'],
      ];
      for (const [data, kind, argument, message] of cases) {
        rejects(net, () => net.fit(data, { epochs: 2 }), kind, argument, message);
        rejects(net, () => net.evaluate(data), kind, argument, message);
      }
      expectUntouched(net);
    });

    it('fitAsync rejects (a rejected promise, not a throw) with the same errors, unchanged', async () => {
      const net = new DenseNetwork(options);
      const before = net.getParameters();
      const p = pairs();
      p[1]!.input = [1, 2];
      const promise = net.fitAsync(p, { epochs: 2 });
      expect(promise).toBeInstanceOf(Promise);
      const error = await promise.then(() => undefined, (e: unknown) => e) as NeuriteError;
      expect(error).toBeInstanceOf(ShapeError);
      expect(error.argument).toBe('data[1].input');
      const error2 = await net.fitAsync(pairs(), { batchSize: 0 }).then(() => undefined, (e: unknown) => e) as NeuriteError;
      expect(error2).toBeInstanceOf(OutOfRangeError);
      expect(error2.argument).toBe('options.batchSize');
      expectSame(net.getParameters(), before);
      expectUntouched(net);
    });
  });

  describe('fit options', () => {
    // One-hot rows (crossEntropy takes distributions only).
    const data = { inputs: Float64Array.from({ length: 30 }, (_, i) => Math.sin(i)), targets: Float64Array.from({ length: 20 }, (_, i) => (i % 2 === ((i >> 1) % 3 === 0 ? 1 : 0) ? 1 : 0)) };

    it('reject batch sizes and epochs that are not positive integers', () => {
      const net = new DenseNetwork(options);
      for (const [bad, kind] of BAD_COUNTS) {
        if (bad === null) continue;
        rejects(net, () => net.fit(data, { batchSize: bad as number }), kind, 'options.batchSize', /integer >= 1/);
        rejects(net, () => net.fit(data, { epochs: bad as number }), kind, 'options.epochs');
      }
      expectUntouched(net);
    });

    it('reject unknown option names, in fit options and in earlyStopping', () => {
      const net = new DenseNetwork(options);
      rejects(net, () => net.fit(data, { epoch: 3 } as never), InvalidArgumentError, 'options.epoch', /valid options: epochs, initialEpoch, batchSize/);
      rejects(net, () => net.fit(data, { batch_size: 3 } as never), InvalidArgumentError, 'options.batch_size');
      rejects(net, () => net.fit(data, { earlyStopping: { patiance: 3 } } as never), InvalidArgumentError, 'options.earlyStopping.patiance', /patience, minDelta/);
      rejects(net, () => net.fit(data, { earlyStopping: true } as never), InvalidArgumentError, 'options.earlyStopping');
      rejects(net, () => net.fit(data, 5 as never), InvalidArgumentError, 'options');
      expectUntouched(net);
    });

    it('reject a validationSplit out of range, or one that leaves no rows', () => {
      const net = new DenseNetwork(options);
      for (const bad of [0, 1, -0.2, 1.5]) rejects(net, () => net.fit(data, { validationSplit: bad }), OutOfRangeError, 'options.validationSplit', /\(0, 1\)/);
      rejects(net, () => net.fit(data, { validationSplit: NaN }), NonFiniteError, 'options.validationSplit');
      rejects(net, () => net.fit(data, { validationSplit: '0.2' as never }), InvalidArgumentError, 'options.validationSplit');
      // 10 rows: 0.05 holds back no row.
      rejects(net, () => net.fit(data, { validationSplit: 0.05 }), OutOfRangeError, 'options.validationSplit', /no training or no validation rows/);
      rejects(net, () => net.fit(data, { validationSplit: 0.2, validationData: data }), InvalidArgumentError, 'options.validationSplit', /cannot both/);
      expectUntouched(net);
    });

    it('reject bad validationData, earlyStopping, errorThreshold, callbacks and signals', () => {
      const net = new DenseNetwork(options);
      rejects(net, () => net.fit(data, { validationData: [{ input: [1, 2], output: [1, 0] }] }), ShapeError, 'options.validationData[0].input');
      rejects(net, () => net.fit(data, { validationData: { inputs: [NaN, 0, 0], targets: [1, 0] } }), NonFiniteError, 'options.validationData.inputs');
      rejects(net, () => net.fit(data, { earlyStopping: { patience: 0 } }), OutOfRangeError, 'options.earlyStopping.patience');
      rejects(net, () => net.fit(data, { earlyStopping: { patience: 2.5 } }), OutOfRangeError, 'options.earlyStopping.patience');
      rejects(net, () => net.fit(data, { earlyStopping: { minDelta: -0.1 } }), OutOfRangeError, 'options.earlyStopping.minDelta');
      rejects(net, () => net.fit(data, { earlyStopping: { minDelta: NaN } }), NonFiniteError, 'options.earlyStopping.minDelta');
      rejects(net, () => net.fit(data, { errorThreshold: NaN }), NonFiniteError, 'options.errorThreshold');
      rejects(net, () => net.fit(data, { errorThreshold: '0.1' as never }), InvalidArgumentError, 'options.errorThreshold');
      rejects(net, () => net.fit(data, { onEpoch: 'log' as never }), InvalidArgumentError, 'options.onEpoch');
      rejects(net, () => net.fit(data, { shuffle: 1 as never }), InvalidArgumentError, 'options.shuffle');
      rejects(net, () => net.fit(data, { onDivergence: 'ignore' as never }), InvalidArgumentError, 'options.onDivergence', /'throw', 'stop', 'reduceLearningRate'/);
      rejects(net, () => net.fit(data, { signal: {} as never }), InvalidArgumentError, 'options.signal');
      expectUntouched(net);
    });
  });

  it('every call on a disposed network throws StateError', () => {
    const net = new DenseNetwork(options);
    net.dispose();
    for (const act of [() => net.predict([1, 2, 3]), () => net.trainStep(inputs, targets), () => net.getParameters(), () => net.fit({ inputs, targets }),
      () => net.evaluate({ inputs, targets }), () => net.predictBatch(inputs, 2), () => net.setParameters([]), () => net.toJSON()]) {
      expectError(act, StateError, undefined, /disposed/);
    }
  });
});
