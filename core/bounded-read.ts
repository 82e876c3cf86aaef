/** Reading a whole file with an upper bound on its size (every input is bounded, issue 10). */
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK_BYTES = 1 << 20;

/**
 * The UTF-8 text of `path`, read in 1 MiB chunks, or `null` once more than `maxBytes` were read:
 * a file too large, or one that never ends (`/dev/zero`, a pipe that keeps writing), costs at
 * most `maxBytes` of memory instead of growing until the process dies. Errors: the file system's
 * (`ENOENT`, `EISDIR`, …).
 */
export function readTextUpTo(path: string, maxBytes: number): string | null {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(CHUNK_BYTES);
      const read = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (read === 0) return Buffer.concat(chunks, total).toString('utf8');
      total += read;
      if (total > maxBytes) return null;
      chunks.push(chunk.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
}
