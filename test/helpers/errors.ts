// Shared assertion for the bad-input tests.
import { expect } from 'vitest';
import { NeuriteError } from '../../src/index.js';

/** Runs `act`, which must throw `kind` naming `argument` (in `.argument` and in the message). Returns the error. */
export function expectError<E extends NeuriteError>(act: () => unknown, kind: new (...args: any[]) => E, argument: string | undefined, message?: RegExp): E {
  let caught: unknown;
  try {
    act();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'nothing was thrown').toBeInstanceOf(kind);
  const error = caught as E;
  expect(error).toBeInstanceOf(NeuriteError);
  expect(error.name).toBe(kind.name);
  expect(error.argument).toBe(argument);
  if (argument !== undefined) expect(error.message).toContain(argument);
  if (message) expect(error.message).toMatch(message);
  return error;
}
