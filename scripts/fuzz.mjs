// Long fuzz of the readers of untrusted input, against the built package (dist/):
//   DenseNetwork.fromJSON and Network.fromJSON on mutated model text and on models with a value replaced,
//   the CLI's CSV reader (src/io/csv.ts, bundled on the fly) on random text, differentially against a
//   small independent CSV parser below, and the example server's POST /predict answer
//   (examples/server: body parser plus model) on random and mutated bodies, against a reference decision and a
//   plain-loop forward pass;
//   checkpoints: DenseNetwork.fromJSON on mutated and value-replaced toJSON({ training: true }) texts (moments, powers,
//   random state, fit state), then one more epoch of training; runs saved at a random epoch and resumed on a random
//   backend, against the run that never stopped;
//   streams: fitAsync on random sources (sync and async iterables, factories, samples and batches, wrong shapes,
//   NaN, holes, throwing iterators, empty epochs, huge batches), and a stream in order against fit in memory.
// Pass: every model or CSV input is either rejected with a FormatError or accepted as exactly what JSON.parse
// (or the reference CSV parser) reads from it; every request body gets the reference's status (200, 400, 413
// or 422: never a throw or a 5xx) and a 200 the reference's outputs. `npm test` runs bounded versions of these
// (test/reliability-json, test/io-json, test/io-csv, test/server).
// A checkpoint either loads, gives back its own text (save → load → save is identical), trains one more epoch and
// one fresh epoch (a NeuriteError such as StateError for data that does not match its saved order is fine; any other
// error is not), or is refused with a FormatError. A stream fit either trains or rejects with a NeuriteError, or with
// the very error the source's iterator threw (passed through unchanged: it is the caller's, e.g. a failed read); a
// rejection before any step leaves the network exactly as it was (its checkpoint text is unchanged); a stream in order
// (shuffle off, or a shuffle buffer of 0 or 1) trains bit for bit as fit on the same rows in memory. A stream fit
// that does not settle in 20 s is a hang.
//
//   npm run fuzz [-- minutes] [-- --seed N]      (default 3 minutes, seed from the clock)
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importDist, root } from './dist.mjs';
import { rng } from './random.mjs';

const args = process.argv.slice(2);
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) >>> 0 : Date.now() >>> 0;
const minutes = Number(args.find((a, i) => /^[\d.]+$/.test(a) && args[i - 1] !== '--seed') ?? 3);

const { DenseNetwork, Network, FormatError, NeuriteError } = await importDist();
const { predictResponse, route } = await import(pathToFileURL(join(root, 'examples/server/server.mjs')).href);
const tmp = mkdtempSync(join(tmpdir(), 'neurite-fuzz-'));
await build({ entryPoints: [join(root, 'src/io/csv.ts')], bundle: true, format: 'esm', platform: 'node', outfile: join(tmp, 'csv.mjs'), logLevel: 'silent' });
const csv = await import(pathToFileURL(join(tmp, 'csv.mjs')).href);
rmSync(tmp, { recursive: true, force: true });
// The bundle has its own copy of the error classes: recognise its FormatError by name.
const isFormatError = (e) => e instanceof FormatError || e?.name === 'FormatError';

const pick = (random, list) => list[Math.floor(random() * list.length)];
const int = (random, n) => Math.floor(random() * n);

// ---- valid starting models ----
const dense = (() => {
  const net = new DenseNetwork({ layers: [3, { size: 4, activation: 'elu' }, { size: 3, activation: 'tanh' }, { size: 2, activation: 'softmax' }], optimizer: { type: 'adam', clipNorm: 2 }, seed: 9, backend: 'js' });
  net.fit([{ input: [0.1, -2, 3], output: [1, 0] }, { input: [1, 0.5, -0.25], output: [0, 1] }], { epochs: 3 });
  net.meta = { columns: ['a', 'b', 'c'], scale: [1, 2.5, -1e-300], note: 'x' };
  return JSON.stringify(net.toJSON());
})();
const seedModel = JSON.stringify(new Network([{ weight: 0.5, bias: 0.1, size: 2 }, { weight: -0.25, bias: 1e-7, size: 3 }, { weight: 2, bias: -1, size: 1 }], 0.05, { backend: 'js' }).toJSON());

// ---- mutations ----
const TOKENS = ['{', '}', '[', ']', '"', ':', ',', '-', '.', 'e', 'E+', '0', '1', '9', ' ', '\n', 'null', 'true', 'false', '1e999', '-1e999', '"__proto__"',
  '"constructor"', '"prototype"', '"size"', '-0', '2147483648', '4294967296', '1e308', '5e-324', '\\u0000', '\\"', '[]', '{}', '"relu"', '"softmax"', 'NaN', '"1"'];
