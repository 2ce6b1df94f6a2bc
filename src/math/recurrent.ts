/**
 * The recurrent cells' formulas, one definition each, valid AssemblyScript and TypeScript: assembly/recurrent.ts
 * and src/backend/js/recurrent.ts both call these (with sigmoid, tanh and derivative from ./activations).
 * Gate orders: lstm [i, f, g, o], gru [z, r, n], rnn one gate; h' and c' are the previous step's (0 at step 0).
 * lstm: c = f ⊙ m + i ⊙ g, h = o ⊙ tanh(c), where the memory m is c' (memory 'cell', the standard cell) or h'
 * (memory 'hidden', brain.js's form, which carries no cell state);
 * gru: n = tanh(W_n x + U_n (r ⊙ h') + b_n), h = (1 − z) ⊙ n + z ⊙ h'.
 */

/** lstm's new cell state f·m + i·g (m: c' or, with memory 'hidden', h'). */
export function lstmState(forget: f64, previous: f64, input: f64, candidate: f64): f64 {
  return forget * previous + input * candidate;
}

/** lstm's new state o·tanh(c), from tanh(c). */
export function lstmOutput(output: f64, tanhState: f64): f64 {
  return output * tanhState;
}

/** dLoss/dc of an lstm step: what the next step carries back (0 with memory 'hidden') plus dLoss/dh through h = o·tanh(c). */
export function lstmStateGradient(carried: f64, dh: f64, output: f64, tanhState: f64): f64 {
  return carried + dh * (output * (1.0 - tanhState * tanhState));
}

/** dLoss/dm of an lstm step through the forget product f·m: dc·f, to dLoss/dc' (memory 'cell') or dLoss/dh' ('hidden'). */
export function lstmMemoryGradient(dc: f64, forget: f64): f64 {
  return dc * forget;
}

/** gru's new state (1 − z)·n + z·h'. */
export function gruOutput(update: f64, candidate: f64, previous: f64): f64 {
  return (1.0 - update) * candidate + update * previous;
}

/** dLoss/dn of a gru step from dLoss/dh: dh·(1 − z). */
export function gruCandidateGradient(dh: f64, update: f64): f64 {
  return dh * (1.0 - update);
}

/** dLoss/dz of a gru step from dLoss/dh: dh·(h' − n). */
export function gruUpdateGradient(dh: f64, previous: f64, candidate: f64): f64 {
  return dh * (previous - candidate);
}

/** The forecast's feedback: an output (standardized targets) as the next input (standardized inputs), y·scale + shift. */
export function feedBack(output: f64, scale: f64, shift: f64): f64 {
  return output * scale + shift;
}
