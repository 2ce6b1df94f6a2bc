// Shared assertions for the bad-input tests, and what a call threw.
import { expect } from 'vitest';
import { NeuriteError } from '../../src/index.js';

/** What `act` threw, or undefined when it returned. */
export function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** What `act`'s promise rejected with (or `act` threw), or undefined when it resolved. */
export async function rejectionOf(act: () => Promise<unknown>): Promise<unknown> {
  try {
    await act();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Runs `act`, which must throw `kind` naming `argument` (in `.argument` and in the message). Returns the error. */
export function expectError<E extends NeuriteError>(act: () => unknown, kind: new (...args: any[]) => E, argument: string | undefined, message?: RegExp): E {
  const caught = thrownBy(act);
  expect(caught, 'nothing was thrown').toBeInstanceOf(kind);
  const error = caught as E;
  expect(error).toBeInstanceOf(NeuriteError);
  expect(error.name).toBe(kind.name);
  expect(error.argument).toBe(argument);
  if (argument !== undefined) expect(error.message).toContain(argument);
  if (message) expect(error.message).toMatch(message);
  return error;
}
