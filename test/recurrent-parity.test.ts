// JS/wasm parity of recurrent networks on the SIMD build (the plain build: recurrent-parity-plain.test.ts).
import { recurrentParityTests } from './helpers/recurrent-parity.js';

recurrentParityTests('simd');
