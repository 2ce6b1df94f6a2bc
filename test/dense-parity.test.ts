// JS/wasm parity on the SIMD build, the one Node and current browsers load (the suite: helpers/parity-suite.ts).
import { parityTests } from './helpers/parity-suite.js';

parityTests('SIMD');
