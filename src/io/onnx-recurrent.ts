// recurrentToONNX: a saved recurrent model as an ONNX graph: one LSTM / GRU / RNN operator per layer, then the dense head.
import { ConfigurationError } from '../errors.js';
import { parseRecurrentModel } from '../recurrent/json.js';
import type { RecurrentLayerJSON } from '../recurrent/types.js';
import {
  activate, FLOAT, INT64, intAttribute, intsAttribute, modelBytes, node, standardizeInput, stringsAttribute, tensor,
  unstandardizeOutput, valueInfo,
} from './onnx.js';
import { ProtoWriter } from './protobuf.js';

/** Per cell: the ONNX operator, and for each ONNX gate (in ONNX's order) the contract gate it takes. */
const OPERATORS = {
  // ONNX orders LSTM gates [i, o, f, c]; the contract [i, f, g, o].
  lstm: { op: 'LSTM', gates: [0, 3, 1, 2] },
  gru: { op: 'GRU', gates: [0, 1, 2] },
  rnn: { op: 'RNN', gates: [0] },
} as const;

/**
 * Exports a recurrent model as an ONNX ModelProto (opset 13), batch first like the rest of neurite:
 * input `input` of shape [N, T, inputSize] (N sequences of T steps); output `output` of shape [N, T, outputs]
 * (output 'sequence') or [N, outputs] (output 'last'). Inside, the input is transposed to ONNX's [T, N, features],
 * each recurrent layer is one `LSTM`, `GRU` (`linear_before_reset` = 0, the contract's reset-before-product form)
 * or `RNN` (`Tanh` or `Relu`) operator with zero initial state, and the head is `MatMul` + `Add` (every step) or
 * `Gemm` (the last layer's final state `Y_h`), then its activation. Standardization figures (`scaling`) are part of
 * the graph. Every sequence of one call has T steps: run sequences of other lengths in separate calls. Weights,
 * input and output are float32: onnxruntime runs these operators in float32 only.
 * @param json a `RecurrentModelJSON` (e.g. `net.toJSON()`, or its JSON text), checked by parseRecurrentModel
 * @returns the `.onnx` file's bytes
 * @throws FormatError when the model is malformed; ConfigurationError when an lstm layer has `memory: 'hidden'`
 * (brain.js's cell, which ONNX's LSTM operator cannot compute); OutOfRangeError when a weight does not fit in float32
 */
export function recurrentToONNX(json: unknown): Uint8Array {
  const elementType = FLOAT;
  const model = parseRecurrentModel(json);
  const { inputSize, layers, scaling } = model;
  layers.forEach((layer, l) => {
    if (layer.type === 'lstm' && layer.memory === 'hidden') {
      throw new ConfigurationError(
        `json.layers[${l}].memory is 'hidden' (brain.js's LSTM: the forget gate multiplies the previous hidden state), which ONNX's LSTM operator cannot express: it always multiplies a cell state carried from step to step`,
        `json.layers[${l}].memory`,
      );
    }
  });
  const recurrent = layers.slice(0, -1) as Exclude<RecurrentLayerJSON, { type: 'dense' }>[];
  const head = layers[layers.length - 1] as Extract<RecurrentLayerJSON, { type: 'dense' }>;
  const graph = new ProtoWriter();
  const initializers: ProtoWriter[] = [];
  const constant = (name: string, dims: readonly number[], values: readonly number[], what: string) => {
    initializers.push(tensor(name, dims, values, elementType, what));
    return name;
  };
  const axes = (name: string, values: readonly number[]) => {
    initializers.push(tensor(name, [values.length], values, INT64, name));
    return name;
  };
  const transpose = (from: string, to: string) => {
    graph.message(1, node('Transpose', `transpose_${to}`, [from], to).message(5, intsAttribute('perm', [1, 0, 2])));
    return to;
  };

  let current = transpose(standardizeInput(graph, initializers, scaling, 'input', elementType), 'steps');
  let width = inputSize;
  let finalState = '';
  recurrent.forEach((layer, l) => {
    const { op, gates } = OPERATORS[layer.type];
    const n = layer.size;
    const rows = (values: readonly number[], columns: number) => gates.flatMap((g) => values.slice(g * n * columns, (g + 1) * n * columns));
    const inputs = [
      current,
      constant(`W${l}`, [1, gates.length * n, width], rows(layer.input, width), `input weights of layer ${l}`),
      constant(`R${l}`, [1, gates.length * n, n], rows(layer.recurrent, n), `recurrent weights of layer ${l}`),
      // ONNX adds two biases (input and recurrent); the contract's one is the first, the second is zero.
      constant(`B${l}`, [1, 2 * gates.length * n], [...rows(layer.bias, 1), ...new Array<number>(gates.length * n).fill(0)], `biases of layer ${l}`),
    ];
    const cell = node(op, `${op.toLowerCase()}${l}`, inputs, `Y${l}`).string(2, `Y_h${l}`).message(5, intAttribute('hidden_size', n));
    if (layer.type === 'gru') cell.message(5, intAttribute('linear_before_reset', 0));
    if (layer.type === 'rnn') cell.message(5, stringsAttribute('activations', [layer.activation === 'relu' ? 'Relu' : 'Tanh']));
    graph.message(1, cell);
    // Y is [T, directions = 1, N, size]; the next layer takes [T, N, size].
    graph.message(1, node('Squeeze', `squeeze_Y${l}`, [`Y${l}`, axes(`axes_Y${l}`, [1])], `H${l}`));
    current = `H${l}`;
    finalState = `Y_h${l}`;
    width = n;
  });

  const output = scaling?.targets ? 'standardized_output' : 'output';
  const linear = head.activation === 'identity' ? output : 'linear';
  const biases = constant('B_head', [head.size], head.biases, 'biases of the dense head');
  if (model.output === 'sequence') {
    // MatMul broadcasts over [N, T]: it takes the weights as (last recurrent size) × outputs.
    const weights = constant('WT_head', [width, head.size], transpose2d(head.weights, head.size, width), 'weights of the dense head');
    graph.message(1, node('MatMul', 'matmul_head', [transpose(current, 'states'), weights], 'head_product'));
    graph.message(1, node('Add', 'add_head', ['head_product', biases], linear));
  } else {
    const weights = constant('W_head', [head.size, width], head.weights, 'weights of the dense head');
    // Y_h is [directions = 1, N, size].
    graph.message(1, node('Squeeze', 'squeeze_final', [finalState, axes('axes_final', [0])], 'final_state'));
    graph.message(1, node('Gemm', 'gemm_head', ['final_state', weights, biases], linear).message(5, intAttribute('transB', 1)));
  }
  unstandardizeOutput(graph, initializers, scaling, activate(graph, head.activation, linear, output, '_head'), 'output', elementType);

  graph.string(2, 'neurite');
  for (const initializer of initializers) graph.message(5, initializer);
  graph.message(11, valueInfo('input', ['N', 'T', inputSize], elementType));
  graph.message(12, valueInfo('output', model.output === 'sequence' ? ['N', 'T', head.size] : ['N', head.size], elementType));
  return modelBytes(graph);
}

/** The (rows × columns) row-major `values` transposed, row-major. */
function transpose2d(values: readonly number[], rows: number, columns: number): number[] {
  return Array.from({ length: rows * columns }, (_, k) => values[(k % rows) * columns + Math.floor(k / rows)]!);
}