function mutateText(random, text) {
  let out = text;
  const changes = 1 + int(random, 6);
  for (let c = 0; c < changes; c++) {
    const at = int(random, out.length + 1);
    switch (int(random, 6)) {
      case 0: if (at < out.length) out = out.slice(0, at) + String.fromCharCode(out.charCodeAt(at) ^ (1 << int(random, 7))) + out.slice(at + 1); break;
      case 1: out = out.slice(0, at); break;
      case 2: out = out.slice(0, at) + pick(random, TOKENS) + out.slice(at); break;
      case 3: out = out.slice(0, at) + out.slice(at + 1 + int(random, 8)); break;
      case 4: { const n = 1 + int(random, 40); out = out.slice(0, at + n) + out.slice(at, at + n) + out.slice(at + n); break; }
      default: { const digit = out.slice(at).search(/\d/); if (digit >= 0) out = out.slice(0, at + digit) + int(random, 10) + out.slice(at + digit + 1); }
    }
  }
  return out;
}
const VALUES = [null, true, false, 0, -0, 1, -1, 0.5, 2, 3, 2 ** 24, 2 ** 24 + 1, 2 ** 31, 2 ** 32, 2 ** 53, 1e308, 5e-324, -1e-300, '', 'relu', 'softmax', 'sigmoid', 'mse',
  'crossEntropy', 'sgd', 'adam', 'neurite-dense', 'neurite-seed', [], [0], [1, 2], [[]], {}, { size: 2 }, { size: 2 ** 30 }, { type: 'sgd' }, { __proto__: null, x: 1 }];
function paths(value, prefix = []) {
  if (value === null || typeof value !== 'object') return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths(value[k], [...prefix, k]))];
}
function mutateValue(random, text) {
  const root = JSON.parse(text);
  const all = paths(root);
  const changes = 1 + int(random, 3);
  let out = root;
  for (let c = 0; c < changes; c++) {
    const path = pick(random, all);
    const kind = int(random, 4);
    let replacement = structuredClone(pick(random, VALUES));
    if (kind === 1) replacement = Array.from({ length: int(random, 30) }, () => random() * 4 - 2);
    if (kind === 2) replacement = JSON.parse(`{"${pick(random, ['__proto__', 'constructor', 'prototype', 'extra', 'size', 'activation'])}": 1}`);
    if (path.length === 0) { out = replacement; continue; }
    let parent = out;
    for (const key of path.slice(0, -1)) parent = parent?.[key];
    if (parent === null || typeof parent !== 'object') continue;
    if (kind === 3 && !Array.isArray(parent)) delete parent[path.at(-1)];
    else parent[path.at(-1)] = replacement;
  }
  return JSON.stringify(out) ?? 'undefined';
}

// ---- checks against independent references ----
function same(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => same(v, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
  }
  return a === b;
}
function checkDense(net, text) {
  const raw = JSON.parse(text);
  const saved = net.toJSON();
  const problems = [];
  if (raw.format !== 'neurite-dense' || raw.version !== 1) problems.push('accepted another format or version');
  if (!same(net.sizes.slice(), raw.layers.map((l) => l.size))) problems.push('sizes differ');
  raw.layers.slice(1).forEach((l, i) => { if (saved.layers[i + 1].activation !== l.activation) problems.push(`activation ${i + 1} differs`); });
  if (saved.loss !== raw.loss || saved.seed !== raw.seed) problems.push('loss or seed differs');
  const rawOptimizer = typeof raw.optimizer === 'string' ? { type: raw.optimizer } : raw.optimizer;
  for (const [k, v] of Object.entries(rawOptimizer)) if (!Object.is(saved.optimizer[k], v)) problems.push(`optimizer.${k} differs`);
  if (!same(saved.weights, raw.weights) || !same(saved.biases, raw.biases)) problems.push('weights or biases differ');
  if (!same(saved.meta, raw.meta)) problems.push('meta differs');
  if (!Array.from(net.predict(new Float64Array(net.inputSize).fill(0.5))).every(Number.isFinite)) problems.push('non-finite prediction');
  return problems;
}
function checkSeed(net, text) {
  const raw = JSON.parse(text);
  const saved = net.toJSON();
  return same(saved, { format: 'neurite-seed', version: 1, learningRate: raw.learningRate, layers: raw.layers.map((l) => ({ size: l.size, weights: l.weights, biases: l.biases })) })
    && same(Object.keys(raw).sort(), ['format', 'layers', 'learningRate', 'version']) ? [] : ['seed model differs from its text'];
}

