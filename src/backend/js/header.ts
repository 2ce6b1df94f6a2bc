// A dense arena's header words as plain numbers, read once per arena: kernels that read them on every call spend
// a small network's step on it.
import type { Arena } from '../arena.js';
import {
  DENSE_LAYER_COUNT, DENSE_LOSS_KIND, DENSE_OPTIMIZER, DENSE_NESTEROV, DENSE_SETTINGS, DENSE_PARAMS, DENSE_GRADS, DENSE_MOMENT1, DENSE_MOMENT2,
  DENSE_INPUT, DENSE_TARGET, DENSE_DATA_INPUTS, DENSE_DATA_TARGETS, DENSE_DATA_ORDER, DENSE_DATA_LOSSES, denseEntry as entry,
  DENSE_IN, DENSE_OUT, DENSE_ACTIVATION, DENSE_WEIGHT, DENSE_BIAS, DENSE_OUTPUT, DENSE_DELTA, OPT_MOMENTUM, DENSE_SLICE_STATS,
} from '../../header.js';

/** What a dense arena's header says: per layer l >= 1 (index 0 unused), then the buffers and settings. */
export interface Header {
  readonly layers: number;
  readonly nIn: Int32Array;
  readonly nOut: Int32Array;
  readonly kind: Int32Array;
  readonly weight: Int32Array;
  readonly bias: Int32Array;
  readonly output: Int32Array;
  readonly delta: Int32Array;
  lossKind: number;
  momentum: boolean;
  nesterov: boolean;
  readonly settings: number;
  /** Offsets from a parameter to its gradient, first and second moments. */
  readonly toGrads: number;
  readonly toM: number;
  readonly toV: number;
  readonly inputs: number;
  readonly targets: number;
  /** int32 index of the visiting order. */
  readonly order: number;
  readonly losses: number;
  /** int32 index of the header's first word. */
  readonly words: number;
  readonly input: number;
  readonly target: number;
  /** DENSE_SLICE_STATS: a sliced step's partials and norms. */
  readonly sliceStats: number;
}

// Each arena's header. Its sizes and offsets are written once, with the arena (a larger one is a new arena), and
// read once; its kind codes are read on every call, so that a code no table lists is refused, never run as another.
const headers = new WeakMap<Arena, Header>();

/** The arena's header: sizes and offsets as first read, kind codes as they are now. */
export function headerOf(arena: Arena): Header {
  let header = headers.get(arena);
  if (header === undefined) headers.set(arena, (header = read(arena)));
  else {
    for (let l = 1; l <= header.layers; l++) header.kind[l] = arena.word(entry(l, DENSE_ACTIVATION));
    header.lossKind = arena.word(DENSE_LOSS_KIND);
    header.momentum = arena.word(DENSE_OPTIMIZER) === OPT_MOMENTUM;
    header.nesterov = arena.word(DENSE_NESTEROV) !== 0;
  }
  return header;
}

function read(arena: Arena): Header {
  const layers = arena.word(DENSE_LAYER_COUNT);
  const perLayer = (field: number, offset: boolean): Int32Array => {
    const values = new Int32Array(layers + 1);
    for (let l = 1; l <= layers; l++) values[l] = offset ? arena.at(entry(l, field)) : arena.word(entry(l, field));
    return values;
  };
  const word = (field: number) => perLayer(field, false);
  const at = (field: number) => perLayer(field, true);
  const params = arena.at(DENSE_PARAMS);
  return {
    layers, nIn: word(DENSE_IN), nOut: word(DENSE_OUT), kind: word(DENSE_ACTIVATION),
    weight: at(DENSE_WEIGHT), bias: at(DENSE_BIAS), output: at(DENSE_OUTPUT), delta: at(DENSE_DELTA),
    lossKind: arena.word(DENSE_LOSS_KIND),
    momentum: arena.word(DENSE_OPTIMIZER) === OPT_MOMENTUM,
    nesterov: arena.word(DENSE_NESTEROV) !== 0,
    settings: arena.at(DENSE_SETTINGS),
    toGrads: arena.at(DENSE_GRADS) - params,
    toM: arena.at(DENSE_MOMENT1) - params,
    toV: arena.at(DENSE_MOMENT2) - params,
    inputs: arena.at(DENSE_DATA_INPUTS),
    targets: arena.at(DENSE_DATA_TARGETS),
    order: (arena.base + arena.word(DENSE_DATA_ORDER)) >> 2,
    losses: arena.at(DENSE_DATA_LOSSES),
    words: arena.base >> 2,
    input: arena.at(DENSE_INPUT),
    target: arena.at(DENSE_TARGET),
    sliceStats: arena.at(DENSE_SLICE_STATS),
  };
}
