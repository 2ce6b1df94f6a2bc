// A plain-loop transcription of ../shared/seed/reference.py (the seed rule), independent of neurite's code.

export interface RefNeuron { weight: number; bias: number; result: number }
export interface RefLayer { neurons: RefNeuron[]; isInput: boolean }
export interface RefSpec { weight: number; bias: number; size: number }

/** A network as reference.py builds it: an InputLayer, then Layers. */
export function refNetwork(conf: readonly RefSpec[]): RefLayer[] {
  return conf.map((c, l) => refLayer(c, l === 0));
}

/** One layer of `size` neurons (an InputLayer when `isInput`). */
export function refLayer(c: RefSpec, isInput = false): RefLayer {
  return { neurons: Array.from({ length: c.size }, () => ({ weight: c.weight, bias: c.bias, result: 0 })), isInput };
}

/** Neuron.process: sum of w·d over data (left to right), divided by len(data), plus b. */
export function refNeuronProcess(n: RefNeuron, data: readonly number[]): number {
  let sum = 0;
  for (const d of data) sum += n.weight * d;
  n.result = sum / data.length + n.bias;
  return n.result;
}

/** Neuron.update; throws like reference.py on a zero weight (after mutating, as Python does). */
export function refNeuronUpdate(n: RefNeuron, expected: number, rate: number, where = ''): number {
  const loss = expected - n.result;
  n.weight = n.weight + loss * rate;
  n.bias = n.bias + loss * rate;
  if (n.weight === 0) throw new Error(`zero weight${where}`);
  return (n.bias - expected) / n.weight;
}

export function refLayerProcess(layer: RefLayer, data: readonly number[]): number[] {
  return layer.neurons.map((n, i) => refNeuronProcess(n, layer.isInput ? [data[i]!] : data));
}

export function refLayerUpdate(layer: RefLayer, expected: readonly number[], rate: number, l = 0): number[] {
  return layer.neurons.map((n, i) => refNeuronUpdate(n, expected[i]!, rate, ` at layer ${l}, neuron ${i}`));
}

export function refProcess(net: RefLayer[], input: readonly number[]): number[] {
  let data = [...input];
  for (const layer of net) data = refLayerProcess(layer, data);
  return data;
}

/** Network.update: output layer first; a size mismatch hands every neuron the mean of the hoped inputs. */
export function refUpdate(net: RefLayer[], expected: readonly number[], rate: number): void {
  let e = [...expected];
  for (let l = net.length - 1; l >= 0; l--) {
    const size = net[l]!.neurons.length;
    if (e.length !== size) {
      let sum = 0;
      for (const v of e) sum += v;
      e = Array(size).fill(sum / e.length);
    }
    e = refLayerUpdate(net[l]!, e, rate, l);
  }
}

/** Every neuron's [weight, bias, result], flattened, for comparison with neurite's. */
export function refState(layers: readonly RefLayer[]): number[] {
  return layers.flatMap((l) => l.neurons.flatMap((n) => [n.weight, n.bias, n.result]));
}

/** A deep copy. */
export function refClone(layers: readonly RefLayer[]): RefLayer[] {
  return layers.map((l) => ({ isInput: l.isInput, neurons: l.neurons.map((n) => ({ ...n })) }));
}
