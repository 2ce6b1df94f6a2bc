// toONNX: a saved dense model as an ONNX graph (one Gemm and one activation node per layer), encoded by hand.
import type { Activation, DenseModelJSON, ScalingJSON } from '../dense/types.js';
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

/** @internal ONNX TensorProto.DataType code of float32. */
export const FLOAT = 1;
/** @internal ONNX TensorProto.DataType code of float64. */
export const DOUBLE = 11;
/** @internal ONNX TensorProto.DataType code of int64 (shape operands). */
export const INT64 = 7;
/** ONNX AttributeProto.AttributeType codes. */
const ATTRIBUTE = { float: 1, int: 2, ints: 7, strings: 8 } as const;
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
  const elementType = elementTypeOf(onnxOptions);
  const { layers, weights, biases, scaling } = parseDenseModel(model);

  const graph = new ProtoWriter();
  const initializers: ProtoWriter[] = [];
  let current = standardizeInput(graph, initializers, scaling, 'input', elementType);
  const output = scaling?.targets ? 'standardized_output' : 'output';
  for (let l = 1; l < layers.length; l++) {
    const activation = layers[l]!.activation!;
    const last = l === layers.length - 1;
    const linear = last && activation === 'identity' ? output : `linear${l}`;
    graph.message(1, node('Gemm', `gemm${l}`, [current, `W${l}`, `B${l}`], linear).message(5, intAttribute('transB', 1)));
    current = activate(graph, activation, linear, last ? output : `activation${l}`, `${l}`);
  }
  unstandardizeOutput(graph, initializers, scaling, current, 'output', elementType);
  graph.string(2, 'neurite');
  for (const initializer of initializers) graph.message(5, initializer);
  for (let l = 1; l < layers.length; l++) {
    graph.message(5, tensor(`W${l}`, [layers[l]!.size, layers[l - 1]!.size], weights[l - 1]!, elementType, `weights of layer ${l}`));
    graph.message(5, tensor(`B${l}`, [layers[l]!.size], biases[l - 1]!, elementType, `biases of layer ${l}`));
  }
  graph.message(11, valueInfo('input', ['N', layers[0]!.size], elementType));
  graph.message(12, valueInfo('output', ['N', layers[layers.length - 1]!.size], elementType));
  return modelBytes(graph);
}

/** @internal The element type `options.precision` asks for (checked). */
export function elementTypeOf(onnxOptions: ONNXOptions | undefined): number {
  const { precision = 'float32' } = options(onnxOptions, 'options', ['precision']);
  oneOf(precision, 'options.precision', ['float32', 'float64']);
  return precision === 'float64' ? DOUBLE : FLOAT;
}

/** @internal A ModelProto (opset 13) around `graph`, encoded. */
export function modelBytes(graph: ProtoWriter): Uint8Array {
  return new ProtoWriter()
    .int(1, IR_VERSION)
    .string(2, 'neurite')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').int(2, OPSET))
    .finish();
}

// The standardization figures, applied as the networks apply them (dense/scaling.ts): (x − mean) / std on the
// way in, y × std + mean on the way out; they broadcast over the last axis.
function elementwise(graph: ProtoWriter, initializers: ProtoWriter[], op: string, from: string, constant: string, values: readonly number[], to: string, elementType: number): string {
  graph.message(1, node(op, `${op.toLowerCase()}_${constant}`, [from, constant], to));
  initializers.push(tensor(constant, [values.length], values, elementType, `standardization figures (${constant})`));
  return to;
}

/** @internal Sub and Div nodes standardizing `from` when `scaling.inputs` is set; returns the name of the standardized value. */
export function standardizeInput(graph: ProtoWriter, initializers: ProtoWriter[], scaling: ScalingJSON | undefined, from: string, elementType: number): string {
  if (!scaling?.inputs) return from;
  const centered = elementwise(graph, initializers, 'Sub', from, 'input_mean', scaling.inputs.mean, 'input_centered', elementType);
  return elementwise(graph, initializers, 'Div', centered, 'input_std', scaling.inputs.std, 'input_standardized', elementType);
}

