// toONNX: a saved dense model as an ONNX graph (one Gemm and one activation node per layer), encoded by hand.
import type { DenseModelJSON } from '../dense/types.js';
import { OutOfRangeError } from '../errors.js';
import { oneOf, options } from '../validate.js';
import { parseDenseModel } from './json.js';
import { ProtoWriter } from './protobuf.js';
import { ACTIVATION_SPECS } from '../spec/activations.js';

/** Options of {@link toONNX}. */
export interface ONNXOptions {
  /** Element type of weights, input and output: 'float32' (default; what most runtimes accelerate) or 'float64' (exact weights). */
  precision?: 'float32' | 'float64';
}

/** ONNX TensorProto.DataType codes. */
const FLOAT = 1;
const DOUBLE = 11;
/** ONNX AttributeProto.AttributeType codes. */
const ATTRIBUTE_FLOAT = 1;
const ATTRIBUTE_INT = 2;
/** Opset 13 is understood by every maintained runtime; IR version 7 is the one that introduced it. */
const OPSET = 13;
const IR_VERSION = 7;
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Exports a dense model as an ONNX ModelProto (opset 13): input `input` of shape [N, inputSize], output
 * `output` of shape [N, outputSize], and per layer a `Gemm` (transB = 1, weights as initializers) followed by
 * its activation (`Sigmoid`, `Tanh`, `Relu`, `LeakyRelu` α = 0.01, `Elu` α = 1, `Softmax` axis = -1, `Softplus`).
 * Standardization figures (`scaling`) are part of the graph (Sub and Div on the input, Mul and Add on the output);
 * the CLI's normalization stats kept in `meta` are not: apply them before feeding it.
 * @param model a `DenseModelJSON` (e.g. `net.toJSON()`), checked by {@link parseDenseModel}
 * @returns the `.onnx` file's bytes
 * @throws FormatError when the model is malformed; OutOfRangeError when a weight does not fit in float32
 */
export function toONNX(model: DenseModelJSON, onnxOptions?: ONNXOptions): Uint8Array {
  const { precision = 'float32' } = options(onnxOptions, 'options', ['precision']);
  oneOf(precision, 'options.precision', ['float32', 'float64']);
  const { layers, weights, biases, scaling } = parseDenseModel(model);
  const elementType = precision === 'float64' ? DOUBLE : FLOAT;

  const graph = new ProtoWriter();
  // The standardization figures, applied as DenseNetwork applies them (dense/scaling.ts): (x − mean) / std on the
  // way in, y × std + mean on the way out.
  const initializers: ProtoWriter[] = [];
  const elementwise = (op: string, from: string, constant: string, values: readonly number[], to: string): string => {
    graph.message(1, node(op, `${op.toLowerCase()}_${constant}`, [from, constant], to));
    initializers.push(tensor(constant, [values.length], values, elementType, `standardization figures (${constant})`));
    return to;
  };
  let current = 'input';
  if (scaling?.inputs) current = elementwise('Div', elementwise('Sub', current, 'input_mean', scaling.inputs.mean, 'input_centered'), 'input_std', scaling.inputs.std, 'input_standardized');
  const output = scaling?.targets ? 'standardized_output' : 'output';
  for (let l = 1; l < layers.length; l++) {
    const activation = layers[l]!.activation!;
    const last = l === layers.length - 1;
    const operator = ACTIVATION_SPECS.find((spec) => spec.name === activation)!.onnx;
    const linear = last && operator === null ? output : `linear${l}`;
    graph.message(1, node('Gemm', `gemm${l}`, [current, `W${l}`, `B${l}`], linear).message(5, intAttribute('transB', 1)));
    current = linear;
    if (operator !== null) {
      const { op, float, int } = operator;
      const activated = last ? output : `activation${l}`;
      const activationNode = node(op, `${op.toLowerCase()}${l}`, [current], activated);
      if (float) activationNode.message(5, floatAttribute(...float));
      if (int) activationNode.message(5, intAttribute(...int));
      graph.message(1, activationNode);
      current = activated;
    }
  }
  if (scaling?.targets) elementwise('Add', elementwise('Mul', current, 'output_std', scaling.targets.std, 'output_scaled'), 'output_mean', scaling.targets.mean, 'output');
  graph.string(2, 'neurite');
  for (const initializer of initializers) graph.message(5, initializer);
  for (let l = 1; l < layers.length; l++) {
    graph.message(5, tensor(`W${l}`, [layers[l]!.size, layers[l - 1]!.size], weights[l - 1]!, elementType, `weights of layer ${l}`));
    graph.message(5, tensor(`B${l}`, [layers[l]!.size], biases[l - 1]!, elementType, `biases of layer ${l}`));
  }
  graph.message(11, valueInfo('input', layers[0]!.size, elementType));
  graph.message(12, valueInfo('output', layers[layers.length - 1]!.size, elementType));

  return new ProtoWriter()
    .int(1, IR_VERSION)
    .string(2, 'neurite')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').int(2, OPSET))
    .finish();
}

function node(op: string, name: string, inputs: readonly string[], output: string): ProtoWriter {
  const writer = new ProtoWriter();
  for (const input of inputs) writer.string(1, input);
  return writer.string(2, output).string(3, name).string(4, op);
}

function intAttribute(name: string, value: number): ProtoWriter {
  return new ProtoWriter().string(1, name).int(3, value).int(20, ATTRIBUTE_INT);
}

function floatAttribute(name: string, value: number): ProtoWriter {
  return new ProtoWriter().string(1, name).float(2, value).int(20, ATTRIBUTE_FLOAT);
}

/** An initializer with its values as little-endian raw data. */
function tensor(name: string, dims: readonly number[], values: readonly number[], elementType: number, what: string): ProtoWriter {
  const width = elementType === DOUBLE ? 8 : 4;
  const raw = new DataView(new ArrayBuffer(values.length * width));
  values.forEach((value, i) => {
    if (elementType === DOUBLE) return raw.setFloat64(i * 8, value, true);
    if (Math.abs(value) > FLOAT32_MAX) throw new OutOfRangeError(`the ${what} hold ${value}, beyond float32's range: export with { precision: 'float64' }`, 'model');
    raw.setFloat32(i * 4, value, true);
  });
  const writer = new ProtoWriter();
  for (const dim of dims) writer.int(1, dim);
  return writer.int(2, elementType).string(8, name).bytes(9, new Uint8Array(raw.buffer));
}

/** A graph input or output of shape [N, size], N being any batch size. */
function valueInfo(name: string, size: number, elementType: number): ProtoWriter {
  const shape = new ProtoWriter()
    .message(1, new ProtoWriter().string(2, 'N'))
    .message(1, new ProtoWriter().int(1, size));
  const tensorType = new ProtoWriter().int(1, elementType).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}
