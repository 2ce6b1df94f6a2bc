// Float32 predictor parity on the plain (non-SIMD) build: the loader is told SIMD is missing before neurite is
// imported (each test file runs in its own process).
import { withPlainBuild } from './helpers/plain-build.js';

const { predictorParityTests } = await withPlainBuild(() => import('./helpers/predictor-suite.js'));

predictorParityTests('plain');
