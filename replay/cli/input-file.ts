/** Reading a file a command names (`--input`, `--checkpoint`) with an upper bound on its size. */
import { closeSync, openSync, readSync } from 'node:fs';
import { UsageError } from './command.ts';

const CHUNK_BYTES = 1 << 20;

/**
 * The UTF-8 text of `path`, read in 1 MiB chunks up to `maxBytes`: a larger file, or one that
 * never ends (`/dev/zero`, a pipe that keeps writing), is a `UsageError` naming `flag` once the
 * bound is passed, instead of being read until memory runs out. Unreadable: `UsageError` too.
 */
export function readBoundedText(flag: string, path: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(CHUNK_BYTES);
      let read: number;
      try {
        read = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      } catch (error) {
        throw new UsageError(`${flag}: cannot read ${path}: ${(error as Error).message}`);
      }
      if (read === 0) return Buffer.concat(chunks, total).toString('utf8');
      total += read;
      if (total > maxBytes) throw new UsageError(`${flag}: ${path} is larger than ${maxBytes} bytes`);
      chunks.push(chunk.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
}
