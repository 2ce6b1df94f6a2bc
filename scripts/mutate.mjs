// Mutation testing of the formula files (src/math/*.ts): each mutant flips one operator, comparison or constant,
// and the tests must fail. Phase 1 runs the JS twin against the tests' independent references only (fast: no
// wasm build; the js-vs-wasm parity tests are left out, as the unmutated wasm would kill every mutant). Phase 2
// rebuilds the wasm kernels from each survivor and runs the whole kernel suite. Usage: node scripts/mutate.mjs [file ...]
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

const files = process.argv.slice(2).length ? process.argv.slice(2) : readdirSync('src/math').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => `src/math/${f}`);

const SWAPS = [
  [' + ', ' - '], [' - ', ' + '], [' * ', ' / '], [' / ', ' * '],
  [' >= ', ' > '], [' > ', ' >= '], [' <= ', ' < '], [' < ', ' <= '], [' == ', ' != '], [' != ', ' == '],
  [' && ', ' || '], [' || ', ' && '], ['Math.max(', 'Math.min('], ['Math.min(', 'Math.max('], ['(-', '('], [' ? ', ' ? 0.5 * '],
];

/** Every mutant of `text`: [description, mutated text], code lines only (comments and the exp table untouched). */
function mutants(text) {
  const out = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, '');
    if (/^\s*(\*|\/\*\*|import|export \{)/.test(line) || /^\s*[\d.e+-]+,/.test(line)) return;
    const replaceAt = (at, from, to, what) => {
      const mutated = lines.slice();
      mutated[i] = line.slice(0, at) + to + line.slice(at + from.length);
      out.push([`line ${i + 1}: ${what}`, mutated.join('\n')]);
    };
    for (const [from, to] of SWAPS) {
      for (let at = code.indexOf(from); at >= 0; at = code.indexOf(from, at + 1)) replaceAt(at, from, to, `'${from.trim()}' -> '${to.trim()}'`);
    }
    // Numeric literals outside identifiers: 0 becomes 1, any other value is doubled.
    for (const match of code.matchAll(/(?<![\w.])(\d+\.?\d*(?:e[+-]?\d+)?)(?![\w.])/g)) {
      const value = Number(match[1]);
      const to = value === 0 ? '1.0' : String(value * 2);
      replaceAt(match.index, match[1], to, `${match[1]} -> ${to}`);
    }
  });
  return out;
}

function run(command, args) {
  return spawnSync(command, args, { encoding: 'utf8', stdio: 'pipe', env: { ...process.env, FORCE_COLOR: '0' } }).status === 0;
}

const PHASE1 = ['vitest', 'run', '--bail=1', 'test/math-log1p.test.ts', 'test/registry-spec.test.ts', 'test/registry-kernels.test.ts', 'test/dense-optimizers.test.ts', 'test/dense-gradients.test.ts', 'test/recurrent-gradients.test.ts', 'test/recurrent-forecast.test.ts', '-t', 'js:|on the js backend|exp |activation formulas|loss terms|tables|log1p|softplus|recurrent gradients on js|masking on js|forecast on js'];
const PHASE2 = ['vitest', 'run', '--bail=1', 'test/math-log1p.test.ts', 'test/registry-kernels.test.ts', 'test/registry-kernels-plain.test.ts', 'test/registry-spec.test.ts', 'test/dense-specialized.test.ts', 'test/dense-optimizers.test.ts', 'test/dense-gradients.test.ts', 'test/recurrent-gradients.test.ts', 'test/recurrent-parity.test.ts', 'test/recurrent-forecast.test.ts'];
const buildWasm = () => run('npx', ['asc', 'assembly/index.ts', '--target', 'simd', '--transform', './assembly/inline.mjs']) && run('npx', ['asc', 'assembly/index.ts', '--target', 'plain', '--transform', './assembly/inline.mjs']);

let total = 0;
const survivors = [];
for (const file of files) {
  const original = readFileSync(file, 'utf8');
  try {
    for (const [what, text] of mutants(original)) {
      total++;
      writeFileSync(file, text);
      const killed = !run('npx', PHASE1);
      process.stdout.write(`${killed ? 'killed  ' : 'survived'} ${file} ${what}\n`);
      if (!killed) survivors.push([file, what, text]);
    }
  } finally {
    writeFileSync(file, original);
  }
}
const remaining = [];
for (const [file, what, text] of survivors) {
  const original = readFileSync(file, 'utf8');
  try {
    writeFileSync(file, text);
    // A mutant the wasm compiler rejects is killed too (it cannot ship).
    const killed = !buildWasm() || !run('npx', PHASE2);
    process.stdout.write(`phase 2: ${killed ? 'killed  ' : 'SURVIVED'} ${file} ${what}\n`);
    if (!killed) remaining.push(`${file} ${what}`);
  } finally {
    writeFileSync(file, original);
  }
}
buildWasm();
console.log(`\n${total} mutants, ${total - remaining.length} killed, score ${((100 * (total - remaining.length)) / total).toFixed(1)} %`);
for (const r of remaining) console.log(`survivor: ${r}`);