/** An independent RFC 4180 reader with the documented rules (BOM, blank lines, CRLF, trimmed unique header); null = reject. */
function referenceCSV(input) {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const sep = (i) => text[i] === ',' || text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n');
  const records = [];
  let fields = [];
  const end = () => {
    if (!(fields.length === 1 && fields[0].text === '' && !fields[0].quoted)) records.push(fields.map((f) => f.text));
    fields = [];
  };
  let i = 0;
  for (;;) {
    let value = '';
    let quoted = false;
    if (text[i] === '"') {
      quoted = true;
      i++;
      for (;;) {
        if (i >= text.length) return null;
        if (text[i] === '"' && text[i + 1] === '"') { value += '"'; i += 2; } else if (text[i] === '"') { i++; break; } else value += text[i++];
      }
      if (i < text.length && !sep(i)) return null;
    } else {
      while (i < text.length && !sep(i)) {
        if (text[i] === '"') return null;
        value += text[i++];
      }
    }
    fields.push({ text: value, quoted });
    if (i >= text.length) { end(); break; }
    if (text[i] === ',') { i++; continue; }
    i += text[i] === '\r' ? 2 : 1;
    end();
    if (i === text.length) break;
  }
  if (records.length === 0) return null;
  const columns = records[0].map((c) => c.trim());
  if (columns.some((c, k) => c === '' || columns.indexOf(c) !== k)) return null;
  const rows = records.slice(1);
  if (rows.some((r) => r.length !== columns.length)) return null;
  return { columns, rows };
}
const CSV_UNITS = ['a', 'b', 'x', '1', '2', '.', '-', 'e', ' ', ',', ',', '"', '"', '""', '\n', '\n', '\r\n', '\r', '\t', 'é', '\ufeff', '1e3', 'NaN'];
function randomCSV(random) {
  if (random() < 0.5) return Array.from({ length: int(random, 60) }, () => pick(random, CSV_UNITS)).join('');
  // A well-formed table, then perhaps damaged.
  const cols = 1 + int(random, 4);
  const cell = () => { const v = Array.from({ length: int(random, 5) }, () => pick(random, CSV_UNITS)).join(''); return /[",\r\n]/.test(v) || random() < 0.2 ? `"${v.replace(/"/g, '""')}"` : v; };
  const header = Array.from({ length: cols }, (_, k) => `c${k}`).join(',');
  const nl = random() < 0.5 ? '\n' : '\r\n';
  const text = [header, ...Array.from({ length: int(random, 5) }, () => Array.from({ length: cols }, cell).join(','))].join(nl) + (random() < 0.5 ? nl : '');
  return random() < 0.5 ? text : mutateText(random, text);
}

// ---- the server's POST /predict answer ----
// relu then identity, so that huge inputs overflow to a non-finite output (422).
const servedSizes = [3, 4, 2];
const served = ['js', 'wasm'].map((backend) => {
  const net = new DenseNetwork({ layers: [3, { size: 4, activation: 'relu' }, { size: 2, activation: 'identity' }], seed: 5, backend, standardize: false });
  net.fit({ inputs: [0.5, -1, 2, 1, 1, -0.5], targets: [1, -1, 0.25, 2] }, { epochs: 2 });
  return net;
});
const servedModel = served[0].toJSON();
const SERVER_LIMITS = { maxBodyBytes: 2048, maxRows: 12 };
/** The plain-loop forward pass of the served model. */
function servedForward(row) {
  let a = row;
  servedModel.weights.forEach((w, l) => {
    const size = servedSizes[l + 1];
    a = Array.from({ length: size }, (_, j) => {
      let z = servedModel.biases[l][j];
      for (let k = 0; k < a.length; k++) z += w[j * a.length + k] * a[k];
      return l === 0 ? Math.max(0, z) : z;
    });
  });
  return a;
}
/** The status the server must give a body, and the rows of a 200, written from the README's rules. */
function referenceAnswer(bytes) {
  if (bytes.length > SERVER_LIMITS.maxBodyBytes) return { status: 413 };
  let value;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { status: 400 };
  }
  const isRow = (r) => Array.isArray(r) && r.length === 3 && r.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length !== 1) return { status: 400 };
  let rows;
  if (Object.hasOwn(value, 'input')) rows = isRow(value.input) ? [value.input] : null;
  else if (Object.hasOwn(value, 'inputs') && Array.isArray(value.inputs) && value.inputs.length > 0) {
    if (value.inputs.length > SERVER_LIMITS.maxRows) return { status: 413 };
    rows = value.inputs.every(isRow) ? value.inputs : null;
  }
  if (!rows) return { status: 400 };
  const outputs = rows.map(servedForward);
  return outputs.flat().every(Number.isFinite) ? { status: 200, batch: Object.hasOwn(value, 'inputs'), outputs } : { status: 422 };
}
const NUMBERS = ['0', '-0', '1', '-1', '0.5', '2.5e-3', '1E3', '1e308', '-1e308', '1e999', '5e-324', '123456789012345678901234567890', '0.1', '-7.25'];
function randomBody(random) {
  const row = () => random() < 0.05 ? `[${pick(random, ['1e308', '-1e308', '1.7976931348623157e308'])},1e308,-1e308]` : `[${Array.from({ length: random() < 0.9 ? 3 : int(random, 6) }, () => (random() < 0.8 ? pick(random, NUMBERS) : (random() * 20 - 10).toString())).join(random() < 0.8 ? ',' : ' , ')}]`;
  const valid = random() < 0.5
    ? `{"input":${row()}}`
    : `{"inputs":[${Array.from({ length: 1 + int(random, 15) }, row).join(',')}]}`;
  const kind = random();
  if (kind < 0.1) return Buffer.from(Array.from({ length: int(random, 40) }, () => int(random, 256)));
  if (kind < 0.13) return Buffer.from(valid + ' '.repeat(SERVER_LIMITS.maxBodyBytes));
  if (kind < 0.4) return Buffer.from(valid);
  if (kind < 0.7) return Buffer.from(mutateText(random, valid));
  const replaced = mutateValue(random, valid.replace(/1e999/g, '1e308'));
  return Buffer.from(random() < 0.5 ? replaced : mutateText(random, replaced));
}
const METHODS = ['GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'post', ''];
const URLS = ['/predict', '/health', '/', '/predict/', '/predict?x=1', '/health?', '//predict', '/PREDICT', '*', '/__proto__', '/constructor', '/%70redict'];
const servedStatuses = {};
function checkServed(answer, body) {
  const expected = referenceAnswer(body);
  servedStatuses[answer.status] = (servedStatuses[answer.status] ?? 0) + 1;
  if (answer.status !== expected.status) return [`status ${answer.status}, the reference says ${expected.status}`];
  if (answer.status !== 200) return typeof answer.payload?.error === 'string' ? [] : ['a refusal without an error message'];
  const outputs = expected.batch ? answer.payload.outputs : [answer.payload.output];
  const close = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  return Array.isArray(outputs) && outputs.length === expected.outputs.length
    && outputs.every((o, r) => o.length === 2 && o.every((v, j) => close(v, expected.outputs[r][j]))) ? [] : ['outputs differ from the plain-loop forward pass'];
}

// ---- checkpoints ----
// Small data, and runs saved mid-fit (from onEpoch) and after fit, covering moments, order, early stopping and scaling.
const CHECKPOINT_DATA = (() => {
  const random = rng(77);
  return Array.from({ length: 12 }, () => {
    const input = [random() * 2 - 1, random() * 2 - 1, random() * 2 - 1];
    return { input, output: input[0] + input[1] > 0 ? [1, 0] : [0, 1] };
  });
})();
const CHECKPOINT_RUNS = [
  [{ layers: [3, { size: 4, activation: 'elu' }, { size: 2, activation: 'softmax' }], optimizer: { type: 'adam', clipNorm: 2 } },
    { epochs: 40, batchSize: 4, validationSplit: 0.25, earlyStopping: { patience: 3 } }, 6],
  [{ layers: [3, 5, 2], optimizer: { type: 'momentum', nesterov: true, learningRate: 0.05 } }, { epochs: 8, batchSize: 5 }, 3],
  [{ layers: [3, 4, 2], outputActivation: 'identity', optimizer: 'sgd', standardize: true }, { epochs: 6, batchSize: 3, shuffle: false }, 0],
];
const checkpoints = CHECKPOINT_RUNS.map(([options, fitOptions, stopAt]) => {
  const net = new DenseNetwork({ ...options, seed: 3, backend: 'js' });
  let text = '';
  net.meta = { columns: ['a', 'b', 'c'] };
  net.fit(CHECKPOINT_DATA, { ...fitOptions, onEpoch: ({ epoch }) => {
    if (epoch + 1 === stopAt) text = JSON.stringify(net.toJSON({ training: true }));
  } });
  if (!text) text = JSON.stringify(net.toJSON({ training: true }));
  net.dispose();
  return { text, fitOptions };
});
/** Value replacement aimed at the training state half the time (it is most of the file's paths anyway). */
function mutateCheckpoint(random, text) {
  if (random() < 0.5) return mutateValue(random, text);
  const root = JSON.parse(text);
  const all = paths(root.training, ['training']);
  const path = pick(random, all);
  const last = path.at(-1);
  let parent = root;
  for (const key of path.slice(0, -1)) parent = parent[key];
  const replacement = pick(random, [
    () => structuredClone(pick(random, VALUES)), () => -1, () => 2 ** 31, () => 0.5, () => Number.MAX_VALUE, () => 1e300, () => -1e300,
    () => [2, 1, 0], () => Array.from({ length: 9 }, (_, i) => 8 - i), () => undefined, () => 'earlyStopping', () => 'callback',
    () => Array.isArray(parent[last]) ? [...parent[last]].reverse() : parent[last],
    () => Array.isArray(parent[last]) ? parent[last].slice(1) : parent[last],
  ])();
  if (replacement === undefined) delete parent[last]; else parent[last] = replacement;
  return JSON.stringify(root);
}
function checkCheckpoint(base, backend) {
  return (net, text) => {
    const raw = JSON.parse(text);
    // An unbounded (identity) output may overflow on replaced weights; the bounded ones may not.
    const problems = checkDense(net, text).filter((p) => p !== 'non-finite prediction' || net.layers.at(-1).activation !== 'identity');
    const saved = net.toJSON({ training: true });
    if (raw.training !== undefined && !same(saved.training, raw.training)) problems.push('training state differs from the text');
    if (raw.training === undefined && saved.training.fit !== undefined) problems.push('a fit state appeared from nowhere');
    const again = JSON.stringify(saved);
    const other = DenseNetwork.fromJSON(again, { backend: backend === 'js' ? 'wasm' : 'js' });
    if (JSON.stringify(other.toJSON({ training: true })) !== again) problems.push('save → load → save differs');
    other.dispose();
    // One more epoch from where it was saved, then one fresh epoch: typed errors only, and a fresh epoch must train.
    const train = (options, mustTrain) => {
      try {
        net.fit(CHECKPOINT_DATA, options);
      } catch (error) {
        if (!(error instanceof NeuriteError)) problems.push(`${JSON.stringify(options)} threw ${error?.name}: ${error?.message}`);
        else if (mustTrain && error.name !== 'DivergenceError') problems.push(`cannot train: ${error.name}: ${error.message}`);
      }
    };
    const epoch = raw.training?.fit?.epoch ?? 0;
    train({ ...base.fitOptions, epochs: Math.min(2 ** 31 - 1, epoch + 1) }, false);
    // An initial epoch other than the saved one starts afresh (no saved order to match).
    const fresh = epoch + 10 < 2 ** 31 - 1 ? epoch + 5 : 0;
    train({ epochs: fresh + 1, initialEpoch: fresh, batchSize: 4 }, true);
    return problems;
  };
}

/** A run saved at a random epoch and resumed on a random backend ends bit-identical to the run that never stopped. */
function fuzzResume(random) {
  const [options, fitOptions] = pick(random, CHECKPOINT_RUNS);
  const config = { ...options, seed: int(random, 2 ** 32), ...(random() < 0.5 ? { standardize: random() < 0.5 } : {}) };
  const fitWith = { ...fitOptions, batchSize: 1 + int(random, 6), shuffle: random() < 0.7, ...(random() < 0.3 ? { onDivergence: 'reduceLearningRate' } : {}) };
  const [from, to] = [pick(random, ['js', 'wasm']), pick(random, ['js', 'wasm'])];
  const whole = new DenseNetwork({ ...config, backend: from });
  const saved = [];
  const full = whole.fit(CHECKPOINT_DATA, { ...fitWith, onEpoch: () => { saved.push(JSON.stringify(whole.toJSON({ training: true }))); } });
  const k = int(random, saved.length);
  const resumed = DenseNetwork.fromJSON(saved[k], { backend: to });
  const tail = resumed.fit(CHECKPOINT_DATA, fitWith);
  const problems = [];
  if (!same(Array.from(resumed.getParameters()), Array.from(whole.getParameters()))) problems.push('parameters differ');
  const a = resumed.toJSON({ training: true });
  const b = whole.toJSON({ training: true });
  if (!same(a.training.moment1, b.training.moment1) || !same(a.training.moment2, b.training.moment2) || a.training.random !== b.training.random) problems.push('optimizer or shuffle state differs');
  // Histories on one backend only: a crossEntropy step loss can differ by an ulp between the backends' log.
  if (from === to && !same([...full.epochs.slice(0, k + 1), ...tail.epochs], full.epochs)) problems.push('histories differ');
  if (tail.stopReason !== full.stopReason) problems.push('stop reasons differ');
  whole.dispose();
  resumed.dispose();
  return { input: JSON.stringify({ config, fitWith, from, to, stopAfter: k }), problems, trained: true };
}

// ---- streams ----
class SourceFailure extends Error {
  name = 'SourceFailure';
}
const STREAM_SHAPES = [[3, 2, 'sigmoid', 'mse'], [2, 3, 'softmax', 'crossEntropy'], [1, 1, 'identity', 'mse']];
/** A random stream description: items (good or damaged), how they are served, and fit options. */
function randomStream(random) {
  const [nIn, nOut, activation, loss] = pick(random, STREAM_SHAPES);
  const target = () => activation === 'softmax' ? Array.from({ length: nOut }, (_, j) => (j === 0 ? 1 : 0)) : Array.from({ length: nOut }, () => random());
  const row = (n) => Array.from({ length: n }, () => random() * 4 - 2);
  const damaged = random() < 0.5;
  const goodItem = () => {
    if (random() < 0.5) return { input: random() < 0.5 ? row(nIn) : Float64Array.from(row(nIn)), output: target() };
    const rows = random() < 0.05 ? 2000 + int(random, 3000) : 1 + int(random, 6);
    const inputs = Array.from({ length: rows }, () => row(nIn)).flat();
    const targets = Array.from({ length: rows }, target).flat();
    return random() < 0.5 ? { inputs, targets } : { inputs: Float64Array.from(inputs), targets: Float64Array.from(targets) };
  };
  const badItem = () => pick(random, [
    () => ({ input: row(nIn + 1), output: target() }), () => ({ input: row(nIn), output: [] }), () => ({ input: [NaN, ...row(nIn - 1)], output: target() }),
    () => ({ input: row(nIn), output: target().map(() => Infinity) }), () => { const input = row(nIn); delete input[0]; return { input, output: target() }; },
    () => { const input = new Array(nIn); return { input, output: target() }; }, () => ({ inputs: row(nIn * 2 + 1), targets: target() }),
    () => ({ inputs: row(nIn * 3), targets: target() }), () => ({ inputs: [], targets: [] }), () => null, () => 7, () => 'row', () => ({}), () => ({ input: 'abc', output: target() }),
    () => ({ inputs: row(nIn), targets: target().map((t) => -t - 1) }), () => [row(nIn), target()], () => undefined,
  ])();
  const count = int(random, 12);
  const items = Array.from({ length: count }, () => (damaged && random() < 0.2 ? badItem() : goodItem()));
  const throwAt = damaged && random() < 0.3 ? int(random, count + 1) : -1;
  const holeAt = damaged && random() < 0.1 && count > 0 ? int(random, count) : -1;
  if (holeAt >= 0) delete items[holeAt];
  const epochs = 1 + int(random, 3);
  const emptyAfter = damaged && random() < 0.2 ? int(random, epochs) : -1;
  const kind = pick(random, ['array iterator', 'generator', 'async generator', 'iterator object', 'factory of generators', 'factory of async generators', 'factory of arrays',
    'factory returning junk', 'throwing factory']);
  const options = {
    epochs: kind.startsWith('factory') || kind === 'throwing factory' ? epochs : 1,
    batchSize: random() < 0.1 ? pick(random, [2 ** 20, 2 ** 31 - 1, 1e7]) : 1 + int(random, 8),
    ...(random() < 0.5 ? { shuffle: random() < 0.5 } : {}),
    ...(random() < 0.5 ? { shuffleBuffer: random() < 0.1 ? pick(random, [2 ** 24, 2 ** 31 - 1]) : int(random, 6) } : {}),
    ...(random() < 0.2 ? { validationData: [{ input: row(nIn), output: target() }] } : {}),
    ...(random() < 0.1 ? { epochs: 3 } : {}),
  };
  return { nIn, nOut, activation, loss, items, throwAt, emptyAfter, kind, options, backend: random() < 0.5 ? 'js' : 'wasm', resumed: random() < 0.3 };
}
function sourceOf(d) {
  let opened = 0;
  function* sync(items) {
    for (let i = 0; i <= items.length; i++) {
      if (i === d.throwAt) throw new SourceFailure(`read failed at item ${i}`);
      if (i < items.length) yield items[i];
    }
  }
  async function* async(items) {
    for await (const item of sync(items)) yield item;
  }
  const epochItems = () => (d.emptyAfter >= 0 && opened++ > d.emptyAfter ? [] : d.items);
  switch (d.kind) {
    case 'array iterator': return d.throwAt >= 0 ? sync(d.items) : d.items[Symbol.iterator]();
    case 'generator': return sync(d.items);
    case 'async generator': return async(d.items);
    case 'iterator object': {
      let i = 0;
      return { [Symbol.iterator]: () => ({ next: () => { if (i === d.throwAt) throw new SourceFailure('next failed'); return i < d.items.length ? { value: d.items[i++], done: false } : { value: undefined, done: true }; } }) };
    }
    case 'factory of generators': return () => sync(epochItems());
    case 'factory of async generators': return () => async(epochItems());
    case 'factory of arrays': return () => epochItems();
    case 'factory returning junk': return () => pick(rng(d.items.length), [null, 3, { next: 1 }, 'rows']);
    default: return () => { throw new SourceFailure('cannot open'); };
  }
}
const STREAM_TIMEOUT_MS = 20_000;
function withTimeout(promise) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${STREAM_TIMEOUT_MS / 1000} s (a hang)`)), STREAM_TIMEOUT_MS); })])
    .finally(() => clearTimeout(timer));
}
function streamNetwork(d) {
  const net = new DenseNetwork({ layers: [d.nIn, 4, { size: d.nOut, activation: d.activation }], loss: d.loss, seed: 11, backend: d.backend, standardize: false });
  if (!d.resumed) return net;
  // A network loaded from a checkpoint: a rejected stream fit must keep the state it would resume from.
  const inputs = Array.from({ length: 4 * d.nIn }, (_, i) => Math.sin(i));
  const targets = Array.from({ length: 4 }, (_, r) => Array.from({ length: d.nOut }, (_, j) => (j === r % d.nOut ? 1 : 0))).flat();
  let text = '';
  net.fit({ inputs, targets }, { epochs: 3, batchSize: 2, onEpoch: ({ epoch }) => { if (epoch === 1) text = JSON.stringify(net.toJSON({ training: true })); } });
  net.dispose();
  return DenseNetwork.fromJSON(text, { backend: d.backend });
}
async function fuzzStream(random) {
  const d = randomStream(random);
  const net = streamNetwork(d);
  const before = JSON.stringify(net.toJSON({ training: true }));
  const parameters = net.getParameters();
  const problems = [];
  let trained = false;
  try {
    const history = await withTimeout(net.fitAsync(sourceOf(d), d.options));
    trained = true;
    if (!Array.isArray(history.epochs)) problems.push('no history');
    if (!Array.from(net.getParameters()).every(Number.isFinite)) problems.push('trained to non-finite parameters');
  } catch (error) {
    const passedThrough = error instanceof SourceFailure;
    if (!(error instanceof NeuriteError) && !passedThrough) problems.push(`rejected with ${error?.name}: ${error?.message}`);
    const unchanged = same(Array.from(net.getParameters()), Array.from(parameters));
    if (unchanged && JSON.stringify(net.toJSON({ training: true })) !== before) problems.push(`a rejection (${error?.name}) before any step changed the network's state`);
  }
  net.dispose();
  return { input: JSON.stringify({ ...d, items: `${d.items.length} items: ${JSON.stringify(d.items).slice(0, 200)}` }), problems, trained };
}
/** A stream in order trains bit for bit as fit on the same rows in memory, on either backend. */
async function fuzzStreamOrder(random) {
  const d = randomStream(random);
  const items = Array.from({ length: 1 + int(random, 10) }, (_, i) => {
    const rows = 1 + int(random, 5);
    return { inputs: Array.from({ length: rows * d.nIn }, () => random() * 4 - 2), targets: Array.from({ length: rows }, () => Array.from({ length: d.nOut }, (_, j) => (d.activation === 'softmax' ? (j === i % d.nOut ? 1 : 0) : random()))).flat() };
  });
  const epochs = 1 + int(random, 3);
  const batchSize = 1 + int(random, 9);
  const streamOptions = random() < 0.5 ? { shuffle: false } : { shuffleBuffer: int(random, 2) };
  const build = () => new DenseNetwork({ layers: [d.nIn, 4, { size: d.nOut, activation: d.activation }], loss: d.loss, seed: 4, backend: d.backend, standardize: false });
  const streamed = build();
  const inMemory = build();
  const kind = pick(random, ['generator', 'async generator', 'array']);
  const open = () => kind === 'array' ? items[Symbol.iterator]() : kind === 'generator' ? (function* () { yield* items; })() : (async function* () { yield* items; })();
  const problems = [];
  const a = await withTimeout(streamed.fitAsync(epochs === 1 && random() < 0.5 ? open() : () => (kind === 'array' ? items : open()), { epochs, batchSize, ...streamOptions }));
  const b = inMemory.fit({ inputs: items.flatMap((x) => x.inputs), targets: items.flatMap((x) => x.targets) }, { epochs, batchSize, shuffle: false });
  if (!same(a, b)) problems.push('histories differ');
  if (!same(Array.from(streamed.getParameters()), Array.from(inMemory.getParameters()))) problems.push('parameters differ');
  streamed.dispose();
  inMemory.dispose();
  return { input: JSON.stringify({ kind, epochs, batchSize, streamOptions, backend: d.backend, shape: [d.nIn, d.nOut, d.activation], items }).slice(0, 400), problems, trained: true };
}

