// The registry suite (test/helpers/registry-suite.ts) on the SIMD wasm build.
import { registryTests } from './helpers/registry-suite.js';

registryTests('SIMD');