/** @internal Mul and Add nodes taking `from` back to the targets' units into `to`, when `scaling.targets` is set (else `from` must already be `to`). */
export function unstandardizeOutput(graph: ProtoWriter, initializers: ProtoWriter[], scaling: ScalingJSON | undefined, from: string, to: string, elementType: number): void {
  if (!scaling?.targets) return;
  const scaled = elementwise(graph, initializers, 'Mul', from, 'output_std', scaling.targets.std, 'output_scaled', elementType);
  elementwise(graph, initializers, 'Add', scaled, 'output_mean', scaling.targets.mean, to, elementType);
}

/** @internal The node of `activation` from `from` into `to` (none for identity, which returns `from`); returns the name of the result. */
export function activate(graph: ProtoWriter, activation: Activation, from: string, to: string, suffix: string): string {
  const operator = ACTIVATION_SPECS.find((spec) => spec.name === activation)!.onnx;
  if (operator === null) return from;
  const { op, float, int } = operator;
  const activationNode = node(op, `${op.toLowerCase()}${suffix}`, [from], to);
  if (float) activationNode.message(5, floatAttribute(...float));
  if (int) activationNode.message(5, intAttribute(...int));
  graph.message(1, activationNode);
  return to;
}

/** @internal A NodeProto: `op` from `inputs` into `output`. */
export function node(op: string, name: string, inputs: readonly string[], output: string): ProtoWriter {
  const writer = new ProtoWriter();
  for (const input of inputs) writer.string(1, input);
  return writer.string(2, output).string(3, name).string(4, op);
}

/** @internal An int attribute. */
export function intAttribute(name: string, value: number): ProtoWriter {
  return new ProtoWriter().string(1, name).int(3, value).int(20, ATTRIBUTE.int);
}

/** @internal A float attribute. */
export function floatAttribute(name: string, value: number): ProtoWriter {
  return new ProtoWriter().string(1, name).float(2, value).int(20, ATTRIBUTE.float);
}

/** @internal An ints attribute. */
export function intsAttribute(name: string, values: readonly number[]): ProtoWriter {
  const writer = new ProtoWriter().string(1, name);
  for (const value of values) writer.int(8, value);
  return writer.int(20, ATTRIBUTE.ints);
}

/** @internal A strings attribute. */
export function stringsAttribute(name: string, values: readonly string[]): ProtoWriter {
  const writer = new ProtoWriter().string(1, name);
  for (const value of values) writer.string(9, value);
  return writer.int(20, ATTRIBUTE.strings);
}

/** @internal An initializer with its values as little-endian raw data (int64 ones too, for shape operands). */
export function tensor(name: string, dims: readonly number[], values: readonly number[], elementType: number, what: string): ProtoWriter {
  const width = elementType === FLOAT ? 4 : 8;
  const raw = new DataView(new ArrayBuffer(values.length * width));
  values.forEach((value, i) => {
    if (elementType === DOUBLE) return raw.setFloat64(i * 8, value, true);
    if (elementType === INT64) return raw.setBigInt64(i * 8, BigInt(value), true);
    if (Math.abs(value) > FLOAT32_MAX) throw new OutOfRangeError(`the ${what} hold ${value}, beyond float32's range: export with { precision: 'float64' }`, 'model');
    raw.setFloat32(i * 4, value, true);
  });
  const writer = new ProtoWriter();
  for (const dim of dims) writer.int(1, dim);
  return writer.int(2, elementType).string(8, name).bytes(9, new Uint8Array(raw.buffer));
}

/** @internal A graph input or output of shape `dims`: numbers are fixed sizes, strings name free ones (e.g. 'N', any batch size). */
export function valueInfo(name: string, dims: readonly (number | string)[], elementType: number): ProtoWriter {
  const shape = new ProtoWriter();
  for (const dim of dims) shape.message(1, typeof dim === 'number' ? new ProtoWriter().int(1, dim) : new ProtoWriter().string(2, dim));
  const tensorType = new ProtoWriter().int(1, elementType).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}