// ---- the loop ----
const targets = {
  'DenseNetwork.fromJSON(mutated text)': (random) => { const text = mutateText(random, dense); return [text, () => DenseNetwork.fromJSON(text, { backend: random() < 0.5 ? 'js' : 'wasm' }), checkDense]; },
  'DenseNetwork.fromJSON(value replaced)': (random) => { const text = mutateValue(random, dense); return [text, () => DenseNetwork.fromJSON(JSON.parse(text), { backend: random() < 0.5 ? 'js' : 'wasm' }), checkDense]; },
  'Network.fromJSON(mutated text)': (random) => { const text = mutateText(random, seedModel); return [text, () => Network.fromJSON(text), checkSeed]; },
  'Network.fromJSON(value replaced)': (random) => { const text = mutateValue(random, seedModel); return [text, () => Network.fromJSON(JSON.parse(text)), checkSeed]; },
  'parseCSV(random text)': (random) => {
    const text = randomCSV(random);
    return [text, () => csv.parseCSV(text, { delimiter: ',' }), (table) => {
      const reference = referenceCSV(text);
      if (reference === null) return ['accepted text the reference rejects'];
      return same({ columns: [...table.columns], rows: table.rows.map((r) => [...r]) }, reference) && table.lines.length === table.rows.length ? [] : ['table differs from the reference'];
    }, () => (referenceCSV(text) === null ? [] : ['rejected text the reference accepts'])];
  },
  'checkpoint fromJSON(mutated text)': (random) => {
    const base = pick(random, checkpoints);
    const backend = random() < 0.5 ? 'js' : 'wasm';
    const text = mutateText(random, base.text);
    return [text, () => DenseNetwork.fromJSON(text, { backend }), checkCheckpoint(base, backend)];
  },
  'checkpoint fromJSON(value replaced)': (random) => {
    const base = pick(random, checkpoints);
    const backend = random() < 0.5 ? 'js' : 'wasm';
    const text = mutateCheckpoint(random, base.text);
    return [text, () => DenseNetwork.fromJSON(JSON.parse(text), { backend }), checkCheckpoint(base, backend)];
  },
  'checkpoint resume = uninterrupted run': (random) => ['', null, null, null, async () => fuzzResume(random)],
  'fitAsync(random stream)': (random) => ['', null, null, null, () => fuzzStream(random)],
  'fitAsync(stream in order) = fit(in memory)': (random) => ['', null, null, null, () => fuzzStreamOrder(random)],
  'server POST /predict(random body)': (random) => {
    const body = randomBody(random);
    const net = pick(random, served);
    const text = body.toString('latin1');
    return [text, () => {
      try {
        const target = route(pick(random, METHODS), pick(random, URLS));
        if (!target.handler && !(target.status === 404 || target.status === 405)) throw new Error(`route gave ${target.status}`);
        return predictResponse(net, body, SERVER_LIMITS);
      } catch (error) {
        throw new Error(`${error?.name}: ${error?.message}`); // no throw is an acceptable answer here
      }
    }, (answer) => checkServed(answer, body)];
  },
};
const names = Object.keys(targets);
const stats = Object.fromEntries(names.map((n) => [n, { cases: 0, accepted: 0, failures: 0 }]));
const failures = [];
const started = Date.now();
const deadline = started + minutes * 60_000;
let lastReport = started;
let maxRss = 0;
let caseNumber = 0;
console.log(`fuzzing for ${minutes} min, seed ${seed} (repeat with: npm run fuzz -- ${minutes} --seed ${seed})`);
while (Date.now() < deadline) {
  for (let batch = 0; batch < 200; batch++, caseNumber++) {
    const name = names[caseNumber % names.length];
    const random = rng(seed ^ Math.imul(caseNumber, 0x9e3779b1));
    const [text, run, check, onReject, runAsync] = targets[name](random);
    let input = text;
    const s = stats[name];
    s.cases++;
    let problems;
    if (runAsync) {
      try {
        let trained;
        ({ input, problems, trained } = await runAsync());
        if (trained) s.accepted++;
      } catch (error) {
        problems = [`threw ${error?.name}: ${error?.message}`];
      }
    } else try {
      const result = run();
      s.accepted++;
      problems = check(result, input);
      result.dispose?.();
    } catch (error) {
      problems = isFormatError(error) ? (onReject?.() ?? []) : [`threw ${error?.name}: ${error?.message}`];
    }
    if (problems.length) {
      s.failures++;
      if (failures.length < 20) failures.push({ target: name, case: caseNumber, problems, input: input.length > 300 ? `${input.slice(0, 300)}… (${input.length} chars)` : input });
    }
  }
  maxRss = Math.max(maxRss, process.memoryUsage().rss);
  if (Date.now() - lastReport > 15_000) {
    lastReport = Date.now();
    const total = names.reduce((t, n) => t + stats[n].cases, 0);
    const failed = names.reduce((t, n) => t + stats[n].failures, 0);
    console.log(`${((Date.now() - started) / 1000).toFixed(0)} s: ${total} cases, ${failed} failures, rss ${(maxRss / 2 ** 20).toFixed(0)} MiB`);
  }
}
const total = names.reduce((t, n) => t + stats[n].cases, 0);
const failed = names.reduce((t, n) => t + stats[n].failures, 0);
console.log(`\n${total} cases in ${((Date.now() - started) / 1000).toFixed(0)} s (seed ${seed}), ${failed} failures, max rss ${(maxRss / 2 ** 20).toFixed(0)} MiB`);
for (const n of names) console.log(`  ${n}: ${stats[n].cases} cases, ${stats[n].accepted} accepted, ${stats[n].failures} failures`);
console.log(`  server statuses: ${Object.entries(servedStatuses).map(([status, n]) => `${status} ×${n}`).join(', ')}`);
for (const f of failures) console.log(`\nFAILURE ${f.target} case ${f.case}: ${f.problems.join('; ')}\n  input: ${JSON.stringify(f.input)}`);
process.exit(failed ? 1 : 0);
