// Compiles and runs bench/limit/limit.cpp: the machine's float64 GFLOP/s on neurite's two hot products, and its peaks.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('./limit/limit.cpp', import.meta.url));
const binary = fileURLToPath(new URL('./limit/limit', import.meta.url));

/**
 * `{ matvecNaive, matvecBlocked, matmulNaive, matmulBlocked, peak128 }` in GFLOP/s (best of `rounds`) for a build
 * with `flags` (default `-march=native`), plus `peak256Fma` when the build has FMA and `peak512Fma` when it has
 * AVX-512; `{ error }` when g++ or the run fails. The peaks are register-only loops: 128-bit multiply + add, and FMA.
 */
export function measureLimit(rounds, flags = ['-march=native']) {
  try {
    execFileSync('g++', ['-O3', ...flags, '-o', binary, source], { stdio: ['ignore', 'ignore', 'pipe'] });
    return JSON.parse(execFileSync(binary, [String(rounds)], { encoding: 'utf8' }));
  } catch (error) {
    return { error: String(error.stderr || error.message || error).trim().split('\n')[0] };
  }
}

/** Flags of a build limited to 128-bit SIMD without FMA, what WebAssembly's f64x2 can express (limit.cpp gives it its own matmul tile). */
export const SIMD128_FLAGS = ['-march=x86-64-v2', '-mtune=native'];
