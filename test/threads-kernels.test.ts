// Kernels split into parts give the same bits, on the SIMD wasm build (the one this machine loads); see
// test/helpers/threads-suite.ts.
import { threadsKernelsTests } from './helpers/threads-suite.js';

threadsKernelsTests('SIMD');
