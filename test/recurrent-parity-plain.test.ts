// JS/wasm parity of recurrent networks on the plain (non-SIMD) build: the loader is told SIMD is missing before
// neurite is imported (each test file runs in its own process).
import { withPlainBuild } from './helpers/plain-build.js';

const { recurrentParityTests } = await withPlainBuild(() => import('./helpers/recurrent-parity.js'));

recurrentParityTests('plain');
