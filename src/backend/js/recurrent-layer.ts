// The header of one recurrent layer of a recurrent arena (src/header.ts), read once into float64 indices for the JS twin's loops.
import { BackendError } from '../../errors.js';
import type { Arena } from '../arena.js';
import {
  cellGates, CELL_LSTM, DENSE_ACTIVATION, DENSE_BIAS, DENSE_DELTA, DENSE_IN, DENSE_OUT, DENSE_OUTPUT, DENSE_WEIGHT, denseEntry, MEMORY_HIDDEN,
  RNN_CARRY_C, RNN_CARRY_H, RNN_CELL, RNN_DXH, RNN_DXR, RNN_EXTRA, RNN_GATES, RNN_MEMORY, RNN_SIZE, RNN_WIDTH, RNN_XH, recurrentEntry,
} from '../../header.js';

/** One recurrent layer's header entries, as float64 indices. */
export interface Layer {
  /** hidden: an lstm whose forget gate multiplies h' (memory 'hidden'). */
  cell: number; hidden: boolean; size: number; width: number; nIn: number; nOut: number; activation: number;
  w: number; bias: number; h: number; dh: number; xh: number; gates: number; extra: number;
  dxh: number; dxr: number; carryH: number; carryC: number;
}

function layer(arena: Arena, layers: number, l: number): Layer {
  const e = (field: number) => arena.at(recurrentEntry(layers, l, field));
  const cell = arena.word(recurrentEntry(layers, l, RNN_CELL));
  // The loops take any code but lstm and gru as rnn: refuse one that is no cell.
  if (cellGates(cell) === 0) throw new BackendError(`unknown cell code ${cell}`);
  return {
    cell,
    hidden: cell === CELL_LSTM && arena.word(recurrentEntry(layers, l, RNN_MEMORY)) === MEMORY_HIDDEN,
    size: arena.word(recurrentEntry(layers, l, RNN_SIZE)),
    width: arena.word(recurrentEntry(layers, l, RNN_WIDTH)),
    nIn: arena.word(denseEntry(l, DENSE_IN)),
    nOut: arena.word(denseEntry(l, DENSE_OUT)),
    activation: arena.word(denseEntry(l, DENSE_ACTIVATION)),
    w: arena.at(denseEntry(l, DENSE_WEIGHT)),
    bias: arena.at(denseEntry(l, DENSE_BIAS)),
    h: arena.at(denseEntry(l, DENSE_OUTPUT)),
    dh: arena.at(denseEntry(l, DENSE_DELTA)),
    xh: e(RNN_XH), gates: e(RNN_GATES), extra: e(RNN_EXTRA), dxh: e(RNN_DXH), dxr: e(RNN_DXR),
    carryH: e(RNN_CARRY_H), carryC: e(RNN_CARRY_C),
  };
}

/** The recurrent layers 1 … layers − 1 (the head is layer `layers`). */
export function recurrentLayers(arena: Arena, layers: number): Layer[] {
  const all: Layer[] = [];
  for (let l = 1; l < layers; l++) all.push(layer(arena, layers, l));
  return all;
}
