// Kernels split into parts give the same bits, on the plain (non-SIMD) wasm build: the loader is told SIMD is
// missing before neurite is imported (each test file runs in its own process).
import { withPlainBuild } from './helpers/plain-build.js';

const { threadsKernelsTests } = await withPlainBuild(() => import('./helpers/threads-suite.js'));

threadsKernelsTests('plain');
