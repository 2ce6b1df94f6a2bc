// JS/wasm parity on the plain (non-SIMD) build, the one engines without WebAssembly SIMD load: the loader
// is told SIMD is missing before neurite is imported (each test file runs in its own process).
import { withPlainBuild } from './helpers/plain-build.js';

const { parityTests } = await withPlainBuild(() => import('./helpers/parity-suite.js'));

parityTests('plain');
