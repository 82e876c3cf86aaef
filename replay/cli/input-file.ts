/** Reading a file a command names (`--input`, `--checkpoint`) with an upper bound on its size. */
import { readTextUpTo } from '../../core/bounded-read.ts';
import { UsageError } from './command.ts';

/**
 * The UTF-8 text of `path` up to `maxBytes` (`core/bounded-read.ts`). Errors: `UsageError`
 * naming `flag` when the file cannot be read, or is larger (or never ends).
 */
export function readBoundedText(flag: string, path: string, maxBytes: number): string {
  let text: string | null;
  try {
    text = readTextUpTo(path, maxBytes);
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${path}: ${(error as Error).message}`);
  }
  if (text === null) throw new UsageError(`${flag}: ${path} is larger than ${maxBytes} bytes`);
  return text;
}
