// Float32 predictor parity on the SIMD build; test/predictor-parity-plain.test.ts runs the same suite on the plain build.
import { predictorParityTests } from './helpers/predictor-suite.js';

predictorParityTests('simd');
