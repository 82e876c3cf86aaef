/** Assertions uvu lacks. */
import * as assert from 'uvu/assert';

/**
 * Awaits `run` and asserts it rejects with an error that is an instance of `expected` (a class)
 * or whose message matches it (a RegExp). Returns the error for further checks.
 */
export async function rejects(
  run: () => Promise<unknown>,
  expected: RegExp | (new (...args: never[]) => Error),
  message?: string,
): Promise<Error> {
  try {
    await run();
  } catch (error) {
    assert.instance(error, Error, message);
    const e = error as Error;
    if (expected instanceof RegExp) assert.match(e.message, expected, message);
    else assert.instance(e, expected, message);
    return e;
  }
  assert.unreachable(message ?? 'expected a rejection');
  throw new Error('unreachable');
}
