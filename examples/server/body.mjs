// The /predict request parser: untrusted bytes in, either the rows to predict or a 4xx decision out.
// It never throws and never calls the model, so it can be fuzzed on its own (scripts/fuzz.mjs).

/**
 * The limits a request must keep.
 * @property {number} maxBodyBytes largest body accepted, in bytes (larger: 413). @default 1 MiB
 * @property {number} maxRows most rows in one `inputs` batch (more: 413). @default 1024
 */
export const DEFAULT_LIMITS = Object.freeze({ maxBodyBytes: 1 << 20, maxRows: 1024 });

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A decision to refuse the request: an HTTP status and a message that names the offending field. */
const refuse = (status, error) => ({ ok: false, status, error });

/**
 * Parses a `POST /predict` body: `{"input": [x, ...]}` (one row) or `{"inputs": [[x, ...], ...]}` (a batch).
 * Every number must be finite and every row `inputSize` long.
 *
 * @param {Uint8Array | string} body the raw request body
 * @param {number} inputSize the current model's input width
 * @param {{ maxBodyBytes: number, maxRows: number }} [limits]
 * @returns {{ ok: true, batch: boolean, count: number, rows: Float64Array }
 *   | { ok: false, status: 400 | 413, error: string }} `rows` is row-major, `count × inputSize`.
 */
export function parsePredictBody(body, inputSize, limits = DEFAULT_LIMITS) {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size > limits.maxBodyBytes) return refuse(413, `the body is larger than ${limits.maxBodyBytes} bytes`);
  let text;
  try {
    text = typeof body === 'string' ? body : utf8.decode(body);
  } catch {
    return refuse(400, 'the body is not valid UTF-8');
  }
  let request;
  try {
    request = JSON.parse(text);
  } catch {
    return refuse(400, 'the body is not valid JSON');
  }
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    return refuse(400, 'the body must be a JSON object with "input" or "inputs"');
  }
  const keys = Object.keys(request);
  if (keys.length !== 1 || (keys[0] !== 'input' && keys[0] !== 'inputs')) {
    return refuse(400, 'the body must have exactly one key, "input" or "inputs"');
  }
  if (keys[0] === 'input') {
    const rows = new Float64Array(inputSize);
    const problem = readRow(request.input, rows, 0, inputSize, 'input');
    return problem === null ? { ok: true, batch: false, count: 1, rows } : refuse(400, problem);
  }
  const inputs = request.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) return refuse(400, '"inputs" must be a non-empty array of rows');
  if (inputs.length > limits.maxRows) return refuse(413, `"inputs" has more than ${limits.maxRows} rows`);
  const rows = new Float64Array(inputs.length * inputSize);
  for (let r = 0; r < inputs.length; r++) {
    const problem = readRow(inputs[r], rows, r * inputSize, inputSize, `inputs[${r}]`);
    if (problem !== null) return refuse(400, problem);
  }
  return { ok: true, batch: true, count: inputs.length, rows };
}

/** Copies one row into `out` at `offset`; returns what is wrong with it, or null. */
function readRow(row, out, offset, inputSize, name) {
  if (!Array.isArray(row)) return `${name} must be an array of ${inputSize} numbers`;
  if (row.length !== inputSize) return `${name} must have ${inputSize} numbers, not ${row.length}`;
  for (let i = 0; i < inputSize; i++) {
    const value = row[i];
    // JSON has no NaN or Infinity, but an overflowing literal such as 1e999 parses as Infinity.
    if (typeof value !== 'number' || !Number.isFinite(value)) return `${name}[${i}] must be a finite number`;
    out[offset + i] = value;
  }
  return null;
}
