// The registry suite on the plain (non-SIMD) wasm build: the loader is told SIMD is missing before neurite is
// imported (each test file runs in its own process).
import { withPlainBuild } from './helpers/plain-build.js';

const { registryTests } = await withPlainBuild(() => import('./helpers/registry-suite.js'));

registryTests('plain');
